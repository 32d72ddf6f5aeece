// CODECTOK_HD: marks an inline function compiled by both the host compiler and nvcc, so the CPU
// reference and the CUDA kernels run the same arithmetic (cpp/cuda/). Plain `inline` without nvcc.
#pragma once

#if defined(__CUDACC__)
#define CODECTOK_HD __host__ __device__ inline
#else
#define CODECTOK_HD inline
#endif
