#include "h264/picture_state.h"

#include <algorithm>

namespace codectok {
namespace h264 {

void PictureState::allocate(std::shared_ptr<const Sps> s, std::shared_ptr<const Pps> p, const DecodeOptions& o,
                            TransformBlockSink* sink) {
  sps = std::move(s);
  pps = std::move(p);
  options = o;
  w_mbs = sps->width_mbs;
  h_mbs = sps->height_mbs;
  w4 = w_mbs * 4;
  h4 = h_mbs * 4;
  const size_t n_mbs = static_cast<size_t>(w_mbs) * h_mbs;
  const size_t n4 = static_cast<size_t>(w4) * h4;
  mb.assign(n_mbs, MbInfo{});
  nnz.assign(n4, 0);
  nnz_chroma.assign(n_mbs * 8, 0);
  mvd.assign(n4 * 4, 0);
  motion = std::make_shared<ColocatedMotion>();
  motion->w4 = w4;
  motion->h4 = h4;
  motion->blocks.assign(n4, BlockMotion{{{0, 0}, {0, 0}}, {-1, -1}});
  motion->ref_id.assign(n4 * 2, -1);
  ref_poc.assign(n4 * 2, 0);
  cu = o.cu ? std::make_shared<std::vector<int16_t>>(n_mbs * 16, 0) : nullptr;
  bits = o.bits ? std::make_shared<std::vector<float>>(n_mbs * 4, 0.f) : nullptr;
  residual = o.residual ? std::make_shared<std::vector<int16_t>>(n_mbs * 256, 0) : nullptr;
  block_sink = o.tu_stats ? sink : nullptr;
  total_bits = 0;
  decoded_mbs = 0;
}

std::shared_ptr<std::vector<int16_t>> PictureState::motion_output() const {
  auto out = std::make_shared<std::vector<int16_t>>(static_cast<size_t>(w4) * h4 * 8);
  int16_t* o = out->data();
  for (int y = 0; y < h4; ++y) {
    for (int x = 0; x < w4; ++x, o += 8) {
      const MbInfo& m = mb[static_cast<size_t>(y / 4) * w_mbs + x / 4];
      const size_t i = static_cast<size_t>(y) * w4 + x;
      if (is_intra(m.kind) || m.slice < 0) {
        o[0] = 0;
        o[1] = 0;
        o[2] = o[3] = o[4] = o[5] = 0;
        o[6] = o[7] = -32768;
        continue;
      }
      const BlockMotion& b = motion->blocks[i];
      o[0] = is_skip(m.kind) ? 2 : 1;
      o[1] = static_cast<int16_t>((b.ref_idx[0] >= 0 ? 1 : 0) | (b.ref_idx[1] >= 0 ? 2 : 0));
      for (int l = 0; l < 2; ++l) {
        bool used = b.ref_idx[l] >= 0;
        o[2 + 2 * l] = used ? b.mv[l][0] : 0;
        o[3 + 2 * l] = used ? b.mv[l][1] : 0;
        o[6 + l] = used ? static_cast<int16_t>(std::clamp(ref_poc[i * 2 + l], -32767, 32767)) : -32768;
      }
    }
  }
  return out;
}

}  // namespace h264
}  // namespace codectok
