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
  int16_t* base = out->data();
  const BlockMotion* blocks = motion->blocks.data();
  const int32_t* pocs = ref_poc.data();
  // Macroblock by macroblock: its type decides the mode of its 16 blocks.
  for (int my = 0; my < h_mbs; ++my) {
    for (int mx = 0; mx < w_mbs; ++mx) {
      const MbInfo& m = mb[static_cast<size_t>(my) * w_mbs + mx];
      const bool intra = is_intra(m.kind) || m.slice < 0;
      const int16_t mode = is_skip(m.kind) ? 2 : 1;
      for (int y = my * 4; y < my * 4 + 4; ++y) {
        const size_t i0 = static_cast<size_t>(y) * w4 + mx * 4;
        int16_t* o = base + i0 * 8;
        for (size_t i = i0; i < i0 + 4; ++i, o += 8) {
          if (intra) {
            o[6] = o[7] = -32768;  // the rest stays 0
            continue;
          }
          const BlockMotion& b = blocks[i];
          o[0] = mode;
          o[1] = static_cast<int16_t>((b.ref_idx[0] >= 0 ? 1 : 0) | (b.ref_idx[1] >= 0 ? 2 : 0));
          for (int l = 0; l < 2; ++l) {
            if (b.ref_idx[l] < 0) {
              o[6 + l] = -32768;
              continue;
            }
            o[2 + 2 * l] = b.mv[l][0];
            o[3 + 2 * l] = b.mv[l][1];
            o[6 + l] = static_cast<int16_t>(std::clamp(pocs[i * 2 + l], -32767, 32767));
          }
        }
      }
    }
  }
  return out;
}

}  // namespace h264
}  // namespace codectok
