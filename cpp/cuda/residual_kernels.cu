// GPU residual reconstruction: one kernel per transform size N, each CUDA
// block of 256 threads handles 256 / min(N*N, 256) transform blocks, one
// thread per output sample (32x32: four samples per thread). The arithmetic
// is residual_elements.h, shared with the CPU-only test.
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/device_buffer.cuh"
#include "cuda/gpu_residual.h"

namespace codectok::cuda {
namespace {

constexpr int kThreads = 256;

__constant__ TransformMatrices c_matrices;

template <int Log2>
__global__ void residual_kernel(const ResidualBlock* __restrict__ blocks, const uint32_t* __restrict__ order,
                                int count, const int32_t* __restrict__ levels,
                                const uint8_t* __restrict__ scaling, const ResidualPlane* __restrict__ planes,
                                int16_t* __restrict__ out) {
  constexpr int kN = 1 << Log2;
  constexpr int kSamples = kN * kN;
  constexpr int kPerBlock = kSamples < kThreads ? kSamples : kThreads;  // threads per transform block
  constexpr int kBlocksPerCta = kThreads / kPerBlock;
  __shared__ int32_t s_d[kBlocksPerCta][kSamples];
  __shared__ int32_t s_g[kBlocksPerCta][kSamples];

  const int local = threadIdx.x / kPerBlock;
  const int lane = threadIdx.x % kPerBlock;
  const int index = blockIdx.x * kBlocksPerCta + local;
  const bool active = index < count;
  ResidualBlock b;
  if (active) b = blocks[order[index]];
  const bool bypass = active && (b.flags & kTransquantBypass);
  const bool skip = active && !bypass && (b.flags & kTransformSkip);
  const bool dst = active && (b.flags & kDst);
  const int qp = active ? clamp_qp(b.qp) : 0;
  const int bd_shift = active ? residual_bd_shift(b.bit_depth) : 1;
  int32_t* d = s_d[local];
  int32_t* g = s_g[local];

  // Scaling (8.6.2): d, or the levels themselves for transquant bypass.
  if (active) {
    for (int e = lane; e < kSamples; e += kPerBlock) {
      const int32_t level = levels[b.levels_offset + e];
      if (bypass) {
        d[e] = level;
      } else {
        const int factor = b.scaling_offset < 0 ? 16 : scaling[b.scaling_offset + e];
        d[e] = level == 0 ? 0 : scaled_coefficient(c_matrices, level, factor, qp, b.bit_depth, Log2);
      }
    }
  }
  __syncthreads();
  // First stage (vertical), transform path only.
  if (active && !bypass && !skip) {
    for (int e = lane; e < kSamples; e += kPerBlock)
      g[e] = first_stage_sample(c_matrices, d, Log2, dst, e % kN, e / kN);
  }
  __syncthreads();
  if (!active) return;
  const ResidualPlane plane = planes[b.plane];
  for (int e = lane; e < kSamples; e += kPerBlock) {
    const int x = e % kN, y = e / kN;
    const uint32_t px = b.x0 + x, py = b.y0 + y;
    if (px >= plane.width || py >= plane.height) continue;
    int32_t r;
    if (bypass) r = d[e];
    else if (skip) r = transform_skip_sample(d[e], Log2, bd_shift);
    else r = second_stage_sample(c_matrices, g, Log2, dst, bd_shift, x, y);
    out[plane.offset + static_cast<uint64_t>(py) * plane.width + px] = plane_sample(r);
  }
}

void validate(const ResidualBatch& b) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("residual batch: " + what); };
  if (b.num_blocks && (!b.blocks || !b.levels)) fail("blocks or levels missing");
  if (b.num_planes && (!b.planes || !b.out)) fail("planes or output missing");
  for (size_t i = 0; i < b.num_planes; ++i) {
    const ResidualPlane& p = b.planes[i];
    if (p.offset > b.num_out || uint64_t{p.width} * p.height > b.num_out - p.offset)
      fail("plane " + std::to_string(i) + " outside the output");
  }
  for (size_t i = 0; i < b.num_blocks; ++i) {
    const ResidualBlock& k = b.blocks[i];
    // The message is built only on failure (this loop runs over millions of blocks).
    auto at = [i](const char* what) { return "block " + std::to_string(i) + ": " + what; };
    if (k.log2_size < 2 || k.log2_size > 5) fail(at("log2_size not in 2..5"));
    if (k.bit_depth < 8 || k.bit_depth > 16) fail(at("bit_depth not in 8..16"));
    if (k.plane >= b.num_planes) fail(at("plane index out of range"));
    const size_t samples = size_t{1} << (2 * k.log2_size);
    if (k.levels_offset > b.num_levels || samples > b.num_levels - k.levels_offset) fail(at("levels out of range"));
    if (k.scaling_offset >= 0 &&
        (!b.scaling || static_cast<size_t>(k.scaling_offset) > b.num_scaling ||
         samples > b.num_scaling - static_cast<size_t>(k.scaling_offset)))
      fail(at("scaling factors out of range"));
  }
}

}  // namespace

