// GPU scoring (gpu_scores.h). Two kernels:
// - level_kernel, one CUDA block per (frame, signal): the percentile level of the displayed cells
//   by radix selection of the order statistics (8-bit digits over order-preserving keys: 16-bit
//   integers, float32 bits), then numpy's interpolation and the floor, as statistics.cpp.
// - pool_kernel, one thread per (frame, patch): for each signal, the rows overlapping the patch in
//   ascending order, each the sum over its columns in ascending order of value x width overlap
//   (and of min(1, value / level) rounded to float32), times the height overlap: the additions of
//   patch_pooling.cpp in its order; then the division by the area and the fusion of
//   frame_scores.cpp. Compiled with -fmad=false, so no multiply-add is fused.
#include <cuda_runtime.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/device_buffer.cuh"
#include "cuda/block_radix_select.cuh"
#include "cuda/gpu_scores.h"
#include "score/patch_pooling.h"

namespace codectok::cuda {
namespace {

constexpr int kLevelThreads = 512;
constexpr int kPoolThreads = 128;

struct DevMap {
  const void* data;
  int32_t cols, rows, cell, kind;
};

struct DevFrame {
  DevMap maps[kSignalCount];
  int32_t clip;
  int64_t offset;  // first patch
};

// A clip's geometry and, per signal, where its patch -> cells lists start in offs (grid + 1
// entries each, indexing cells / weights).
struct DevClip {
  int32_t grid_h, grid_w, patch;
  int32_t crop_left, crop_top, display_w, display_h;
  int32_t xo[kSignalCount], yo[kSignalCount];
};

struct KernelOptions {
  double weights[kSignalCount], floors[kSignalCount];
  double percentile, wsum;
};

__device__ uint32_t cell_key(const DevMap& m, size_t i) {
  if (m.kind == static_cast<int32_t>(MapKind::kFloat)) {
    const uint32_t u = __float_as_uint(static_cast<const float*>(m.data)[i]);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  }
  if (m.kind == static_cast<int32_t>(MapKind::kCounts)) return static_cast<const uint16_t*>(m.data)[i];
  const int x = static_cast<const int16_t*>(m.data)[i];
  return static_cast<uint32_t>(x < 0 ? -x : x);
}

__device__ double key_value(int32_t kind, uint32_t u) {
  if (kind == static_cast<int32_t>(MapKind::kFloat)) {
    const uint32_t bits = (u & 0x80000000u) ? (u & 0x7fffffffu) : ~u;
    return static_cast<double>(__uint_as_float(bits));
  }
  return static_cast<double>(u);
}

__device__ double cell_value(const DevMap& m, size_t i) {
  if (m.kind == static_cast<int32_t>(MapKind::kFloat)) return static_cast<const float*>(m.data)[i];
  if (m.kind == static_cast<int32_t>(MapKind::kCounts)) return static_cast<const uint16_t*>(m.data)[i];
  const int x = static_cast<const int16_t*>(m.data)[i];
  return static_cast<uint16_t>(x < 0 ? -x : x);
}

__global__ void level_kernel(const DevFrame* __restrict__ frames, const DevClip* __restrict__ clips, KernelOptions o,
                             double* __restrict__ levels) {
  const int f = blockIdx.x, k = blockIdx.y, tid = threadIdx.x;
  const DevFrame fr = frames[f];
  const DevMap m = fr.maps[k];
  if (m.kind == 0 || !(o.weights[k] > 0)) {
    if (tid == 0) levels[f * kSignalCount + k] = 0;
    return;
  }
  const DevClip c = clips[fr.clip];
  // displayed_cells() of frame_scores.cpp
  const int c0 = c.crop_left / m.cell, c1 = min(m.cols, (c.crop_left + c.display_w + m.cell - 1) / m.cell);
  const int r0 = c.crop_top / m.cell, r1 = min(m.rows, (c.crop_top + c.display_h + m.cell - 1) / m.cell);
  const long long w = c1 - c0, h = r1 - r0;
  const long long n = (w > 0 && h > 0) ? w * h : 0;
  const double floor_k = o.floors[k];
  if (n == 0) {
    if (tid == 0) levels[f * kSignalCount + k] = floor_k < 0.0 ? 0.0 : floor_k;
    return;
  }
  const double pos = (o.percentile / 100) * static_cast<double>(n - 1);
  const double lo_d = floor(pos);
  const long long lo = static_cast<long long>(lo_d);

  __shared__ RadixSelectShared<uint32_t> radix;
  __shared__ unsigned long long s_le;
  __shared__ uint32_t s_min_gt;
  if (tid == 0) {
    s_le = 0;
    s_min_gt = 0xffffffffu;
  }
  const int top = m.kind == static_cast<int32_t>(MapKind::kFloat) ? 24 : 8;
  const uint32_t a_key = block_radix_select(radix, n, lo, top, [&](long long i) {
    const size_t at = static_cast<size_t>(r0 + i / w) * m.cols + static_cast<size_t>(c0 + i % w);
    return cell_key(m, at);
  });
  unsigned long long le = 0;
  uint32_t min_gt = 0xffffffffu;
  for (long long i = tid; i < n; i += blockDim.x) {
    const size_t at = static_cast<size_t>(r0 + i / w) * m.cols + static_cast<size_t>(c0 + i % w);
    const uint32_t u = cell_key(m, at);
    if (u <= a_key) ++le;
    else if (u < min_gt) min_gt = u;
  }
  atomicAdd(&s_le, le);
  atomicMin(&s_min_gt, min_gt);
  __syncthreads();
  if (tid != 0) return;
  const double a = key_value(m.kind, a_key);
  double b = a;
  if (lo + 1 < n && s_le <= static_cast<unsigned long long>(lo + 1)) b = key_value(m.kind, s_min_gt);
  const double v = a + (b - a) * (pos - lo_d);
  levels[f * kSignalCount + k] = floor_k < v ? v : floor_k;  // std::max(floor, v)
}

__global__ void pool_kernel(const DevFrame* __restrict__ frames, const DevClip* __restrict__ clips,
                            const int32_t* __restrict__ offs, const int32_t* __restrict__ cells,
                            const double* __restrict__ weights, const double* __restrict__ levels, KernelOptions o,
                            size_t total, float* __restrict__ fused, float* __restrict__ raw,
                            float* __restrict__ norm) {
  const int f = blockIdx.y;
  const DevFrame fr = frames[f];
  const DevClip c = clips[fr.clip];
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= c.grid_h * c.grid_w) return;
  const int py = i / c.grid_w, px = i % c.grid_w;
  const double area = static_cast<double>(c.patch) * c.patch;
  const size_t out = static_cast<size_t>(fr.offset) + i;
  float fu = 0.0f;
  for (int k = 0; k < kSignalCount; ++k) {
    const DevMap m = fr.maps[k];
    const double wk = o.weights[k];
    if (m.kind == 0 || !(wk > 0)) {
      raw[k * total + out] = 0.0f;
      norm[k * total + out] = 0.0f;
      continue;
    }
    const double level = levels[f * kSignalCount + k];
    const int32_t xs = offs[c.xo[k] + px], xe = offs[c.xo[k] + px + 1];
    const int32_t ys = offs[c.yo[k] + py], ye = offs[c.yo[k] + py + 1];
    double acc = 0, acc_norm = 0;
    for (int32_t e = ys; e < ye; ++e) {
      const size_t line = static_cast<size_t>(cells[e]) * m.cols;
      double row = 0, row_norm = 0;
      for (int32_t q = xs; q < xe; ++q) {
        const double val = cell_value(m, line + cells[q]);
        if (val == 0) continue;
        const double wgt = weights[q];
        const double x = val / level;
        const double nv = static_cast<float>(x > 1 ? 1 : x);
        row += val * wgt;
        row_norm += nv * wgt;
      }
      const double wy = weights[e];
      acc += row * wy;
      acc_norm += row_norm * wy;
    }
    const float r = static_cast<float>(acc / area);
    const float nv = static_cast<float>(acc_norm / area);
    raw[k * total + out] = r;
    norm[k * total + out] = nv;
    fu = static_cast<float>(fu + (wk * nv) / o.wsum);
  }
  fused[out] = fu;
}

// Patch -> (cell, overlap) lists of one axis, cells ascending (the inverse of axis_overlap's
// cell -> (patch, overlap) lists), appended to the CSR arrays; returns where its offsets start.
int32_t append_inverse(const AxisOverlap& a, int count, int grid, std::vector<int32_t>& offs,
                       std::vector<int32_t>& cells, std::vector<double>& weights) {
  std::vector<std::vector<std::pair<int32_t, double>>> lists(static_cast<size_t>(grid));
  for (int i = 0; i < count; ++i)
    for (int32_t e = a.offsets[i]; e < a.offsets[i + 1]; ++e) lists[a.patch_index[e]].push_back({i, a.weight[e]});
  const int32_t at = static_cast<int32_t>(offs.size());
  for (const auto& l : lists) {
    offs.push_back(static_cast<int32_t>(cells.size()));
    for (const auto& [cell, w] : l) {
      cells.push_back(cell);
      weights.push_back(w);
    }
  }
  offs.push_back(static_cast<int32_t>(cells.size()));
  return at;
}

size_t map_bytes(const MapView& m) {
  const size_t n = static_cast<size_t>(m.cols) * m.rows;
  return m.kind == MapKind::kFloat ? n * 4 : n * 2;
}

}  // namespace

