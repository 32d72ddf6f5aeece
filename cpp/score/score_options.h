// What the scores are asked for: signal weights, residual source, camera compensation,
// percentile normalisation; and where the coded picture lands on the output patch grid.
#pragma once
#include <cstdint>

namespace codectok {

enum class ResidualSource { kAbs, kCoeff };
enum class Compensation { kNone, kMedian, kSimilarity, kAffine };
enum class NormalizeScope { kFrame, kClip };
// Which vector of a 4x4 block the motion signal reads.
// kMean: the mean of the block's lists (list 1 negated, or each divided by its POC distance),
//   quarter-sample precision; intra blocks have none.
// kList0Integer: the list-0 vector in whole samples rounded toward zero, 0 for intra blocks and
//   blocks without list 0, every displayed block counted. It is what FFmpeg's exported motion
//   vectors give as src - dst (motion / 4 in C integer division), the signal OneVision-Encoder's
//   reader (cv_reader) takes for its stage-1 selection.
enum class MotionVectorSource { kMean, kList0Integer };

// The three signals, in fusion order.
enum Signal { kSignalMotion = 0, kSignalResidual = 1, kSignalBits = 2, kSignalCount = 3 };

struct ScoringOptions {
  double weights[kSignalCount] = {1, 1, 0};
  ResidualSource residual_source = ResidualSource::kAbs;
  Compensation compensation = Compensation::kMedian;
  NormalizeScope normalize = NormalizeScope::kFrame;
  double percentile = 95;  // the "fully salient" level, in (0, 100]
  double floors[kSignalCount] = {0.25, 1, 1};  // lower bound of each level
  bool motion_per_frame = true;  // divide vectors by the POC distance to their reference
  MotionVectorSource motion_vector = MotionVectorSource::kMean;
};

// The output geometry: the displayed picture (coded picture minus the conformance window) is
// resized to scaled_width x scaled_height and placed at (pad_left, pad_top) in a canvas cut into
// grid_h x grid_w patches of patch x patch pixels (src/geometry/output_geometry.ts).
struct PatchGeometry {
  int src_width = 0, src_height = 0;  // displayed size
  int scaled_width = 0, scaled_height = 0;
  int pad_left = 0, pad_top = 0;
  int patch = 16;
  int grid_h = 0, grid_w = 0;
};

// The coded picture and its conformance window, luma samples.
struct CodedFrame {
  int width = 0, height = 0;
  int crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  int display_width() const { return width - crop_left - crop_right; }
  int display_height() const { return height - crop_top - crop_bottom; }
};

}  // namespace codectok
