// Random batches of transform blocks for the residual reconstruction parity
// tests (CPU elementwise formulation, GPU kernels) and the GPU benchmark, with
// the CPU reference planes (hevc/residual_reconstruction.cpp +
// the int16 clamp and crop of hevc/transform_block.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cuda/gpu_residual.h"
#include "cuda/residual_elements.h"

namespace codectok::test {

struct RandomResidualBatch {
  std::vector<int32_t> levels;
  std::vector<uint8_t> scaling;
  std::vector<cuda::ResidualBlock> blocks;
  std::vector<cuda::ResidualPlane> planes;
  size_t num_out = 0;
};

// Every log2 size 2..5 x {transform, skip, bypass, skip + bypass} x DST on/off
// x flat/random scaling x bit depth 8/10/12, `repeats` random blocks each, in
// planes whose edges crop some blocks. Levels: sparse, from small to beyond
// the 16-bit coefficient range (exercising every clip).
RandomResidualBatch make_random_residual_batch(uint32_t seed, int repeats);

// A synthetic picture of width x height covered by blocks of mixed sizes
// (the benchmark's 1080p pictures), appended as one plane to `batch`.
void append_synthetic_picture(RandomResidualBatch& batch, uint32_t seed, int width, int height);

// The CPU path: reconstruct_residual() per block, clamped and cropped into
// the planes (zero where no block).
std::vector<int16_t> cpu_residual_planes(const RandomResidualBatch& batch);
// The same for blocks [begin, end) into `out` (num_out samples), so threads
// can share a batch (blocks of different planes never overlap).
void cpu_residual_blocks(const RandomResidualBatch& batch, size_t begin, size_t end, int16_t* out);

// The batch as the GPU API takes it, writing into `out` (resized to the
// planes and filled with -1, so a sample the GPU leaves unwritten shows).
cuda::ResidualBatch gpu_batch_view(const RandomResidualBatch& batch, std::vector<int16_t>& out);

}  // namespace codectok::test
