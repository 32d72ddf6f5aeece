// Residual reconstruction, ITU-T H.264 clauses 8.5.6 and 8.5.9 to 8.5.15.
// Scan tables from Tables 8-12 / 8-13 (frame), normAdjust values from
// equations 8-315 and 8-318; cross-checked against FFmpeg (h264data.h,
// h264idct_template.c, h264_ps.c dequant tables).
#include "h264/transform.h"

namespace codectok {
namespace h264 {

const uint8_t kZigzag4x4[16] = {0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15};

const uint8_t kZigzag8x8[64] = {0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,
                                12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28,
                                35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
                                58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

namespace {

// normAdjust4x4 (8-315): v[m][0] at (even, even), v[m][1] at (odd, odd),
// v[m][2] elsewhere.
constexpr int kNormAdjust4x4[6][3] = {{10, 16, 13}, {11, 18, 14}, {13, 20, 16},
                                      {14, 23, 18}, {16, 25, 20}, {18, 29, 23}};
// normAdjust8x8 (8-318), columns v0..v5.
constexpr int kNormAdjust8x8[6][6] = {{20, 18, 32, 19, 25, 24}, {22, 19, 35, 21, 28, 26},
                                      {26, 23, 42, 24, 33, 31}, {28, 25, 45, 26, 35, 33},
                                      {32, 28, 51, 30, 40, 38}, {36, 32, 58, 34, 46, 43}};

int norm_class_4x4(int i, int j) {
  if (i % 2 == 0 && j % 2 == 0) return 0;
  if (i % 2 == 1 && j % 2 == 1) return 1;
  return 2;
}

int norm_class_8x8(int i, int j) {
  if (i % 4 == 0 && j % 4 == 0) return 0;
  if (i % 2 == 1 && j % 2 == 1) return 1;
  if (i % 4 == 2 && j % 4 == 2) return 2;
  if ((i % 4 == 0 && j % 2 == 1) || (i % 2 == 1 && j % 4 == 0)) return 3;
  if ((i % 4 == 0 && j % 4 == 2) || (i % 4 == 2 && j % 4 == 0)) return 4;
  return 5;
}

// A conforming stream keeps every scaled coefficient within
// -2^(7 + bitDepth) .. 2^(7 + bitDepth) - 1 (clauses 8.5.12.1, 8.5.13.1);
// values of other input are limited to the 14-bit-depth bound so that the
// transforms' integer arithmetic cannot overflow.
constexpr int64_t kMaxScaled = (int64_t{1} << 21) - 1;
int32_t clamp_scaled(int64_t v) {
  return static_cast<int32_t>(v > kMaxScaled ? kMaxScaled : v < -kMaxScaled - 1 ? -kMaxScaled - 1 : v);
}

// The qP-dependent scaling shared by the 4x4 blocks (shift base 4), 8x8
// blocks and luma DC (shift base 6).
int32_t scale(int32_t c, int32_t level_scale, int qP, int base) {
  const int64_t v = int64_t{c} * level_scale;
  const int shift = qP / 6 - base;
  if (shift >= 0) return clamp_scaled(v * (int64_t{1} << shift));
  return clamp_scaled((v + (int64_t{1} << (-shift - 1))) >> -shift);
}

}  // namespace

void compute_level_scale_4x4(const uint8_t list[16], LevelScale4x4& out) {
  for (int m = 0; m < 6; ++m)
    for (int k = 0; k < 16; ++k) {
      const int pos = kZigzag4x4[k];
      out.v[m][pos] = list[k] * kNormAdjust4x4[m][norm_class_4x4(pos / 4, pos % 4)];
    }
}

void compute_level_scale_8x8(const uint8_t list[64], LevelScale8x8& out) {
  for (int m = 0; m < 6; ++m)
    for (int k = 0; k < 64; ++k) {
      const int pos = kZigzag8x8[k];
      out.v[m][pos] = list[k] * kNormAdjust8x8[m][norm_class_8x8(pos / 8, pos % 8)];
    }
}

void inverse_scan_4x4(const int32_t list[16], int32_t c[16]) {
  for (int k = 0; k < 16; ++k) c[kZigzag4x4[k]] = list[k];
}

void inverse_scan_8x8(const int32_t list[64], int32_t c[64]) {
  for (int k = 0; k < 64; ++k) c[kZigzag8x8[k]] = list[k];
}

void scale_4x4(int32_t c[16], int qP, const LevelScale4x4& ls, bool dc_from_dc_transform) {
  const int32_t* s = ls.v[qP % 6];
  for (int k = dc_from_dc_transform ? 1 : 0; k < 16; ++k) c[k] = c[k] == 0 ? 0 : scale(c[k], s[k], qP, 4);
}

void scale_8x8(int32_t c[64], int qP, const LevelScale8x8& ls) {
  const int32_t* s = ls.v[qP % 6];
  for (int k = 0; k < 64; ++k) c[k] = c[k] == 0 ? 0 : scale(c[k], s[k], qP, 6);
}

void inverse_luma_dc_16x16(const int32_t c[16], int qP, const LevelScale4x4& ls, int32_t dcY[16]) {
  // f = H c H with H = [1 1 1 1; 1 1 -1 -1; 1 -1 -1 1; 1 -1 1 -1] (8-320).
  int64_t t[16];
  for (int x = 0; x < 4; ++x) {  // columns: H * c
    const int64_t a = c[0 * 4 + x], b = c[1 * 4 + x], d = c[2 * 4 + x], e = c[3 * 4 + x];
    t[0 * 4 + x] = a + b + d + e;
    t[1 * 4 + x] = a + b - d - e;
    t[2 * 4 + x] = a - b - d + e;
    t[3 * 4 + x] = a - b + d - e;
  }
  const int32_t s = ls.v[qP % 6][0];
  for (int y = 0; y < 4; ++y) {  // rows: (H c) * H
    const int64_t a = t[y * 4 + 0], b = t[y * 4 + 1], d = t[y * 4 + 2], e = t[y * 4 + 3];
    const int64_t f[4] = {a + b + d + e, a + b - d - e, a - b - d + e, a - b + d - e};
    for (int x = 0; x < 4; ++x) {
      // 8-321 / 8-322: shift base 6.
      const int64_t v = f[x] * s;
      const int shift = qP / 6 - 6;
      dcY[y * 4 + x] = clamp_scaled(shift >= 0 ? v * (int64_t{1} << shift)
                                               : (v + (int64_t{1} << (-shift - 1))) >> -shift);
    }
  }
}

void inverse_chroma_dc_420(const int32_t c[4], int qP, const LevelScale4x4& ls, int32_t dcC[4]) {
  // f = [1 1; 1 -1] c [1 1; 1 -1] (8-328), dcC = ((f * LevelScale4x4(qP % 6, 0, 0)) << (qP / 6)) >> 5.
  const int64_t f[4] = {int64_t{c[0]} + c[1] + c[2] + c[3], int64_t{c[0]} - c[1] + c[2] - c[3],
                        int64_t{c[0]} + c[1] - c[2] - c[3], int64_t{c[0]} - c[1] - c[2] + c[3]};
  const int32_t s = ls.v[qP % 6][0];
  for (int k = 0; k < 4; ++k) dcC[k] = clamp_scaled(((f[k] * s) * (int64_t{1} << (qP / 6))) >> 5);
}

void inverse_transform_4x4(const int32_t d[16], int32_t r[16]) {
  int32_t f[16];
  for (int i = 0; i < 4; ++i) {  // rows (8-338..8-345)
    const int32_t* di = d + i * 4;
    const int32_t e0 = di[0] + di[2];
    const int32_t e1 = di[0] - di[2];
    const int32_t e2 = (di[1] >> 1) - di[3];
    const int32_t e3 = di[1] + (di[3] >> 1);
    f[i * 4 + 0] = e0 + e3;
    f[i * 4 + 1] = e1 + e2;
    f[i * 4 + 2] = e1 - e2;
    f[i * 4 + 3] = e0 - e3;
  }
  for (int j = 0; j < 4; ++j) {  // columns (8-346..8-353), then (h + 32) >> 6
    const int32_t g0 = f[0 * 4 + j] + f[2 * 4 + j];
    const int32_t g1 = f[0 * 4 + j] - f[2 * 4 + j];
    const int32_t g2 = (f[1 * 4 + j] >> 1) - f[3 * 4 + j];
    const int32_t g3 = f[1 * 4 + j] + (f[3 * 4 + j] >> 1);
    r[0 * 4 + j] = (g0 + g3 + 32) >> 6;
    r[1 * 4 + j] = (g1 + g2 + 32) >> 6;
    r[2 * 4 + j] = (g1 - g2 + 32) >> 6;
    r[3 * 4 + j] = (g0 - g3 + 32) >> 6;
  }
}

namespace {

// One-dimensional 8-point inverse transform of clause 8.5.13.2 (8-356..8-379),
// in[k * stride] -> out[k * stride].
void idct8_1d(const int32_t* in, int32_t* out, int stride) {
  const int32_t d0 = in[0], d1 = in[stride], d2 = in[2 * stride], d3 = in[3 * stride];
  const int32_t d4 = in[4 * stride], d5 = in[5 * stride], d6 = in[6 * stride], d7 = in[7 * stride];
  const int32_t e0 = d0 + d4;
  const int32_t e1 = -d3 + d5 - d7 - (d7 >> 1);
  const int32_t e2 = d0 - d4;
  const int32_t e3 = d1 + d7 - d3 - (d3 >> 1);
  const int32_t e4 = (d2 >> 1) - d6;
  const int32_t e5 = -d1 + d7 + d5 + (d5 >> 1);
  const int32_t e6 = d2 + (d6 >> 1);
  const int32_t e7 = d3 + d5 + d1 + (d1 >> 1);
  const int32_t f0 = e0 + e6;
  const int32_t f1 = e1 + (e7 >> 2);
  const int32_t f2 = e2 + e4;
  const int32_t f3 = e3 + (e5 >> 2);
  const int32_t f4 = e2 - e4;
  const int32_t f5 = (e3 >> 2) - e5;
  const int32_t f6 = e0 - e6;
  const int32_t f7 = e7 - (e1 >> 2);
  out[0] = f0 + f7;
  out[stride] = f2 + f5;
  out[2 * stride] = f4 + f3;
  out[3 * stride] = f6 + f1;
  out[4 * stride] = f6 - f1;
  out[5 * stride] = f4 - f3;
  out[6 * stride] = f2 - f5;
  out[7 * stride] = f0 - f7;
}

}  // namespace

void inverse_transform_8x8(const int32_t d[64], int32_t r[64]) {
  int32_t g[64];
  int32_t m[64];
  for (int i = 0; i < 8; ++i) idct8_1d(d + i * 8, g + i * 8, 1);  // rows
  for (int j = 0; j < 8; ++j) idct8_1d(g + j, m + j, 8);          // columns
  for (int k = 0; k < 64; ++k) r[k] = (m[k] + 32) >> 6;
}

void residual_4x4(const int32_t list[16], int qP, const LevelScale4x4& ls, const int32_t* dc, bool transform_bypass,
                  int32_t r[16]) {
  int32_t c[16];
  inverse_scan_4x4(list, c);
  if (dc != nullptr) c[0] = *dc;
  if (transform_bypass) {
    for (int k = 0; k < 16; ++k) r[k] = c[k];
    return;
  }
  scale_4x4(c, qP, ls, dc != nullptr);
  inverse_transform_4x4(c, r);
}

void residual_8x8(const int32_t list[64], int qP, const LevelScale8x8& ls, bool transform_bypass, int32_t r[64]) {
  int32_t c[64];
  inverse_scan_8x8(list, c);
  if (transform_bypass) {
    for (int k = 0; k < 64; ++k) r[k] = c[k];
    return;
  }
  scale_8x8(c, qP, ls);
  inverse_transform_8x8(c, r);
}

namespace {

bool all_zero(const int32_t* v, int n) {
  for (int i = 0; i < n; ++i)
    if (v[i] != 0) return false;
  return true;
}

int16_t saturate16(int32_t v) {
  return static_cast<int16_t>(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

// Copies an n x n raster block into the macroblock at (x0, y0).
void put_block(const int32_t* r, int n, int x0, int y0, int16_t residual[256]) {
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) residual[(y0 + y) * 16 + x0 + x] = saturate16(r[y * n + x]);
}

}  // namespace

void macroblock_luma_residual(LumaTransform transform, const int32_t levels[256], const int32_t dc_levels[16],
                              int qP, const LevelScale4x4& ls4, const LevelScale8x8& ls8, bool transform_bypass,
                              int16_t residual[256]) {
  int32_t r[64];
  if (transform == LumaTransform::k8x8) {
    for (int b8 = 0; b8 < 4; ++b8) {
      const int32_t* list = levels + 64 * b8;
      if (all_zero(list, 64)) {
        for (int k = 0; k < 64; ++k) r[k] = 0;
      } else {
        residual_8x8(list, qP, ls8, transform_bypass, r);
      }
      put_block(r, 8, 8 * (b8 % 2), 8 * (b8 / 2), residual);
    }
    return;
  }
  const bool intra16x16 = transform == LumaTransform::kIntra16x16;
  int32_t dc[16] = {0};
  if (intra16x16 && !all_zero(dc_levels, 16)) {
    int32_t c[16];
    inverse_scan_4x4(dc_levels, c);
    if (transform_bypass) {
      for (int k = 0; k < 16; ++k) dc[k] = c[k];
    } else {
      inverse_luma_dc_16x16(c, qP, ls4, dc);
    }
  }
  for (int b = 0; b < 16; ++b) {
    // luma4x4BlkIdx -> position (clause 6.4.3): 8x8 quadrant, then 4x4 within it.
    const int x0 = 8 * ((b / 4) % 2) + 4 * (b % 2);
    const int y0 = 8 * ((b / 4) / 2) + 4 * ((b % 4) / 2);
    const int32_t* list = levels + 16 * b;
    const int32_t* block_dc = intra16x16 ? &dc[(y0 / 4) * 4 + x0 / 4] : nullptr;
    const bool empty = intra16x16 ? (*block_dc == 0 && all_zero(list + 1, 15)) : all_zero(list, 16);
    if (empty) {
      for (int k = 0; k < 16; ++k) r[k] = 0;
    } else {
      residual_4x4(list, qP, ls4, block_dc, transform_bypass, r);
    }
    put_block(r, 4, x0, y0, residual);
  }
}

void bypass_intra_accumulate(int32_t r[], int n, bool vertical) {
  if (vertical) {
    for (int y = 1; y < n; ++y)
      for (int x = 0; x < n; ++x) r[y * n + x] += r[(y - 1) * n + x];
  } else {
    for (int y = 0; y < n; ++y)
      for (int x = 1; x < n; ++x) r[y * n + x] += r[y * n + x - 1];
  }
}

}  // namespace h264
}  // namespace codectok
