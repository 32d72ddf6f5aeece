// CPU (all cores, std::thread) against GPU throughput, each GPU result checked identical to the
// CPU's:
// 1. residual reconstruction: synthetic 1080p pictures (every 32x32 area one 32x32, four 16x16,
//    sixteen 8x8 or sixty-four 4x4 transform blocks, 8-bit, QP 22..37), reconstruct_residual per
//    block against the GPU kernels (uploads and downloads included), pictures/s;
// 2. scoring + selection: VIDEOS clips of T = 64 1080p frames (synthetic motion maps and int16
//    residual planes, 64 distinct frames shared by the clips), 576 x 576 output, 36 x 36 = 1296
//    patches per frame, default scoring (motion + |residual|, per-frame p95), codec policy K = 4096:
//    abs_residual_map + FrameScorer::score + select_top_k per clip on the CPU against GpuScorer +
//    GpuSelector (maps resident in device memory, and uploaded from host memory), videos/s;
// 3. patch gather: the selected patches of every clip from 576 x 576 RGB frames, float32 nchw
//    normalised and uint8 nhwc, gather_patches per frame against GpuGather (frames resident,
//    output downloaded), patches/s.
// Usage: bench_gpu [pictures=64] [repeats=3] [videos=64]. Prints tables; without a CUDA device,
// the CPU rows and why the GPU rows are missing (exit 77).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cuda/device_memory.h"
#include "cuda/gpu_gather.h"
#include "cuda/gpu_residual.h"
#include "cuda/gpu_scores.h"
#include "cuda/gpu_select.h"
#include "score/frame_scores.h"
#include "score/select_top_k.h"
#include "score/signal_maps.h"
#include "tensors/patch_gather.h"
#include "support/random_residual_batch.h"

using namespace codectok;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Blocks of each picture: [first[p], first[p + 1]).
std::vector<size_t> picture_starts(const test::RandomResidualBatch& b) {
  std::vector<size_t> first(b.planes.size() + 1, b.blocks.size());
  for (size_t i = b.blocks.size(); i-- > 0;) first[b.blocks[i].plane] = i;
  return first;
}

void cpu_all_cores(const test::RandomResidualBatch& b, const std::vector<size_t>& first, int threads,
                   int16_t* out) {
  std::vector<std::thread> pool;
  const size_t pictures = b.planes.size();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (size_t p = t; p < pictures; p += threads) test::cpu_residual_blocks(b, first[p], first[p + 1], out);
    });
  for (std::thread& th : pool) th.join();
}

// --- scoring + selection, gather

constexpr int kT = 64, kW = 1920, kH = 1080, kCanvas = 576, kPatch = 16;
constexpr int64_t kBudget = 4096;

