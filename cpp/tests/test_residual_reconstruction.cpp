// Tests for scaling lists (clause 7.3.4 / 7.4.5) and residual reconstruction
// (clause 8.6.2 / 8.6.4): defaults, a hand-written scaling_list_data round
// trip, and the transforms against a direct, spec-literal implementation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bitstream/bit_reader.h"
#include "bitstream/parse_error.h"
#include "hevc/residual_reconstruction.h"
#include "hevc/scaling_list.h"
#include "support/check.h"

using namespace codectok;

namespace {

using codectok::test::check;

// ---------------------------------------------------------------------------
// Independent facts, restated here (not taken from the code under test).

// Table 7-6 in raster form m[x][y] at [y * 8 + x] (the matrices are symmetric).
const int kIntraRaster8x8[64] = {
    16, 16, 16, 16, 17, 18, 21, 24,  16, 16, 16, 16, 17, 19, 22, 25,
    16, 16, 17, 18, 20, 22, 25, 29,  16, 16, 18, 21, 24, 27, 31, 36,
    17, 17, 20, 24, 30, 35, 41, 47,  18, 19, 22, 27, 35, 44, 54, 65,
    21, 22, 25, 31, 41, 54, 70, 88,  24, 25, 29, 36, 47, 65, 88, 115};
const int kInterRaster8x8[64] = {
    16, 16, 16, 16, 17, 18, 20, 24,  16, 16, 16, 17, 18, 20, 24, 25,
    16, 16, 17, 18, 20, 24, 25, 28,  16, 17, 18, 20, 24, 25, 28, 33,
    17, 18, 20, 24, 25, 28, 33, 41,  18, 20, 24, 25, 28, 33, 41, 54,
    20, 24, 25, 28, 33, 41, 54, 71,  24, 25, 28, 33, 41, 54, 71, 91};

// Up-right diagonal scan, clause 6.5.3: returns (x, y) pairs.
std::vector<std::pair<int, int>> diag_scan(int blk) {
  std::vector<std::pair<int, int>> out;
  int x = 0, y = 0;
  while (static_cast<int>(out.size()) < blk * blk) {
    while (y >= 0) {
      if (x < blk && y < blk) out.emplace_back(x, y);
      --y;
      ++x;
    }
    y = x;
    x = 0;
  }
  return out;
}

// The 32x32 HEVC transMatrix, rebuilt from its 31 distinct magnitudes:
// entry [k][n] = C(k * (2n + 1) mod 128), C the folded scaled cosine table.
int T32[32][32];
void build_matrix() {
  int a[33] = {};
  a[0] = 64;
  a[16] = 64;
  a[8] = 83;
  a[24] = 36;
  const int c4[4] = {89, 75, 50, 18};
  for (int i = 0; i < 4; ++i) a[4 + 8 * i] = c4[i];
  const int c2[8] = {90, 87, 80, 70, 57, 43, 25, 9};
  for (int i = 0; i < 8; ++i) a[2 + 4 * i] = c2[i];
  const int c1[16] = {90, 90, 88, 85, 82, 78, 73, 67, 61, 54, 46, 38, 31, 22, 13, 4};
  for (int i = 0; i < 16; ++i) a[1 + 2 * i] = c1[i];
  a[32] = 0;
  for (int k = 0; k < 32; ++k)
    for (int n = 0; n < 32; ++n) {
      const int j = (k * (2 * n + 1)) % 128;
      int v;
      if (j <= 32) v = a[j];
      else if (j <= 64) v = -a[64 - j];
      else if (j <= 96) v = -a[j - 64];
      else v = a[128 - j];
      T32[k][n] = v;
    }
}

const int kDst[4][4] = {{29, 55, 74, 84}, {74, 74, 0, -74}, {84, -29, -74, 55}, {55, -84, 74, -29}};

int64_t clip3(int64_t lo, int64_t hi, int64_t v) { return v < lo ? lo : (v > hi ? hi : v); }

// Spec-literal reference of clauses 8.6.2 / 8.6.4.2: direct matrix products.
void reference_residual(const std::vector<int32_t>& levels, const ResidualBlockParams& p,
                        std::vector<int32_t>& r_out) {
  const int n = 1 << p.log2_size;
  r_out.assign(n * n, 0);
  if (p.transquant_bypass) {
    for (int i = 0; i < n * n; ++i) r_out[i] = levels[i];
    return;
  }
  static const int level_scale[6] = {40, 45, 51, 57, 64, 72};
  const int bd1 = p.bit_depth + p.log2_size + 10 - 15;
  std::vector<int64_t> d(n * n);  // d[x][y] at [x * n + y]
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      const int64_t m = p.scaling_factor ? p.scaling_factor[y * n + x] : 16;
      const int64_t v = int64_t{levels[y * n + x]} * m * level_scale[p.qp % 6] * (int64_t{1} << (p.qp / 6)) +
                        (int64_t{1} << (bd1 - 1));
      d[x * n + y] = clip3(-32768, 32767, v >> bd1);
    }
  std::vector<int64_t> r(n * n);
  if (p.transform_skip) {
    for (int i = 0; i < n * n; ++i) r[i] = d[i] * (int64_t{1} << (5 + p.log2_size));
  } else {
    auto mat = [&](int j, int i) -> int64_t {
      if (p.dst && n == 4) return kDst[j][i];
      return T32[j * (32 / n)][i];
    };
    std::vector<int64_t> g(n * n);
    for (int x = 0; x < n; ++x)
      for (int y = 0; y < n; ++y) {
        int64_t e = 0;
        for (int j = 0; j < n; ++j) e += mat(j, y) * d[x * n + j];
        g[x * n + y] = clip3(-32768, 32767, (e + 64) >> 7);
      }
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        int64_t s = 0;
        for (int j = 0; j < n; ++j) s += mat(j, x) * g[j * n + y];
        r[x * n + y] = s;
      }
  }
  const int bd = std::max(20 - p.bit_depth, 0);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      r_out[y * n + x] = static_cast<int32_t>((r[x * n + y] + (int64_t{1} << (bd - 1))) >> bd);
}

