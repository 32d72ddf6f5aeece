// GPU patch gather (gpu_gather.h): one CUDA block per gathered patch, one thread per output
// element in the layout's order (coalesced writes), the element's source sample read from the
// frame; the arithmetic of tensors/patch_gather.h.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "cuda/device_buffer.cuh"
#include "cuda/gpu_gather.h"

namespace codectok::cuda {
namespace {

struct DevSpec {
  int32_t patch, width, height, layout, float32;
  double mean[3], std[3];
};

__global__ void gather_kernel(const uint8_t* __restrict__ frames, const GatherTask* __restrict__ tasks, DevSpec sp,
                              void* __restrict__ out) {
  const GatherTask t = tasks[blockIdx.x];
  const int P = sp.patch;
  const int per = P * P * 3;
  const size_t frame_bytes = static_cast<size_t>(sp.width) * sp.height * 3;
  const uint8_t* rgb = frames + static_cast<size_t>(t.frame) * frame_bytes;
  const PatchLayout layout = sp.layout ? PatchLayout::kNchw : PatchLayout::kNhwc;
  for (int e = threadIdx.x; e < per; e += blockDim.x) {
    int y, x, c;
    if (layout == PatchLayout::kNhwc) {
      c = e % 3;
      x = (e / 3) % P;
      y = e / (3 * P);
    } else {
      c = e / (P * P);
      y = (e / P) % P;
      x = e % P;
    }
    const uint8_t v = rgb[((static_cast<size_t>(t.h) * P + y) * sp.width + static_cast<size_t>(t.w) * P + x) * 3 + c];
    const size_t dst = static_cast<size_t>(t.row) * per + gather_offset(layout, P, y, x, c);
    if (sp.float32) static_cast<float*>(out)[dst] = normalise_sample(v, sp.mean[c], sp.std[c]);
    else static_cast<uint8_t*>(out)[dst] = v;
  }
}

}  // namespace

struct GpuGather::Impl {
  DeviceBuffer<uint8_t> frames;
  DeviceBuffer<GatherTask> tasks;
  DeviceBuffer<unsigned char> out;
};

GpuGather::GpuGather() : impl_(new Impl) {}
GpuGather::~GpuGather() = default;

void GpuGather::gather(const uint8_t* frames, bool frames_on_device, size_t num_frames, const GatherSpec& spec,
                       const GatherTask* tasks, size_t num_tasks, void* out, size_t out_rows) {
  const int P = spec.patch;
  if (P < 1 || spec.frame_width < P || spec.frame_height < P) throw std::invalid_argument("GPU gather: bad geometry");
  for (size_t i = 0; i < num_tasks; ++i) {
    const GatherTask& t = tasks[i];
    if (t.frame < 0 || static_cast<size_t>(t.frame) >= num_frames || t.row < 0 || static_cast<size_t>(t.row) >= out_rows ||
        t.h < 0 || t.w < 0 || (t.h + 1) * P > spec.frame_height || (t.w + 1) * P > spec.frame_width)
      throw std::invalid_argument("GPU gather: task " + std::to_string(i) + " outside its frame or the output");
  }
  Impl& s = *impl_;
  const size_t frame_bytes = static_cast<size_t>(spec.frame_width) * spec.frame_height * 3;
  const uint8_t* dev_frames = frames;
  if (!frames_on_device) {
    s.frames.upload(frames, frame_bytes * num_frames);
    dev_frames = s.frames.ptr;
  }
  s.tasks.upload(tasks, num_tasks);
  const size_t elem = spec.float32 ? sizeof(float) : 1;
  const size_t out_bytes = out_rows * static_cast<size_t>(P) * P * 3 * elem;
  s.out.reserve(out_bytes);
  if (out_bytes) check_cuda(cudaMemset(s.out.ptr, 0, out_bytes), "cudaMemset");
  DevSpec sp{};
  sp.patch = P;
  sp.width = spec.frame_width;
  sp.height = spec.frame_height;
  sp.layout = spec.layout == PatchLayout::kNchw ? 1 : 0;
  sp.float32 = spec.float32 ? 1 : 0;
  for (int c = 0; c < 3; ++c) {
    sp.mean[c] = spec.mean[c];
    sp.std[c] = spec.std[c];
  }
  if (num_tasks) {
    const int threads = std::min(P * P * 3, 768);
    gather_kernel<<<static_cast<unsigned>(num_tasks), threads>>>(dev_frames, s.tasks.ptr, sp, s.out.ptr);
    check_cuda(cudaGetLastError(), "gather_kernel launch");
  }
  if (out_bytes) check_cuda(cudaMemcpy(out, s.out.ptr, out_bytes, cudaMemcpyDeviceToHost), "cudaMemcpy D2H");
  check_cuda(cudaDeviceSynchronize(), "gather_kernel");
}

}  // namespace codectok::cuda
