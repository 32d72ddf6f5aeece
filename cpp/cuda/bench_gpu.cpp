// Throughput of the residual reconstruction: synthetic 1080p pictures (every
// 32x32 area one 32x32, four 16x16, sixteen 8x8 or sixty-four 4x4 transform
// blocks, 8-bit, QP 22..37), the CPU path (reconstruct_residual per block) on
// all cores with std::thread against the GPU kernels (uploads and downloads
// included), in pictures per second; the GPU planes are checked bit-identical
// to the CPU's. Usage: bench_gpu [pictures=64] [repeats=3]. Prints a table;
// without a CUDA device, the CPU row and why the GPU row is missing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cuda/gpu_residual.h"
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

}  // namespace

int main(int argc, char** argv) {
  const int pictures = argc > 1 ? std::max(1, std::atoi(argv[1])) : 64;
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
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
  if (!why.empty()) {
    std::printf("| GPU | %s | - |\n", why.c_str());
    return 77;
  }
  try {
    cuda::GpuResidualReconstructor gpu;
    std::vector<int16_t> out;
    const cuda::ResidualBatch v = test::gpu_batch_view(batch, out);
    gpu.run(v);  // warm-up: context, allocations
    double gpu_best = 1e30;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      gpu.run(v);
      gpu_best = std::min(gpu_best, seconds_since(t0));
    }
    const bool same = out == cpu;
    std::printf("| GPU (with transfers) | %.1f | %.1f |\n", pictures / gpu_best, cpu_best / gpu_best);
    std::printf("GPU planes %s the CPU's\n", same ? "bit-identical to" : "DIFFER from");
    return same ? 0 : 1;
  } catch (const std::exception& e) {
    std::printf("GPU error: %s\n", e.what());
    return 1;
  }
}
