// Patch scores of frames: each signal normalised by a percentile level (per frame or over the
// clip), clipped to [0, 1] at the codec map's resolution, pooled onto the patch grid by area and
// fused by a weighted mean.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "score/patch_pooling.h"
#include "score/score_options.h"
#include "score/signal_maps.h"

namespace codectok {

struct FrameScores {
  std::vector<float> fused;                     // [grid_h * grid_w], in [0, 1]
  bool has[kSignalCount] = {};                  // which signals were scored
  std::vector<float> norm[kSignalCount];        // normalised per-signal patch scores
  std::vector<float> raw[kSignalCount];         // raw per-signal patch means
  double level[kSignalCount] = {};              // percentile level used
};

// Collects what a percentile level needs over the displayed cells of one or more maps: a
// histogram for integer maps, the values otherwise.
class PercentileAccumulator {
 public:
  void add(const CellMap& map, const CodedFrame& f);
  double value(double p);

 private:
  std::vector<double> hist_;
  std::vector<uint32_t> lanes_;  // counting scratch of one map (add)
  double total_ = 0;
  std::vector<float> values_;
};

// Scores pictures of one clip on one patch grid.
class FrameScorer {
 public:
  FrameScorer(const ScoringOptions& o, const PatchGeometry& g, const CodedFrame& f);
  const ScoringOptions& options() const { return o_; }
  const PatchGeometry& geometry() const { return g_; }
  const CodedFrame& frame() const { return f_; }
  // Per-frame normalisation (levels from the frame itself).
  void score(const SignalMaps& s, FrameScores& out);
  // Normalisation over all the frames given (normalize clip).
  void score_clip(const std::vector<const SignalMaps*>& frames, std::vector<FrameScores>& out);
  // Pools a map without normalising it.
  void pool_raw(const CellMap& map, std::vector<float>& out);

 private:
  void score_with(const SignalMaps& s, const double* levels, FrameScores& out);
  ScoringOptions o_;
  PatchGeometry g_;
  CodedFrame f_;
  PatchPooler pooler_;
};

}  // namespace codectok
