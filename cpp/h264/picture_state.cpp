#include "h264/picture_state.h"

#include <algorithm>
#include <cstring>

#include "h264/dpb.h"

namespace codectok {
namespace h264 {

namespace {
// Co-located motion arrays kept for reuse: the DPB's reference frames (at most 16) and the picture
// being decoded.
constexpr size_t kColocatedPoolSize = 20;
}  // namespace

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
  nnz.resize(n4);
  nnz_chroma.resize(n_mbs * 8);
  mvd.resize(n4 * 4);
  // A pooled co-located motion array nobody else holds any more (the DPB dropped its frame).
  motion = nullptr;
  for (const auto& c : colocated_pool_) {
    if (c.use_count() == 1) {
      motion = c;
      break;
    }
  }
  if (!motion) {
    motion = std::make_shared<ColocatedMotion>();
    if (colocated_pool_.size() < kColocatedPoolSize) colocated_pool_.push_back(motion);
  }
  motion->w4 = w4;
  motion->h4 = h4;
  motion->w_mbs = w_mbs;
  motion->blocks.resize(n4);
  motion->mb_slice.resize(n_mbs);
  motion->slice_ref_id.clear();
  cu = o.cu ? pool_cu_.get(n_mbs * 16, 0) : nullptr;
  bits = o.bits ? pool_bits_.get(n_mbs * 4, 0.f) : nullptr;
  residual = o.residual ? pool_residual_.get(n_mbs * 256, 0) : nullptr;
  block_sink = o.tu_stats ? sink : nullptr;
  total_bits = 0;
  decoded_mbs = 0;
}

void PictureState::add_slice(int slice_index, const RefLists& refs) {
  const size_t at = static_cast<size_t>(slice_index) * 2 * kMaxRefIdx;
  if (motion->slice_ref_id.size() < at + 2 * kMaxRefIdx) {
    motion->slice_ref_id.resize(at + 2 * kMaxRefIdx, -1);
  }
  for (int l = 0; l < 2; ++l)
    for (int i = 0; i < kMaxRefIdx; ++i) motion->slice_ref_id[at + l * kMaxRefIdx + i] = refs.list[l][i].id;
}

std::shared_ptr<std::vector<int16_t>> PictureState::motion_output() {
  const size_t n4 = static_cast<size_t>(w4) * h4;
  auto out = pool_motion_.get_for_overwrite(n4 * 8);
  int16_t* base = out->data();
  // Macroblock by macroblock: its type decides the mode of its 16 blocks.
  for (int my = 0; my < h_mbs; ++my) {
    for (int mx = 0; mx < w_mbs; ++mx) {
      const MbInfo& m = mb[static_cast<size_t>(my) * w_mbs + mx];
      const bool intra = is_intra(m.kind) || m.slice < 0;
      const int16_t mode = intra ? 0 : is_skip(m.kind) ? 2 : 1;
      for (int y = my * 4; y < my * 4 + 4; ++y) {
        const size_t i0 = static_cast<size_t>(y) * w4 + mx * 4;
        const BlockMotion* b = motion->blocks.data() + i0;
        int16_t* o = base + i0 * 8;
        // The blocks are in the output layout but for the first two fields.
        for (int k = 0; k < 4; ++k, o += 8) {
          std::memcpy(o, &b[k], sizeof(BlockMotion));
          o[0] = mode;
          o[1] = static_cast<int16_t>((b[k].ref_idx[0] >= 0 ? 1 : 0) | (b[k].ref_idx[1] >= 0 ? 2 : 0));
        }
      }
    }
  }
  return out;
}

}  // namespace h264
}  // namespace codectok
