// CAVLC residual parsing of ITU-T H.264 clause 9.2 (residual_block_cavlc),
// and the mapped Exp-Golomb me(v) of coded_block_pattern (clause 9.1.2).
//
// Invalid codewords throw ParseError(kInvalidSyntax); data that ends inside a
// codeword throws ParseError(kTruncated).
#pragma once
#include <cstdint>

#include "bitstream/bit_reader.h"

namespace codectok {
namespace h264 {

// nC value selecting the chroma DC coeff_token tables (Table 9-5).
constexpr int kNcChromaDc420 = -1;  // ChromaArrayType 1: 2x2 chroma DC
constexpr int kNcChromaDc422 = -2;  // ChromaArrayType 2: 2x4 chroma DC

struct CoeffToken {
  int total_coeff;    // 0..16
  int trailing_ones;  // 0..3
};

// coeff_token (Table 9-5) for nC (clause 9.2.1): -1, -2, 0..1, 2..3, 4..7, >= 8.
CoeffToken read_coeff_token(BitReader& br, int nC);

// level_prefix (clause 9.2.2.1): the number of leading zero bits before a 1.
int read_level_prefix(BitReader& br);

// The non-zero levels of one block (clause 9.2.2, trailing ones, level_prefix,
// level_suffix, suffixLength adaptation), in reverse scan order: level_val[0]
// is the last non-zero coefficient of the scan.
void read_levels(BitReader& br, int total_coeff, int trailing_ones, int32_t level_val[16]);

// total_zeros (Tables 9-7 and 9-8; 9-9a when max_num_coeff == 4, 9-9b when
// max_num_coeff == 8), tz_vlc_index = TotalCoeff.
int read_total_zeros(BitReader& br, int tz_vlc_index, int max_num_coeff);

// run_before (Table 9-10) for zerosLeft > 0.
int read_run_before(BitReader& br, int zeros_left);

// residual_block_cavlc (clause 7.3.5.3.2): fills coeffLevel[0..maxNumCoeff-1]
// (zeros, then the levels at startIdx + scan position) and returns TotalCoeff
// (the value the neighbours' nC is derived from).
int residual_block_cavlc(BitReader& br, int nC, int startIdx, int endIdx, int maxNumCoeff,
                         int32_t coeffLevel[]);

// coded_block_pattern from the codeNum of its me(v) (Table 9-4). `intra` selects
// the Intra_4x4 / Intra_8x8 column, otherwise Inter. chroma_array_type 1 or 2
// uses codeNum 0..47, 0 or 3 codeNum 0..15; other codeNums throw.
int coded_block_pattern_from_code_num(uint32_t code_num, bool intra, int chroma_array_type);

// me(v) for coded_block_pattern: ue(v) then the Table 9-4 mapping.
inline int read_coded_block_pattern(BitReader& br, bool intra, int chroma_array_type) {
  return coded_block_pattern_from_code_num(br.ue(), intra, chroma_array_type);
}

}  // namespace h264
}  // namespace codectok
