// residual_coding() (clause 7.3.8.11) with its context selection
// (9.3.4.2.5-7): parses the levels of one transform block into coeffs_ and
// hands them on (transform_block.cpp).
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "bitstream/parse_error.h"
#include "hevc/scan_order.h"
#include "hevc/slice_decoder.h"

namespace codectok {


namespace {

inline int decode_coeff_abs_level_remaining(CabacDecoder& cabac, int rice) {
  int prefix = 0;
  while (cabac.decode_bypass()) {
    if (++prefix > 32) fail(ErrorCode::kInvalidSyntax, "coeff_abs_level_remaining prefix too long");
  }
  if (prefix <= 3) return (prefix << rice) + static_cast<int>(cabac.decode_bypass_bits(rice));
  int bits = prefix - 3 + rice;
  if (bits > 30) fail(ErrorCode::kInvalidSyntax, "coeff_abs_level_remaining too large");
  uint32_t suffix = cabac.decode_bypass_bits(bits);
  int64_t v = ((int64_t{1} << (prefix - 3)) + 2) * (int64_t{1} << rice) + suffix;
  if (v > 32768 * 2) fail(ErrorCode::kInvalidSyntax, "coeff_abs_level_remaining too large");
  return static_cast<int>(v);
}

// sigCtx (clause 9.3.4.2.5) for the 16 positions of a sub-block, in scan
// order, for every case: [chroma][log2_size - 2][scan_idx][prev_csbf][sub-block != (0,0)].
struct SigCtxTables {
  uint8_t ctx[2][4][3][4][2][16];
};
constexpr SigCtxTables make_sig_ctx_tables() {
  // ctxIdxMap of clause 9.3.4.2.5 (4x4 blocks).
  constexpr uint8_t kMap4x4[16] = {0, 1, 4, 5, 2, 3, 4, 5, 6, 6, 8, 8, 7, 7, 8, 8};
  SigCtxTables t{};
  for (int chroma = 0; chroma < 2; ++chroma)
    for (int l = 0; l < 4; ++l)
      for (int scan = 0; scan < 3; ++scan)
        for (int prev = 0; prev < 4; ++prev)
          for (int not_first = 0; not_first < 2; ++not_first) {
            const ScanPos* pos = scan_order(2, scan);
            int log2_size = l + 2;
            for (int k = 0; k < 16; ++k) {
              int xp = pos[k].x, yp = pos[k].y;
              int sig = 0;
              if (log2_size == 2) {
                sig = kMap4x4[(yp << 2) + xp];
              } else if (!not_first && xp + yp == 0) {
                sig = 0;
              } else {
                if (prev == 0)
                  sig = (xp + yp == 0) ? 2 : (xp + yp < 3) ? 1 : 0;
                else if (prev == 1)
                  sig = yp == 0 ? 2 : yp == 1 ? 1 : 0;
                else if (prev == 2)
                  sig = xp == 0 ? 2 : xp == 1 ? 1 : 0;
                else
                  sig = 2;
                if (!chroma) {
                  if (not_first) sig += 3;
                  sig += log2_size == 3 ? (scan == 0 ? 9 : 15) : 21;
                } else {
                  sig += log2_size == 3 ? 9 : 12;
                }
              }
              t.ctx[chroma][l][scan][prev][not_first][k] = static_cast<uint8_t>(sig + (chroma ? 27 : 0));
            }
          }
  return t;
}
constexpr SigCtxTables kSigCtx = make_sig_ctx_tables();

// The raster offset (y << log2_size | x) inside a block of the 16 positions of
// a sub-block in scan order, relative to the sub-block's top-left position:
// [log2_size - 2][scan_idx][n].
struct SubBlockOffsetTables {
  uint16_t offset[4][3][16];
};
constexpr SubBlockOffsetTables make_sub_block_offset_tables() {
  SubBlockOffsetTables t{};
  for (int l = 0; l < 4; ++l)
    for (int scan = 0; scan < 3; ++scan)
      for (int k = 0; k < 16; ++k) {
        const ScanPos p = scan_order(2, scan)[k];
        t.offset[l][scan][k] = static_cast<uint16_t>((p.y << (l + 2)) | p.x);
      }
  return t;
}
constexpr SubBlockOffsetTables kSubBlockOffset = make_sub_block_offset_tables();

}  // namespace

void SliceDecoder::residual_coding(int x0, int y0, int log2_size, int c_idx) {
  // A local copy of the engine lets the compiler keep it in registers.
  CabacDecoder cabac = cabac_;
  uint16_t* const ctx = ctx_.state;
  bool transform_skip = false;
  if (pps_.transform_skip_enabled && !cu_transquant_bypass_ && log2_size <= pps_.log2_max_transform_skip_block_size)
    transform_skip = cabac.decode(ctx[kCtxTransformSkipFlag + (c_idx ? 1 : 0)]);

  // last_sig_coeff_{x,y}_prefix / suffix
  int ctx_offset, ctx_shift;
  if (c_idx == 0) {
    ctx_offset = 3 * (log2_size - 2) + ((log2_size - 1) >> 2);
    ctx_shift = (log2_size + 1) >> 2;
  } else {
    ctx_offset = 15;
    ctx_shift = log2_size - 2;
  }
  const int cmax = (log2_size << 1) - 1;
  int px = 0, py = 0;
  while (px < cmax && cabac.decode(ctx[kCtxLastSigCoeffXPrefix + ctx_offset + (px >> ctx_shift)])) ++px;
  while (py < cmax && cabac.decode(ctx[kCtxLastSigCoeffYPrefix + ctx_offset + (py >> ctx_shift)])) ++py;
  int last_x = px, last_y = py;
  if (px > 3) {
    int nb = (px >> 1) - 1;
    last_x = (1 << nb) * (2 + (px & 1)) + static_cast<int>(cabac.decode_bypass_bits(nb));
  }
  if (py > 3) {
    int nb = (py >> 1) - 1;
    last_y = (1 << nb) * (2 + (py & 1)) + static_cast<int>(cabac.decode_bypass_bits(nb));
  }
  int scan_idx = 0;
  if (cu_pred_mode_ == kModeIntra && (log2_size == 2 || (log2_size == 3 && c_idx == 0))) {
    int pm = c_idx == 0 ? pic_.intra_mode[static_cast<size_t>(y0 >> 2) * pic_.w4 + (x0 >> 2)] : intra_pred_mode_c_;
    if (pm >= 6 && pm <= 14)
      scan_idx = 2;
    else if (pm >= 22 && pm <= 30)
      scan_idx = 1;
  }
  if (scan_idx == 2) std::swap(last_x, last_y);

  const int log2_sb = log2_size - 2;
  const int nsb = 1 << log2_sb;
  const ScanPos* sb_scan = scan_order(log2_sb, scan_idx);
  const uint16_t* const pos_offset = kSubBlockOffset.offset[log2_size - 2][scan_idx];
  // last_x, last_y < 1 << log2_size: the prefix is at most 2 * log2_size - 2 and its suffix keeps the value below that.
  const int last_sb = scan_index(log2_sb, scan_idx, last_x >> 2, last_y >> 2);
  const int last_pos = scan_index(2, scan_idx, last_x & 3, last_y & 3);

  // coeffs_ is all zero here (restored after every block).
  uint8_t csbf[8][8];
  std::memset(csbf, 0, sizeof(csbf));
  int greater1_prev = -1;  // greater1Ctx after the previous sub-block with coefficients (-1: none yet)
  const bool sdh_allowed = pps_.sign_data_hiding_enabled && !cu_transquant_bypass_;
  const int g1_base = kCtxCoeffAbsLevelGreater1 + (c_idx ? 16 : 0);
  const int g2_base = kCtxCoeffAbsLevelGreater2 + (c_idx ? 4 : 0);
  int nnz = 0;
  uint32_t nz[1024];  // (position << 16) | uint16 level, position = y << log2_size | x
  // Levels are stored (coeffs_, nz) only for a consumer: the statistics sink, or the luma residual.
  const bool keep_levels = pic_.block_sink != nullptr || (c_idx == 0 && pic_.residual != nullptr);

  for (int i = last_sb; i >= 0; --i) {
    const int xs = sb_scan[i].x, ys = sb_scan[i].y;
    bool infer_sb_dc = false;
    if (i < last_sb && i > 0) {
      int c = (xs < nsb - 1 ? csbf[xs + 1][ys] : 0) + (ys < nsb - 1 ? csbf[xs][ys + 1] : 0);
      csbf[xs][ys] = static_cast<uint8_t>(cabac.decode(ctx[kCtxCodedSubBlockFlag + std::min(c, 1) + (c_idx ? 2 : 0)]));
      infer_sb_dc = true;
    } else {
      csbf[xs][ys] = 1;
    }
    int sig_n[16];
    int nsig = 0;
    int start = 15;
    if (i == last_sb) {
      start = last_pos - 1;
      sig_n[nsig++] = last_pos;
    }
    if (csbf[xs][ys]) {
      int prev_csbf = (xs < nsb - 1 ? csbf[xs + 1][ys] : 0) | ((ys < nsb - 1 ? csbf[xs][ys + 1] : 0) << 1);
      const uint8_t* sig_ctx = kSigCtx.ctx[c_idx ? 1 : 0][log2_size - 2][scan_idx][prev_csbf][(xs | ys) ? 1 : 0];
      int k = start;
      for (; k > 0; --k) {
        // Branch-free: significance is a coin toss for the branch predictor.
        const int sig = cabac.decode(ctx[kCtxSigCoeffFlag + sig_ctx[k]]);
        sig_n[nsig] = k;
        nsig += sig;
      }
      if (k == 0) {
        if (infer_sb_dc && nsig == 0) {
          sig_n[nsig++] = 0;  // inferred DC of a coded sub-block whose other flags are all 0
        } else {
          const int sig = cabac.decode(ctx[kCtxSigCoeffFlag + sig_ctx[0]]);
          sig_n[nsig] = 0;
          nsig += sig;
        }
      }
    }
    if (nsig == 0) continue;

    // coeff_abs_level_greater1_flag / greater2
    int ctx_set = (i == 0 || c_idx > 0) ? 0 : 2;
    if (greater1_prev == 0) ++ctx_set;
    int greater1_ctx = 1;
    uint32_t g1_flags = 0;  // bit k: coeff_abs_level_greater1_flag of the k-th significant level
    const int n_g1 = std::min(nsig, 8);
    uint16_t* const g1_ctx = ctx + g1_base + ctx_set * 4;
    for (int k = 0; k < n_g1; ++k) {
      const int g = cabac.decode(g1_ctx[std::min(3, greater1_ctx)]);
      g1_flags |= static_cast<uint32_t>(g) << k;
      greater1_ctx = g ? 0 : greater1_ctx + (greater1_ctx > 0 ? 1 : 0);
    }
    greater1_prev = greater1_ctx;
    // Base levels: 1 + greater1 (+ greater2 at the first greater1 level); the level is escaped
    // (coeff_abs_level_remaining follows) where the base reaches its maximum: 3 at the first
    // greater1 level, 2 at the other greater1 levels, 1 past the first 8.
    const int first_g1 = g1_flags ? __builtin_ctz(g1_flags) : 16;
    int g2 = 0;
    if (g1_flags) g2 = cabac.decode(ctx[g2_base + ctx_set]);
    const bool sign_hidden = sdh_allowed && (sig_n[0] - sig_n[nsig - 1] > 3);
    const int nsigns = sign_hidden ? nsig - 1 : nsig;
    uint32_t signs = nsigns ? cabac.decode_bypass_bits(nsigns) << (32 - nsigns) : 0;
    int rice = 0;
    if (!keep_levels) {
      // No level kept: only the escaped levels are read, for their bins and the Rice
      // parameter they update (the signs and the other levels change nothing parsed next,
      // but the range check below, which needs a sign only past 32767).
      uint32_t escaped = g1_flags & 0xFF;
      if (g1_flags) escaped = (escaped & ~(1u << first_g1)) | (static_cast<uint32_t>(g2) << first_g1);
      int sum_sb = nsig + __builtin_popcount(g1_flags) + g2;  // grows to the sub-block's sum of levels
      // k: the escaped levels among the first 8 in order, then every level past them.
      for (int k = escaped ? __builtin_ctz(escaped) : 8; k < nsig;) {
        const int base = k >= 8 ? 1 : k == first_g1 ? 3 : 2;
        const int abs_level = base + decode_coeff_abs_level_remaining(cabac, rice);
        if (abs_level > 3 * (1 << rice)) rice = std::min(rice + 1, 4);
        sum_sb += abs_level - base;
        if (abs_level > 32767) {
          // k == nsig - 1 has the hidden sign: every level is in sum_sb by now.
          const bool negative = k < nsigns ? (signs >> (31 - k)) & 1 : sum_sb & 1;
          if (!negative || abs_level != 32768) fail(ErrorCode::kInvalidSyntax, "coefficient level out of range");
        }
        if (k < 8) {
          escaped &= escaped - 1;
          k = escaped ? __builtin_ctz(escaped) : 8;
        } else {
          ++k;
        }
      }
      continue;
    }
    int sum_sb = 0;
    const int sb_origin = (ys << (2 + log2_size)) + (xs << 2);
    for (int k = 0; k < nsig; ++k) {
      int abs_level;
      if (k < 8) {
        const int g1 = (g1_flags >> k) & 1;
        abs_level = 1 + g1;
        bool escape = g1;
        if (k == first_g1) {
          abs_level += g2;
          escape = g2;
        }
        if (escape) {
          abs_level += decode_coeff_abs_level_remaining(cabac, rice);
          if (abs_level > 3 * (1 << rice)) rice = std::min(rice + 1, 4);
        }
      } else {
        abs_level = 1 + decode_coeff_abs_level_remaining(cabac, rice);
        if (abs_level > 3 * (1 << rice)) rice = std::min(rice + 1, 4);
      }
      sum_sb += abs_level;
      int level = abs_level;
      if (k < nsigns) {
        if (signs & 0x80000000u) level = -level;
        signs <<= 1;
      } else if (sum_sb & 1) {
        level = -level;  // hidden sign of the first coefficient in scan order
      }
      if (abs_level > 32767 && level != -32768) fail(ErrorCode::kInvalidSyntax, "coefficient level out of range");
      if (keep_levels) {
        const int pos = sb_origin + pos_offset[sig_n[k]];
        coeffs_[pos] = level;
        nz[nnz++] = (static_cast<uint32_t>(pos) << 16) | static_cast<uint16_t>(level);
      }
    }
  }

  cabac_ = cabac;
  if (keep_levels) transform_block(x0, y0, log2_size, c_idx, transform_skip, nz, nnz);
}

}  // namespace codectok
