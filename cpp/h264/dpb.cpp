#include "h264/dpb.h"

#include <algorithm>
#include <string>

#include "bitstream/parse_error.h"

namespace codectok {
namespace h264 {

PocResult compute_poc(const Sps& sps, const SliceHeader& sh, const PocState& st) {
  PocResult r;
  const int64_t max_frame_num = int64_t{1} << sps.log2_max_frame_num;
  if (sps.poc_type == 0) {
    int32_t prev_msb = sh.is_idr() ? 0 : st.prev_poc_msb;
    int32_t prev_lsb = sh.is_idr() ? 0 : st.prev_poc_lsb;
    const int32_t max_lsb = 1 << sps.log2_max_poc_lsb;
    const int32_t lsb = static_cast<int32_t>(sh.poc_lsb);
    int32_t msb;
    if (lsb < prev_lsb && prev_lsb - lsb >= max_lsb / 2) msb = prev_msb + max_lsb;
    else if (lsb > prev_lsb && lsb - prev_lsb > max_lsb / 2) msb = prev_msb - max_lsb;
    else msb = prev_msb;
    r.poc_msb = msb;
    r.top = msb + lsb;
    r.bottom = r.top + sh.delta_poc_bottom;
    return r;
  }
  int32_t offset;
  if (sh.is_idr()) offset = 0;
  else if (st.prev_frame_num > sh.frame_num) offset = st.prev_frame_num_offset + static_cast<int32_t>(max_frame_num);
  else offset = st.prev_frame_num_offset;
  r.frame_num_offset = offset;
  if (sps.poc_type == 1) {
    int64_t abs_frame_num = sps.num_ref_frames_in_poc_cycle != 0 ? int64_t{offset} + sh.frame_num : 0;
    if (sh.nal_ref_idc == 0 && abs_frame_num > 0) --abs_frame_num;
    int64_t expected = 0;
    if (abs_frame_num > 0) {
      int64_t delta_per_cycle = 0;
      for (int i = 0; i < sps.num_ref_frames_in_poc_cycle; ++i) delta_per_cycle += sps.offset_for_ref_frame[i];
      int64_t cycle = (abs_frame_num - 1) / sps.num_ref_frames_in_poc_cycle;
      int64_t in_cycle = (abs_frame_num - 1) % sps.num_ref_frames_in_poc_cycle;
      expected = cycle * delta_per_cycle;
      for (int i = 0; i <= in_cycle; ++i) expected += sps.offset_for_ref_frame[i];
    }
    if (sh.nal_ref_idc == 0) expected += sps.offset_for_non_ref_pic;
    r.top = static_cast<int32_t>(expected + sh.delta_poc[0]);
    r.bottom = r.top + sps.offset_for_top_to_bottom_field + sh.delta_poc[1];
    return r;
  }
  int32_t temp;
  if (sh.is_idr()) temp = 0;
  else if (sh.nal_ref_idc == 0) temp = 2 * (offset + static_cast<int32_t>(sh.frame_num)) - 1;
  else temp = 2 * (offset + static_cast<int32_t>(sh.frame_num));
  r.top = r.bottom = temp;
  return r;
}

void Dpb::update_frame_num_wrap(uint32_t frame_num, int max_frame_num) {
  for (Frame& f : frames_)
    if (f.short_ref)
      f.frame_num_wrap = f.frame_num > frame_num ? static_cast<int32_t>(f.frame_num) - max_frame_num
                                                 : static_cast<int32_t>(f.frame_num);
}

void Dpb::drop_unused() {
  frames_.erase(std::remove_if(frames_.begin(), frames_.end(), [](const Frame& f) { return !f.short_ref && !f.long_ref; }),
                frames_.end());
}

void Dpb::sliding_window(const Sps& sps) {
  int num = 0;
  for (const Frame& f : frames_) num += (f.short_ref || f.long_ref) ? 1 : 0;
  while (num >= std::max(sps.max_num_ref_frames, 1)) {
    Frame* oldest = nullptr;
    for (Frame& f : frames_)
      if (f.short_ref && (!oldest || f.frame_num_wrap < oldest->frame_num_wrap)) oldest = &f;
    if (!oldest) break;
    oldest->short_ref = false;
    --num;
  }
  drop_unused();
}

int32_t Dpb::start_picture(const SliceHeader& sh) {
  const Sps& sps = *sh.sps;
  const int max_frame_num = 1 << sps.log2_max_frame_num;
  if (sh.is_idr()) {
    frames_.clear();
    prev_ref_frame_num_ = 0;
    max_long_term_frame_idx_ = -1;
    poc_state_ = PocState{};
  } else if (started_ && sh.frame_num != prev_ref_frame_num_ &&
             sh.frame_num != (prev_ref_frame_num_ + 1) % static_cast<uint32_t>(max_frame_num)) {
    // Gaps in frame_num (clause 8.2.5.2): "non-existing" short-term frames.
    uint32_t unused = (prev_ref_frame_num_ + 1) % static_cast<uint32_t>(max_frame_num);
    int guard = 0;
    while (unused != sh.frame_num && guard++ < max_frame_num) {
      update_frame_num_wrap(unused, max_frame_num);
      sliding_window(sps);
      Frame f;
      f.id = next_id_++;
      f.frame_num = unused;
      f.frame_num_wrap = static_cast<int32_t>(unused);
      f.short_ref = true;
      // POC of a non-existing frame is unspecified; type 2 / 1 track it through FrameNumOffset.
      SliceHeader gap = sh;
      gap.frame_num = unused;
      gap.nal_ref_idc = 1;
      PocResult pr = compute_poc(sps, gap, poc_state_);
      f.poc = pr.poc();
      frames_.push_back(f);
      poc_state_.prev_frame_num_offset = pr.frame_num_offset;
      poc_state_.prev_frame_num = unused;
      prev_ref_frame_num_ = unused;
      unused = (unused + 1) % static_cast<uint32_t>(max_frame_num);
    }
  }
  started_ = true;
  cur_poc_ = compute_poc(sps, sh, poc_state_);
  cur_id_ = next_id_++;
  cur_mmco5_ = sh.has_mmco5();
  update_frame_num_wrap(sh.frame_num, max_frame_num);
  return cur_poc_.poc();
}

void Dpb::build_lists(const SliceHeader& sh, RefLists& out) const {
  out.num[0] = out.num[1] = 0;
  if (sh.is_intra()) return;
  const Sps& sps = *sh.sps;
  const int32_t max_frame_num = 1 << sps.log2_max_frame_num;
  const int32_t cur_poc = cur_poc_.poc();
  std::vector<const Frame*> st, lt;
  for (const Frame& f : frames_) {
    if (f.short_ref) st.push_back(&f);
    else if (f.long_ref) lt.push_back(&f);
  }
  std::sort(lt.begin(), lt.end(),
            [](const Frame* a, const Frame* b) { return a->long_term_frame_idx < b->long_term_frame_idx; });
  std::vector<const Frame*> init[2];
  if (!sh.is_b()) {
    std::sort(st.begin(), st.end(), [](const Frame* a, const Frame* b) { return a->frame_num_wrap > b->frame_num_wrap; });
    init[0] = st;
    init[0].insert(init[0].end(), lt.begin(), lt.end());
  } else {
    std::vector<const Frame*> before, after;
    for (const Frame* f : st) (f->poc < cur_poc ? before : after).push_back(f);
    std::sort(before.begin(), before.end(), [](const Frame* a, const Frame* b) { return a->poc > b->poc; });
    std::sort(after.begin(), after.end(), [](const Frame* a, const Frame* b) { return a->poc < b->poc; });
    init[0] = before;
    init[0].insert(init[0].end(), after.begin(), after.end());
    init[0].insert(init[0].end(), lt.begin(), lt.end());
    init[1] = after;
    init[1].insert(init[1].end(), before.begin(), before.end());
    init[1].insert(init[1].end(), lt.begin(), lt.end());
    if (init[1].size() > 1 && init[1] == init[0]) std::swap(init[1][0], init[1][1]);
  }
  auto entry = [](const Frame* f) {
    RefPicture r;
    if (!f) return r;
    r.id = f->id;
    r.poc = f->poc;
    r.long_term = f->long_ref;
    r.motion = f->motion;
    return r;
  };
  for (int l = 0; l < (sh.is_b() ? 2 : 1); ++l) {
    const int n = sh.num_ref_idx_active[l];
    RefPicture* list = out.list[l];
    for (int i = 0; i <= n; ++i) list[i] = entry(i < static_cast<int>(init[l].size()) ? init[l][i] : nullptr);
    // Modification (clause 8.2.4.3).
    int32_t pred = static_cast<int32_t>(sh.frame_num);
    int ref_idx = 0;
    for (const RefPicListModification& m : sh.modification[l]) {
      if (ref_idx >= n) fail(ErrorCode::kInvalidSyntax, "more reference list modifications than entries");
      const Frame* pic = nullptr;
      if (m.idc < 2) {
        int32_t abs_diff = static_cast<int32_t>(m.value) + 1;
        if (abs_diff > max_frame_num) fail(ErrorCode::kInvalidSyntax, "abs_diff_pic_num_minus1 out of range");
        int32_t no_wrap = m.idc == 0 ? pred - abs_diff : pred + abs_diff;
        if (no_wrap < 0) no_wrap += max_frame_num;
        if (no_wrap >= max_frame_num) no_wrap -= max_frame_num;
        pred = no_wrap;
        int32_t pic_num = no_wrap > static_cast<int32_t>(sh.frame_num) ? no_wrap - max_frame_num : no_wrap;
        for (const Frame* f : st)
          if (f->frame_num_wrap == pic_num) pic = f;
        if (!pic) fail(ErrorCode::kMissingReference, "reference list modification names a missing short-term picture");
      } else {
        for (const Frame* f : lt)
          if (f->long_term_frame_idx == static_cast<int32_t>(m.value)) pic = f;
        if (!pic) fail(ErrorCode::kMissingReference, "reference list modification names a missing long-term picture");
      }
      for (int c = n; c > ref_idx; --c) list[c] = list[c - 1];
      list[ref_idx++] = entry(pic);
      int k = ref_idx;
      for (int c = ref_idx; c <= n; ++c)
        if (list[c].id != pic->id) list[k++] = list[c];
    }
    out.num[l] = n;
  }
}

void Dpb::apply_mmco(const SliceHeader& sh, const Sps& sps, bool& current_long, int32_t& current_lt_idx) {
  (void)sps;
  const int32_t curr_pic_num = static_cast<int32_t>(sh.frame_num);
  auto short_by_pic_num = [&](int32_t pic_num) -> Frame* {
    for (Frame& f : frames_)
      if (f.short_ref && f.frame_num_wrap == pic_num) return &f;
    return nullptr;
  };
  for (const Mmco& m : sh.mmco) {
    switch (m.op) {
      case 1: {
        Frame* f = short_by_pic_num(curr_pic_num - static_cast<int32_t>(m.difference_of_pic_nums_minus1 + 1));
        if (f) f->short_ref = false;
        break;
      }
      case 2:
        for (Frame& f : frames_)
          if (f.long_ref && f.long_term_frame_idx == static_cast<int32_t>(m.long_term_pic_num)) f.long_ref = false;
        break;
      case 3: {
        Frame* f = short_by_pic_num(curr_pic_num - static_cast<int32_t>(m.difference_of_pic_nums_minus1 + 1));
        for (Frame& g : frames_)
          if (g.long_ref && g.long_term_frame_idx == static_cast<int32_t>(m.long_term_frame_idx)) g.long_ref = false;
        if (f) {
          f->short_ref = false;
          f->long_ref = true;
          f->long_term_frame_idx = static_cast<int32_t>(m.long_term_frame_idx);
        }
        break;
      }
      case 4:
        max_long_term_frame_idx_ = static_cast<int32_t>(m.max_long_term_frame_idx_plus1) - 1;
        for (Frame& f : frames_)
          if (f.long_ref && f.long_term_frame_idx > max_long_term_frame_idx_) f.long_ref = false;
        break;
      case 5:
        for (Frame& f : frames_) f.short_ref = f.long_ref = false;
        max_long_term_frame_idx_ = -1;
        break;
      case 6:
        for (Frame& g : frames_)
          if (g.long_ref && g.long_term_frame_idx == static_cast<int32_t>(m.long_term_frame_idx)) g.long_ref = false;
        current_long = true;
        current_lt_idx = static_cast<int32_t>(m.long_term_frame_idx);
        break;
      default: break;
    }
  }
  drop_unused();
}

void Dpb::finish_picture(const SliceHeader& sh, std::shared_ptr<const ColocatedMotion> motion) {
  const Sps& sps = *sh.sps;
  PocResult pr = cur_poc_;
  uint32_t frame_num = sh.frame_num;
  if (sh.nal_ref_idc != 0) {
    bool current_long = false;
    int32_t lt_idx = 0;
    if (sh.is_idr()) {
      frames_.clear();
      if (sh.long_term_reference) {
        current_long = true;
        max_long_term_frame_idx_ = 0;
      } else {
        max_long_term_frame_idx_ = -1;
      }
    } else if (sh.adaptive_ref_pic_marking) {
      apply_mmco(sh, sps, current_long, lt_idx);
    } else {
      sliding_window(sps);
    }
    if (cur_mmco5_) {
      // The picture is thereafter treated as having POC relative to itself and frame_num 0.
      int32_t temp = std::min(pr.top, pr.bottom);
      pr.top -= temp;
      pr.bottom -= temp;
      frame_num = 0;
    }
    if (!current_long && !sh.is_idr()) {
      // Sliding window again if the MMCOs left the DPB full (robustness).
      int num = static_cast<int>(frames_.size());
      if (num >= std::max(sps.max_num_ref_frames, 1) && !sh.adaptive_ref_pic_marking) sliding_window(sps);
    }
    Frame f;
    f.id = cur_id_;
    f.poc = pr.poc();  // after MMCO 5: 0 (8.2.1: tempPicOrderCnt subtracted once decoded)
    f.frame_num = frame_num;
    f.frame_num_wrap = static_cast<int32_t>(frame_num);
    f.short_ref = !current_long;
    f.long_ref = current_long;
    f.long_term_frame_idx = lt_idx;
    f.motion = std::move(motion);
    // A full DPB (bad stream): drop the oldest short-term frame rather than grow.
    if (static_cast<int>(frames_.size()) >= 16) sliding_window(sps);
    frames_.push_back(std::move(f));
    prev_ref_frame_num_ = frame_num;
    poc_state_.prev_poc_msb = cur_mmco5_ ? 0 : pr.poc_msb;
    poc_state_.prev_poc_lsb = cur_mmco5_ ? pr.top : static_cast<int32_t>(sh.poc_lsb);
  }
  poc_state_.prev_frame_num_offset = cur_mmco5_ ? 0 : pr.frame_num_offset;
  poc_state_.prev_frame_num = frame_num;
}

}  // namespace h264
}  // namespace codectok
