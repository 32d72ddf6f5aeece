// Where a slice decoder of either standard hands each parsed transform block
// (its levels, with what they were coded under: HEVC residual_coding(),
// clause 7.3.8.11; H.264 residual_block(), clause 7.3.5.3.3) for statistics.
// An interface: hevc/ and h264/ call it, analysis/ implements it
// (analysis/transform_statistics.h), so parsing knows nothing of the
// statistics' layout or hashing. Codec-neutral, beside the other shared
// per-picture structures of core/.
#pragma once
#include <cstdint>

namespace codectok {

struct TransformBlockLevels {
  int c_idx = 0;          // colour component: 0 luma, 1 Cb, 2 Cr
  int x0 = 0, y0 = 0;     // top-left of the block, in luma samples
  int log2_size = 2;      // of this component's block
  bool intra = false;     // CuPredMode == MODE_INTRA
  int qp = 0;             // qP' of clause 8.6.2 (bit-depth offset included)
  bool transform_skip = false;
  bool transquant_bypass = false;
  const int32_t* levels = nullptr;    // TransCoeffLevel, raster [y * n + x], n = 1 << log2_size
  const uint32_t* nonzero = nullptr;  // one entry per non-zero level, in parsing order:
                                      // (y * n + x) << 16 | the level as uint16
  int num_nonzero = 0;
};

// A block's levels as both standards describe them; transform_skip and
// transquant_bypass (HEVC tools) default to false.
inline TransformBlockLevels transform_block_levels(int c_idx, int x0, int y0, int log2_size, bool intra, int qp,
                                                   const int32_t* levels, const uint32_t* nonzero, int num_nonzero,
                                                   bool transform_skip = false, bool transquant_bypass = false) {
  TransformBlockLevels b;
  b.c_idx = c_idx;
  b.x0 = x0;
  b.y0 = y0;
  b.log2_size = log2_size;
  b.intra = intra;
  b.qp = qp;
  b.transform_skip = transform_skip;
  b.transquant_bypass = transquant_bypass;
  b.levels = levels;
  b.nonzero = nonzero;
  b.num_nonzero = num_nonzero;
  return b;
}

class TransformBlockSink {
 public:
  virtual void transform_block(const TransformBlockLevels& block) = 0;

 protected:
  ~TransformBlockSink() = default;
};

}  // namespace codectok