std::string cuda_unavailable_reason() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) return std::string("no CUDA device (cudaGetDeviceCount: ") + cudaGetErrorString(e) + ")";
  if (count == 0) return "no CUDA device (cudaGetDeviceCount: 0)";
  return "";
}

int cuda_device_count() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess ? count : 0;
}

struct GpuResidualReconstructor::Impl {
  DeviceBuffer<int32_t> levels;
  DeviceBuffer<uint8_t> scaling;
  DeviceBuffer<ResidualBlock> blocks;
  DeviceBuffer<uint32_t> order;
  DeviceBuffer<ResidualPlane> planes;
  DeviceBuffer<int16_t> out;
  std::vector<uint32_t> host_order;
  size_t first[5] = {};
  size_t num_out = 0;
};

GpuResidualReconstructor::GpuResidualReconstructor() : impl_(new Impl) {
  TransformMatrices m;
  build_transform_matrices(m);
  check_cuda(cudaMemcpyToSymbol(c_matrices, &m, sizeof(m)), "cudaMemcpyToSymbol");
}

GpuResidualReconstructor::~GpuResidualReconstructor() = default;

void GpuResidualReconstructor::run(const ResidualBatch& batch) {
  upload(batch);
  launch();
  download(batch);
}

void GpuResidualReconstructor::upload(const ResidualBatch& batch) {
  validate(batch);
  Impl& s = *impl_;
  // Blocks grouped by size: one launch per size, each block's index once.
  size_t first[5] = {};
  for (size_t i = 0; i < batch.num_blocks; ++i) ++first[batch.blocks[i].log2_size - 1];
  for (int k = 1; k < 5; ++k) first[k] += first[k - 1];  // size l: [first[l - 2], first[l - 1])
  s.host_order.assign(batch.num_blocks, 0);
  size_t fill[4] = {first[1 - 1], first[2 - 1], first[3 - 1], first[4 - 1]};
  for (size_t i = 0; i < batch.num_blocks; ++i)
    s.host_order[fill[batch.blocks[i].log2_size - 2]++] = static_cast<uint32_t>(i);
  for (int k = 0; k < 5; ++k) s.first[k] = first[k];

  s.levels.upload(batch.levels, batch.num_levels);
  s.scaling.upload(batch.scaling, batch.scaling ? batch.num_scaling : 0);
  s.blocks.upload(batch.blocks, batch.num_blocks);
  s.order.upload(s.host_order.data(), s.host_order.size());
  s.planes.upload(batch.planes, batch.num_planes);
  s.out.reserve(batch.num_out);
  s.num_out = batch.num_out;
}

void GpuResidualReconstructor::launch() {
  Impl& s = *impl_;
  if (s.num_out) check_cuda(cudaMemset(s.out.ptr, 0, s.num_out * sizeof(int16_t)), "cudaMemset");
  auto go = [&](auto kernel, int log2) {
    const size_t begin = s.first[log2 - 2], end = s.first[log2 - 1];
    const int count = static_cast<int>(end - begin);
    if (count == 0) return;
    const int samples = 1 << (2 * log2);
    const int per_cta = kThreads / std::min(samples, kThreads);
    const int grid = (count + per_cta - 1) / per_cta;
    kernel<<<grid, kThreads>>>(s.blocks.ptr, s.order.ptr + begin, count, s.levels.ptr, s.scaling.ptr,
                               s.planes.ptr, s.out.ptr);
    check_cuda(cudaGetLastError(), "kernel launch");
  };
  go(residual_kernel<2>, 2);
  go(residual_kernel<3>, 3);
  go(residual_kernel<4>, 4);
  go(residual_kernel<5>, 5);
  check_cuda(cudaDeviceSynchronize(), "kernel");
}

void GpuResidualReconstructor::download(const ResidualBatch& batch) {
  Impl& s = *impl_;
  if (batch.num_out != s.num_out) throw std::invalid_argument("residual batch: download of another batch");
  if (batch.num_out)
    check_cuda(cudaMemcpy(batch.out, s.out.ptr, batch.num_out * sizeof(int16_t), cudaMemcpyDeviceToHost),
               "cudaMemcpy D2H");
}

}  // namespace codectok::cuda
