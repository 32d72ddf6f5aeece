// The per-sample formulation of the residual reconstruction that the GPU
// kernels run (cpp/cuda/residual_elements.h), executed on the CPU against
// reconstruct_residual() (hevc/residual_reconstruction.cpp): random blocks of
// every size and flag combination, planes bit-identical. Runs everywhere; the
// same batches go through the kernels in test_cuda_residual.cpp.
#include <cstdio>
#include <string>
#include <vector>

#include "cuda/residual_elements.h"
#include "support/check.h"
#include "support/random_residual_batch.h"

using namespace codectok;
using codectok::test::check;

namespace {

// The kernel's three phases, sequentially.
std::vector<int16_t> elementwise_planes(const test::RandomResidualBatch& b, const cuda::TransformMatrices& m) {
  std::vector<int16_t> out(b.num_out, 0);
  int32_t d[1024], g[1024];
  for (const cuda::ResidualBlock& k : b.blocks) {
    const int log2 = k.log2_size, n = 1 << log2;
    const bool bypass = k.flags & cuda::kTransquantBypass;
    const bool skip = !bypass && (k.flags & cuda::kTransformSkip);
    const bool dst = k.flags & cuda::kDst;
    const int qp = cuda::clamp_qp(k.qp);
    const int bd_shift = cuda::residual_bd_shift(k.bit_depth);
    for (int e = 0; e < n * n; ++e) {
      const int32_t level = b.levels[k.levels_offset + e];
      const int factor = k.scaling_offset < 0 ? 16 : b.scaling[k.scaling_offset + e];
      d[e] = bypass ? level : cuda::scaled_coefficient(m, level, factor, qp, k.bit_depth, log2);
    }
    if (!bypass && !skip)
      for (int e = 0; e < n * n; ++e) g[e] = cuda::first_stage_sample(m, d, log2, dst, e % n, e / n);
    const cuda::ResidualPlane& pl = b.planes[k.plane];
    for (int e = 0; e < n * n; ++e) {
      const int x = e % n, y = e / n;
      if (k.x0 + x >= static_cast<int>(pl.width) || k.y0 + y >= static_cast<int>(pl.height)) continue;
      const int32_t r = bypass ? d[e]
                        : skip ? cuda::transform_skip_sample(d[e], log2, bd_shift)
                               : cuda::second_stage_sample(m, g, log2, dst, bd_shift, x, y);
      out[pl.offset + size_t(k.y0 + y) * pl.width + k.x0 + x] = cuda::plane_sample(r);
    }
  }
  return out;
}

size_t first_difference(const std::vector<int16_t>& a, const std::vector<int16_t>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return i;
  return a.size();
}

void test_matrices() {
  cuda::TransformMatrices m;
  cuda::build_transform_matrices(m);
  // Spot values of equation 8-315ff and 8-314.
  check(m.dct[0][0] == 64 && m.dct[1][0] == 90 && m.dct[1][31] == -90 && m.dct[31][14] == 90 && m.dct[31][15] == -90 &&
            m.dct[8][1] == 36 && m.dct[16][1] == -64,
        "DCT matrix spot values");
  check(m.dst[0][3] == 84 && m.dst[1][2] == 0 && m.dst[3][1] == -84, "DST matrix spot values");
}

void test_random_batches() {
  cuda::TransformMatrices m;
  cuda::build_transform_matrices(m);
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    const test::RandomResidualBatch b = test::make_random_residual_batch(seed, 6);
    const std::vector<int16_t> cpu = test::cpu_residual_planes(b);
    const std::vector<int16_t> el = elementwise_planes(b, m);
    const size_t at = first_difference(cpu, el);
    check(at == cpu.size(), "seed " + std::to_string(seed) + ": " + std::to_string(b.blocks.size()) +
                                " blocks bit-identical (first difference at sample " + std::to_string(at) + ")");
    size_t nonzero = 0;
    for (int16_t v : cpu) nonzero += v != 0;
    check(nonzero > cpu.size() / 10, "the random planes are mostly not zero");
  }
  test::RandomResidualBatch pic;
  test::append_synthetic_picture(pic, 7, 1920, 1080);
  check(first_difference(test::cpu_residual_planes(pic), elementwise_planes(pic, m)) == pic.num_out,
        "synthetic 1080p picture bit-identical");
}

}  // namespace

int main() {
  test_matrices();
  test_random_batches();
  return codectok::test::report();
}
