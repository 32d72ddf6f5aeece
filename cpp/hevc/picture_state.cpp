#include "hevc/picture_state.h"

#include <algorithm>
#include <climits>

namespace codectok {

void PictureState::start(std::shared_ptr<const Sps> s, std::shared_ptr<const Pps> p, const PictureMaps& m) {
  sps = std::move(s);
  pps = std::move(p);
  maps = m;
  width = sps->width;
  height = sps->height;
  w4 = (width + 3) / 4;
  h4 = (height + 3) / 4;
  w8 = (width + 7) / 8;
  h8 = (height + 7) / 8;
  collocated = std::make_shared<CollocatedMotion>();
  collocated->poc = poc;
  collocated->w16 = (width + 15) / 16;
  collocated->h16 = (height + 15) / 16;
  collocated->blocks = pool_col.get_for_overwrite(static_cast<size_t>(collocated->w16) * collocated->h16);
  collocated->progress.start();
  collocated_rows_ = 0;
}

void PictureState::allocate() {
  size_t n4 = static_cast<size_t>(w4) * h4;
  // Every coding unit writes pred_mode, ct_depth and qp_y over its area, and
  // pred (inter) or intra_mode (intra) is only read where pred_mode says it
  // was written (pred at the blocks store_pu writes), so these need no
  // clearing between pictures.
  pred.resize(n4);
  pred_mode.resize(n4);
  ct_depth.resize(n4);
  intra_mode.resize(n4);
  qp_y.resize(n4);
  ctb_slice_addr.assign(sps->pic_size_in_ctbs, -1);
  size_t n8 = static_cast<size_t>(w8) * h8;
  // Every 4x4 block belongs to a prediction unit or an intra coding unit, every 8x8 block to a coding unit.
  motion = maps.motion ? pool_motion.get_for_overwrite(n4 * 8) : nullptr;
  cu_map = maps.cu ? pool_cu.get_for_overwrite(n8 * 4) : nullptr;
  bits = maps.bits ? pool_bits.get_for_overwrite(n8) : nullptr;
  // Written whole by the slice decoder: coded blocks by their residual, the rest cleared.
  residual = maps.residual ? pool_residual.get_for_overwrite(static_cast<size_t>(width) * height) : nullptr;
  block_sink = maps.block_sink;
  total_bits = 0;
  wpp_ctx_valid = false;
}

void PictureState::swap_prediction_state(PredictionState& other) {
  pred.swap(other.pred);
  pred_mode.swap(other.pred_mode);
  ct_depth.swap(other.ct_depth);
  intra_mode.swap(other.intra_mode);
  qp_y.swap(other.qp_y);
  ctb_slice_addr.swap(other.ctb_slice_addr);
}

void PictureState::write_collocated_rows(int end16) {
  CollocatedMotion& col = *collocated;
  for (int y = collocated_rows_; y < end16; ++y)
    for (int x = 0; x < col.w16; ++x) {
      size_t i4 = static_cast<size_t>(y * 4) * w4 + x * 4;
      PredInfo p = pred[i4];
      if (pred_mode[i4] == kModeIntra) p.pred_flags = 0;
      (*col.blocks)[static_cast<size_t>(y) * col.w16 + x] = p;
    }
  if (end16 > collocated_rows_) collocated_rows_ = end16;
}

void PictureState::collocated_rows_decoded(int ctb_rows) {
  const int rows = std::min(height, ctb_rows << sps->log2_ctb_size);
  write_collocated_rows((rows + 15) >> 4);
  collocated->progress.publish(rows);
}

void PictureState::collocated_complete() {
  write_collocated_rows(collocated->h16);
  collocated->progress.publish(INT_MAX);
}

void PictureState::collocated_abandon() {
  CollocatedMotion& col = *collocated;
  for (size_t i = static_cast<size_t>(collocated_rows_) * col.w16; i < col.blocks->size(); ++i) (*col.blocks)[i].pred_flags = 0;
  collocated_rows_ = col.h16;
  col.progress.publish(INT_MAX);
}

}  // namespace codectok