bool run_and_compare(const std::vector<int32_t>& levels, const ResidualBlockParams& p) {
  std::vector<int32_t> expect;
  reference_residual(levels, p, expect);
  std::vector<int32_t> scratch = levels;
  std::vector<int32_t> got(levels.size(), 0x5a5a5a5a);
  reconstruct_residual(scratch.data(), p, got.data());
  return got == expect;
}

std::string describe(const ResidualBlockParams& p) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "log2=%d qp=%d bd=%d ts=%d bypass=%d dst=%d sf=%d", p.log2_size, p.qp,
                p.bit_depth, p.transform_skip, p.transquant_bypass, p.dst, p.scaling_factor != nullptr);
  return buf;
}

// ---------------------------------------------------------------------------
// Minimal MSB-first bit writer with ue(v)/se(v).
class BitWriter {
 public:
  void u(uint32_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bit((v >> i) & 1u);
  }
  void flag(bool b) { bit(b ? 1 : 0); }
  void ue(uint32_t v) {
    const uint64_t code = uint64_t{v} + 1;
    int len = 0;
    while ((code >> (len + 1)) != 0) ++len;
    for (int i = 0; i < len; ++i) bit(0);
    for (int i = len; i >= 0; --i) bit(static_cast<int>((code >> i) & 1u));
  }
  void se(int32_t v) { ue(v > 0 ? static_cast<uint32_t>(2 * v - 1) : static_cast<uint32_t>(-2 * int64_t{v})); }
  std::vector<uint8_t> finish() {
    // rbsp trailing bits
    bit(1);
    while (nbits_ % 8) bit(0);
    return bytes_;
  }

 private:
  void bit(int b) {
    if (nbits_ % 8 == 0) bytes_.push_back(0);
    if (b) bytes_.back() |= static_cast<uint8_t>(0x80 >> (nbits_ % 8));
    ++nbits_;
  }
  std::vector<uint8_t> bytes_;
  size_t nbits_ = 0;
};

struct ExpectedLists {
  int list[4][6][64];
  int dc[4][6];
};

void expected_default(ExpectedLists& e, int size_id, int matrix_id) {
  if (size_id == 0) {
    for (int i = 0; i < 16; ++i) e.list[0][matrix_id][i] = 16;
  } else {
    const auto scan = diag_scan(8);
    const int* raster = matrix_id < 3 ? kIntraRaster8x8 : kInterRaster8x8;
    for (int i = 0; i < 64; ++i) e.list[size_id][matrix_id][i] = raster[scan[i].second * 8 + scan[i].first];
  }
  e.dc[size_id][matrix_id] = 16;
}

