// The residual reconstruction of hevc/residual_reconstruction.cpp (clauses
// 8.6.2 scaling, 8.6.4.2 transformation, extended_precision_processing_flag 0)
// written per output sample, so one GPU thread computes one sample. Plain C++
// compiled by both the host compiler and nvcc (CODECTOK_HD): the kernels of
// residual_kernels.cu call these functions, and the CPU-only test
// test_residual_elements.cpp checks them against reconstruct_residual() on
// machines without a GPU. Integer arithmetic only; every partial sum is the
// CPU's (|d| <= 32768, 32 * 90 * 32768 < 2^27), so the order of summation
// does not change a bit.
#pragma once
#include <cstdint>

#include "common/host_device.h"
#include "hevc/transform_matrices.h"


namespace codectok::cuda {

enum ResidualBlockFlags : uint8_t {
  kTransformSkip = 1,
  kTransquantBypass = 2,
  kDst = 4,  // trType 1 (DST-VII): intra luma 4x4; ignored for larger blocks
};

// One transform block of a batch. Plain data, no CUDA types.
struct ResidualBlock {
  uint32_t levels_offset = 0;   // TransCoeffLevel raster [y * n + x] at levels[levels_offset]
  int32_t scaling_offset = -1;  // ScalingFactor raster at scaling[scaling_offset], or -1 (flat m = 16)
  uint32_t plane = 0;           // index of the output plane
  uint16_t x0 = 0, y0 = 0;      // top-left sample of the block in the plane
  uint8_t log2_size = 2;        // 2..5
  uint8_t qp = 0;               // qP' (bit-depth offset included); clamped to 0..99 as on the CPU
  uint8_t bit_depth = 8;        // 8..16
  uint8_t flags = 0;            // ResidualBlockFlags
};

// An int16 residual plane (the picture's luma residual, as the CPU writes
// it): samples at out[offset + y * width + x]; blocks are cropped to it.
struct ResidualPlane {
  uint64_t offset = 0;
  uint32_t width = 0, height = 0;
};

// transMatrix of clause 8.6.4.2: dct[k][n] (the N-point matrix is
// dct[k * 32 / N][n]) and the DST-VII dst[k][n]; levelScale of 8.6.2.
struct TransformMatrices {
  int16_t dct[32][32];
  int16_t dst[4][4];
  int32_t level_scale[6];  // levelScale of equation 8-309
};

// Copies the CPU's constants (hevc/transform_matrices.h) into the struct the
// kernels keep in constant memory.
inline void build_transform_matrices(TransformMatrices& m) {
  for (int k = 0; k < 32; ++k)
    for (int n = 0; n < 32; ++n) m.dct[k][n] = static_cast<int16_t>(kDct32[k][n]);
  for (int k = 0; k < 4; ++k)
    for (int n = 0; n < 4; ++n) m.dst[k][n] = static_cast<int16_t>(kDst4[k][n]);
  for (int i = 0; i < 6; ++i) m.level_scale[i] = kLevelScale[i];
}

CODECTOK_HD int32_t clip_coefficient(int64_t v) {
  return static_cast<int32_t>(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
}

CODECTOK_HD int clamp_qp(int qp) { return qp < 0 ? 0 : (qp > 99 ? 99 : qp); }

// d[x][y] of equation 8-309 (factor = m[x][y], 16 when flat).
CODECTOK_HD int32_t scaled_coefficient(const TransformMatrices& m, int32_t level, int factor, int qp, int bit_depth,
                                       int log2) {
  const int shift = bit_depth + log2 - 5;
  const int64_t rnd = int64_t{1} << (shift - 1);
  const int64_t scale = static_cast<int64_t>(m.level_scale[qp % 6]) << (qp / 6);
  return clip_coefficient((level * static_cast<int64_t>(factor) * scale + rnd) >> shift);
}

// bdShift of clause 8.6.2 (>= 1 for bit depths up to 16).
CODECTOK_HD int residual_bd_shift(int bit_depth) {
  const int s = 20 - bit_depth;
  return s < 1 ? 1 : s;
}

// transMatrix[k][i] of the block's transform.
CODECTOK_HD int32_t transform_entry(const TransformMatrices& m, int log2, bool dst, int k, int i) {
  if (dst && log2 == 2) return m.dst[k][i];
  return m.dct[k << (5 - log2)][i];
}

// First (vertical) stage: g[x][y] = Clip3(coeffMin, coeffMax, (e[x][y] + 64) >> 7)
// with e[x][y] = sum_k transMatrix[k][y] * d[x][k]; d raster [y * n + x].
CODECTOK_HD int32_t first_stage_sample(const TransformMatrices& m, const int32_t* d, int log2, bool dst,
                                       int x, int y) {
  const int n = 1 << log2;
  int32_t sum = 0;
  for (int k = 0; k < n; ++k) sum += transform_entry(m, log2, dst, k, y) * d[k * n + x];
  return clip_coefficient((static_cast<int64_t>(sum) + 64) >> 7);
}

// Second (horizontal) stage plus bdShift: r[x][y] = (sum_k transMatrix[k][x] * g[k][y]
// + (1 << (bdShift - 1))) >> bdShift; g raster [y * n + x].
CODECTOK_HD int32_t second_stage_sample(const TransformMatrices& m, const int32_t* g, int log2, bool dst,
                                        int bd_shift, int x, int y) {
  const int n = 1 << log2;
  int32_t sum = 0;
  for (int k = 0; k < n; ++k) sum += transform_entry(m, log2, dst, k, x) * g[y * n + k];
  return (sum + (int32_t{1} << (bd_shift - 1))) >> bd_shift;
}

// Transform skip (8.6.4.2, v2+): r = (d << (5 + log2) + rnd) >> bdShift.
CODECTOK_HD int32_t transform_skip_sample(int32_t d, int log2, int bd_shift) {
  const int64_t rnd = int64_t{1} << (bd_shift - 1);
  return static_cast<int32_t>((static_cast<int64_t>(d) * (int64_t{1} << (5 + log2)) + rnd) >> bd_shift);
}

// The int16 plane sample (hevc/transform_block.cpp clamps the same way).
CODECTOK_HD int16_t plane_sample(int32_t r) {
  return static_cast<int16_t>(r < -32768 ? -32768 : (r > 32767 ? 32767 : r));
}

}  // namespace codectok::cuda