MapView view_of(const CellMap& m) {
  MapView v;
  if (m.empty()) return v;
  v.cols = m.cols;
  v.rows = m.rows;
  v.cell = m.cell;
  v.kind = m.integer ? MapKind::kCounts : MapKind::kFloat;
  v.data = m.integer ? static_cast<const void*>(m.counts.data()) : static_cast<const void*>(m.values.data());
  return v;
}

struct GpuScorer::Impl {
  DeviceBuffer<DevFrame> frames;
  DeviceBuffer<DevClip> clips;
  DeviceBuffer<int32_t> offs, cells;
  DeviceBuffer<double> weights, levels;
  DeviceBuffer<float> fused, raw, norm;
  DeviceBuffer<unsigned char> arena;
  std::vector<size_t> offset;
  std::vector<uint8_t> has[kSignalCount];
  size_t num_frames = 0, num_patches = 0;
};

GpuScorer::GpuScorer() : impl_(new Impl) {}
GpuScorer::~GpuScorer() = default;

void GpuScorer::score(const ScoringOptions& o, const ScoreClip* clips, size_t num_clips, bool maps_on_device) {
  if (o.normalize != NormalizeScope::kFrame)
    throw std::invalid_argument("GPU scoring: normalize clip is not implemented on the GPU (per-frame only)");
  Impl& s = *impl_;
  std::vector<DevFrame> frames;
  std::vector<DevClip> dclips;
  std::vector<int32_t> offs, cells;
  std::vector<double> weights;
  std::vector<const void*> host_maps;  // maps to upload, in frame x signal order
  s.offset.clear();
  for (auto& h : s.has) h.clear();
  size_t patches = 0, arena_bytes = 0;
  int max_patches = 0;
  for (size_t ci = 0; ci < num_clips; ++ci) {
    const ScoreClip& clip = clips[ci];
    const PatchGeometry& g = clip.geometry;
    const CodedFrame& cf = clip.frame;
    if (g.grid_h < 1 || g.grid_w < 1 || g.patch < 1) throw std::invalid_argument("GPU scoring: empty patch grid");
    if (cf.display_width() != g.src_width || cf.display_height() != g.src_height)
      throw std::invalid_argument("GPU scoring: clip " + std::to_string(ci) + " displays a size its geometry was not made for");
    DevClip dc{};
    dc.grid_h = g.grid_h;
    dc.grid_w = g.grid_w;
    dc.patch = g.patch;
    dc.crop_left = cf.crop_left;
    dc.crop_top = cf.crop_top;
    dc.display_w = cf.display_width();
    dc.display_h = cf.display_height();
    for (int k = 0; k < kSignalCount; ++k) {
      const MapView* first = nullptr;
      for (int32_t j = 0; j < clip.count && !first; ++j)
        if (clip.frames[j].maps[k].kind != MapKind::kNone) first = &clip.frames[j].maps[k];
      dc.xo[k] = dc.yo[k] = 0;
      if (!first) continue;
      if (first->cols < 1 || first->rows < 1 || first->cell < 1)
        throw std::invalid_argument("GPU scoring: empty map in clip " + std::to_string(ci));
      for (int32_t j = 0; j < clip.count; ++j) {
        const MapView& m = clip.frames[j].maps[k];
        if (m.kind != MapKind::kNone && (m.cols != first->cols || m.rows != first->rows || m.cell != first->cell || !m.data))
          throw std::invalid_argument("GPU scoring: the maps of signal " + std::to_string(k) + " of clip " +
                                      std::to_string(ci) + " differ in size");
      }
      const AxisOverlap ax = axis_overlap(first->cols, first->cell, cf.crop_left, g.src_width, g.scaled_width,
                                          g.pad_left, g.patch, g.grid_w);
      const AxisOverlap ay = axis_overlap(first->rows, first->cell, cf.crop_top, g.src_height, g.scaled_height,
                                          g.pad_top, g.patch, g.grid_h);
      dc.xo[k] = append_inverse(ax, first->cols, g.grid_w, offs, cells, weights);
      dc.yo[k] = append_inverse(ay, first->rows, g.grid_h, offs, cells, weights);
    }
    dclips.push_back(dc);
    const int S = g.grid_h * g.grid_w;
    max_patches = std::max(max_patches, S);
    for (int32_t j = 0; j < clip.count; ++j) {
      DevFrame df{};
      df.clip = static_cast<int32_t>(ci);
      df.offset = static_cast<int64_t>(patches);
      s.offset.push_back(patches);
      for (int k = 0; k < kSignalCount; ++k) {
        const MapView& m = clip.frames[j].maps[k];
        const bool scored = m.kind != MapKind::kNone && o.weights[k] > 0;
        s.has[k].push_back(scored ? 1 : 0);
        df.maps[k] = DevMap{m.data, m.cols, m.rows, m.cell, static_cast<int32_t>(m.kind)};
        if (m.kind == MapKind::kNone) continue;
        if (!maps_on_device) {
          host_maps.push_back(m.data);
          df.maps[k].data = reinterpret_cast<const void*>(arena_bytes);  // fixed up after the upload
          arena_bytes += (map_bytes(m) + 255) & ~size_t{255};
        }
      }
      frames.push_back(df);
      patches += static_cast<size_t>(S);
    }
  }
  s.num_frames = frames.size();
  s.num_patches = patches;
  if (frames.empty()) return;
  if (!maps_on_device) {
    s.arena.reserve(arena_bytes);
    size_t next = 0;
    for (DevFrame& df : frames)
      for (DevMap& m : df.maps) {
        if (m.kind == 0) continue;
        const size_t at = reinterpret_cast<size_t>(m.data);
        MapView v;
        v.cols = m.cols;
        v.rows = m.rows;
        v.kind = static_cast<MapKind>(m.kind);
        check_cuda(cudaMemcpy(s.arena.ptr + at, host_maps[next++], map_bytes(v), cudaMemcpyHostToDevice),
                   "cudaMemcpy maps");
        m.data = s.arena.ptr + at;
      }
  }
  s.frames.upload(frames.data(), frames.size());
  s.clips.upload(dclips.data(), dclips.size());
  s.offs.upload(offs.data(), offs.size());
  s.cells.upload(cells.data(), cells.size());
  s.weights.upload(weights.data(), weights.size());
  s.levels.reserve(frames.size() * kSignalCount);
  s.fused.reserve(patches);
  s.raw.reserve(patches * kSignalCount);
  s.norm.reserve(patches * kSignalCount);
  KernelOptions ko{};
  for (int k = 0; k < kSignalCount; ++k) {
    ko.weights[k] = o.weights[k];
    ko.floors[k] = o.floors[k];
  }
  ko.percentile = o.percentile;
  ko.wsum = o.weights[0] + o.weights[1] + o.weights[2];
  if (frames.size() > 65535) throw std::invalid_argument("GPU scoring: more than 65535 frames in one batch");
  level_kernel<<<dim3(static_cast<unsigned>(frames.size()), kSignalCount), kLevelThreads>>>(s.frames.ptr, s.clips.ptr, ko,
                                                                                          s.levels.ptr);
  check_cuda(cudaGetLastError(), "level_kernel launch");
  const unsigned gx = static_cast<unsigned>((max_patches + kPoolThreads - 1) / kPoolThreads);
  pool_kernel<<<dim3(gx, static_cast<unsigned>(frames.size())), kPoolThreads>>>(
      s.frames.ptr, s.clips.ptr, s.offs.ptr, s.cells.ptr, s.weights.ptr, s.levels.ptr, ko, patches, s.fused.ptr,
      s.raw.ptr, s.norm.ptr);
  check_cuda(cudaGetLastError(), "pool_kernel launch");
  check_cuda(cudaDeviceSynchronize(), "scoring kernels");
}