// Writes a random scaling_list_data() and records what it should decode to.
std::vector<uint8_t> random_scaling_list_data(std::mt19937& rng, ExpectedLists& e) {
  BitWriter bw;
  std::memset(&e, 0, sizeof e);
  for (int size_id = 0; size_id < 4; ++size_id) {
    const int step = size_id == 3 ? 3 : 1;
    const int coef_num = size_id == 0 ? 16 : 64;
    for (int matrix_id = 0; matrix_id < 6; matrix_id += step) {
      const int mode = static_cast<int>(rng() % 3);  // 0 default, 1 copy, 2 explicit
      if (mode == 0 || (mode == 1 && matrix_id == 0)) {
        bw.flag(false);
        bw.ue(0);
        expected_default(e, size_id, matrix_id);
      } else if (mode == 1) {
        const int delta = 1 + static_cast<int>(rng() % (matrix_id / step));
        const int ref = matrix_id - delta * step;
        bw.flag(false);
        bw.ue(delta);
        for (int i = 0; i < 64; ++i) e.list[size_id][matrix_id][i] = e.list[size_id][ref][i];
        e.dc[size_id][matrix_id] = e.dc[size_id][ref];
      } else {
        bw.flag(true);
        int prev = 8;
        if (size_id > 1) {
          const int dc = 1 + static_cast<int>(rng() % 255);
          bw.se(dc - 8);
          prev = dc;
          e.dc[size_id][matrix_id] = dc;
        } else {
          e.dc[size_id][matrix_id] = 16;
        }
        for (int i = 0; i < coef_num; ++i) {
          // Mostly smooth lists, sometimes large jumps (wrap-around of the delta).
          int target = (rng() % 4 == 0) ? 1 + static_cast<int>(rng() % 255)
                                        : std::clamp(prev + static_cast<int>(rng() % 9) - 4, 1, 255);
          int delta = ((target - prev + 128) % 256 + 256) % 256 - 128;
          bw.se(delta);
          prev = target;
          e.list[size_id][matrix_id][i] = target;
        }
      }
    }
  }
  for (int matrix_id : {1, 2, 4, 5}) {
    for (int i = 0; i < 64; ++i) e.list[3][matrix_id][i] = e.list[2][matrix_id][i];
    e.dc[3][matrix_id] = e.dc[2][matrix_id];
  }
  return bw.finish();
}

bool lists_equal(const ScalingList& sl, const ExpectedLists& e, std::string* where) {
  for (int s = 0; s < 4; ++s)
    for (int m = 0; m < 6; ++m) {
      const int num = s == 0 ? 16 : 64;
      for (int i = 0; i < num; ++i)
        if (sl.list[s][m][i] != e.list[s][m][i]) {
          *where = "list[" + std::to_string(s) + "][" + std::to_string(m) + "][" + std::to_string(i) + "]";
          return false;
        }
      if (s >= 2 && sl.dc[s][m] != e.dc[s][m]) {
        *where = "dc[" + std::to_string(s) + "][" + std::to_string(m) + "]";
        return false;
      }
    }
  return true;
}

// Independent ScalingFactor derivation (7.4.5) from the expected lists.
void expected_factor(const ExpectedLists& e, int log2, int matrix_id, std::vector<int>& out) {
  const int n = 1 << log2;
  out.assign(n * n, -1);
  const int size_id = log2 - 2;
  if (size_id == 0) {
    const auto scan = diag_scan(4);
    for (int i = 0; i < 16; ++i) out[scan[i].second * 4 + scan[i].first] = e.list[0][matrix_id][i];
    return;
  }
  const auto scan = diag_scan(8);
  const int rep = n / 8;
  for (int i = 0; i < 64; ++i)
    for (int j = 0; j < rep * rep; ++j) {
      const int x = scan[i].first * rep + j % rep, y = scan[i].second * rep + j / rep;
      out[y * n + x] = e.list[size_id][matrix_id][i];
    }
  if (size_id >= 2) out[0] = e.dc[size_id][matrix_id];
}

template <typename F>
bool throws_code(F&& f, ErrorCode code) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.code() == code;
  } catch (...) {
    return false;
  }
  return false;
}

// ---------------------------------------------------------------------------

