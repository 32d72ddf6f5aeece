// Per-picture summary of a motion field (what `codectok inspect` prints): shares of intra, inter
// (not skip) and skip 4x4 blocks, and the mean length of the motion vectors used.
#pragma once
#include <cstddef>
#include <cstdint>

namespace codectok {

struct MotionSummary {
  double intra = 0, inter = 0, skip = 0;  // fractions of the 4x4 blocks
  double mean_mv = 0;                     // mean vector length, luma samples
};

// motion: `blocks` entries of 8 int16 (pred_mode, inter_dir, mv0x, mv0y, mv1x, mv1y, refpoc0, refpoc1).
MotionSummary summarize_motion(const int16_t* motion, size_t blocks);

}  // namespace codectok
