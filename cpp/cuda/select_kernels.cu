// GPU selection (gpu_select.h): one CUDA block per clip.
// 1. Radix selection (8 passes of 8-bit digits) of the threshold: the (K - mandatory)-th largest
//    ranking key as an order-preserving 64-bit integer; the patches of dense slots take the
//    lowest key (never selected by rank).
// 2. In flat-index order, 1024 indices at a time: a patch is kept when it is mandatory, its key
//    is above the threshold, or it equals the threshold and is among the first
//    (K - mandatory - #above) such ties (ties go to the lower index, as in select_top_k).
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/device_buffer.cuh"
#include "cuda/block_radix_select.cuh"
#include "cuda/gpu_select.h"

namespace codectok::cuda {
namespace {

constexpr int kThreads = 1024;

struct DevSelectClip {
  int64_t score_offset, out_offset;
  int32_t T, S, intra_offset, content_offset, rank_offset;
  int64_t K, mandatory;
};

// Exclusive prefix sum of one int per thread over the block (blockDim.x == kThreads), and the
// block's total. Warp shuffles, then the 32 warp totals scanned by the first warp; `warp_sums`
// is shared memory of 32 ints. Every thread must call it.
__device__ int block_exclusive_sum(int v, int& total, int* warp_sums) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  int x = v;
  for (int d = 1; d < 32; d <<= 1) {
    const int y = __shfl_up_sync(0xffffffffu, x, d);
    if (lane >= d) x += y;
  }
  if (lane == 31) warp_sums[warp] = x;
  __syncthreads();
  if (warp == 0) {
    int w = warp_sums[lane];
    for (int d = 1; d < 32; d <<= 1) {
      const int y = __shfl_up_sync(0xffffffffu, w, d);
      if (lane >= d) w += y;
    }
    warp_sums[lane] = w;  // inclusive over warps
  }
  __syncthreads();
  const int before = warp == 0 ? 0 : warp_sums[warp - 1];
  total = warp_sums[kThreads / 32 - 1];
  __syncthreads();  // warp_sums is reused by the next call
  return before + x - v;
}

__device__ uint64_t order_key(double v) {
  const uint64_t u = static_cast<uint64_t>(__double_as_longlong(v));
  return (u >> 63) ? ~u : (u | (uint64_t{1} << 63));
}

__device__ uint64_t key_at(const DevSelectClip& c, int64_t i, const float* scores, const uint8_t* intra,
                           const uint8_t* content, const int32_t* slot_rank, const TopKOptions& o) {
  const int64_t t = i / c.S, s = i - t * c.S;
  const int32_t rank = slot_rank[c.rank_offset + t];
  if (rank >= 0 && rank * static_cast<int64_t>(c.S) + s < c.K) return 0;  // mandatory
  return order_key(codec_rank_key(scores[c.score_offset + i], intra[c.intra_offset + t] != 0,
                                  content[c.content_offset + s] != 0, o));
}

__global__ void __launch_bounds__(kThreads) select_kernel(const DevSelectClip* __restrict__ clips,
                                                          const float* __restrict__ scores,
                                                          const uint8_t* __restrict__ intra,
                                                          const uint8_t* __restrict__ content,
                                                          const int32_t* __restrict__ slot_rank, TopKOptions o,
                                                          int32_t* __restrict__ out) {
  __shared__ int warp_sums[32];
  __shared__ RadixSelectShared<uint64_t> radix;
  __shared__ unsigned long long s_above;
  const DevSelectClip c = clips[blockIdx.x];
  const int tid = threadIdx.x;
  const int64_t N = static_cast<int64_t>(c.T) * c.S;
  const int64_t rest = c.K - c.mandatory;
  uint64_t thr = ~uint64_t{0};
  long long need = 0;
  if (rest > 0) {
    if (tid == 0) s_above = 0;
    // the rest-th largest key: ascending rank N - rest
    thr = block_radix_select(radix, N, N - rest, 56, [&](long long i) {
      return key_at(c, i, scores, intra, content, slot_rank, o);
    });
    unsigned long long above = 0;
    for (int64_t i = tid; i < N; i += kThreads)
      if (key_at(c, i, scores, intra, content, slot_rank, o) > thr) ++above;
    atomicAdd(&s_above, above);
    __syncthreads();
    need = rest - static_cast<long long>(s_above);
  }
  int ties_before = 0, kept_before = 0;
  for (int64_t base = 0; base < N; base += kThreads) {
    const int64_t i = base + tid;
    int tie = 0, keep = 0;
    if (i < N) {
      const uint64_t u = key_at(c, i, scores, intra, content, slot_rank, o);
      if (u == 0) keep = 1;  // mandatory (a rank key never maps to 0)
      else if (rest > 0 && u > thr) keep = 1;
      else if (rest > 0 && u == thr) tie = 1;
    }
    int tie_total, kept_total;
    const int tie_rank = block_exclusive_sum(tie, tie_total, warp_sums);
    if (tie && ties_before + tie_rank < need) keep = 1;
    const int at = block_exclusive_sum(keep, kept_total, warp_sums);
    if (keep) out[c.out_offset + kept_before + at] = static_cast<int32_t>(i);
    ties_before += tie_total;
    kept_before += kept_total;
  }
}

}  // namespace

