#include "support/random_residual_batch.h"

#include <algorithm>
#include <random>

#include "hevc/residual_reconstruction.h"

namespace codectok::test {
namespace {

void fill_levels(std::mt19937& rng, std::vector<int32_t>& levels, int count, int log2) {
  const int n = 1 << log2;
  // Non-zero levels in the low-frequency corner of a random extent, as
  // residual coding produces them, with magnitudes from 1 to 2^17.
  const int ext_x = 1 + static_cast<int>(rng() % n), ext_y = 1 + static_cast<int>(rng() % n);
  const int density = 1 + static_cast<int>(rng() % 4);  // 1/density of the corner is non-zero
  const int range_bits = 1 + static_cast<int>(rng() % 17);
  for (int i = 0; i < count; ++i) {
    const int x = i % n, y = i / n;
    int32_t v = 0;
    if (x < ext_x && y < ext_y && rng() % density == 0) {
      v = 1 + static_cast<int32_t>(rng() % (1u << range_bits));
      if (rng() & 1) v = -v;
    }
    levels.push_back(v);
  }
}

}  // namespace

RandomResidualBatch make_random_residual_batch(uint32_t seed, int repeats) {
  std::mt19937 rng(seed);
  RandomResidualBatch b;
  // Planes of 8 x 4 slots of 32x32, cropped by 5 columns and 7 rows.
  constexpr uint32_t kSlotsX = 8, kSlotsY = 4, kW = kSlotsX * 32 - 5, kH = kSlotsY * 32 - 7;
  uint32_t slot = kSlotsX * kSlotsY;
  const int depths[3] = {8, 10, 12};
  for (int log2 = 2; log2 <= 5; ++log2)
    for (int flags = 0; flags < 4; ++flags)
      for (int dst = 0; dst < 2; ++dst)
        for (int scaled = 0; scaled < 2; ++scaled)
          for (int depth : depths)
            for (int r = 0; r < repeats; ++r) {
              if (slot == kSlotsX * kSlotsY) {
                b.planes.push_back({b.num_out, kW, kH});
                b.num_out += size_t{kW} * kH;
                slot = 0;
              }
              cuda::ResidualBlock k;
              const int n = 1 << log2;
              k.log2_size = static_cast<uint8_t>(log2);
              k.bit_depth = static_cast<uint8_t>(depth);
              k.qp = static_cast<uint8_t>(rng() % (52 + 6 * (depth - 8)));
              k.flags = static_cast<uint8_t>(flags | (dst ? cuda::kDst : 0));
              k.plane = static_cast<uint32_t>(b.planes.size() - 1);
              // Blocks smaller than the slot sit at a random aligned offset in it.
              const int off = static_cast<int>(rng() % (32 / n)) * n;
              k.x0 = static_cast<uint16_t>((slot % kSlotsX) * 32 + off);
              k.y0 = static_cast<uint16_t>((slot / kSlotsX) * 32 + off);
              ++slot;
              k.levels_offset = static_cast<uint32_t>(b.levels.size());
              fill_levels(rng, b.levels, n * n, log2);
              if (scaled) {
                k.scaling_offset = static_cast<int32_t>(b.scaling.size());
                for (int i = 0; i < n * n; ++i) b.scaling.push_back(static_cast<uint8_t>(1 + rng() % 255));
              }
              b.blocks.push_back(k);
            }
  return b;
}

void append_synthetic_picture(RandomResidualBatch& b, uint32_t seed, int width, int height) {
  std::mt19937 rng(seed);
  const uint32_t plane = static_cast<uint32_t>(b.planes.size());
  b.planes.push_back({b.num_out, static_cast<uint32_t>(width), static_cast<uint32_t>(height)});
  b.num_out += size_t(width) * height;
  // One flat-or-listed 8-bit picture: each 32x32 area is one 32x32 block, four
  // 16x16, sixteen 8x8 or sixty-four 4x4 (DST for a random half of the latter).
  for (int y = 0; y < height; y += 32)
    for (int x = 0; x < width; x += 32) {
      const int log2 = 2 + static_cast<int>(rng() % 4);
      const int n = 1 << log2;
      const int qp = 22 + static_cast<int>(rng() % 16);
      for (int by = 0; by < 32; by += n)
        for (int bx = 0; bx < 32; bx += n) {
          if (x + bx >= width || y + by >= height) continue;
          cuda::ResidualBlock k;
          k.log2_size = static_cast<uint8_t>(log2);
          k.qp = static_cast<uint8_t>(qp);
          k.bit_depth = 8;
          k.flags = static_cast<uint8_t>(log2 == 2 && (rng() & 1) ? cuda::kDst : 0);
          k.plane = plane;
          k.x0 = static_cast<uint16_t>(x + bx);
          k.y0 = static_cast<uint16_t>(y + by);
          k.levels_offset = static_cast<uint32_t>(b.levels.size());
          const size_t before = b.levels.size();
          fill_levels(rng, b.levels, n * n, log2);
          // Mostly small levels, as at these QPs.
          for (size_t i = before; i < b.levels.size(); ++i) b.levels[i] = b.levels[i] % 64;
          b.blocks.push_back(k);
        }
    }
}

std::vector<int16_t> cpu_residual_planes(const RandomResidualBatch& b) {
  std::vector<int16_t> out(b.num_out, 0);
  cpu_residual_blocks(b, 0, b.blocks.size(), out.data());
  return out;
}

void cpu_residual_blocks(const RandomResidualBatch& b, size_t begin, size_t end, int16_t* out) {
  std::vector<int32_t> levels(32 * 32), residual(32 * 32);
  for (size_t i = begin; i < end; ++i) {
    const cuda::ResidualBlock& k = b.blocks[i];
    const int n = 1 << k.log2_size;
    std::copy(b.levels.begin() + k.levels_offset, b.levels.begin() + k.levels_offset + n * n, levels.begin());
    ResidualBlockParams p;
    p.log2_size = k.log2_size;
    p.qp = k.qp;
    p.bit_depth = k.bit_depth;
    p.transform_skip = (k.flags & cuda::kTransformSkip) != 0;
    p.transquant_bypass = (k.flags & cuda::kTransquantBypass) != 0;
    p.dst = (k.flags & cuda::kDst) != 0;
    p.scaling_factor = k.scaling_offset < 0 ? nullptr : b.scaling.data() + k.scaling_offset;
    reconstruct_residual(levels.data(), p, residual.data());
    const cuda::ResidualPlane& pl = b.planes[k.plane];
    const int w = std::min<int>(n, static_cast<int>(pl.width) - k.x0);
    const int h = std::min<int>(n, static_cast<int>(pl.height) - k.y0);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        out[pl.offset + size_t(k.y0 + y) * pl.width + k.x0 + x] =
            static_cast<int16_t>(std::clamp(residual[y * n + x], -32768, 32767));
  }
}

cuda::ResidualBatch gpu_batch_view(const RandomResidualBatch& b, std::vector<int16_t>& out) {
  out.assign(b.num_out, int16_t{-1});
  cuda::ResidualBatch v;
  v.levels = b.levels.data();
  v.num_levels = b.levels.size();
  v.scaling = b.scaling.empty() ? nullptr : b.scaling.data();
  v.num_scaling = b.scaling.size();
  v.blocks = b.blocks.data();
  v.num_blocks = b.blocks.size();
  v.planes = b.planes.data();
  v.num_planes = b.planes.size();
  v.out = out.data();
  v.num_out = out.size();
  return v;
}

}  // namespace codectok::test
