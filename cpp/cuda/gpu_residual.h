// Host API of the GPU residual reconstruction (residual_kernels.cu): a batch
// of transform blocks (levels, scaling factors, positions, QP, flags) ->
// int16 residual planes bit-identical to hevc/residual_reconstruction.cpp
// plus the clamp of hevc/transform_block.cpp. No CUDA types: callers compile
// with the host compiler and link codectok_cuda.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "cuda/residual_elements.h"

namespace codectok::cuda {

// "" when a CUDA device can be used, else why not ("no CUDA device", or the
// runtime's error string).
std::string cuda_unavailable_reason();
// The number of CUDA devices; 0 when there is none or no driver (never throws).
int cuda_device_count();

// One batch: any number of pictures (planes) and their transform blocks.
struct ResidualBatch {
  const int32_t* levels = nullptr;  // all blocks' TransCoeffLevel rasters
  size_t num_levels = 0;
  const uint8_t* scaling = nullptr;  // ScalingFactor rasters (may be null when every block is flat)
  size_t num_scaling = 0;
  const ResidualBlock* blocks = nullptr;
  size_t num_blocks = 0;
  const ResidualPlane* planes = nullptr;
  size_t num_planes = 0;
  int16_t* out = nullptr;  // host output: every plane is zeroed, then its blocks written
  size_t num_out = 0;
};

// Keeps device buffers between batches (grown as needed). Not thread-safe;
// one per host thread. Throws std::invalid_argument for a batch whose offsets
// or sizes are out of range (checked before anything runs on the device) and
// std::runtime_error for a CUDA error.
class GpuResidualReconstructor {
 public:
  GpuResidualReconstructor();
  ~GpuResidualReconstructor();
  GpuResidualReconstructor(const GpuResidualReconstructor&) = delete;
  GpuResidualReconstructor& operator=(const GpuResidualReconstructor&) = delete;

  // Uploads the batch, runs the kernels, downloads the planes (synchronous).
  void run(const ResidualBatch& batch);
  // The three steps of run() alone (the benchmark times the kernels apart from the transfers):
  // upload() validates and copies the batch to the device, launch() runs the kernels on the last
  // uploaded batch and waits for them, download() copies its planes to batch.out.
  void upload(const ResidualBatch& batch);
  void launch();
  void download(const ResidualBatch& batch);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codectok::cuda
