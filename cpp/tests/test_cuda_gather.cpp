// GPU patch gather (cpp/cuda/gather_kernels.cu) against the CPU reference
// (tensors/patch_gather.cpp, which tokenize runs): random RGB24 frames of two output geometries
// (224 and 576 pixels, 16-pixel patches), the patches a codec selection keeps, nhwc and nchw,
// uint8 and float32 normalised with ImageNet's mean and std, output identical (float32 compared
// bit for bit). Exits 77 (ctest: skipped) without a CUDA device.
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/gpu_gather.h"
#include "cuda/gpu_residual.h"
#include "support/check.h"
#include "support/cuda_device.h"
#include "tensors/patch_gather.h"

using namespace codectok;
using codectok::test::check;

namespace {

void test_geometry(cuda::GpuGather& gpu, int size, int frames, uint32_t seed) {
  const int P = 16, grid = size / P;
  std::mt19937 rng(seed);
  std::vector<uint8_t> rgb(static_cast<size_t>(frames) * size * size * 3);
  for (auto& v : rgb) v = static_cast<uint8_t>(rng());
  // Rows in (t, h, w) order: about a third of the patches of each frame.
  std::vector<cuda::GatherTask> tasks;
  for (int t = 0; t < frames; ++t)
    for (int h = 0; h < grid; ++h)
      for (int w = 0; w < grid; ++w)
        if (rng() % 3 == 0) tasks.push_back({t, static_cast<int32_t>(tasks.size()), h, w});
  const size_t rows = tasks.size(), per = static_cast<size_t>(P) * P * 3;
  for (PatchLayout layout : {PatchLayout::kNhwc, PatchLayout::kNchw})
    for (bool f32 : {false, true}) {
      GatherSpec spec;
      spec.patch = P;
      spec.frame_width = spec.frame_height = size;
      spec.layout = layout;
      spec.float32 = f32;
      if (f32) {
        const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
        for (int c = 0; c < 3; ++c) {
          spec.mean[c] = mean[c];
          spec.std[c] = sd[c];
        }
      }
      const size_t bytes = rows * per * (f32 ? 4 : 1);
      std::vector<unsigned char> cpu(bytes, 0), out(bytes, 0xff);
      // The CPU reference frame by frame, as tokenize feeds it.
      size_t k = 0;
      for (int t = 0; t < frames; ++t) {
        std::vector<GatherRow> fr;
        for (; k < tasks.size() && tasks[k].frame == t; ++k) fr.push_back({tasks[k].row, tasks[k].h, tasks[k].w});
        gather_patches(rgb.data() + static_cast<size_t>(t) * size * size * 3, spec, fr.data(), fr.size(), cpu.data());
      }
      gpu.gather(rgb.data(), false, static_cast<size_t>(frames), spec, tasks.data(), tasks.size(), out.data(), rows);
      const std::string what = std::to_string(size) + "px " + (layout == PatchLayout::kNhwc ? "nhwc " : "nchw ") +
                               (f32 ? "float32" : "uint8") + ", " + std::to_string(rows) + " patches";
      check(std::memcmp(cpu.data(), out.data(), bytes) == 0, what + ": GPU gather identical to the CPU's");
      std::printf("%s compared\n", what.c_str());
    }
}

}  // namespace

int main() {
  if (!test::cuda_device_present()) return 77;
  try {
    cuda::GpuGather gpu;
    test_geometry(gpu, 224, 16, 1);
    test_geometry(gpu, 576, 8, 2);
    bool threw = false;
    try {
      const cuda::GatherTask bad{0, 0, 36, 0};
      GatherSpec spec;
      spec.frame_width = spec.frame_height = 576;
      std::vector<uint8_t> rgb(576 * 576 * 3), out(16 * 16 * 3);
      gpu.gather(rgb.data(), false, 1, spec, &bad, 1, out.data(), 1);
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    check(threw, "a patch outside its frame -> std::invalid_argument");
  } catch (const std::exception& e) {
    check(false, std::string("unexpected exception: ") + e.what());
  }
  return codectok::test::report();
}
