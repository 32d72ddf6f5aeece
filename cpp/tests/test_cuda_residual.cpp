// GPU residual reconstruction (cpp/cuda/residual_kernels.cu) against the CPU
// (reconstruct_residual + the int16 clamp of transform_block.cpp): random
// blocks of every size and flag combination and a synthetic 1080p picture,
// planes bit-identical. Exits 77 (ctest: skipped) with a message when no
// CUDA device is present.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/gpu_residual.h"
#include "support/check.h"
#include "support/cuda_device.h"
#include "support/random_residual_batch.h"

using namespace codectok;
using codectok::test::check;

namespace {

size_t first_difference(const std::vector<int16_t>& a, const std::vector<int16_t>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return i;
  return a.size();
}

void test_parity(cuda::GpuResidualReconstructor& gpu) {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    const test::RandomResidualBatch b = test::make_random_residual_batch(seed, 6);
    std::vector<int16_t> out;
    gpu.run(test::gpu_batch_view(b, out));
    const std::vector<int16_t> cpu = test::cpu_residual_planes(b);
    const size_t at = first_difference(cpu, out);
    check(at == cpu.size(), "seed " + std::to_string(seed) + ": GPU planes bit-identical to the CPU (first difference at " +
                                std::to_string(at) + ")");
  }
  test::RandomResidualBatch pics;
  for (uint32_t p = 0; p < 3; ++p) test::append_synthetic_picture(pics, 100 + p, 1920, 1080);
  std::vector<int16_t> out;
  gpu.run(test::gpu_batch_view(pics, out));
  check(first_difference(test::cpu_residual_planes(pics), out) == pics.num_out,
        "three synthetic 1080p pictures bit-identical");
}

void test_rejects_bad_batch(cuda::GpuResidualReconstructor& gpu) {
  test::RandomResidualBatch b = test::make_random_residual_batch(9, 1);
  b.blocks[3].levels_offset = static_cast<uint32_t>(b.levels.size());
  std::vector<int16_t> out;
  bool threw = false;
  try {
    gpu.run(test::gpu_batch_view(b, out));
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  check(threw, "levels out of range -> std::invalid_argument before any device work");
}

}  // namespace

int main() {
  if (!test::cuda_device_present()) return 77;
  try {
    cuda::GpuResidualReconstructor gpu;
    test_parity(gpu);
    test_rejects_bad_batch(gpu);
  } catch (const std::exception& e) {
    check(false, std::string("unexpected exception: ") + e.what());
  }
  return codectok::test::report();
}
