// CABAC macroblock-layer syntax elements, ITU-T H.264 clause 9.3.
//
// Binarisations: mb_type and sub_mb_type trees of Tables 9-36 and 9-37; U,
// TU, FL and UEGk of clause 9.3.2. Context indices: Table 9-34 (ctxIdxOffset)
// and Table 9-39 (ctxIdxInc per binIdx, with clause 9.3.3.1.2 for the bins
// that depend on earlier bins). The bin-to-context assignments were
// cross-checked against FFmpeg's h264_cabac.c and envytools' h264_se.c.
#include "h264/cabac_mb_syntax.h"

#include "bitstream/parse_error.h"

namespace codectok {
namespace h264 {
namespace {

constexpr int kCtxMbTypeI = 3;
constexpr int kCtxMbTypePPrefix = 14;
constexpr int kCtxMbTypePSuffix = 17;
constexpr int kCtxSubMbTypeP = 21;
constexpr int kCtxMbTypeBPrefix = 27;
constexpr int kCtxMbTypeBSuffix = 32;
constexpr int kCtxSubMbTypeB = 36;
constexpr int kCtxRefIdx = 54;
constexpr int kCtxMbQpDelta = 60;
constexpr int kCtxIntraChromaPredMode = 64;
constexpr int kCtxRemIntraPredMode = 69;
constexpr int kCtxCbpLuma = 73;
constexpr int kCtxCbpChroma = 77;

// The I macroblock types after their prefix (Table 9-36): in I slices
// (ctxIdxOffset 3, bin0 ctxIdx 3 + ctx_inc) or as the suffix of P/B mb_type
// (ctxIdxOffset 17 / 32, bin0 ctxIdxInc 0). Returns the I mb_type 0..25.
int decode_intra_mb_type(CabacDecoder& dec, uint16_t* ctx, int offset, int bin0_inc, bool intra_slice) {
  if (!dec.decode(ctx[offset + bin0_inc])) return 0;  // I_NxN
  if (dec.decode_terminate()) return 25;              // I_PCM
  // ctxIdxInc of binIdx 2.. (Table 9-39): I slices 3, 4, (b3 ? 5 : 6),
  // (b3 ? 6 : 7), 7; prefix/suffix in P/B: 1, 2, (b3 ? 2 : 3), 3, 3.
  const int inc_luma = intra_slice ? 3 : 1;
  const int inc_chroma = intra_slice ? 4 : 2;
  int mb_type = 1;
  if (dec.decode(ctx[offset + inc_luma])) mb_type += 12;  // CodedBlockPatternLuma 15
  if (dec.decode(ctx[offset + inc_chroma])) {             // CodedBlockPatternChroma != 0
    const int inc_b4 = intra_slice ? 5 : 2;
    mb_type += dec.decode(ctx[offset + inc_b4]) ? 8 : 4;
    const int inc_b5 = intra_slice ? 6 : 3;
    const int inc_b6 = intra_slice ? 7 : 3;
    mb_type += 2 * dec.decode(ctx[offset + inc_b5]);
    mb_type += dec.decode(ctx[offset + inc_b6]);
  } else {
    const int inc_b4 = intra_slice ? 6 : 3;
    const int inc_b5 = intra_slice ? 7 : 3;
    mb_type += 2 * dec.decode(ctx[offset + inc_b4]);
    mb_type += dec.decode(ctx[offset + inc_b5]);
  }
  return mb_type;
}

}  // namespace

int decode_mb_type_i(CabacDecoder& dec, uint16_t* ctx, int ctx_inc) {
  return decode_intra_mb_type(dec, ctx, kCtxMbTypeI, ctx_inc, true);
}

int decode_mb_type_p(CabacDecoder& dec, uint16_t* ctx) {
  // Prefix bins: b0 ctxIdxInc 0, b1 1, b2 (b1 != 1) ? 2 : 3.
  if (dec.decode(ctx[kCtxMbTypePPrefix + 0])) return 5 + decode_intra_mb_type(dec, ctx, kCtxMbTypePSuffix, 0, false);
  if (!dec.decode(ctx[kCtxMbTypePPrefix + 1])) {
    return dec.decode(ctx[kCtxMbTypePPrefix + 2]) ? 3 : 0;  // "001" P_8x8, "000" P_L0_16x16
  }
  return dec.decode(ctx[kCtxMbTypePPrefix + 3]) ? 1 : 2;  // "011" 16x8, "010" 8x16
}

int decode_mb_type_b(CabacDecoder& dec, uint16_t* ctx, int ctx_inc) {
  // Prefix bins: b0 ctxIdxInc 0..2 (neighbours), b1 3, b2 (b1 != 0) ? 4 : 5,
  // b3.. 5.
  if (!dec.decode(ctx[kCtxMbTypeBPrefix + ctx_inc])) return 0;  // "0" B_Direct_16x16
  if (!dec.decode(ctx[kCtxMbTypeBPrefix + 3])) {
    return dec.decode(ctx[kCtxMbTypeBPrefix + 5]) ? 2 : 1;  // "101" B_L1_16x16, "100" B_L0_16x16
  }
  int bits = dec.decode(ctx[kCtxMbTypeBPrefix + 4]) << 3;
  bits |= dec.decode(ctx[kCtxMbTypeBPrefix + 5]) << 2;
  bits |= dec.decode(ctx[kCtxMbTypeBPrefix + 5]) << 1;
  bits |= dec.decode(ctx[kCtxMbTypeBPrefix + 5]);
  // "11 b2 b3 b4 b5": b2 == 0 -> 3 + b3b4b5 (B_Bi_16x16 .. B_L1_L0_16x8).
  if (bits < 8) return 3 + bits;
  if (bits == 13) return 23 + decode_intra_mb_type(dec, ctx, kCtxMbTypeBSuffix, 0, false);  // "111101"
  if (bits == 14) return 11;                                                                 // "111110"
  if (bits == 15) return 22;                                                                 // "111111" B_8x8
  // "1 1 1 b3 b4 b5 b6" with b3b4b5 in 000..100: 12 + b3b4b5b6.
  bits = (bits << 1) | dec.decode(ctx[kCtxMbTypeBPrefix + 5]);
  return bits - 4;
}

int decode_sub_mb_type_p(CabacDecoder& dec, uint16_t* ctx) {
  // "1" P_L0_8x8, "00" P_L0_8x4, "011" P_L0_4x8, "010" P_L0_4x4.
  if (dec.decode(ctx[kCtxSubMbTypeP + 0])) return 0;
  if (!dec.decode(ctx[kCtxSubMbTypeP + 1])) return 1;
  return dec.decode(ctx[kCtxSubMbTypeP + 2]) ? 2 : 3;
}

int decode_sub_mb_type_b(CabacDecoder& dec, uint16_t* ctx) {
  // Bins: b0 ctxIdxInc 0, b1 1, b2 (b1 != 0) ? 2 : 3, b3.. 3.
  if (!dec.decode(ctx[kCtxSubMbTypeB + 0])) return 0;                                   // "0"
  if (!dec.decode(ctx[kCtxSubMbTypeB + 1])) return 1 + dec.decode(ctx[kCtxSubMbTypeB + 3]);  // "10x"
  if (dec.decode(ctx[kCtxSubMbTypeB + 2])) {
    if (dec.decode(ctx[kCtxSubMbTypeB + 3])) return 11 + dec.decode(ctx[kCtxSubMbTypeB + 3]);  // "1111x"
    int type = 7;                                                                                // "1110xy"
    type += 2 * dec.decode(ctx[kCtxSubMbTypeB + 3]);
    type += dec.decode(ctx[kCtxSubMbTypeB + 3]);
    return type;
  }
  int type = 3;  // "110xy"
  type += 2 * dec.decode(ctx[kCtxSubMbTypeB + 3]);
  type += dec.decode(ctx[kCtxSubMbTypeB + 3]);
  return type;
}

uint32_t decode_mvd_suffix(CabacDecoder& dec) {
  // Exp-Golomb suffix of order 3, bypass (clause 9.3.2.3).
  uint32_t value = 0;
  int k = 3;
  while (dec.decode_bypass()) {
    value += 1u << k;
    if (++k > 24) fail(ErrorCode::kInvalidSyntax, "mvd: Exp-Golomb suffix too long");
  }
  return value + dec.decode_bypass_bits(k);
}

int decode_ref_idx(CabacDecoder& dec, uint16_t* ctx, int ctx_inc) {
  // U binarisation: bin0 ctxIdxInc 0..3, bin1 4, bins 2.. 5.
  int value = 0;
  int inc = ctx_inc;
  while (dec.decode(ctx[kCtxRefIdx + inc])) {
    ++value;
    inc = value == 1 ? 4 : 5;
    if (value > 31) fail(ErrorCode::kInvalidSyntax, "ref_idx above 31");
  }
  return value;
}

int decode_mb_qp_delta(CabacDecoder& dec, uint16_t* ctx, int ctx_inc) {
  // U binarisation: bin0 ctxIdxInc 0..1, bin1 2, bins 2.. 3.
  int k = 0;
  int inc = ctx_inc;
  while (dec.decode(ctx[kCtxMbQpDelta + inc])) {
    ++k;
    inc = k == 1 ? 2 : 3;
    if (k > 2 * 64) fail(ErrorCode::kInvalidSyntax, "mb_qp_delta out of range");
  }
  // Table 9-3: codeNum k -> (-1)^(k+1) * Ceil(k / 2).
  return (k & 1) ? (k + 1) / 2 : -(k / 2);
}

int decode_rem_intra_pred_mode(CabacDecoder& dec, uint16_t* ctx) {
  // FL, cMax 7: the first bin is the least significant.
  int v = dec.decode(ctx[kCtxRemIntraPredMode]);
  v |= dec.decode(ctx[kCtxRemIntraPredMode]) << 1;
  v |= dec.decode(ctx[kCtxRemIntraPredMode]) << 2;
  return v;
}

int decode_intra_chroma_pred_mode(CabacDecoder& dec, uint16_t* ctx, int ctx_inc) {
  // TU cMax 3: bin0 ctxIdxInc 0..2, bins 1, 2: 3.
  if (!dec.decode(ctx[kCtxIntraChromaPredMode + ctx_inc])) return 0;
  if (!dec.decode(ctx[kCtxIntraChromaPredMode + 3])) return 1;
  return dec.decode(ctx[kCtxIntraChromaPredMode + 3]) ? 3 : 2;
}

int decode_coded_block_pattern(CabacDecoder& dec, uint16_t* ctx, int cbp_a, int cbp_b, bool chroma_present) {
  // Prefix: one bin per 8x8 luma block b8 (FL, b8 = binIdx), ctxIdxInc =
  // condTermFlagA + 2 * condTermFlagB with condTermFlagN = 1 when the 8x8
  // block to the left / above has its bit clear (clause 9.3.3.1.1.4).
  auto cond = [](int cbp, int b8) { return ((cbp >> b8) & 1) == 0 ? 1 : 0; };
  int luma = 0;
  luma |= dec.decode(ctx[kCtxCbpLuma + cond(cbp_a, 1) + 2 * cond(cbp_b, 2)]);
  luma |= dec.decode(ctx[kCtxCbpLuma + cond(luma, 0) + 2 * cond(cbp_b, 3)]) << 1;
  luma |= dec.decode(ctx[kCtxCbpLuma + cond(cbp_a, 3) + 2 * cond(luma, 0)]) << 2;
  luma |= dec.decode(ctx[kCtxCbpLuma + cond(luma, 2) + 2 * cond(luma, 1)]) << 3;
  if (!chroma_present) return luma;
  // Suffix: TU cMax 2. bin0 condTermFlagN = chroma(N) != 0, bin1 chroma(N) == 2.
  const int chroma_a = (cbp_a >> 4) & 3;
  const int chroma_b = (cbp_b >> 4) & 3;
  int inc = (chroma_a != 0 ? 1 : 0) + (chroma_b != 0 ? 2 : 0);
  if (!dec.decode(ctx[kCtxCbpChroma + inc])) return luma;
  inc = 4 + (chroma_a == 2 ? 1 : 0) + (chroma_b == 2 ? 2 : 0);
  return luma | ((dec.decode(ctx[kCtxCbpChroma + inc]) ? 2 : 1) << 4);
}

}  // namespace h264
}  // namespace codectok
