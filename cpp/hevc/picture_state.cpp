#include "hevc/picture_state.h"

namespace codectok {

void PictureState::allocate(std::shared_ptr<const Sps> s, std::shared_ptr<const Pps> p, const DecodeOptions& opts) {
  sps = std::move(s);
  pps = std::move(p);
  options = opts;
  width = sps->width;
  height = sps->height;
  w4 = (width + 3) / 4;
  h4 = (height + 3) / 4;
  w8 = (width + 7) / 8;
  h8 = (height + 7) / 8;
  size_t n4 = static_cast<size_t>(w4) * h4;
  PredInfo none{};
  none.ref_idx[0] = none.ref_idx[1] = -1;
  pred.assign(n4, none);
  pred_mode.assign(n4, kModeIntra);
  ct_depth.assign(n4, 0);
  intra_mode.assign(n4, 1);
  qp_y.assign(n4, 0);
  ctb_slice_addr.assign(sps->pic_size_in_ctbs, -1);
  size_t n8 = static_cast<size_t>(w8) * h8;
  cu_map = std::make_shared<std::vector<int16_t>>(n8 * 4, 0);
  bits = opts.bits ? std::make_shared<std::vector<float>>(n8, 0.0f) : nullptr;
  residual = opts.residual ? std::make_shared<std::vector<int16_t>>(static_cast<size_t>(width) * height, 0) : nullptr;
  tu = opts.tu_stats ? std::make_shared<std::vector<int64_t>>() : nullptr;
  slices.clear();
  total_bits = 0;
  wpp_ctx_valid = false;
}

std::shared_ptr<CollocatedMotion> PictureState::collocated_motion() const {
  auto col = std::make_shared<CollocatedMotion>();
  col->poc = poc;
  col->w16 = (width + 15) / 16;
  col->h16 = (height + 15) / 16;
  col->blocks.resize(static_cast<size_t>(col->w16) * col->h16);
  for (int y = 0; y < col->h16; ++y)
    for (int x = 0; x < col->w16; ++x) {
      size_t i4 = static_cast<size_t>(y * 4) * w4 + x * 4;
      PredInfo p = pred[i4];
      if (pred_mode[i4] == kModeIntra) p.pred_flags = 0;
      col->blocks[static_cast<size_t>(y) * col->w16 + x] = p;
    }
  return col;
}

}  // namespace codectok
