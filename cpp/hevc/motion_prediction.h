// Luma motion vector prediction (clause 8.5.3.2): merge candidates, AMVP and
// temporal prediction, as free functions over an explicit context: what
// they read of the picture (neighbouring motion, availability), of the
// reference lists and of the slice header is all in MotionContext, so they
// run on hand-built inputs (cpp/tests/test_motion_prediction.cpp).
#pragma once
#include <cstdint>

#include "hevc/block_availability.h"
#include "hevc/motion_field.h"
#include "hevc/part_mode.h"
#include "hevc/reference_lists.h"

namespace codectok {

// The derived motion of a prediction block (before the reference POCs are
// attached for storage).
struct MvCand {
  int16_t mv[2][2];   // [list][x/y]
  int8_t ref_idx[2];  // -1 when the list is unused
  uint8_t pred_flags; // bit 0: predFlagL0, bit 1: predFlagL1
};

struct MotionContext {
  AvailabilityContext avail;         // clause 6.4.1 over the current picture and slice
  const PredInfo* pred = nullptr;    // [h4][w4] motion of the current picture decoded so far
  const uint8_t* pred_mode = nullptr;  // [h4][w4] PredMode (kModeIntra: no motion)
  int w4 = 0;                        // stride of pred / pred_mode
  int poc = 0;                       // PicOrderCntVal of the current picture
  const SliceRefs* refs = nullptr;   // RefPicList0/1: POC, long-term marking, collocated motion
  // Slice header.
  bool b_slice = false;
  int num_ref_idx_active[2] = {1, 1};
  int max_num_merge_cand = 5;        // MaxNumMergeCand
  int log2_parallel_merge_level = 2; // Log2ParMrgLevel
  bool temporal_mvp_enabled = false; // slice_temporal_mvp_enabled_flag
  bool collocated_from_l0 = true;
  int collocated_ref_idx = 0;
};

// A prediction block and its coding block, in luma samples.
struct PredictionBlock {
  int x_cb = 0, y_cb = 0, n_cb = 8;  // coding block
  int x = 0, y = 0, w = 8, h = 8;    // prediction block
  int part_idx = 0;
  PartMode part_mode = k2Nx2N;
};

// Clause 8.5.3.2.2-8.5.3.2.5: the merge candidate list of `pb` and its entry
// merge_idx, with the 8x4 / 4x8 bi-prediction restriction applied.
MvCand derive_merge_motion(const MotionContext& ctx, const PredictionBlock& pb, int merge_idx);

// Clause 8.5.3.2.6-8.5.3.2.7: the predictor mvpLX for reference list `list`,
// refIdxLX = ref_idx, mvp_lX_flag = mvp_flag.
void derive_mvp(const MotionContext& ctx, const PredictionBlock& pb, int list, int ref_idx, int mvp_flag,
                int16_t mvp[2]);

// Clause 8.5.3.2.8: the temporal (collocated) motion vector of a prediction
// block for list `list` and refIdxLX = ref_idx; false when unavailable.
bool derive_temporal_mv(const MotionContext& ctx, int x_pb, int y_pb, int w, int h, int list, int ref_idx,
                        int16_t mv[2]);

// Clause 6.4.2: availability of the prediction block containing (xn, yn)
// as a neighbour of `pb` (z-scan availability, partition order, not intra).
bool available_prediction_block(const MotionContext& ctx, const PredictionBlock& pb, int xn, int yn);

// The motion vector scaling of clauses 8.5.3.2.7 and 8.5.3.2.8: td and tb
// are POC differences (clipped to -128..127 here), distScaleFactor is
// clipped to -4096..4095 and the result to -32768..32767.
int16_t scale_mv(int mv, int td, int tb);

}  // namespace codectok
