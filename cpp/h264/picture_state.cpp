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
  // Every block's entry is written by its macroblock (MotionPredictor::store).
  motion_out = o.motion ? pool_motion_.get_for_overwrite(n4 * 8) : nullptr;
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

}  // namespace h264
}  // namespace codectok