void test_matrix_facts() {
  // Spot checks of the rebuilt matrix against rows printed in the spec.
  const int row1_first16[16] = {90, 90, 88, 85, 82, 78, 73, 67, 61, 54, 46, 38, 31, 22, 13, 4};
  bool ok = true;
  for (int i = 0; i < 16; ++i) ok &= T32[1][i] == row1_first16[i] && T32[1][31 - i] == -row1_first16[i];
  const int row2_first8[8] = {90, 87, 80, 70, 57, 43, 25, 9};
  for (int i = 0; i < 8; ++i) ok &= T32[2][i] == row2_first8[i];
  ok &= T32[4][0] == 89 && T32[4][1] == 75 && T32[4][2] == 50 && T32[4][3] == 18;
  ok &= T32[8][0] == 83 && T32[8][1] == 36 && T32[8][2] == -36 && T32[8][3] == -83;
  ok &= T32[16][0] == 64 && T32[16][1] == -64 && T32[16][2] == -64 && T32[16][3] == 64;
  ok &= T32[24][0] == 36 && T32[24][1] == -83 && T32[24][2] == 83 && T32[24][3] == -36;
  ok &= T32[12][0] == 75 && T32[12][1] == -18 && T32[12][2] == -89 && T32[12][3] == -50;
  ok &= T32[31][0] == 4 && T32[31][1] == -13 && T32[31][31] == -4;
  ok &= T32[3][5] == -4 && T32[3][4] == 22;
  // Near-orthogonality: rows k != l have a small dot product, norms ~ 64^2 * 32.
  for (int k = 0; k < 32; ++k)
    for (int l = 0; l < 32; ++l) {
      int64_t dot = 0;
      for (int i = 0; i < 32; ++i) dot += int64_t{T32[k][i]} * T32[l][i];
      if (k == l) ok &= std::llabs(dot - 131072) < 300;
      else ok &= std::llabs(dot) < 400;
    }
  check(ok, "rebuilt transMatrix matches the spec's printed rows and is near-orthogonal");
}

void test_default_scaling() {
  ScalingList sl;
  std::memset(&sl, 0xcd, sizeof sl);
  set_default_scaling_list(sl);
  uint8_t f[1024];
  bool ok = true;
  for (int m = 0; m < 6; ++m) {
    derive_scaling_factor(sl, 2, m, f);
    for (int i = 0; i < 16; ++i) ok &= f[i] == 16;
  }
  check(ok, "default 4x4 scaling factor is flat 16 (Table 7-5)");

  for (int m = 0; m < 6; ++m) {
    derive_scaling_factor(sl, 3, m, f);
    const int* raster = m < 3 ? kIntraRaster8x8 : kInterRaster8x8;
    bool eq = true;
    for (int i = 0; i < 64; ++i) eq &= f[i] == raster[i];
    check(eq, "default 8x8 scaling factor, matrixId " + std::to_string(m));
  }
  derive_scaling_factor(sl, 3, 0, f);
  check(f[0] == 16 && f[7 * 8 + 7] == 115 && f[6 * 8 + 7] == 88 && f[5 * 8 + 5] == 44, "8x8 intra known entries");
  derive_scaling_factor(sl, 3, 3, f);
  check(f[0] == 16 && f[7 * 8 + 7] == 91 && f[7 * 8 + 6] == 71 && f[4 * 8 + 4] == 25, "8x8 inter known entries");
  check(sl.list[1][0][63] == 115 && sl.list[1][3][63] == 91 && sl.list[1][0][10] == 17 && sl.list[1][0][11] == 16,
        "default lists are stored in diagonal order");

  for (int log2 = 4; log2 <= 5; ++log2) {
    const int n = 1 << log2, rep = n / 8;
    for (int m = 0; m < 6; ++m) {
      derive_scaling_factor(sl, log2, m, f);
      const int* raster = m < 3 ? kIntraRaster8x8 : kInterRaster8x8;
      bool eq = f[0] == 16;
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
          if (x || y) eq &= f[y * n + x] == raster[(y / rep) * 8 + x / rep];
      check(eq, "default " + std::to_string(n) + "x" + std::to_string(n) + " upsampled, matrixId " +
                    std::to_string(m));
    }
  }
}

