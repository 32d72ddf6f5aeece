// How much one decoded picture changes each patch, read from its codec maps: the `refresh`
// policy's per-picture step (src/scores/change.ts explains the model; its changeVolume turns these
// signals into the change between sampled frames). Computed on the decoding thread for every
// picture (PictureScoring, ScoreRequest::change) or for one JavaScript-held picture (pictureChange
// in bindings/scores.cc): the same function either way.
#pragma once
#include <vector>

#include "score/patch_pooling.h"
#include "score/score_options.h"
#include "score/signal_maps.h"

namespace codectok {

// Which residual the change reads and the levels below which a pooled signal is noise. The floors
// are defined once, in src/scores/change.ts (CHANGE_FLOORS), and passed in.
struct ChangeRequest {
  ResidualSource residual_source = ResidualSource::kCoeff;
  // Motion below this (px/frame, patch mean) is 0: below the vectors' precision.
  double motion_floor = 0;
  // coeff: a pooled coefficient energy below this is 0 (re-quantisation noise); abs: unused.
  double residual_floor = 0;
};

// One picture's change signals on the patch grid, [grid_h * grid_w] each, row-major.
struct PictureChange {
  // Vector length, px/frame, lists averaged, no camera compensation; 0 below the motion floor.
  std::vector<float> motion;
  // coeff: RMS coefficient level (sqrt of the pooled energy per 4x4 block), 0 below the floor;
  // abs: mean |residual|.
  std::vector<float> residual;
  // Bits per 8x8 block of the blocks that code something: skipped blocks' bits are dropped, and a
  // patch without motion, residual or intra blocks has none.
  std::vector<float> bits;
  // Share of the patch's picture coded intra, in [0, 1].
  std::vector<float> intra;
};

// [grid_h * grid_w] share of each patch that shows picture (1 inside, 0 on letterbox padding), on
// the grid of `pooler` (made for f's conformance window).
void picture_share(const CodedFrame& f, PatchPooler& pooler, std::vector<float>& out);

// Change signals of pictures of one coded size and conformance window on one patch grid.
class PictureChangeEstimator {
 public:
  PictureChangeEstimator(const PatchGeometry& g, const CodedFrame& f, const ChangeRequest& r);
  const CodedFrame& frame() const { return frame_; }
  // picture_share of the frame.
  const std::vector<float>& share() const { return share_; }
  // p must have the frame's size and window. Needs motion, bits and the coefficient statistics
  // (coeff) or the residual (abs): throws std::invalid_argument naming a missing array.
  void estimate(const PictureArrays& p, PictureChange& out);

 private:
  ChangeRequest request_;
  ScoringOptions maps_options_;  // the signal maps the change reads
  CodedFrame frame_;
  PatchPooler pooler_;
  std::vector<float> share_;
  SignalMaps maps_;   // scratch
  CellMap intra_;     // scratch: 1 on intra 4x4 blocks
};

}  // namespace codectok
