// Radix selection in one CUDA block: the key of a given ascending rank among n keys, found
// 8 bits at a time from the top digit down (a histogram per digit, keys outside the prefix
// found so far skipped). Used by the percentile levels of score_kernels.cu (32-bit keys) and the
// top-K threshold of select_kernels.cu (64-bit keys). CUDA-only header.
#pragma once
#include <cstdint>

namespace codectok::cuda {

// One step, run by one thread: the 8-bit digit of the order statistic of rank `rank` among the
// keys counted in hist[256] (ascending digits); rank becomes its rank within that digit's bucket.
__device__ inline uint32_t radix_digit(const unsigned* hist, long long& rank) {
  uint32_t d = 0;
  for (; d < 255; ++d) {
    if (rank < static_cast<long long>(hist[d])) break;
    rank -= hist[d];
  }
  return d;
}

// The block's shared state of a selection: declare one `__shared__` instance per kernel.
template <typename Key>
struct RadixSelectShared {
  unsigned hist[256];
  Key prefix, mask;
  long long rank;
};

// The key of ascending rank `rank` (0 = smallest) among key_of(i), i in [0, n), with digits from
// bit `top_shift` down to bit 0 (top_shift a multiple of 8, below the key's width). Every thread of
// the block calls it with the same arguments; every thread gets the key.
template <typename Key, typename KeyOf>
__device__ Key block_radix_select(RadixSelectShared<Key>& sh, long long n, long long rank, int top_shift,
                                  KeyOf key_of) {
  if (threadIdx.x == 0) {
    sh.prefix = 0;
    sh.mask = 0;
    sh.rank = rank;
  }
  for (int shift = top_shift; shift >= 0; shift -= 8) {
    for (int i = threadIdx.x; i < 256; i += blockDim.x) sh.hist[i] = 0;
    __syncthreads();
    const Key prefix = sh.prefix, mask = sh.mask;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) {
      const Key u = key_of(i);
      if ((u & mask) == prefix) atomicAdd(&sh.hist[static_cast<uint32_t>(u >> shift) & 255u], 1u);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      long long r = sh.rank;
      const uint32_t d = radix_digit(sh.hist, r);
      sh.prefix = prefix | (static_cast<Key>(d) << shift);
      sh.mask = mask | (static_cast<Key>(255) << shift);
      sh.rank = r;
    }
    __syncthreads();
  }
  return sh.prefix;
}

}  // namespace codectok::cuda
