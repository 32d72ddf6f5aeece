#include "score/frame_scores.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "score/statistics.h"

namespace codectok {

namespace {
// Cells that intersect the displayed window.
struct CellRange {
  int c0, c1, r0, r1;
};
CellRange displayed_cells(const CellMap& m, const CodedFrame& f) {
  const int dw = f.display_width(), dh = f.display_height();
  CellRange r;
  r.c0 = f.crop_left / m.cell;
  r.c1 = std::min(m.cols, (f.crop_left + dw + m.cell - 1) / m.cell);
  r.r0 = f.crop_top / m.cell;
  r.r1 = std::min(m.rows, (f.crop_top + dh + m.cell - 1) / m.cell);
  return r;
}
}  // namespace

void PercentileAccumulator::add(const CellMap& map, const CodedFrame& f) {
  const CellRange cr = displayed_cells(map, f);
  if (cr.c1 <= cr.c0 || cr.r1 <= cr.r0) return;
  if (map.integer) {
    // The histogram reaches only the largest value seen (the percentile never looks past it).
    // Counted in four interleaved lanes of 32-bit counts, folded after: a |residual| map has a
    // value per sample, mostly 0, and one counter would chain every increment on the last one.
    uint16_t top = 0;
    for (int r = cr.r0; r < cr.r1; ++r) {
      const uint16_t* line = map.counts.data() + static_cast<size_t>(r) * map.cols;
      for (int c = cr.c0; c < cr.c1; ++c) top = std::max(top, line[c]);
    }
    const size_t bins = static_cast<size_t>(top) + 1;
    lanes_.assign(4 * bins, 0);
    for (int r = cr.r0; r < cr.r1; ++r) {
      const uint16_t* line = map.counts.data() + static_cast<size_t>(r) * map.cols;
      int c = cr.c0;
      for (; c + 4 <= cr.c1; c += 4) {
        ++lanes_[4 * size_t{line[c]}];
        ++lanes_[4 * size_t{line[c + 1]} + 1];
        ++lanes_[4 * size_t{line[c + 2]} + 2];
        ++lanes_[4 * size_t{line[c + 3]} + 3];
      }
      for (; c < cr.c1; ++c) ++lanes_[4 * size_t{line[c]}];
    }
    if (hist_.size() < bins) hist_.resize(bins, 0.0);
    for (size_t v = 0; v < bins; ++v)
      hist_[v] += static_cast<double>(lanes_[4 * v]) + lanes_[4 * v + 1] + lanes_[4 * v + 2] + lanes_[4 * v + 3];
    total_ += static_cast<double>(cr.r1 - cr.r0) * (cr.c1 - cr.c0);
    return;
  }
  for (int r = cr.r0; r < cr.r1; ++r) {
    const float* line = map.values.data() + static_cast<size_t>(r) * map.cols;
    values_.insert(values_.end(), line + cr.c0, line + cr.c1);
  }
}

double PercentileAccumulator::value(double p) {
  if (total_ > 0) return percentile_histogram(hist_.data(), hist_.size(), total_, p);
  return percentile_of(values_.data(), values_.size(), p);
}

FrameScorer::FrameScorer(const ScoringOptions& o, const PatchGeometry& g, const CodedFrame& f)
    : o_(o), g_(g), f_(f), pooler_(g, f.crop_left, f.crop_top) {}

void FrameScorer::pool_raw(const CellMap& map, std::vector<float>& out) {
  pooler_.pool(map, std::numeric_limits<double>::infinity(), out, nullptr);
}

void FrameScorer::score_with(const SignalMaps& s, const double* levels, FrameScores& out) {
  const size_t n = pooler_.cells();
  out.fused.assign(n, 0.0f);
  const double wsum = o_.weights[0] + o_.weights[1] + o_.weights[2];
  for (int k = 0; k < kSignalCount; ++k) {
    out.has[k] = false;
    out.raw[k].clear();
    out.norm[k].clear();
    const double w = o_.weights[k];
    const CellMap& map = s.maps[k];
    if (w <= 0 || map.empty()) continue;
    double level = levels ? levels[k] : NAN;
    if (!levels) {
      PercentileAccumulator acc;
      acc.add(map, f_);
      level = std::max(o_.floors[k], acc.value(o_.percentile));
    }
    pooler_.pool(map, level, out.raw[k], &out.norm[k]);
    out.has[k] = true;
    out.level[k] = level;
    const std::vector<float>& norm = out.norm[k];
    for (size_t i = 0; i < n; ++i) out.fused[i] = static_cast<float>(out.fused[i] + (w * norm[i]) / wsum);
  }
}

void FrameScorer::score(const SignalMaps& s, FrameScores& out) { score_with(s, nullptr, out); }

void FrameScorer::score_clip(const std::vector<const SignalMaps*>& frames, std::vector<FrameScores>& out) {
  double levels[kSignalCount] = {};
  for (int k = 0; k < kSignalCount; ++k) {
    if (o_.weights[k] <= 0) continue;
    PercentileAccumulator acc;
    for (const SignalMaps* s : frames)
      if (!s->maps[k].empty()) acc.add(s->maps[k], f_);
    levels[k] = std::max(o_.floors[k], acc.value(o_.percentile));
  }
  out.resize(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) score_with(*frames[i], levels, out[i]);
}

}  // namespace codectok