void test_scaling_list_round_trip() {
  std::mt19937 rng(12345);
  int bad_parse = 0, bad_factor = 0, exceptions = 0;
  std::string first_where;
  for (int iter = 0; iter < 300; ++iter) {
    ExpectedLists e;
    const std::vector<uint8_t> bytes = random_scaling_list_data(rng, e);
    ScalingList sl;
    std::memset(&sl, 0xcd, sizeof sl);
    try {
      BitReader br(bytes.data(), bytes.size());
      parse_scaling_list_data(br, sl);
      // Only the rbsp stop bit and alignment are left.
      if (br.bits_left() == 0 || br.bits_left() > 8 || br.u(1) != 1) ++bad_parse;
    } catch (const ParseError& err) {
      ++exceptions;
      if (first_where.empty()) first_where = err.what();
      continue;
    }
    std::string where;
    if (!lists_equal(sl, e, &where)) {
      if (first_where.empty()) first_where = where;
      ++bad_parse;
    }
    uint8_t f[1024];
    std::vector<int> want;
    for (int log2 = 2; log2 <= 5; ++log2)
      for (int m = 0; m < 6; ++m) {
        derive_scaling_factor(sl, log2, m, f);
        expected_factor(e, log2, m, want);
        for (int i = 0; i < (1 << (2 * log2)); ++i)
          if (f[i] != want[i]) {
            ++bad_factor;
            break;
          }
      }
  }
  check(exceptions == 0, "random scaling_list_data parses without error " + first_where);
  check(bad_parse == 0, "random scaling_list_data round trip (" + std::to_string(bad_parse) + " bad) " + first_where);
  check(bad_factor == 0, "ScalingFactor of parsed lists matches independent derivation");

  // A hand-made stream: all 4x4 lists explicit and increasing, everything
  // else "predicted" from the default (delta 0) or the previous matrix.
  {
    BitWriter bw;
    for (int m = 0; m < 6; ++m) {
      bw.flag(true);
      for (int i = 0; i < 16; ++i) bw.se(i == 0 ? m + 1 - 8 : 1);  // entries m+1, m+2, ...
    }
    for (int m = 0; m < 6; ++m) {  // 8x8: default, then copies of matrix 0
      bw.flag(false);
      bw.ue(m);
    }
    for (int m = 0; m < 6; ++m) {  // 16x16: matrix 0 explicit with DC 40, rest copy of 0
      if (m == 0) {
        bw.flag(true);
        bw.se(40 - 8);
        for (int i = 0; i < 64; ++i) bw.se(i == 0 ? 10 - 40 : 0);  // all 10
      } else {
        bw.flag(false);
        bw.ue(m);
      }
    }
    bw.flag(false);  // 32x32 intra: default
    bw.ue(0);
    bw.flag(false);  // 32x32 inter: copy of intra (delta 1 -> refMatrixId 0)
    bw.ue(1);
    const auto bytes = bw.finish();
    ScalingList sl;
    BitReader br(bytes.data(), bytes.size());
    parse_scaling_list_data(br, sl);
    bool ok = true;
    for (int m = 0; m < 6; ++m)
      for (int i = 0; i < 16; ++i) ok &= sl.list[0][m][i] == m + 1 + i;
    check(ok, "hand-made stream: explicit 4x4 lists");
    ok = true;
    for (int m = 0; m < 6; ++m)
      for (int i = 0; i < 64; ++i) ok &= sl.list[1][m][i] == sl.list[1][0][i];
    ok &= sl.list[1][0][63] == 115;
    check(ok, "hand-made stream: 8x8 copies of the default intra list");
    ok = true;
    for (int m = 0; m < 6; ++m) {
      ok &= sl.dc[2][m] == 40;
      for (int i = 0; i < 64; ++i) ok &= sl.list[2][m][i] == 10;
    }
    check(ok, "hand-made stream: 16x16 explicit list with DC and copies carrying the DC");
    check(sl.dc[3][0] == 16 && sl.dc[3][3] == 16 && sl.list[3][3][63] == 115 && sl.list[3][0][63] == 115,
          "hand-made stream: 32x32 default and copy");
    check(sl.dc[3][1] == 40 && sl.list[3][4][5] == 10, "hand-made stream: 32x32 chroma mirrors 16x16 chroma");
    uint8_t f[1024];
    derive_scaling_factor(sl, 4, 2, f);
    check(f[0] == 40 && f[1] == 10 && f[255] == 10, "hand-made stream: 16x16 factor with DC");
    derive_scaling_factor(sl, 2, 5, f);
    // diagonal order: i=0 (0,0), i=1 (0,1), i=2 (1,0), i=15 (3,3)
    check(f[0] == 6 && f[4] == 7 && f[1] == 8 && f[15] == 21, "hand-made stream: 4x4 factor in diagonal order");
  }

  // Error paths.
  auto parse_bytes = [](const std::vector<uint8_t>& bytes) {
    ScalingList sl;
    BitReader br(bytes.data(), bytes.size());
    parse_scaling_list_data(br, sl);
  };
  {
    BitWriter bw;
    bw.flag(false);
    bw.ue(1);  // sizeId 0, matrixId 0: delta must be 0
    const auto bytes = bw.finish();
    check(throws_code([&] { parse_bytes(bytes); }, ErrorCode::kInvalidSyntax), "pred_matrix_id_delta too big");
  }
  {
    BitWriter bw;
    for (int s = 0; s < 3; ++s)
      for (int m = 0; m < 6; ++m) {
        bw.flag(false);
        bw.ue(0);
      }
    bw.flag(false);
    bw.ue(0);
    bw.flag(false);
    bw.ue(2);  // sizeId 3, matrixId 3: at most 1
    const auto bytes = bw.finish();
    check(throws_code([&] { parse_bytes(bytes); }, ErrorCode::kInvalidSyntax), "32x32 pred_matrix_id_delta too big");
  }
  {
    BitWriter bw;
    for (int s = 0; s < 2; ++s)
      for (int m = 0; m < 6; ++m) {
        bw.flag(false);
        bw.ue(0);
      }
    bw.flag(true);
    bw.se(248);  // dc_coef_minus8 in -7..247
    const auto bytes = bw.finish();
    check(throws_code([&] { parse_bytes(bytes); }, ErrorCode::kInvalidSyntax), "dc_coef_minus8 out of range");
  }
  {
    BitWriter bw;
    bw.flag(true);
    bw.se(128);  // delta_coef in -128..127
    const auto bytes = bw.finish();
    check(throws_code([&] { parse_bytes(bytes); }, ErrorCode::kInvalidSyntax), "delta_coef out of range");
  }
  {
    BitWriter bw;
    bw.flag(true);
    bw.se(-8);  // first entry 0
    const auto bytes = bw.finish();
    check(throws_code([&] { parse_bytes(bytes); }, ErrorCode::kInvalidSyntax), "ScalingList entry 0 rejected");
  }
  {
    BitWriter bw;
    bw.flag(true);
    bw.se(1);
    bw.se(1);
    auto bytes = bw.finish();
    check(throws_code([&] { parse_bytes(bytes); }, ErrorCode::kTruncated), "truncated scaling_list_data");
  }
}

