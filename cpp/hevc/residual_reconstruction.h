// Clause 8.6.2-8.6.4: from parsed TransCoeffLevel values to the residual
// samples r[x][y] (scaling, then inverse DST/DCT, transform skip or bypass).
#pragma once
#include <cstdint>

namespace codectok {

struct ResidualBlockParams {
  int log2_size = 2;          // 2..5
  int qp = 0;                 // qP' of clause 8.6.2 (bit-depth offset included)
  int bit_depth = 8;          // BitDepthY or BitDepthC
  bool transform_skip = false;
  bool transquant_bypass = false;
  bool dst = false;           // intra luma 4x4 uses DST-VII (trType 1)
  // ScalingFactor m, raster out[y * n + x], or nullptr for flat m = 16
  // (scaling lists disabled, or transform skip with nTbS > 4).
  const uint8_t* scaling_factor = nullptr;
  // Optional: the positions of the non-zero levels (entry >> 16 = y * n + x),
  // so scaling visits only those instead of scanning the block.
  const uint32_t* nonzero = nullptr;
  int num_nonzero = 0;
};

// levels: TransCoeffLevel raster levels[y * n + x] (n = 1 << log2_size).
// residual: output raster residual[y * n + x], the r[x][y] of clause 8.6.2.
// `levels` is clobbered (used as scratch); with `nonzero` given, only those
// positions are rewritten.
void reconstruct_residual(int32_t* levels, const ResidualBlockParams& p, int32_t* residual);

}  // namespace codectok