uint32_t xorshift(uint32_t& s) {
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

struct Clips {
  PatchGeometry g;
  CodedFrame f;
  std::vector<CellMap> motion;           // kT distinct motion maps (4x4 cells)
  std::vector<std::vector<int16_t>> residual;  // kT distinct residual planes
  std::vector<uint8_t> intra, content;
};

Clips make_clips() {
  Clips c;
  c.f.width = kW;
  c.f.height = kH;
  c.g.src_width = kW;
  c.g.src_height = kH;
  c.g.scaled_width = kCanvas;
  c.g.scaled_height = static_cast<int>(std::lround(kH * (static_cast<double>(kCanvas) / kW)));
  c.g.pad_left = 0;
  c.g.pad_top = (kCanvas - c.g.scaled_height) / 2;
  c.g.patch = kPatch;
  c.g.grid_h = c.g.grid_w = kCanvas / kPatch;
  const int S = c.g.grid_h * c.g.grid_w;
  c.content.assign(static_cast<size_t>(S), 0);
  for (int y = 0; y < c.g.grid_h; ++y)
    for (int x = 0; x < c.g.grid_w; ++x)
      c.content[static_cast<size_t>(y) * c.g.grid_w + x] =
          y * kPatch >= c.g.pad_top && (y + 1) * kPatch <= c.g.pad_top + c.g.scaled_height;
  uint32_t seed = 12345;
  for (int t = 0; t < kT; ++t) {
    c.intra.push_back(t % 32 == 0);
    CellMap m;
    m.cols = (kW + 3) / 4;
    m.rows = (kH + 3) / 4;
    m.cell = 4;
    m.values.resize(static_cast<size_t>(m.cols) * m.rows);
    for (float& v : m.values) {
      const uint32_t r = xorshift(seed);
      v = r % 5 == 0 ? 0.0f : static_cast<float>(r % 4096) / 512.0f;
    }
    c.motion.push_back(std::move(m));
    std::vector<int16_t> plane(static_cast<size_t>(kW) * kH);
    for (int16_t& v : plane) {
      const uint32_t r = xorshift(seed);
      v = r % 10 < 7 ? 0 : static_cast<int16_t>(static_cast<int>(r >> 8) % 81 - 40);
    }
    c.residual.push_back(std::move(plane));
  }
  return c;
}

// The CPU path for clips [0, videos): maps -> fused scores -> selection, `threads` threads over clips.
void cpu_score_select(const Clips& c, int videos, int threads, std::vector<std::vector<int32_t>>& flat) {
  flat.assign(static_cast<size_t>(videos), {});
  std::vector<std::thread> pool;
  for (int th = 0; th < threads; ++th)
    pool.emplace_back([&, th] {
      ScoringOptions o;
      FrameScorer scorer(o, c.g, c.f);
      SignalMaps sm;
      FrameScores fs;
      const size_t S = static_cast<size_t>(c.g.grid_h) * c.g.grid_w;
      std::vector<float> volume(S * kT);
      for (int v = th; v < videos; v += threads) {
        for (int t = 0; t < kT; ++t) {
          PictureArrays a;
          a.frame = c.f;
          a.residual = c.residual[static_cast<size_t>(t)].data();
          sm.maps[kSignalMotion] = c.motion[static_cast<size_t>(t)];
          abs_residual_map(a, sm.maps[kSignalResidual]);
          scorer.score(sm, fs);
          std::copy(fs.fused.begin(), fs.fused.end(), volume.begin() + static_cast<std::ptrdiff_t>(S * t));
        }
        TopKVolume vol;
        vol.T = kT;
        vol.grid_h = c.g.grid_h;
        vol.grid_w = c.g.grid_w;
        vol.scores = volume.data();
        vol.intra = c.intra.data();
        vol.content = c.content.data();
        TopKOptions to;
        to.budget = kBudget;
        flat[static_cast<size_t>(v)] = select_top_k(vol, to).flat;
      }
    });
  for (std::thread& t : pool) t.join();
}

int bench_scores(int videos, int repeats, int threads, const std::string& why, std::vector<std::vector<int32_t>>& flat) {
  const Clips c = make_clips();
  std::printf("\nscoring + selection: %d videos x T = %d synthetic 1080p frames (%d distinct), %dx%d patches, K = %lld, best of %d\n",
              videos, kT, kT, c.g.grid_h, c.g.grid_w, static_cast<long long>(kBudget), repeats);
  std::vector<std::vector<int32_t>> cpu;
  double cpu_best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    cpu_score_select(c, videos, threads, cpu);
    cpu_best = std::min(cpu_best, seconds_since(t0));
  }
  flat = cpu;
  std::printf("| path | videos/s | frames/s | ratio |\n|---|---:|---:|---:|\n");
  std::printf("| CPU, %d threads | %.2f | %.0f | 1.0 |\n", threads, videos / cpu_best, videos * kT / cpu_best);
  if (!why.empty()) {
    std::printf("| GPU | %s | - | - |\n", why.c_str());
    return 77;
  }
  try {
    const size_t plane = static_cast<size_t>(kW) * kH, motion = c.motion[0].values.size();
    cuda::DeviceBytes dev_res(plane * 2 * kT), dev_mot(motion * 4 * kT);
    for (int t = 0; t < kT; ++t) {
      dev_res.upload(c.residual[static_cast<size_t>(t)].data(), plane * 2, plane * 2 * t);
      dev_mot.upload(c.motion[static_cast<size_t>(t)].values.data(), motion * 4, motion * 4 * t);
    }
    std::vector<cuda::FrameMaps> dev_frames(kT), host_frames(kT);
    for (int t = 0; t < kT; ++t) {
      const CellMap& m = c.motion[static_cast<size_t>(t)];
      dev_frames[t].maps[kSignalMotion] = {static_cast<const float*>(dev_mot.get()) + motion * t, m.cols, m.rows, 4, cuda::MapKind::kFloat};
      dev_frames[t].maps[kSignalResidual] = {static_cast<const int16_t*>(dev_res.get()) + plane * t, kW, kH, 1, cuda::MapKind::kResidual};
      host_frames[t].maps[kSignalMotion] = {m.values.data(), m.cols, m.rows, 4, cuda::MapKind::kFloat};
      host_frames[t].maps[kSignalResidual] = {c.residual[static_cast<size_t>(t)].data(), kW, kH, 1, cuda::MapKind::kResidual};
    }
    cuda::GpuScorer scorer;
    cuda::GpuSelector selector;
    const ScoringOptions o;
    TopKOptions to;
    to.budget = kBudget;
    std::vector<cuda::SelectClip> sel(static_cast<size_t>(videos));
    const size_t S = static_cast<size_t>(c.g.grid_h) * c.g.grid_w;
    for (int v = 0; v < videos; ++v) {
      sel[v].T = kT;
      sel[v].grid_h = c.g.grid_h;
      sel[v].grid_w = c.g.grid_w;
      sel[v].score_offset = S * kT * static_cast<size_t>(v);
      sel[v].intra = c.intra.data();
      sel[v].content = c.content.data();
    }
    auto run = [&](bool resident, std::vector<std::vector<int32_t>>& out) {
      std::vector<cuda::ScoreClip> clips(static_cast<size_t>(videos),
                                         cuda::ScoreClip{c.g, c.f, resident ? dev_frames.data() : host_frames.data(), kT});
      scorer.score(o, clips.data(), clips.size(), resident);
      selector.select(scorer.device_fused(), true, scorer.num_patches(), sel.data(), sel.size(), to, out);
    };
    bool all_same = true;
    auto measure = [&](bool resident, const char* label) {
      std::vector<std::vector<int32_t>> out;
      run(resident, out);  // warm-up
      double best = 1e30;
      for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        run(resident, out);
        best = std::min(best, seconds_since(t0));
      }
      all_same = all_same && out == cpu;
      std::printf("| GPU, maps %s | %.2f | %.0f | %.1f |\n", label, videos / best, videos * kT / best, cpu_best / best);
    };
    measure(true, "resident in device memory");
    measure(false, "uploaded from pageable host memory");
    {
      std::vector<std::unique_ptr<cuda::PinnedHost>> pins;
      for (int t = 0; t < kT; ++t) {
        pins.push_back(std::make_unique<cuda::PinnedHost>(c.residual[static_cast<size_t>(t)].data(), plane * 2));
        pins.push_back(std::make_unique<cuda::PinnedHost>(c.motion[static_cast<size_t>(t)].values.data(), motion * 4));
      }
      measure(false, "uploaded from pinned host memory");
    }
    std::printf("GPU selections %s the CPU's\n", all_same ? "identical to" : "DIFFER from");
    return all_same ? 0 : 1;
  } catch (const std::exception& e) {
    std::printf("GPU error: %s\n", e.what());
    return 1;
  }
}

