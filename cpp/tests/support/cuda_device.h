// The GPU parity tests' guard: whether a CUDA device can run them. Without one it prints why and
// the test's main returns 77, which ctest reports as Skipped (SKIP_RETURN_CODE in CMakeLists.txt).
#pragma once
#include <cstdio>
#include <string>

#include "cuda/gpu_residual.h"

namespace codectok::test {

inline bool cuda_device_present() {
  const std::string why = cuda::cuda_unavailable_reason();
  if (why.empty()) return true;
  std::printf("SKIP: %s; the GPU parity test needs one (scripts/gpu-check.sh)\n", why.c_str());
  return false;
}

}  // namespace codectok::test