void GpuScorer::download(BatchScores& out) const {
  const Impl& s = *impl_;
  out.offset = s.offset;
  out.fused.resize(s.num_patches);
  s.fused.download(out.fused.data(), s.num_patches);
  std::vector<float> raw(s.num_patches * kSignalCount), norm(s.num_patches * kSignalCount);
  std::vector<double> levels(s.num_frames * kSignalCount);
  s.raw.download(raw.data(), raw.size());
  s.norm.download(norm.data(), norm.size());
  s.levels.download(levels.data(), levels.size());
  for (int k = 0; k < kSignalCount; ++k) {
    out.raw[k].assign(raw.begin() + k * s.num_patches, raw.begin() + (k + 1) * s.num_patches);
    out.norm[k].assign(norm.begin() + k * s.num_patches, norm.begin() + (k + 1) * s.num_patches);
    out.level[k].resize(s.num_frames);
    for (size_t f = 0; f < s.num_frames; ++f) out.level[k][f] = s.has[k][f] ? levels[f * kSignalCount + k] : 0.0;
    out.has[k] = s.has[k];
  }
}

const float* GpuScorer::device_fused() const { return impl_->fused.ptr; }
size_t GpuScorer::num_frames() const { return impl_->num_frames; }
size_t GpuScorer::num_patches() const { return impl_->num_patches; }

}  // namespace codectok::cuda
