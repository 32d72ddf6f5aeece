// The reference picture lists of one slice (clause 8.3.4) as the DPB
// resolves them: what motion prediction needs of each entry.
#pragma once

#include "hevc/motion_field.h"

namespace codectok {

struct RefPicEntry {
  int poc = 0;
  bool long_term = false;
  const CollocatedMotion* motion = nullptr;  // null for a missing (generated) picture
};

struct SliceRefs {
  RefPicEntry list[2][16];
  int num[2] = {0, 0};
  bool no_backward_pred = false;  // DiffPicOrderCnt(aPic, currPic) <= 0 for every reference
};

}  // namespace codectok
