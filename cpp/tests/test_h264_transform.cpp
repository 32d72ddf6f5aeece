// Tests of H.264 residual reconstruction (cpp/h264/transform.*): scans,
// LevelScale, scaling, DC transforms and inverse transforms, against values
// worked out by hand from the formulas of ITU-T H.264 clause 8.5.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "h264/transform.h"
#include "support/check.h"

using namespace codectok::h264;
using codectok::test::check;
using codectok::test::report;

namespace {

void expect_block(const std::string& what, const int32_t* got, const std::vector<int32_t>& want) {
  bool ok = true;
  for (size_t i = 0; i < want.size(); ++i) {
    if (got[i] != want[i]) {
      std::printf("  %s: [%zu] = %d, want %d\n", what.c_str(), i, got[i], want[i]);
      ok = false;
    }
  }
  check(ok, what);
}

std::vector<int32_t> repeat_rows(const std::vector<int32_t>& row, int rows) {
  std::vector<int32_t> out;
  for (int i = 0; i < rows; ++i) out.insert(out.end(), row.begin(), row.end());
  return out;
}

}  // namespace

int main() {
  // --- Scans. Table 8-12, zig-zag: idx -> (x, y).
  const int zz4[16][2] = {{0, 0}, {1, 0}, {0, 1}, {0, 2}, {1, 1}, {2, 0}, {3, 0}, {2, 1},
                          {1, 2}, {0, 3}, {1, 3}, {2, 2}, {3, 1}, {3, 2}, {2, 3}, {3, 3}};
  {
    bool ok = true;
    for (int k = 0; k < 16; ++k) ok = ok && kZigzag4x4[k] == zz4[k][0] + 4 * zz4[k][1];
    check(ok, "4x4 zig-zag = Table 8-12");
  }
  // The frame zig-zag walks the anti-diagonals x + y = s from the top-left:
  // up-right (y decreasing) on even s, down-left (y increasing) on odd s.
  // Generated here independently of the tables.
  {
    std::vector<int> order;
    for (int s = 0; s < 15; ++s) {
      std::vector<int> diag;
      for (int y = 0; y < 8; ++y) {
        const int x = s - y;
        if (x >= 0 && x < 8) diag.push_back(x + 8 * y);  // y increasing = going down-left
      }
      if (s % 2 == 0) {  // even diagonals go up-right: y decreasing
        for (auto it = diag.rbegin(); it != diag.rend(); ++it) order.push_back(*it);
      } else {
        for (int v : diag) order.push_back(v);
      }
    }
    bool ok = true;
    for (int k = 0; k < 64; ++k) ok = ok && kZigzag8x8[k] == order[k];
    check(ok, "8x8 zig-zag = anti-diagonal walk");
    // The 4x4 table follows the same walk.
    std::vector<int> order4;
    for (int s = 0; s < 7; ++s) {
      std::vector<int> diag;
      for (int y = 0; y < 4; ++y) {
        const int x = s - y;
        if (x >= 0 && x < 4) diag.push_back(x + 4 * y);
      }
      if (s % 2 == 0) {
        for (auto it = diag.rbegin(); it != diag.rend(); ++it) order4.push_back(*it);
      } else {
        for (int v : diag) order4.push_back(v);
      }
    }
    bool ok4 = true;
    for (int k = 0; k < 16; ++k) ok4 = ok4 && kZigzag4x4[k] == order4[k];
    check(ok4, "4x4 zig-zag = anti-diagonal walk");
  }
  {
    int32_t list[16], c[16];
    for (int k = 0; k < 16; ++k) list[k] = 100 + k;
    inverse_scan_4x4(list, c);
    check(c[0] == 100 && c[1] == 101 && c[4] == 102 && c[8] == 103 && c[15] == 115, "inverse_scan_4x4");
  }

  // --- LevelScale. Flat 16: 4x4 m = 0: 160 / 256 / 208; m = 5: 288 / 464 / 368.
  const uint8_t flat16[64] = {16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
                              16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
                              16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
                              16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16};
  LevelScale4x4 flat4;
  compute_level_scale_4x4(flat16, flat4);
  check(flat4.v[0][0] == 160 && flat4.v[0][5] == 256 && flat4.v[0][1] == 208 && flat4.v[0][4] == 208,
        "LevelScale4x4 flat m=0");
  check(flat4.v[5][0] == 288 && flat4.v[5][15] == 464 && flat4.v[5][2] == 288 && flat4.v[5][7] == 464 && flat4.v[5][6] == 368,
        "LevelScale4x4 flat m=5");
  // Default_4x4_Intra (Table 7-3): idx 0 = 6, idx 1 = 13, idx 15 = 42.
  const uint8_t default_intra4x4[16] = {6, 13, 13, 20, 20, 20, 28, 28, 28, 28, 32, 32, 32, 37, 37, 42};
  LevelScale4x4 intra4;
  compute_level_scale_4x4(default_intra4x4, intra4);
  check(intra4.v[0][0] == 6 * 10 && intra4.v[0][1] == 13 * 13 && intra4.v[0][15] == 42 * 16 &&
            intra4.v[2][12] == 28 * 16 /* idx 9 = 28 at (0, 3): mixed parity, v2 of m=2 */,
        "LevelScale4x4 Default_4x4_Intra");
  // 8x8 flat, m = 0: (0,0) 20, (1,1) 18, (2,2) 32, (1,0) 19, (2,0) 25, (2,1) 24.
  LevelScale8x8 flat8;
  compute_level_scale_8x8(flat16, flat8);
  check(flat8.v[0][0] == 320 && flat8.v[0][9] == 288 && flat8.v[0][18] == 512 && flat8.v[0][1] == 304 &&
            flat8.v[0][8] == 304 && flat8.v[0][2] == 400 && flat8.v[0][16] == 400 && flat8.v[0][10] == 384 &&
            flat8.v[0][17] == 384 && flat8.v[0][36] == 320 && flat8.v[0][4] == 320,
        "LevelScale8x8 flat m=0");
  check(flat8.v[5][0] == 16 * 36 && flat8.v[5][63] == 16 * 32 && flat8.v[5][27] == 16 * 32,
        "LevelScale8x8 flat m=5");

  // --- 4x4 scaling.
  {
    int32_t c[16] = {1};
    scale_4x4(c, 28, flat4, false);  // qP >= 24: (1 * 256) << 0
    check(c[0] == 256, "scale_4x4 qP 28 DC");
    int32_t c2[16] = {1};
    scale_4x4(c2, 10, flat4, false);  // (256 + 4) >> 3
    check(c2[0] == 32, "scale_4x4 qP 10 rounding");
    int32_t c3[16] = {1};
    scale_4x4(c3, 0, flat4, false);  // (160 + 8) >> 4
    check(c3[0] == 10, "scale_4x4 qP 0");
    int32_t c4[16] = {0};
    c4[5] = -1;
    scale_4x4(c4, 51, flat4, false);  // m 3, (1,1): 368 << 4
    check(c4[5] == -5888, "scale_4x4 qP 51 AC");
    int32_t c5[16] = {77, 1};
    scale_4x4(c5, 28, flat4, true);  // DC kept, (1,0): 16 * 20 = 320
    check(c5[0] == 77 && c5[1] == 320, "scale_4x4 keeps the transformed DC");
  }
  // --- 8x8 scaling.
  {
    int32_t c[64] = {1};
    scale_8x8(c, 36, flat8);  // (1 * 320) << 0
    check(c[0] == 320, "scale_8x8 qP 36");
    int32_t c2[64] = {1};
    scale_8x8(c2, 20, flat8);  // m 2: 16 * 26 = 416; (416 + 4) >> 3
    check(c2[0] == 52, "scale_8x8 qP 20 rounding");
  }

  // --- Inverse 4x4 transform.
  {
    int32_t d[16] = {256};
    int32_t r[16];
    inverse_transform_4x4(d, r);
    expect_block("4x4 DC only: (256 + 32) >> 6", r, std::vector<int32_t>(16, 4));
    int32_t d2[16] = {0, 64};
    inverse_transform_4x4(d2, r);
    expect_block("4x4 d_01 = 64: rows [1 1 0 -1]", r, repeat_rows({1, 1, 0, -1}, 4));
    int32_t d3[16] = {0};
    d3[4] = 64;
    inverse_transform_4x4(d3, r);
    expect_block("4x4 d_10 = 64: columns [1 1 0 -1]", r, {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -1, -1, -1, -1});
  }
  // --- Inverse 8x8 transform.
  {
    int32_t d[64] = {128};
    int32_t r[64];
    inverse_transform_8x8(d, r);
    expect_block("8x8 DC only", r, std::vector<int32_t>(64, 2));
    // d_01 = 64: row pass e3 = 64, e5 = -64, e7 = 96 -> f1 24, f3 48, f5 80,
    // f7 96 -> [96 80 48 24 -24 -48 -80 -96]; (v + 32) >> 6.
    int32_t d2[64] = {0, 64};
    inverse_transform_8x8(d2, r);
    expect_block("8x8 d_01 = 64", r, repeat_rows({2, 1, 1, 0, 0, -1, -1, -1}, 8));
    int32_t d3[64] = {0};
    d3[8] = 64;
    inverse_transform_8x8(d3, r);
    std::vector<int32_t> col;
    for (int v : {2, 1, 1, 0, 0, -1, -1, -1})
      for (int x = 0; x < 8; ++x) col.push_back(v);
    expect_block("8x8 d_10 = 64", r, col);
  }

  // --- Intra16x16 luma DC.
  {
    int32_t c[16] = {1};
    int32_t dc[16];
    inverse_luma_dc_16x16(c, 28, flat4, dc);  // f all 1; (256 + 2) >> 2
    expect_block("luma DC c00 = 1 qP 28", dc, std::vector<int32_t>(16, 64));
    int32_t c2[16] = {2};
    inverse_luma_dc_16x16(c2, 40, flat4, dc);  // (2 * 256) << 0
    expect_block("luma DC c00 = 2 qP 40", dc, std::vector<int32_t>(16, 512));
    int32_t c3[16] = {0, 1};  // c_01: f rows = H row 1 = [1 1 -1 -1]
    inverse_luma_dc_16x16(c3, 40, flat4, dc);
    expect_block("luma DC c01 = 1 qP 40", dc, repeat_rows({256, 256, -256, -256}, 4));
  }
  // --- 4:2:0 chroma DC.
  {
    int32_t dc[4];
    const int32_t c1[4] = {1, 0, 0, 0};
    inverse_chroma_dc_420(c1, 30, flat4, dc);  // ((1 * 160) << 5) >> 5
    expect_block("chroma DC c0 = 1 qP 30", dc, {160, 160, 160, 160});
    const int32_t c2[4] = {0, 1, 0, 0};
    inverse_chroma_dc_420(c2, 30, flat4, dc);
    expect_block("chroma DC c1 = 1 qP 30", dc, {160, -160, 160, -160});
    const int32_t c3[4] = {0, 0, 1, 0};
    inverse_chroma_dc_420(c3, 30, flat4, dc);
    expect_block("chroma DC c2 = 1 qP 30", dc, {160, 160, -160, -160});
    inverse_chroma_dc_420(c1, 0, flat4, dc);  // 160 >> 5
    expect_block("chroma DC qP 0", dc, {5, 5, 5, 5});
    const int32_t c4[4] = {3, 0, 0, 0};
    inverse_chroma_dc_420(c4, 2, flat4, dc);  // m 2: 208; 624 >> 5
    expect_block("chroma DC qP 2 truncation", dc, {19, 19, 19, 19});
  }

  // --- Whole-block paths.
  {
    int32_t list[16] = {1};
    int32_t r[16];
    residual_4x4(list, 28, flat4, nullptr, false, r);  // d00 256 -> 4 everywhere (as above)
    expect_block("residual_4x4 DC list", r, std::vector<int32_t>(16, 4));
    int32_t ac[16] = {99, 1};  // list[1] = zig-zag idx 1 = (1, 0); DC 256 from the DC transform
    const int32_t dc = 256;
    residual_4x4(ac, 28, flat4, &dc, false, r);
    // d00 = 256 (kept), d01 = 1 * 16 * 20 = 320: rows e = [256 256 160 320],
    // f = [576 416 96 -64]; columns: every row the same; (v + 32) >> 6.
    expect_block("residual_4x4 with a DC-transform DC", r, repeat_rows({9, 7, 2, -1}, 4));
    int32_t bl[16] = {5, 0, -3};  // idx 2 -> (0, 1)
    residual_4x4(bl, 0, flat4, nullptr, true, r);
    expect_block("residual_4x4 bypass", r, {5, 0, 0, 0, -3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    int32_t l8[64] = {2};
    int32_t r8[64];
    residual_8x8(l8, 36, flat8, false, r8);  // d00 = 640 -> all (640 + 32) >> 6 = 10
    expect_block("residual_8x8 DC list", r8, std::vector<int32_t>(64, 10));
  }

  // --- Macroblock luma residual.
  {
    int32_t levels[256] = {0};
    int32_t dc_levels[16] = {0};
    int16_t res[256];
    // 4x4: luma4x4BlkIdx 5 sits at (12, 0); its list [1] at qP 28 gives 4.
    levels[16 * 5] = 1;
    macroblock_luma_residual(LumaTransform::k4x4, levels, dc_levels, 28, flat4, flat8, false, res);
    bool ok = true;
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) ok = ok && res[y * 16 + x] == ((x >= 12 && y < 4) ? 4 : 0);
    check(ok, "macroblock 4x4: block 5 at (12, 0)");

    // Intra16x16: DC list [1] at qP 28 -> dcY 64 everywhere -> r = (64 + 32) >> 6 = 1;
    // block 3 (at (4, 4)) also has AC level 1 at scan index 1: row pass on
    // [64 320 0 0] gives [384 224 -96 -256] -> rows [6 4 -1 -4].
    int32_t l16[256] = {0};
    int32_t dcl[16] = {1};
    l16[16 * 3 + 1] = 1;
    macroblock_luma_residual(LumaTransform::kIntra16x16, l16, dcl, 28, flat4, flat8, false, res);
    const int row3[4] = {6, 4, -1, -4};
    ok = true;
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) {
        const bool in3 = x >= 4 && x < 8 && y >= 4 && y < 8;
        ok = ok && res[y * 16 + x] == (in3 ? row3[x - 4] : 1);
      }
    check(ok, "macroblock Intra16x16: DC everywhere, AC in block 3");

    // 8x8: luma8x8BlkIdx 2 (at (0, 8)) list [2] at qP 36 -> 10.
    int32_t l8[256] = {0};
    l8[64 * 2] = 2;
    macroblock_luma_residual(LumaTransform::k8x8, l8, dc_levels, 36, flat4, flat8, false, res);
    ok = true;
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) ok = ok && res[y * 16 + x] == ((x < 8 && y >= 8) ? 10 : 0);
    check(ok, "macroblock 8x8: block 2 at (0, 8)");
  }

  // --- Transform bypass accumulation (clause 8.5.15).
  {
    int32_t r[16];
    for (int32_t& v : r) v = 1;
    bypass_intra_accumulate(r, 4, true);
    expect_block("bypass vertical", r, {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4});
    for (int32_t& v : r) v = 1;
    bypass_intra_accumulate(r, 4, false);
    expect_block("bypass horizontal", r, repeat_rows({1, 2, 3, 4}, 4));
  }

  // --- Out-of-range input does not overflow: the scaled value is limited.
  {
    int32_t c[64] = {1 << 30};
    scale_8x8(c, 87, flat8);
    int32_t r[64];
    inverse_transform_8x8(c, r);
    check(c[0] == (1 << 21) - 1, "scaled coefficient limited to the 14-bit-depth bound");
  }

  return report();
}
