// Host API of the GPU patch gather (gather_kernels.cu): the selected patches of a batch of RGB24
// frames of the output geometry (already resized) into the output tensor, nhwc or nchw, uint8 or
// normalised float32, identical to tensors/patch_gather.cpp (gather_offset and
// normalise_sample are compiled for the device; -fmad=false).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tensors/patch_gather.h"

namespace codectok::cuda {

// Output row `row` is patch (h, w) of frame `frame` of the batch.
struct GatherTask {
  int32_t frame, row, h, w;
};

// Keeps device buffers between batches. Not thread-safe. Throws std::invalid_argument for a
// task outside its frame or the output before any device work, std::runtime_error for a CUDA
// error.
class GpuGather {
 public:
  GpuGather();
  ~GpuGather();
  GpuGather(const GpuGather&) = delete;
  GpuGather& operator=(const GpuGather&) = delete;

  // frames: num_frames RGB24 frames of spec.frame_width x spec.frame_height, back to back, in
  // device memory (frames_on_device) or host memory. out: host memory of out_rows rows of
  // patch * patch * 3 uint8 or float elements.
  void gather(const uint8_t* frames, bool frames_on_device, size_t num_frames, const GatherSpec& spec,
              const GatherTask* tasks, size_t num_tasks, void* out, size_t out_rows);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codectok::cuda
