// What happens to the parsed levels of a transform block: its quantization
// parameter (clause 8.6.1), the statistics sink, and for luma the residual
// samples (clauses 8.6.2-8.6.4) written into the picture's residual plane.
#include <algorithm>
#include <cstdint>

#include "hevc/residual_reconstruction.h"
#include "hevc/scaling_list.h"
#include "hevc/slice_decoder.h"

namespace codectok {

namespace {

// Table 8-10: QpC as a function of qPi for ChromaArrayType == 1.
int chroma_qp_mapping(int qpi) {
  static constexpr int kTable[14] = {29, 30, 31, 32, 33, 33, 34, 34, 35, 35, 36, 36, 37, 37};
  if (qpi < 30) return qpi;
  if (qpi > 43) return qpi - 6;
  return kTable[qpi - 30];
}

}  // namespace

void SliceDecoder::transform_block(int x0, int y0, int log2_size, int c_idx, bool transform_skip,
                                   const uint32_t* nonzero, int num_nonzero) {
  const int n = 1 << log2_size;
  // qP' of clause 8.6.1 / 8.6.2.
  int qp;
  if (c_idx == 0) {
    qp = qp_y_ + sps_.qp_bd_offset_y;
  } else {
    // (CuQpOffsetCb/Cr are 0: chroma QP offset lists are refused with the PPS.)
    const int off = c_idx == 1 ? pps_.cb_qp_offset + sh_.cb_qp_offset : pps_.cr_qp_offset + sh_.cr_qp_offset;
    const int qpi = std::clamp(qp_y_ + off, -sps_.qp_bd_offset_c, 57);
    qp = chroma_qp_mapping(qpi) + sps_.qp_bd_offset_c;
  }
  const bool intra = cu_pred_mode_ == kModeIntra;

  if (pic_.block_sink)
    pic_.block_sink->transform_block(transform_block_levels(c_idx, x0, y0, log2_size, intra, qp, coeffs_, nonzero,
                                                            num_nonzero, transform_skip, cu_transquant_bypass_));

  if (pic_.residual && c_idx == 0) {
    ResidualBlockParams p;
    p.log2_size = log2_size;
    p.qp = qp;
    p.bit_depth = sps_.bit_depth_luma;
    p.transform_skip = transform_skip;
    p.transquant_bypass = cu_transquant_bypass_;
    p.dst = intra && log2_size == 2;
    p.scaling_factor = nullptr;
    if (sps_.scaling_list_enabled && !(transform_skip && n > 4)) {
      const ScalingList& sl = pps_.pps_scaling_list_data_present ? pps_.scaling_list : sps_.scaling_list;
      const int matrix_id = (intra ? 0 : 3) + c_idx;
      uint8_t* m = scaling_factor_[log2_size - 2][matrix_id];
      if (!scaling_factor_ready_[log2_size - 2][matrix_id]) {
        derive_scaling_factor(sl, log2_size, matrix_id, m);
        scaling_factor_ready_[log2_size - 2][matrix_id] = true;
      }
      p.scaling_factor = m;
    }
    p.nonzero = nonzero;
    p.num_nonzero = num_nonzero;
    reconstruct_residual(coeffs_, p, resid_);
    int16_t* plane = pic_.residual->data();
    const int w = std::min(n, pic_.width - x0), h = std::min(n, pic_.height - y0);
    for (int y = 0; y < h; ++y) {
      int16_t* dst = plane + static_cast<size_t>(y0 + y) * pic_.width + x0;
      const int32_t* src = resid_ + y * n;
      for (int x = 0; x < w; ++x) dst[x] = static_cast<int16_t>(std::clamp(src[x], -32768, 32767));
    }
  }
  // coeffs_ is all zero between blocks: clear the positions written (reconstruct_residual
  // rewrote only those too).
  for (int k = 0; k < num_nonzero; ++k) coeffs_[nonzero[k] >> 16] = 0;
}

}  // namespace codectok