// Random level block: `count` non-zero coefficients, biased toward low
// frequencies, with occasional huge values (clipping paths).
std::vector<int32_t> random_levels(std::mt19937& rng, int n, int count, int max_abs) {
  std::vector<int32_t> lv(n * n, 0);
  for (int k = 0; k < count; ++k) {
    int x, y;
    if (rng() % 2) {
      const int lim = std::max(1, n / 4);
      x = static_cast<int>(rng() % lim);
      y = static_cast<int>(rng() % lim);
    } else {
      x = static_cast<int>(rng() % n);
      y = static_cast<int>(rng() % n);
    }
    int v = 1 + static_cast<int>(rng() % max_abs);
    if (rng() % 2) v = -v;
    lv[y * n + x] = v;
  }
  return lv;
}

void test_transforms() {
  std::mt19937 rng(777);
  std::vector<uint8_t> sf(1024);
  for (int log2 = 2; log2 <= 5; ++log2) {
    const int n = 1 << log2;
    for (int use_dst = 0; use_dst <= (log2 == 2 ? 1 : 0); ++use_dst) {
      for (int bd : {8, 10, 12}) {
        int bad = 0;
        std::string first;
        for (int iter = 0; iter < 400; ++iter) {
          ResidualBlockParams p;
          p.log2_size = log2;
          p.bit_depth = bd;
          p.dst = use_dst != 0;
          p.qp = static_cast<int>(rng() % (52 + 6 * (bd - 8)));
          const bool with_sf = rng() % 3 == 0;
          if (with_sf) {
            for (int i = 0; i < n * n; ++i) sf[i] = static_cast<uint8_t>(1 + rng() % 255);
            p.scaling_factor = sf.data();
          }
          int count;
          const int shape = static_cast<int>(rng() % 4);
          if (shape == 0) count = 1;
          else if (shape == 1) count = 1 + static_cast<int>(rng() % 4);
          else if (shape == 2) count = 1 + static_cast<int>(rng() % (n * n / 4 + 1));
          else count = n * n;
          const int max_abs = rng() % 8 == 0 ? 32768 : (rng() % 2 ? 4 : 300);
          const auto lv = random_levels(rng, n, count, max_abs);
          if (!run_and_compare(lv, p)) {
            ++bad;
            if (first.empty()) first = describe(p);
          }
        }
        check(bad == 0, std::string(use_dst ? "DST" : "DCT") + " " + std::to_string(n) + "x" + std::to_string(n) +
                            " bitDepth " + std::to_string(bd) + " vs reference (" + std::to_string(bad) +
                            " bad) " + first);
      }
    }
  }

  // Every single-coefficient position (exercises the zero-skipping bounds).
  for (int log2 = 2; log2 <= 5; ++log2) {
    const int n = 1 << log2;
    int bad = 0;
    for (int pos = 0; pos < n * n; ++pos) {
      for (int sign : {1, -1}) {
        std::vector<int32_t> lv(n * n, 0);
        lv[pos] = sign * 37;
        ResidualBlockParams p;
        p.log2_size = log2;
        p.qp = 30;
        if (!run_and_compare(lv, p)) ++bad;
        p.dst = log2 == 2;
        if (!run_and_compare(lv, p)) ++bad;
      }
    }
    check(bad == 0, "single coefficient at every position, " + std::to_string(n) + "x" + std::to_string(n));
  }
}

