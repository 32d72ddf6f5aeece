// The motion of a picture as prediction reads it: per 4x4 block of the
// current picture (PredInfo) and, for temporal prediction, per 16x16 block of
// an earlier picture (CollocatedMotion).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/huge_page_vector.h"
#include "hevc/row_progress.h"

namespace codectok {

enum PredMode : uint8_t { kModeIntra = 0, kModeInter = 1, kModeSkip = 2 };

// Motion of one 4x4 block.
struct PredInfo {
  int16_t mv[2][2];   // [list][x/y], quarter samples
  int8_t ref_idx[2];  // -1 when the list is unused
  uint8_t pred_flags; // bit 0: list 0, bit 1: list 1
  uint8_t long_term;  // bit l: reference of list l is a long-term picture
  int32_t ref_poc[2];
};

// What a picture keeps for temporal MV prediction: one PredInfo per 16x16
// block (the top-left 4x4 block, as clause 8.5.3.2.8 addresses it) plus
// intra marking (pred_flags == 0).
struct CollocatedMotion {
  int poc = 0;
  int w16 = 0, h16 = 0;
  std::shared_ptr<HugePageVector<PredInfo>> blocks;
  // The rows of `blocks` that are final while the picture is still being decoded on another thread.
  RowProgress progress;
  // Every block is intra (a picture of I slices only, known once its slice headers are read):
  // temporal prediction finds nothing in it, without reading `blocks` or waiting for them.
  bool intra_only = false;
};

}  // namespace codectok
