// Host API of the GPU scoring (score_kernels.cu): the per-patch scores of a batch of frames of
// any number of clips, per-frame percentile normalisation, area pooling onto each clip's patch
// grid and the weighted fusion, identical to score/frame_scores.cpp (FrameScorer::score): the
// same percentile (order statistics of the displayed cells, numpy's interpolation), the same
// overlaps (score/patch_pooling.cpp axis_overlap, computed on the host), the same double
// operations in the same order (nvcc -fmad=false). The signal maps themselves (camera-compensated
// motion, |residual|, bits) come from score/signal_maps.cpp or, for residual planes, straight
// from the GPU residual reconstruction. No CUDA types: callers compile with the host compiler.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "score/score_options.h"
#include "score/signal_maps.h"

namespace codectok::cuda {

enum class MapKind : int32_t {
  kNone = 0,
  kFloat = 1,     // float32 cells (motion, bits)
  kCounts = 2,    // uint16 cells (CellMap::counts, |residual|)
  kResidual = 3,  // an int16 residual plane; cells are |x| (abs_residual_map)
};

// cols x rows cells of cell x cell luma samples, row-major. `data` is a host pointer, or a
// device pointer when the batch says maps_on_device.
struct MapView {
  const void* data = nullptr;
  int32_t cols = 0, rows = 0, cell = 1;
  MapKind kind = MapKind::kNone;
};

// A CellMap as a MapView (host memory).
MapView view_of(const CellMap& m);

struct FrameMaps {
  MapView maps[kSignalCount];  // kNone where the signal is absent
};

// The frames of one clip: one coded frame size and conformance window, one output geometry.
struct ScoreClip {
  PatchGeometry geometry;
  CodedFrame frame;
  const FrameMaps* frames = nullptr;
  int32_t count = 0;
};

// Frame f of the batch (clips in order, their frames in order) has its patches at
// [offset[f], offset[f] + patches of its clip) of fused / raw / norm.
struct BatchScores {
  std::vector<size_t> offset;
  std::vector<float> fused;
  std::vector<float> raw[kSignalCount], norm[kSignalCount];  // 0 where the signal was not scored
  std::vector<double> level[kSignalCount];                   // per frame; 0 where not scored
  std::vector<uint8_t> has[kSignalCount];                    // per frame
};

// Keeps device buffers between batches. Not thread-safe. Throws std::invalid_argument for a
// batch it cannot score (normalize clip, maps of different sizes within a clip, a map that does
// not cover its frame) before any device work, std::runtime_error for a CUDA error.
class GpuScorer {
 public:
  GpuScorer();
  ~GpuScorer();
  GpuScorer(const GpuScorer&) = delete;
  GpuScorer& operator=(const GpuScorer&) = delete;

  // Scores every frame of the clips; the results stay in device memory until download().
  void score(const ScoringOptions& o, const ScoreClip* clips, size_t num_clips, bool maps_on_device);
  void download(BatchScores& out) const;
  // The fused scores in device memory ([patches of every frame], the layout of BatchScores).
  const float* device_fused() const;
  size_t num_frames() const;
  size_t num_patches() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codectok::cuda
