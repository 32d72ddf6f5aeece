// Clause 8.6.2 (scaling), 8.6.4 (transformation) of ITU-T H.265 v2+, with
// extended_precision_processing_flag = 0 (coeffMin/Max = -32768/32767).
#include "hevc/residual_reconstruction.h"
#include "hevc/transform_matrices.h"

#include <algorithm>
#include <cstring>

namespace codectok {
namespace {

constexpr int32_t kCoeffMin = -32768;
constexpr int32_t kCoeffMax = 32767;

inline int32_t clip_coeff(int64_t v) {
  return static_cast<int32_t>(v < kCoeffMin ? kCoeffMin : (v > kCoeffMax ? kCoeffMax : v));
}

// One-dimensional inverse DCT of clause 8.6.4.2 (y[i] = sum_j transMatrix[j][i] * x[j])
// by even/odd decomposition. Inputs: src[0], src[stride], ... of which only
// the first `nz` (>= 1) may be non-zero; the rest are not read. Writes the N
// unshifted outputs to dst[0..N-1]. With |x| <= 32768 every partial sum stays
// well inside int32 (32 * 90 * 32768 < 2^27).
template <int N>
inline void idct_1d(const int32_t* src, int stride, int nz, int32_t* dst) {
  if constexpr (N == 4) {
    const int32_t x0 = src[0];
    const int32_t x1 = nz > 1 ? src[stride] : 0;
    const int32_t x2 = nz > 2 ? src[2 * stride] : 0;
    const int32_t x3 = nz > 3 ? src[3 * stride] : 0;
    const int32_t e0 = 64 * (x0 + x2), e1 = 64 * (x0 - x2);
    const int32_t o0 = 83 * x1 + 36 * x3, o1 = 36 * x1 - 83 * x3;
    dst[0] = e0 + o0;
    dst[1] = e1 + o1;
    dst[2] = e1 - o1;
    dst[3] = e0 - o0;
  } else {
    if (nz == 1) {  // only x[0]: transMatrix[0][i] = 64 for every i
      const int32_t v = 64 * src[0];
      for (int i = 0; i < N; ++i) dst[i] = v;
      return;
    }
    constexpr int kHalf = N / 2;
    constexpr int kRowStep = 32 / N;
    int32_t even[kHalf];
    // Even inputs x[2j] form the N/2-point transform: T_N[2j][i] = T_{N/2}[j][i], i < N/2.
    idct_1d<kHalf>(src, 2 * stride, (nz + 1) >> 1, even);
    int32_t odd[kHalf] = {};
    for (int j = 1; j < nz; j += 2) {
      const int32_t v = src[j * stride];
      if (v == 0) continue;
      const int32_t* row = kDct32[j * kRowStep];
      for (int i = 0; i < kHalf; ++i) odd[i] += row[i] * v;
    }
    // Even basis functions are symmetric, odd ones antisymmetric.
    for (int i = 0; i < kHalf; ++i) {
      dst[i] = even[i] + odd[i];
      dst[N - 1 - i] = even[i] - odd[i];
    }
  }
}

inline void dst_1d(const int32_t* src, int stride, int nz, int32_t* dst) {
  int32_t x[4] = {0, 0, 0, 0};
  for (int j = 0; j < nz; ++j) x[j] = src[j * stride];
  for (int i = 0; i < 4; ++i)
    dst[i] = kDst4[0][i] * x[0] + kDst4[1][i] * x[1] + kDst4[2][i] * x[2] + kDst4[3][i] * x[3];
}

// Two-stage transform of clause 8.6.4.2 plus the final bdShift of 8.6.2.
// d: scaled coefficients, raster d[y * n + x]; only columns x < nz_cols and
// rows y < nz_rows may be non-zero.
template <int N>
void inverse_transform(const int32_t* d, int nz_cols, int nz_rows, bool use_dst, int bd_shift,
                       int32_t* residual) {
  int32_t g[N * N];
  int32_t line[N];
  const int32_t rnd = int32_t{1} << (bd_shift - 1);
  // Stage 1: each non-zero column x (vertical); g columns >= nz_cols stay unread.
  for (int x = 0; x < nz_cols; ++x) {
    bool any = false;
    for (int y = 0; y < nz_rows; ++y) any |= d[y * N + x] != 0;
    if (!any) {  // all-zero column: g column is zero
      for (int y = 0; y < N; ++y) g[y * N + x] = 0;
      continue;
    }
    if constexpr (N == 4) {
      if (use_dst) dst_1d(d + x, N, nz_rows, line);
      else idct_1d<4>(d + x, N, nz_rows, line);
    } else {
      idct_1d<N>(d + x, N, nz_rows, line);
    }
    for (int y = 0; y < N; ++y) g[y * N + x] = clip_coeff((int64_t{line[y]} + 64) >> 7);
  }
  // Stage 2: each row y (horizontal), reading only the first nz_cols entries.
  for (int y = 0; y < N; ++y) {
    const int32_t* grow = g + y * N;
    int32_t* out = residual + y * N;
    bool any = false;
    for (int x = 0; x < nz_cols; ++x) any |= grow[x] != 0;
    if (!any) {
      std::memset(out, 0, sizeof(int32_t) * N);  // (0 + rnd) >> bdShift == 0
      continue;
    }
    if constexpr (N == 4) {
      if (use_dst) dst_1d(grow, 1, nz_cols, line);
      else idct_1d<4>(grow, 1, nz_cols, line);
    } else {
      idct_1d<N>(grow, 1, nz_cols, line);
    }
    for (int x = 0; x < N; ++x) out[x] = (line[x] + rnd) >> bd_shift;
  }
}

}  // namespace

void reconstruct_residual(int32_t* levels, const ResidualBlockParams& p, int32_t* residual) {
  const int log2 = p.log2_size;
  const int n = 1 << log2;
  const int count = n * n;

  if (p.transquant_bypass) {
    std::memcpy(residual, levels, sizeof(int32_t) * count);
    return;
  }

  // --- Scaling (8.6.2/8.6.3), in place, tracking the non-zero region. ---
  // qP' lies in 0..51 + QpBdOffset (<= 99 for 16-bit); clamping only keeps a
  // caller bug from turning into undefined shifts.
  const int qp = std::min(std::max(p.qp, 0), 99);
  const int scale_bd_shift = p.bit_depth + log2 - 5;  // BitDepth + Log2(nTbS) + 10 - 15
  const int64_t scale_rnd = int64_t{1} << (scale_bd_shift - 1);
  const int64_t level_scale = int64_t{kLevelScale[qp % 6]} << (qp / 6);
  int last_row = -1, last_col = -1;
  const uint8_t* m = p.scaling_factor;
  if (p.nonzero) {
    for (int k = 0; k < p.num_nonzero; ++k) {
      const int pos = static_cast<int>(p.nonzero[k] >> 16);
      const int32_t level = levels[pos];
      const int64_t factor = m ? int64_t{m[pos]} : 16;
      const int32_t d = clip_coeff((level * factor * level_scale + scale_rnd) >> scale_bd_shift);
      levels[pos] = d;
      if (d != 0) {
        last_row = std::max(last_row, pos >> log2);
        last_col = std::max(last_col, pos & (n - 1));
      }
    }
  }
  for (int y = 0; y < n && !p.nonzero; ++y) {
    int32_t* row = levels + y * n;
    int32_t any = 0;
    for (int x = 0; x < n; ++x) any |= row[x];  // cheap all-zero row test
    if (any == 0) continue;
    for (int x = 0; x < n; ++x) {
      const int32_t level = row[x];
      if (level == 0) continue;
      const int64_t factor = m ? int64_t{m[y * n + x]} : 16;
      const int32_t d = clip_coeff((level * factor * level_scale + scale_rnd) >> scale_bd_shift);
      row[x] = d;
      if (d != 0) {
        last_row = y;
        if (x > last_col) last_col = x;
      }
    }
  }

  const int bd_shift = std::max(20 - p.bit_depth, 1);  // Max(20 - bitDepth, 0); >= 1 for bitDepth <= 16
  if (last_row < 0) {
    std::memset(residual, 0, sizeof(int32_t) * count);
    return;
  }

  if (p.transform_skip) {
    // 8.6.4.2 (v2+): r = d << tsShift, tsShift = 5 + Log2(nTbS); then bdShift.
    const int ts_shift = 5 + log2;
    const int64_t rnd = int64_t{1} << (bd_shift - 1);
    for (int i = 0; i < count; ++i)
      residual[i] = static_cast<int32_t>((int64_t{levels[i]} * (int64_t{1} << ts_shift) + rnd) >> bd_shift);
    return;
  }

  const bool use_dst = p.dst && log2 == 2;
  if (last_row == 0 && last_col == 0 && !use_dst) {
    // DC only: both stages produce constant lines (transMatrix[0][i] = 64).
    const int32_t g = clip_coeff((int64_t{levels[0]} * 64 + 64) >> 7);
    const int32_t v = (g * 64 + (int32_t{1} << (bd_shift - 1))) >> bd_shift;
    std::fill(residual, residual + count, v);
    return;
  }

  const int nz_cols = last_col + 1, nz_rows = last_row + 1;
  switch (log2) {
    case 2: inverse_transform<4>(levels, nz_cols, nz_rows, use_dst, bd_shift, residual); break;
    case 3: inverse_transform<8>(levels, nz_cols, nz_rows, false, bd_shift, residual); break;
    case 4: inverse_transform<16>(levels, nz_cols, nz_rows, false, bd_shift, residual); break;
    default: inverse_transform<32>(levels, nz_cols, nz_rows, false, bd_shift, residual); break;
  }
}

}  // namespace codectok