int bench_gather(const std::vector<std::vector<int32_t>>& flat, int repeats, int threads, const std::string& why) {
  const int grid = kCanvas / kPatch, S = grid * grid;
  const size_t frame_bytes = static_cast<size_t>(kCanvas) * kCanvas * 3;
  std::vector<uint8_t> rgb(frame_bytes * kT);
  uint32_t seed = 777;
  for (uint8_t& v : rgb) v = static_cast<uint8_t>(xorshift(seed));
  // Tasks: clip v's rows after the rows of clips < v; frame = its slot (the kT frames are shared).
  std::vector<cuda::GatherTask> tasks;
  for (const std::vector<int32_t>& f : flat)
    for (int32_t i : f) tasks.push_back({i / S, static_cast<int32_t>(tasks.size()), (i % S) / grid, i % grid});
  const size_t rows = tasks.size();
  std::vector<std::vector<GatherRow>> by_frame(kT);
  for (const cuda::GatherTask& t : tasks) by_frame[static_cast<size_t>(t.frame)].push_back({t.row, t.h, t.w});
  std::printf("\npatch gather: %zu patches of %d 576x576 RGB frames, best of %d\n", rows, kT, repeats);
  std::printf("| output | path | patches/s | ratio |\n|---|---|---:|---:|\n");
  int rc = 0;
  for (bool f32 : {true, false}) {
    GatherSpec spec;
    spec.patch = kPatch;
    spec.frame_width = spec.frame_height = kCanvas;
    spec.layout = f32 ? PatchLayout::kNchw : PatchLayout::kNhwc;
    spec.float32 = f32;
    if (f32) {
      const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
      for (int k = 0; k < 3; ++k) {
        spec.mean[k] = mean[k];
        spec.std[k] = sd[k];
      }
    }
    const char* what = f32 ? "float32 nchw, normalised" : "uint8 nhwc";
    const size_t bytes = rows * kPatch * kPatch * 3 * (f32 ? 4 : 1);
    std::vector<unsigned char> cpu(bytes), gpu_out(bytes);
    double cpu_best = 1e30;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::thread> pool;
      for (int th = 0; th < threads; ++th)
        pool.emplace_back([&, th] {
          for (int t = th; t < kT; t += threads)
            gather_patches(rgb.data() + frame_bytes * t, spec, by_frame[t].data(), by_frame[t].size(), cpu.data());
        });
      for (std::thread& t : pool) t.join();
      cpu_best = std::min(cpu_best, seconds_since(t0));
    }
    std::printf("| %s | CPU, %d threads | %.3g | 1.0 |\n", what, threads, rows / cpu_best);
    if (!why.empty()) {
      std::printf("| %s | GPU | %s | - |\n", what, why.c_str());
      rc = 77;
      continue;
    }
    try {
      cuda::DeviceBytes dev(frame_bytes * kT);
      dev.upload(rgb.data(), frame_bytes * kT);
      cuda::GpuGather gpu;
      gpu.gather(static_cast<const uint8_t*>(dev.get()), true, kT, spec, tasks.data(), rows, gpu_out.data(), rows);
      double best = 1e30;
      for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        gpu.gather(static_cast<const uint8_t*>(dev.get()), true, kT, spec, tasks.data(), rows, gpu_out.data(), rows);
        best = std::min(best, seconds_since(t0));
      }
      bool same = gpu_out == cpu;
      std::printf("| %s | GPU, frames resident, output downloaded to pageable memory | %.3g | %.1f |\n", what, rows / best, cpu_best / best);
      {
        const cuda::PinnedHost pin(gpu_out.data(), gpu_out.size());
        std::fill(gpu_out.begin(), gpu_out.end(), 0);
        best = 1e30;
        for (int r = 0; r < repeats; ++r) {
          const auto t0 = std::chrono::steady_clock::now();
          gpu.gather(static_cast<const uint8_t*>(dev.get()), true, kT, spec, tasks.data(), rows, gpu_out.data(), rows);
          best = std::min(best, seconds_since(t0));
        }
        same = same && gpu_out == cpu;
      }
      std::printf("| %s | GPU, frames resident, output downloaded to pinned memory | %.3g | %.1f |\n", what, rows / best, cpu_best / best);
      std::printf("GPU %s patches %s the CPU's\n", what, same ? "identical to" : "DIFFER from");
      if (!same) rc = 1;
    } catch (const std::exception& e) {
      std::printf("GPU error: %s\n", e.what());
      rc = 1;
    }
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  const int pictures = argc > 1 ? std::max(1, std::atoi(argv[1])) : 64;
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  const int videos = argc > 3 ? std::max(1, std::atoi(argv[3])) : 64;
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  test::RandomResidualBatch batch;
  for (int p = 0; p < pictures; ++p) test::append_synthetic_picture(batch, 1000 + p, 1920, 1080);
  const std::vector<size_t> first = picture_starts(batch);
  std::printf("residual reconstruction: %d synthetic 1080p pictures, %zu transform blocks, best of %d\n", pictures,
              batch.blocks.size(), repeats);

  std::vector<int16_t> cpu(batch.num_out, 0);
  double cpu_best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    cpu_all_cores(batch, first, threads, cpu.data());
    cpu_best = std::min(cpu_best, seconds_since(t0));
  }
  std::printf("| path | pictures/s | ratio |\n|---|---:|---:|\n");
  std::printf("| CPU, %d threads | %.1f | 1.0 |\n", threads, pictures / cpu_best);

  const std::string why = cuda::cuda_unavailable_reason();
  int rc = 0;
  if (!why.empty()) {
    std::printf("| GPU | %s | - |\n", why.c_str());
    rc = 77;
  } else try {
    cuda::GpuResidualReconstructor gpu;
    std::vector<int16_t> out;
    const cuda::ResidualBatch v = test::gpu_batch_view(batch, out);
    gpu.run(v);  // warm-up: context, allocations
    auto best_of = [&](auto&& step) {
      double best = 1e30;
      for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        step();
        best = std::min(best, seconds_since(t0));
      }
      return best;
    };
    const double pageable = best_of([&] { gpu.run(v); });
    bool same = out == cpu;
    std::printf("| GPU, pageable host memory (upload + kernels + download) | %.1f | %.1f |\n", pictures / pageable, cpu_best / pageable);
    {
      const cuda::PinnedHost pin_levels(batch.levels.data(), batch.levels.size() * sizeof(int32_t));
      const cuda::PinnedHost pin_blocks(batch.blocks.data(), batch.blocks.size() * sizeof(cuda::ResidualBlock));
      const cuda::PinnedHost pin_out(out.data(), out.size() * sizeof(int16_t));
      const double pinned = best_of([&] { gpu.run(v); });
      same = same && out == cpu;
      std::printf("| GPU, pinned host memory (upload + kernels + download) | %.1f | %.1f |\n", pictures / pinned, cpu_best / pinned);
      const double kept = best_of([&] {
        gpu.upload(v);
        gpu.launch();
      });
      std::printf("| GPU, pinned upload + kernels (planes stay in device memory, as for GPU scoring) | %.1f | %.1f |\n",
                  pictures / kept, cpu_best / kept);
    }
    const double kernels = best_of([&] { gpu.launch(); });
    gpu.download(v);
    same = same && out == cpu;
    std::printf("| GPU kernels only (batch resident in device memory) | %.1f | %.1f |\n", pictures / kernels, cpu_best / kernels);
    std::printf("GPU planes %s the CPU's\n", same ? "bit-identical to" : "DIFFER from");
    if (!same) rc = 1;
  } catch (const std::exception& e) {
    std::printf("GPU error: %s\n", e.what());
    rc = 1;
  }
  std::vector<std::vector<int32_t>> flat;
  const int scores_rc = bench_scores(videos, repeats, threads, why, flat);
  const int gather_rc = bench_gather(flat, repeats, threads, why);
  for (int r : {scores_rc, gather_rc})
    if (r == 1) rc = 1;
  return rc;
}