struct GpuSelector::Impl {
  DeviceBuffer<DevSelectClip> clips;
  DeviceBuffer<float> scores;
  DeviceBuffer<uint8_t> intra, content;
  DeviceBuffer<int32_t> slot_rank, out;
};

GpuSelector::GpuSelector() : impl_(new Impl) {}
GpuSelector::~GpuSelector() = default;

void GpuSelector::select(const float* scores, bool scores_on_device, size_t num_scores, const SelectClip* clips,
                         size_t num_clips, const TopKOptions& o, std::vector<std::vector<int32_t>>& flat) {
  if (o.order != SelectionOrder::kThw)
    throw std::invalid_argument("GPU selection: order score is not implemented on the GPU (thw only)");
  if (o.budget < 1) throw std::invalid_argument("GPU selection: budget must be >= 1");
  Impl& s = *impl_;
  std::vector<DevSelectClip> dc;
  std::vector<uint8_t> intra, content;
  std::vector<int32_t> rank;
  int64_t out_total = 0;
  for (size_t ci = 0; ci < num_clips; ++ci) {
    const SelectClip& c = clips[ci];
    const int64_t S = static_cast<int64_t>(c.grid_h) * c.grid_w;
    if (c.T < 1 || S < 1) throw std::invalid_argument("GPU selection: empty score volume (clip " + std::to_string(ci) + ")");
    const int64_t N = c.T * S;
    if (c.score_offset > num_scores || static_cast<size_t>(N) > num_scores - c.score_offset)
      throw std::invalid_argument("GPU selection: clip " + std::to_string(ci) + " lies outside the scores");
    if (N > (int64_t{1} << 31) - 1) throw std::invalid_argument("GPU selection: clip too large");
    TopKVolume v;
    v.T = c.T;
    v.grid_h = c.grid_h;
    v.grid_w = c.grid_w;
    v.intra = c.intra;
    v.content = c.content;
    v.is_static = c.is_static;
    const int64_t K = std::min<int64_t>(o.budget, N);
    const std::vector<int32_t> dense = codec_dense_slots(v, o, K);
    DevSelectClip d{};
    d.score_offset = static_cast<int64_t>(c.score_offset);
    d.out_offset = out_total;
    d.T = c.T;
    d.S = static_cast<int32_t>(S);
    d.intra_offset = static_cast<int32_t>(intra.size());
    d.content_offset = static_cast<int32_t>(content.size());
    d.rank_offset = static_cast<int32_t>(rank.size());
    d.K = K;
    d.mandatory = std::min<int64_t>(K, static_cast<int64_t>(dense.size()) * S);
    intra.insert(intra.end(), c.intra, c.intra + c.T);
    content.insert(content.end(), c.content, c.content + S);
    const size_t r0 = rank.size();
    rank.resize(r0 + static_cast<size_t>(c.T), -1);
    for (size_t j = 0; j < dense.size(); ++j) rank[r0 + static_cast<size_t>(dense[j])] = static_cast<int32_t>(j);
    dc.push_back(d);
    out_total += K;
  }
  flat.assign(num_clips, {});
  if (num_clips == 0) return;
  const float* dev_scores = scores;
  if (!scores_on_device) {
    s.scores.upload(scores, num_scores);
    dev_scores = s.scores.ptr;
  }
  s.clips.upload(dc.data(), dc.size());
  s.intra.upload(intra.data(), intra.size());
  s.content.upload(content.data(), content.size());
  s.slot_rank.upload(rank.data(), rank.size());
  s.out.reserve(static_cast<size_t>(out_total));
  select_kernel<<<static_cast<unsigned>(num_clips), kThreads>>>(s.clips.ptr, dev_scores, s.intra.ptr, s.content.ptr,
                                                               s.slot_rank.ptr, o, s.out.ptr);
  check_cuda(cudaGetLastError(), "select_kernel launch");
  std::vector<int32_t> all(static_cast<size_t>(out_total));
  s.out.download(all.data(), all.size());
  check_cuda(cudaDeviceSynchronize(), "select_kernel");
  for (size_t ci = 0; ci < num_clips; ++ci)
    flat[ci].assign(all.begin() + dc[ci].out_offset, all.begin() + dc[ci].out_offset + dc[ci].K);
}

}  // namespace codectok::cuda
