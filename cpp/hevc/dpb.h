// Decoded picture buffer as far as codectok needs it: picture order counts
// (clause 8.3.1), reference picture sets and marking (8.3.2), generation of
// missing references (8.3.3) and reference picture lists (8.3.4). Only the
// motion kept for temporal prediction is stored, never samples.
#pragma once
#include <memory>
#include <vector>

#include "hevc/motion_field.h"
#include "hevc/parameter_sets.h"
#include "hevc/reference_lists.h"
#include "hevc/slice_header.h"

namespace codectok {

struct DpbEntry {
  int poc = 0;
  bool is_reference = false;
  bool long_term = false;
  bool generated = false;  // stands in for a missing reference picture
  std::shared_ptr<CollocatedMotion> motion;
};

class DecodedPictureBuffer {
 public:
  // Marks pictures per the RPS of the current picture's first slice; returns
  // the number of missing reference pictures that had to be generated.
  int apply_rps(const Sps& sps, const SliceHeader& sh, int nal_type, int poc, bool no_rasl_output);
  // Builds RefPicList0/1 for a slice of the current picture.
  void build_ref_lists(const SliceHeader& sh, int poc, SliceRefs& refs) const;
  // Adds the just-decoded picture as a short-term reference.
  void add_current(int poc, std::shared_ptr<CollocatedMotion> motion);
  // The motion of every picture the DPB holds (null for those without), so that a picture decoded
  // on another thread keeps its references alive while the DPB moves on.
  void collect_motion(std::vector<std::shared_ptr<const CollocatedMotion>>& out) const;

 private:
  std::vector<DpbEntry> entries_;
  // The current picture's RPS (set by apply_rps).
  std::vector<int> st_curr_before_, st_curr_after_, lt_curr_;  // indices into entries_
};

}  // namespace codectok