void test_dc_only() {
  std::mt19937 rng(4242);
  int bad = 0;
  for (int log2 = 2; log2 <= 5; ++log2) {
    const int n = 1 << log2;
    for (int iter = 0; iter < 300; ++iter) {
      ResidualBlockParams p;
      p.log2_size = log2;
      p.bit_depth = iter % 2 ? 10 : 8;
      p.qp = static_cast<int>(rng() % 64);
      std::vector<int32_t> lv(n * n, 0);
      const int big = iter % 10 == 0 ? 32768 : 200;
      lv[0] = static_cast<int32_t>(rng() % (2 * big + 1)) - big;
      if (lv[0] == 0) lv[0] = 1;
      // The reference is the general (full matrix) path.
      if (!run_and_compare(lv, p)) ++bad;
      std::vector<int32_t> scratch = lv, dc_out(n * n);
      reconstruct_residual(scratch.data(), p, dc_out.data());
      bool constant = true;
      for (int i = 1; i < n * n; ++i) constant &= dc_out[i] == dc_out[0];
      if (!constant) ++bad;
    }
  }
  check(bad == 0, "DC-only blocks match the reference and are constant");

  // A non-zero level that scales to d = 0 must not disturb the result:
  // 32x32, 8-bit, qP 0, m = 1: (1 * 1 * 40 + 128) >> 8 = 0.
  {
    std::vector<uint8_t> sf(1024, 1);
    sf[0] = 16;
    ResidualBlockParams q;
    q.log2_size = 5;
    q.qp = 0;
    q.scaling_factor = sf.data();
    std::vector<int32_t> lv(1024, 0);
    lv[0] = 900;
    lv[5 * 32 + 7] = 1;
    lv[31 * 32 + 31] = -1;
    check(run_and_compare(lv, q), "levels scaling to zero around a DC");
  }

  // Known answer: 4x4, 8-bit, qP 4 (levelScale 64), level 64, m 16:
  // d = (64*16*64 + 16) >> 5 = 2048; g = (64*2048 + 64) >> 7 = 1024;
  // r = (64*1024 + 2048) >> 12 = 16.
  ResidualBlockParams p;
  p.log2_size = 2;
  p.qp = 4;
  int32_t lv[16] = {64};
  int32_t out[16];
  reconstruct_residual(lv, p, out);
  check(out[0] == 16 && out[15] == 16, "DC known answer 4x4");
  // DST with DC only is not flat.
  int32_t lv2[16] = {64};
  p.dst = true;
  reconstruct_residual(lv2, p, out);
  std::vector<int32_t> ref;
  reference_residual(std::vector<int32_t>{64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, p, ref);
  check(std::equal(out, out + 16, ref.begin()) && out[0] != out[15], "DST DC-only uses the DST basis");
}

void test_transform_skip_and_bypass() {
  std::mt19937 rng(99);
  std::vector<uint8_t> sf(1024);
  int bad = 0;
  for (int log2 = 2; log2 <= 5; ++log2) {
    const int n = 1 << log2;
    for (int iter = 0; iter < 200; ++iter) {
      ResidualBlockParams p;
      p.log2_size = log2;
      p.transform_skip = true;
      p.bit_depth = iter % 3 == 0 ? 10 : 8;
      p.qp = static_cast<int>(rng() % 64);
      if (log2 == 2 && iter % 2) {
        for (int i = 0; i < 16; ++i) sf[i] = static_cast<uint8_t>(1 + rng() % 255);
        p.scaling_factor = sf.data();
      }
      const auto lv = random_levels(rng, n, 1 + static_cast<int>(rng() % (n * n)), iter % 5 ? 100 : 32768);
      if (!run_and_compare(lv, p)) ++bad;
    }
  }
  check(bad == 0, "transform skip vs reference, all sizes");

  // Known answer, 4x4 8-bit (v1 rule: r = (d << 7 + 2048) >> 12):
  // qP 4, level 3 -> d = (3*16*64 + 16) >> 5 = 96 -> r = (12288 + 2048) >> 12 = 3.
  ResidualBlockParams p;
  p.log2_size = 2;
  p.qp = 4;
  p.transform_skip = true;
  int32_t lv[16] = {3, -3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
  int32_t out[16];
  reconstruct_residual(lv, p, out);
  check(out[0] == 3 && out[1] == -3 && out[2] == 0 && out[15] == 5, "transform skip known answer");

  // 10-bit transform skip: bdShift 10; qP 16 (levelScale 57 << 2), level 1:
  // d = (1*16*228 + 64) >> 7 = 29; r = (29 << 7 + 512) >> 10 = 4.
  p.bit_depth = 10;
  p.qp = 16;
  int32_t lv10[16] = {1};
  reconstruct_residual(lv10, p, out);
  check(out[0] == 4 && out[1] == 0, "10-bit transform skip known answer");

  // Bypass copies the levels untouched, whatever else is set.
  for (int log2 = 2; log2 <= 5; ++log2) {
    const int n = 1 << log2;
    auto lv2 = random_levels(rng, n, n * n / 2, 40000);
    const auto orig = lv2;
    std::vector<int32_t> got(n * n);
    ResidualBlockParams q;
    q.log2_size = log2;
    q.transquant_bypass = true;
    q.transform_skip = log2 == 2;
    q.dst = log2 == 2;
    q.qp = 40;
    reconstruct_residual(lv2.data(), q, got.data());
    check(got == orig, "transquant bypass copies levels, " + std::to_string(n) + "x" + std::to_string(n));
  }
}

void test_ten_bit() {
  // 10-bit: dequant bdShift grows by 2, final bdShift is 10.
  ResidualBlockParams p;
  p.log2_size = 3;
  p.bit_depth = 10;
  p.qp = 12 + 22;  // QpY 22 + QpBdOffset 12
  std::vector<int32_t> lv(64, 0);
  lv[0] = 10;
  lv[1] = -3;
  lv[8] = 2;
  lv[9] = 1;
  check(run_and_compare(lv, p), "10-bit 8x8 vs reference");
  // All-zero block gives a zero residual.
  std::vector<int32_t> z(1024, 0), out(1024, 7);
  p.log2_size = 5;
  reconstruct_residual(z.data(), p, out.data());
  check(std::all_of(out.begin(), out.end(), [](int32_t v) { return v == 0; }), "all-zero 32x32 gives zeros");
}

void benchmark() {
  // Informational only: `count` coefficients inside the top-left `region`
  // square (the typical shape of coded blocks), for each block size.
  std::mt19937 rng(1);
  for (int log2 : {2, 3, 4, 5}) {
    const int n = 1 << log2;
    for (int region : {1, 2, 4, 8, 32}) {
      if (region > n) continue;
      const int count = region == 1 ? 1 : region * region / 2;
      std::vector<std::vector<int32_t>> blocks;
      for (int i = 0; i < 64; ++i) {
        std::vector<int32_t> b(n * n, 0);
        for (int k = 0; k < count; ++k)
          b[(rng() % region) * n + rng() % region] = static_cast<int32_t>(rng() % 41) - 20;
        b[0] = 7;
        blocks.push_back(b);
      }
      std::vector<int32_t> scratch(n * n), out(n * n);
      ResidualBlockParams p;
      p.log2_size = log2;
      p.qp = 27;
      const int reps = 4000000 >> (2 * log2 - 4);
      const auto t0 = std::chrono::steady_clock::now();
      int64_t sink = 0;
      for (int r = 0; r < reps; ++r) {
        const auto& b = blocks[r & 63];
        std::memcpy(scratch.data(), b.data(), sizeof(int32_t) * n * n);
        reconstruct_residual(scratch.data(), p, out.data());
        sink += out[r % (n * n)];
      }
      const double ns =
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / reps;
      std::printf("bench %2dx%-2d region %2d: %8.1f ns/block (sink %lld)\n", n, n, region, ns,
                  static_cast<long long>(sink & 1));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  build_matrix();
  try {
    test_matrix_facts();
    test_default_scaling();
    test_scaling_list_round_trip();
    test_transforms();
    test_dc_only();
    test_transform_skip_and_bypass();
    test_ten_bit();
  } catch (const std::exception& e) {
    check(false, std::string("unexpected exception: ") + e.what());
  }
  if (argc > 1 && std::strcmp(argv[1], "--bench") == 0) benchmark();
  return codectok::test::report();
}
