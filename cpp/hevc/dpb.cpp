#include "hevc/dpb.h"

#include <algorithm>

#include "bitstream/nal_unit.h"
#include "bitstream/parse_error.h"

namespace codectok {

int DecodedPictureBuffer::apply_rps(const Sps& sps, const SliceHeader& sh, int nal_type, int poc,
                                    bool no_rasl_output) {
  st_curr_before_.clear();
  st_curr_after_.clear();
  lt_curr_.clear();
  if (is_irap(nal_type) && no_rasl_output) entries_.clear();
  // Drop pictures that are no longer referenced (they hold no output here).
  const int max_lsb = 1 << sps.log2_max_poc_lsb;
  std::vector<bool> keep(entries_.size(), false);
  std::vector<bool> lt_mark(entries_.size(), false);
  int generated = 0;

  auto find = [&](auto pred) -> int {
    for (size_t i = 0; i < entries_.size(); ++i)
      if (entries_[i].is_reference && pred(entries_[i])) return static_cast<int>(i);
    return -1;
  };
  auto generate = [&](int p, bool lt) {
    DpbEntry e;
    e.poc = p;
    e.is_reference = true;
    e.long_term = lt;
    e.generated = true;
    entries_.push_back(e);
    keep.push_back(true);
    lt_mark.push_back(lt);
    ++generated;
    return static_cast<int>(entries_.size() - 1);
  };

  // Long-term pictures first (clause 8.3.2).
  int nlt = sh.num_long_term_sps + sh.num_long_term_pics;
  std::vector<std::pair<int, bool>> lt_refs;  // entry index (or -1), used by curr
  for (int i = 0; i < nlt; ++i) {
    int lsb_lt = sh.poc_lsb_lt[i];
    int idx;
    int full = lsb_lt;
    if (!sh.delta_poc_msb_present[i]) {
      idx = find([&](const DpbEntry& e) { return (e.poc & (max_lsb - 1)) == lsb_lt; });
    } else {
      full = poc - sh.delta_poc_msb_cycle_lt[i] * max_lsb - (sh.poc_lsb - lsb_lt);
      idx = find([&](const DpbEntry& e) { return e.poc == full; });
    }
    if (idx < 0 && sh.used_by_curr_pic_lt[i]) idx = generate(full, true);
    if (idx >= 0) {
      keep[idx] = true;
      lt_mark[idx] = true;
      if (sh.used_by_curr_pic_lt[i]) lt_curr_.push_back(idx);
    }
  }
  const ShortTermRps& rps = sh.st_rps;
  auto st = [&](int delta, bool used, std::vector<int>& out) {
    int p = poc + delta;
    int idx = find([&](const DpbEntry& e) { return !e.long_term && e.poc == p; });
    if (idx >= 0 && lt_mark[idx]) idx = -1;
    if (idx < 0 && used) idx = generate(p, false);
    if (idx >= 0) {
      keep[idx] = true;
      if (used) out.push_back(idx);
    }
  };
  for (int i = 0; i < rps.num_negative; ++i) st(rps.delta_poc_s0[i], rps.used_s0[i], st_curr_before_);
  for (int i = 0; i < rps.num_positive; ++i) st(rps.delta_poc_s1[i], rps.used_s1[i], st_curr_after_);
  for (size_t i = 0; i < entries_.size(); ++i) {
    entries_[i].is_reference = keep[i];
    if (lt_mark[i]) entries_[i].long_term = true;
  }
  // Compact: remove unreferenced pictures, remapping the indices.
  std::vector<int> remap(entries_.size(), -1);
  std::vector<DpbEntry> kept;
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].is_reference) {
      remap[i] = static_cast<int>(kept.size());
      kept.push_back(std::move(entries_[i]));
    }
  entries_ = std::move(kept);
  for (auto* v : {&st_curr_before_, &st_curr_after_, &lt_curr_})
    for (int& i : *v) i = remap[i];
  if (entries_.size() > 32) fail(ErrorCode::kLimitExceeded, "more than 32 reference pictures");
  return generated;
}

void DecodedPictureBuffer::build_ref_lists(const SliceHeader& sh, int poc, SliceRefs& refs) const {
  refs.num[0] = refs.num[1] = 0;
  refs.no_backward_pred = true;
  if (sh.slice_type == kSliceI) return;
  int total = static_cast<int>(st_curr_before_.size() + st_curr_after_.size() + lt_curr_.size());
  if (total == 0) fail(ErrorCode::kMissingReference, "inter slice without reference pictures");
  for (int l = 0; l < (sh.slice_type == kSliceB ? 2 : 1); ++l) {
    int n_active = sh.num_ref_idx_active[l];
    int n_temp = std::max(n_active, total);
    std::vector<int> temp;
    const auto& first = l == 0 ? st_curr_before_ : st_curr_after_;
    const auto& second = l == 0 ? st_curr_after_ : st_curr_before_;
    while (static_cast<int>(temp.size()) < n_temp) {
      for (size_t i = 0; i < first.size() && static_cast<int>(temp.size()) < n_temp; ++i) temp.push_back(first[i]);
      for (size_t i = 0; i < second.size() && static_cast<int>(temp.size()) < n_temp; ++i) temp.push_back(second[i]);
      for (size_t i = 0; i < lt_curr_.size() && static_cast<int>(temp.size()) < n_temp; ++i) temp.push_back(lt_curr_[i]);
    }
    for (int i = 0; i < n_active; ++i) {
      int idx = sh.ref_pic_list_modification_flag[l] ? temp[sh.list_entry[l][i]] : temp[i];
      const DpbEntry& e = entries_[idx];
      RefPicEntry& r = refs.list[l][i];
      r.poc = e.poc;
      r.long_term = e.long_term;
      r.motion = e.motion.get();
      if (e.poc > poc) refs.no_backward_pred = false;
    }
    refs.num[l] = n_active;
  }
}

void DecodedPictureBuffer::add_current(int poc, std::shared_ptr<CollocatedMotion> motion) {
  DpbEntry e;
  e.poc = poc;
  e.is_reference = true;
  e.motion = std::move(motion);
  entries_.push_back(std::move(e));
}

void DecodedPictureBuffer::collect_motion(std::vector<std::shared_ptr<const CollocatedMotion>>& out) const {
  out.clear();
  for (const DpbEntry& e : entries_)
    if (e.motion) out.push_back(e.motion);
}

}  // namespace codectok
