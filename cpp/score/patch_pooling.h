// Codec maps (cells of the coded picture) onto the patch grid of the output geometry, by area:
// each patch gets the area-weighted mean of the cell values over its patch x patch output pixels,
// padding counting as 0. Works for any cell size, output size and patch size.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "score/score_options.h"
#include "score/signal_maps.h"

namespace codectok {

// 1-D overlaps of codec cells with patches along one axis, in output pixels.
struct AxisOverlap {
  std::vector<int32_t> offsets;  // cell i: entries [offsets[i], offsets[i+1])
  std::vector<int32_t> patch_index;
  std::vector<double> weight;
};

// Cell i spans coded [i*cell, (i+1)*cell) -> display [.. - crop) clipped to [0, src) -> output
// [pad + x * scaled / src).
AxisOverlap axis_overlap(int count, int cell, int crop, int src, int scaled, int pad, int patch, int grid);

// The overlaps of one cell size with a geometry, computed once and reused for every picture.
class PatchPooler {
 public:
  PatchPooler(const PatchGeometry& g, int crop_left, int crop_top);
  // Pools map onto the grid (raw, the area-weighted mean) and, when level is finite, the map
  // normalised by level (each cell min(1, value / level) rounded to float32) in the same pass.
  void pool(const CellMap& map, double level, std::vector<float>& raw, std::vector<float>* norm);
  size_t cells() const { return static_cast<size_t>(g_.grid_h) * g_.grid_w; }

 private:
  const AxisOverlap& axis(bool x, int count, int cell);
  PatchGeometry g_;
  int crop_left_, crop_top_;
  struct Cached {
    bool x;
    int count, cell;
    AxisOverlap overlap;
  };
  std::deque<Cached> cache_;  // stable references
  std::vector<double> acc_, acc_norm_, row_, row_norm_;
};

}  // namespace codectok
