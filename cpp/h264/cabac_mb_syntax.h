// CABAC decoding of the macroblock-layer syntax elements of ITU-T H.264
// (clause 9.3: binarisations of 9.3.2, context indices of 9.3.3.1), other
// than the residual blocks (cabac_residual.h).
//
// Each decoder takes the 1024 context variables (cabac_init_tables.h) and,
// where the first bin's ctxIdxInc depends on neighbouring macroblocks or
// partitions (clause 9.3.3.1.1), that ctxIdxInc computed by the caller; the
// rule for each is recalled next to the function.
#pragma once
#include <cstdint>

#include "bitstream/cabac_engine.h"

namespace codectok {
namespace h264 {

// mb_skip_flag (ctxIdx 11..13 in P/SP slices, 24..26 in B slices).
// ctx_inc = condTermFlagA + condTermFlagB, condTermFlagN = mbAddrN available
// and mb_skip_flag(mbAddrN) == 0.
// Inline, like the other one-bin elements below: one call per macroblock or block otherwise.
inline bool decode_mb_skip_flag(CabacDecoder& dec, uint16_t* ctx, bool b_slice, int ctx_inc) {
  return dec.decode(ctx[(b_slice ? 24 : 11) + ctx_inc]) != 0;
}

// mb_type of an I slice (Table 7-11 values: 0 I_NxN, 1..24 I_16x16_*, 25
// I_PCM). ctx_inc = condTermFlagA + condTermFlagB, condTermFlagN = mbAddrN
// available and mb_type(mbAddrN) != I_NxN (and != SI in SI slices).
int decode_mb_type_i(CabacDecoder& dec, uint16_t* ctx, int ctx_inc);

// mb_type of a P/SP slice: 0 P_L0_16x16, 1 P_L0_L0_16x8, 2 P_L0_L0_8x16,
// 3 P_8x8 (P_8x8ref0 is not coded with CABAC), 5 + I mb_type for intra.
int decode_mb_type_p(CabacDecoder& dec, uint16_t* ctx);

// mb_type of a B slice: 0..22 as Table 7-14 (0 B_Direct_16x16 .. 22 B_8x8),
// 23 + I mb_type for intra. ctx_inc = condTermFlagA + condTermFlagB,
// condTermFlagN = mbAddrN available and mb_type(mbAddrN) is neither B_Skip
// nor B_Direct_16x16.
int decode_mb_type_b(CabacDecoder& dec, uint16_t* ctx, int ctx_inc);

// sub_mb_type: P (Table 7-17: 0 P_L0_8x8 .. 3 P_L0_4x4) and B (Table 7-18:
// 0 B_Direct_8x8 .. 12 B_Bi_4x4).
int decode_sub_mb_type_p(CabacDecoder& dec, uint16_t* ctx);
int decode_sub_mb_type_b(CabacDecoder& dec, uint16_t* ctx);

// mvd_lX[][][comp] (comp 0: horizontal, ctxIdx 40..46; 1: vertical, 47..53),
// UEG3 signed with uCoff 9. ctx_inc from mvd_ctx_inc(). Inline (one per vector component); the
// Exp-Golomb suffix of |mvd| >= 9 (rare) out of line.
uint32_t decode_mvd_suffix(CabacDecoder& dec);
inline int32_t decode_mvd(CabacDecoder& dec, uint16_t* ctx, int comp, int ctx_inc) {
  uint16_t* c = ctx + (comp ? 47 : 40);
  if (!dec.decode(c[ctx_inc])) return 0;
  // TU prefix, cMax = uCoff = 9: bins 1..8 use ctxIdxInc 3, 4, 5, 6, 6, 6, 6, 6.
  int prefix = 1;
  while (prefix < 9 && dec.decode(c[prefix < 4 ? prefix + 2 : 6])) ++prefix;
  uint32_t abs_value = static_cast<uint32_t>(prefix);
  if (prefix == 9) abs_value += decode_mvd_suffix(dec);
  const int32_t v = static_cast<int32_t>(abs_value);
  return dec.decode_bypass() ? -v : v;
}
// ctxIdxInc of the first mvd bin (clause 9.3.3.1.1.7) from
// absMvdComp = |mvdA| + |mvdB| of the neighbouring partitions (with the
// caller's field/frame scaling of the vertical component, none in frames).
constexpr int mvd_ctx_inc(int abs_mvd_comp_sum) {
  return abs_mvd_comp_sum < 3 ? 0 : abs_mvd_comp_sum <= 32 ? 1 : 2;
}

// ref_idx_lX (ctxIdx 54..59), unary. ctx_inc = condTermFlagA + 2 *
// condTermFlagB, condTermFlagN = partition N available, not skipped/direct
// predicted, not intra, predFlagLX == 1 and refIdxLX > 0 (clause 9.3.3.1.1.6).
int decode_ref_idx(CabacDecoder& dec, uint16_t* ctx, int ctx_inc);

// mb_qp_delta (ctxIdx 60..63), unary then Table 9-3 mapping. ctx_inc = 1 when
// the previous macroblock in decoding order of the slice has mb_qp_delta != 0
// (and is not skipped, I_PCM, or without residual), else 0.
int decode_mb_qp_delta(CabacDecoder& dec, uint16_t* ctx, int ctx_inc);

// prev_intra4x4_pred_mode_flag / prev_intra8x8_pred_mode_flag (ctxIdx 68)
// and rem_intra4x4_pred_mode / rem_intra8x8_pred_mode (ctxIdx 69, 3 bins FL).
inline bool decode_prev_intra_pred_mode_flag(CabacDecoder& dec, uint16_t* ctx) { return dec.decode(ctx[68]) != 0; }
int decode_rem_intra_pred_mode(CabacDecoder& dec, uint16_t* ctx);

// intra_chroma_pred_mode (ctxIdx 64..67), TU cMax 3. ctx_inc = condTermFlagA
// + condTermFlagB, condTermFlagN = mbAddrN available, intra (not I_PCM) and
// its intra_chroma_pred_mode != 0.
int decode_intra_chroma_pred_mode(CabacDecoder& dec, uint16_t* ctx, int ctx_inc);

// coded_block_pattern (prefix ctxIdx 73..76, suffix 77..84). cbp_a / cbp_b are
// the left / top macroblocks' patterns as CABAC sees them (see
// cabac_neighbour_cbp); chroma_present: ChromaArrayType is 1 or 2.
int decode_coded_block_pattern(CabacDecoder& dec, uint16_t* ctx, int cbp_a, int cbp_b, bool chroma_present);
// The coded_block_pattern of a neighbouring macroblock as the ctxIdxInc
// derivation of clause 9.3.3.1.1.4 uses it: unavailable -> luma 0xF (every
// condTermFlag 0) and chroma 0; I_PCM -> luma 0xF, chroma 2; P_Skip / B_Skip
// -> 0; otherwise its coded_block_pattern.
constexpr int cabac_neighbour_cbp(bool available, bool skipped, bool pcm, int coded_block_pattern) {
  return !available ? 0x0F : pcm ? 0x2F : skipped ? 0 : coded_block_pattern;
}

// transform_size_8x8_flag (ctxIdx 399..401). ctx_inc = condTermFlagA +
// condTermFlagB, condTermFlagN = mbAddrN available and its
// transform_size_8x8_flag == 1.
inline bool decode_transform_size_8x8_flag(CabacDecoder& dec, uint16_t* ctx, int ctx_inc) {
  return dec.decode(ctx[399 + ctx_inc]) != 0;
}

// end_of_slice_flag (DecodeTerminate).
inline bool decode_end_of_slice_flag(CabacDecoder& dec) { return dec.decode_terminate() != 0; }

}  // namespace h264
}  // namespace codectok
