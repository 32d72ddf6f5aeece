// Host API of the GPU selection (select_kernels.cu): the codec policy's top-K
// (score/select_top_k.h) for a batch of clips in one launch, one CUDA block per clip: the same
// dense slots (codec_dense_slots, on the host), the same ranking keys (codec_rank_key, compiled
// for the device), the K - mandatory highest keys with ties by flat index ascending found by a
// radix selection of the threshold key, then the kept indices compacted in (t, h, w) order.
// Identical to select_top_k() with SelectionOrder::kThw; kScore is not implemented here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "score/select_top_k.h"

namespace codectok::cuda {

// One clip: its T x grid_h x grid_w scores start at score_offset of the batch's scores.
struct SelectClip {
  int32_t T = 0, grid_h = 0, grid_w = 0;
  size_t score_offset = 0;
  const uint8_t* intra = nullptr;    // [T], host
  const uint8_t* content = nullptr;  // [grid_h * grid_w], host
  bool is_static = false;
};

// Keeps device buffers between batches. Not thread-safe. Throws std::invalid_argument (order
// score, a budget < 1, a clip outside the scores) before any device work, std::runtime_error
// for a CUDA error.
class GpuSelector {
 public:
  GpuSelector();
  ~GpuSelector();
  GpuSelector(const GpuSelector&) = delete;
  GpuSelector& operator=(const GpuSelector&) = delete;

  // scores: num_scores floats in device memory (scores_on_device, e.g. GpuScorer::device_fused())
  // or host memory. flat[c]: clip c's kept flat indices, ascending.
  void select(const float* scores, bool scores_on_device, size_t num_scores, const SelectClip* clips, size_t num_clips,
              const TopKOptions& o, std::vector<std::vector<int32_t>>& flat);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codectok::cuda
