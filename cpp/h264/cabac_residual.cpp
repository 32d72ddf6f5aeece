// residual_block_cabac, ITU-T H.264 clauses 7.3.5.3.3, 9.3.2.3 (UEG0 of
// coeff_abs_level_minus1), 9.3.3.1.1.9 and 9.3.3.1.3 (context indices),
// frame-coded macroblocks.
//
// ctxIdxOffset per ctxBlockCat from Table 9-34, ctxBlockCatOffset from
// Table 9-40, the 8x8 significance / last maps from Table 9-43 (frame-coded
// column); cross-checked against FFmpeg (h264_cabac.c) and x264 (cabac
// tables), which use the same values.
#include "h264/cabac_residual.h"

#include <string>

#include "bitstream/parse_error.h"

namespace codectok {
namespace h264 {
namespace {

// ctxIdxOffset (Table 9-34) of each syntax element per ctxBlockCat 0..13.
constexpr uint16_t kCodedBlockFlagOffset[14] = {85, 85, 85, 85, 85, 1012, 460, 460, 460, 1012, 472, 472, 472, 1012};
constexpr uint16_t kSignificantOffset[14] = {105, 105, 105, 105, 105, 402, 484, 484, 484, 660, 528, 528, 528, 718};
constexpr uint16_t kLastSignificantOffset[14] = {166, 166, 166, 166, 166, 417, 572, 572,
                                                 572, 690, 616, 616, 616, 748};
constexpr uint16_t kAbsLevelOffset[14] = {227, 227, 227, 227, 227, 426, 952, 952, 952, 708, 982, 982, 982, 766};
// ctxBlockCatOffset, Table 9-40.
constexpr uint8_t kCodedBlockFlagCatOffset[14] = {0, 4, 8, 12, 16, 0, 0, 4, 8, 4, 0, 4, 8, 8};
constexpr uint8_t kSignificantCatOffset[14] = {0, 15, 29, 44, 47, 0, 0, 15, 29, 0, 0, 15, 29, 0};
constexpr uint8_t kAbsLevelCatOffset[14] = {0, 10, 20, 30, 39, 0, 0, 10, 20, 0, 0, 10, 20, 0};

// Table 9-43: ctxIdxInc of significant_coeff_flag (frame-coded) and of
// last_significant_coeff_flag for 8x8 blocks, by levelListIdx 0..62.
constexpr uint8_t kSignificant8x8Frame[63] = {
    0,  1,  2,  3,  4,  5,  5,  4,  4,  3,  3,  4,  4,  4,  5, 5, 4,  4,  4,  4,  3,
    3,  6,  7,  7,  7,  8,  9,  10, 9,  8,  7,  7,  6,  11, 12, 13, 11, 6, 7,  8,  9,
    14, 10, 9,  8,  6,  11, 12, 13, 11, 6,  9,  14, 10, 9,  11, 12, 13, 11, 14, 10, 12};
constexpr uint8_t kLast8x8[63] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2,
                                  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4,
                                  4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8};

bool is_8x8_cat(int cat) { return cat == kCatLuma8x8 || cat == kCatCb8x8 || cat == kCatCr8x8; }

// Exp-Golomb suffix of order k, bypass-coded (clause 9.3.2.3).
uint32_t decode_exp_golomb_bypass(CabacDecoder& dec, int k, const char* what) {
  uint32_t value = 0;
  while (dec.decode_bypass()) {
    value += 1u << k;
    if (++k > 28) fail(ErrorCode::kInvalidSyntax, std::string(what) + ": Exp-Golomb suffix too long");
  }
  if (k > 0) value += dec.decode_bypass_bits(k);
  return value;
}

// coeff_abs_level_minus1's contexts (clause 9.3.3.1.3) by a state s of the levels decoded so far
// in the block: s = 0..3, no level above 1 and s levels equal to 1 (3: three or more); s = 4..7,
// s - 3 levels above 1 (7: four or more). bin0: ctxIdxInc 0 once a level above 1 was decoded,
// else 1 + numDecodAbsLevelEq1 (at most 4); bins 1..: 5 + numDecodAbsLevelGt1, at most 5 + 4
// (5 + 3 for chroma DC of ctxBlockCat 3).
struct LevelState {
  uint8_t bin0_inc[8];
  uint8_t gt1_inc[8];
  uint8_t gt1_inc_chroma_dc[8];
  uint8_t next[2][8];  // [the level is above 1][s]
};
constexpr LevelState kLevelState = {{1, 2, 3, 4, 0, 0, 0, 0},
                                    {5, 5, 5, 5, 6, 7, 8, 9},
                                    {5, 5, 5, 5, 6, 7, 8, 8},
                                    {{1, 2, 3, 3, 4, 5, 6, 7}, {4, 4, 4, 4, 5, 6, 7, 7}}};

// Kinds of significance map context derivation.
enum SigKind { kSig4x4, kSig8x8, kSigChromaDc };

// The block's syntax (coded_block_flag when cbf_inc is not kCodedBlockFlagInferred, the
// significance map, the levels); the engine in a local variable (its state in registers: the
// level stores and the byte reads could otherwise alias it), written back once. kLevels: the
// levels go to coeffLevel (only the non-zero ones: the caller clears the list) and their list
// indices, increasing, to positions (when not null).
template <bool kLevels, SigKind kKind>
int residual_block(CabacDecoder& engine, uint16_t* ctx, int cat, int coded_block_flag_ctx_inc, int start_idx,
                   int end_idx, int32_t coeffLevel[], int num_c8x8, uint8_t* positions) {
  if (coded_block_flag_ctx_inc != kCodedBlockFlagInferred) {
    const int idx = kCodedBlockFlagOffset[cat] + kCodedBlockFlagCatOffset[cat] + coded_block_flag_ctx_inc;
    if (!engine.decode(ctx[idx])) return 0;
  }
  CabacDecoder dec = engine;  // a coded block: the copy pays for itself

  // Significance map.
  uint16_t* sig = ctx + kSignificantOffset[cat] + kSignificantCatOffset[cat];
  uint16_t* last = ctx + kLastSignificantOffset[cat] + kSignificantCatOffset[cat];
  uint8_t local_significant[64];
  uint8_t* const significant = kLevels && positions ? positions : local_significant;
  int num_sig = 0;
  int num_coeff = end_idx + 1;
  for (int i = start_idx; i < num_coeff - 1; ++i) {
    int sig_inc, last_inc;
    if (kKind == kSig8x8) {
      sig_inc = kSignificant8x8Frame[i];
      last_inc = kLast8x8[i];
    } else if (kKind == kSigChromaDc) {
      sig_inc = last_inc = (i / num_c8x8 < 2) ? i / num_c8x8 : 2;
    } else {
      sig_inc = last_inc = i;
    }
    if (dec.decode(sig[sig_inc])) {
      significant[num_sig++] = static_cast<uint8_t>(i);
      if (dec.decode(last[last_inc])) {
        num_coeff = i + 1;
        break;
      }
    }
  }
  if (num_sig == 0 || significant[num_sig - 1] != num_coeff - 1) significant[num_sig++] = static_cast<uint8_t>(num_coeff - 1);

  // Levels, in reverse scan order. The ctxIdxInc of their bins (clause 9.3.3.1.3) follow from
  // numDecodAbsLevelEq1 / Gt1, tracked as one state (kLevelState).
  uint16_t* abs_ctx = ctx + kAbsLevelOffset[cat] + kAbsLevelCatOffset[cat];
  const uint8_t* const gt1_inc = kKind == kSigChromaDc ? kLevelState.gt1_inc_chroma_dc : kLevelState.gt1_inc;
  int state = 0;
  for (int k = num_sig - 1; k >= 0; --k) {
    uint32_t abs_minus1 = 0;
    if (dec.decode(abs_ctx[kLevelState.bin0_inc[state]])) {
      uint16_t& c = abs_ctx[gt1_inc[state]];
      state = kLevelState.next[1][state];
      abs_minus1 = 1;
      while (abs_minus1 < 14 && dec.decode(c)) ++abs_minus1;
      if (abs_minus1 == 14) {
        CabacDecoder suffix = dec;  // rare: the engine's address does not escape the hot loop
        abs_minus1 += decode_exp_golomb_bypass(suffix, 0, "coeff_abs_level_minus1");
        dec = suffix;
      }
    } else {
      state = kLevelState.next[0][state];
    }
    if (abs_minus1 > (1u << 30)) fail(ErrorCode::kInvalidSyntax, "coeff_abs_level_minus1 out of range");
    const int32_t level = static_cast<int32_t>(abs_minus1) + 1;
    const bool negative = dec.decode_bypass();
    if (kLevels) coeffLevel[significant[k]] = negative ? -level : level;
  }
  engine = dec;
  return num_sig;
}

template <bool kLevels>
int residual_block_of_kind(CabacDecoder& dec, uint16_t* ctx, int cat, int cbf_inc, int start_idx, int end_idx,
                           int max_num_coeff, int32_t coeffLevel[], int num_c8x8) {
  if (kLevels)
    for (int i = 0; i < max_num_coeff; ++i) coeffLevel[i] = 0;
  if (is_8x8_cat(cat))
    return residual_block<kLevels, kSig8x8>(dec, ctx, cat, cbf_inc, start_idx, end_idx, coeffLevel, num_c8x8, nullptr);
  if (cat == kCatChromaDc)
    return residual_block<kLevels, kSigChromaDc>(dec, ctx, cat, cbf_inc, start_idx, end_idx, coeffLevel, num_c8x8,
                                                 nullptr);
  return residual_block<kLevels, kSig4x4>(dec, ctx, cat, cbf_inc, start_idx, end_idx, coeffLevel, num_c8x8, nullptr);
}

}  // namespace

int residual_block_cabac(CabacDecoder& dec, uint16_t* ctx, int cat, int coded_block_flag_ctx_inc, int start_idx,
                         int end_idx, int max_num_coeff, int32_t coeffLevel[], int num_c8x8) {
  if (cat < 0 || cat > 13 || max_num_coeff < 1 || max_num_coeff > 64 || start_idx < 0 || end_idx < start_idx ||
      end_idx >= max_num_coeff || num_c8x8 < 1)
    fail(ErrorCode::kInvalidSyntax, "residual_block_cabac: bad block parameters");
  if (coeffLevel)
    return residual_block_of_kind<true>(dec, ctx, cat, coded_block_flag_ctx_inc, start_idx, end_idx, max_num_coeff,
                                        coeffLevel, num_c8x8);
  return residual_block_of_kind<false>(dec, ctx, cat, coded_block_flag_ctx_inc, start_idx, end_idx, max_num_coeff,
                                       nullptr, num_c8x8);
}

int residual_block_cabac_4x4(CabacDecoder& dec, uint16_t* ctx, int cat, int coded_block_flag_ctx_inc,
                             int32_t coeffLevel[], uint8_t positions[]) {
  const int end_idx = cat == kCatLuma4x4 ? 15 : 14;
  if (coeffLevel)
    return residual_block<true, kSig4x4>(dec, ctx, cat, coded_block_flag_ctx_inc, 0, end_idx, coeffLevel, 1,
                                         positions);
  return residual_block<false, kSig4x4>(dec, ctx, cat, coded_block_flag_ctx_inc, 0, end_idx, nullptr, 1, nullptr);
}

int residual_block_cabac_8x8(CabacDecoder& dec, uint16_t* ctx, int32_t coeffLevel[], uint8_t positions[]) {
  if (coeffLevel)
    return residual_block<true, kSig8x8>(dec, ctx, kCatLuma8x8, kCodedBlockFlagInferred, 0, 63, coeffLevel, 1,
                                         positions);
  return residual_block<false, kSig8x8>(dec, ctx, kCatLuma8x8, kCodedBlockFlagInferred, 0, 63, nullptr, 1, nullptr);
}

}  // namespace h264
}  // namespace codectok
