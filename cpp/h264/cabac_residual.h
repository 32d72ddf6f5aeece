// CABAC residual block parsing of ITU-T H.264 (residual_block_cabac, clause
// 7.3.5.3.3, with the context index derivations of clauses 9.3.3.1.1.9 and
// 9.3.3.1.3) for frame-coded macroblocks.
//
// The caller owns the arithmetic decoding engine and the 1024 context
// variables (see cabac_init_tables.h) and derives coded_block_flag's
// ctxIdxInc from the neighbouring blocks (clause 9.3.3.1.1.9):
// ctxIdxInc = condTermFlagA + 2 * condTermFlagB.
#pragma once
#include <cstdint>

#include "bitstream/cabac_engine.h"

namespace codectok {
namespace h264 {

// ctxBlockCat, Table 9-42.
enum CtxBlockCat : int {
  kCatLumaDc16x16 = 0,  // Intra16x16DCLevel
  kCatLumaAc16x16 = 1,  // Intra16x16ACLevel
  kCatLuma4x4 = 2,      // LumaLevel4x4
  kCatChromaDc = 3,     // ChromaDCLevel
  kCatChromaAc = 4,     // ChromaACLevel
  kCatLuma8x8 = 5,      // LumaLevel8x8
  kCatCbDc16x16 = 6,
  kCatCbAc16x16 = 7,
  kCatCb4x4 = 8,
  kCatCb8x8 = 9,
  kCatCrDc16x16 = 10,
  kCatCrAc16x16 = 11,
  kCatCr4x4 = 12,
  kCatCr8x8 = 13,
};

// coded_block_flag_ctx_inc value meaning "coded_block_flag is not present"
// (8x8 blocks when ChromaArrayType != 3): it is inferred to be 1.
constexpr int kCodedBlockFlagInferred = -1;

constexpr int coded_block_flag_ctx_inc(bool cond_term_flag_a, bool cond_term_flag_b) {
  return (cond_term_flag_a ? 1 : 0) + (cond_term_flag_b ? 2 : 0);
}

// residual_block_cabac: decodes coded_block_flag (unless
// coded_block_flag_ctx_inc == kCodedBlockFlagInferred), the significance map
// and the levels; fills coeffLevel[0..maxNumCoeff-1] (list order, as in the
// syntax: zeros, then levels at startIdx..endIdx) and returns the number of
// non-zero coefficients (0 exactly when coded_block_flag is 0). coeffLevel
// null: the block is parsed the same, its levels are not stored (a caller
// that only needs the counts).
// num_c8x8 (NumC8x8 = 4 / (SubWidthC * SubHeightC): 1 for 4:2:0, 2 for 4:2:2)
// is used by chroma DC blocks only.
int residual_block_cabac(CabacDecoder& dec, uint16_t* ctx, int ctx_block_cat, int coded_block_flag_ctx_inc,
                         int start_idx, int end_idx, int max_num_coeff, int32_t coeffLevel[],
                         int num_c8x8 = 1);

// The same for the slice decoder's blocks, their parameters fixed by the category: 4x4 blocks
// of ctxBlockCat kCatLuma4x4 (16 coefficients), kCatLumaAc16x16 or kCatChromaAc (15), and the
// 8x8 luma blocks of 4:2:0 (64, coded_block_flag inferred). Unlike residual_block_cabac, only
// the non-zero levels are written to coeffLevel (when not null; the caller clears the list if it
// reads the rest), and their list indices, increasing, to positions (when coeffLevel and
// positions are not null; as many as the value returned).
int residual_block_cabac_4x4(CabacDecoder& dec, uint16_t* ctx, int ctx_block_cat, int coded_block_flag_ctx_inc,
                             int32_t coeffLevel[], uint8_t positions[]);
int residual_block_cabac_8x8(CabacDecoder& dec, uint16_t* ctx, int32_t coeffLevel[], uint8_t positions[]);

}  // namespace h264
}  // namespace codectok
