// One step of a radix selection in a CUDA block: the 8-bit digit of the order statistic of rank
// `rank` among the keys counted in hist[256] (ascending digits); rank becomes its rank within that
// digit's bucket. Run by one thread. CUDA-only header (score_kernels.cu, select_kernels.cu).
#pragma once
#include <cstdint>

namespace codectok::cuda {

__device__ inline uint32_t radix_digit(const unsigned* hist, long long& rank) {
  uint32_t d = 0;
  for (; d < 255; ++d) {
    if (rank < static_cast<long long>(hist[d])) break;
    rank -= hist[d];
  }
  return d;
}

}  // namespace codectok::cuda
