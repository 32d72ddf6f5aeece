// CAVLC tables and parsing, ITU-T H.264 clause 9.2 and Table 9-4.
//
// Every variable-length table is stored as (length, codeword value) pairs, the
// codeword read MSB first; length 0 marks a combination the table does not
// define. Values transcribed from the specification (Tables 9-5, 9-7, 9-8,
// 9-9a, 9-9b, 9-10, 9-4) and cross-checked against FFmpeg's h264_cavlc.c /
// h264data.h, which store the same tables in the same (length, value) form.
#include "h264/cavlc.h"

#include <string>

#include "bitstream/parse_error.h"

namespace codectok {
namespace h264 {
namespace {

// ---------------------------------------------------------------------------
// coeff_token, Table 9-5. Index [TotalCoeff * 4 + TrailingOnes].

constexpr uint8_t kCoeffTokenLen[3][17 * 4] = {
    // 0 <= nC < 2
    {1, 0, 0, 0,
     6, 2, 0, 0,     8, 6, 3, 0,     9, 8, 7, 5,     10, 9, 8, 6,
     11, 10, 9, 7,   13, 11, 10, 8,  13, 13, 11, 9,  13, 13, 13, 10,
     14, 14, 13, 11, 14, 14, 14, 13, 15, 15, 14, 14, 15, 15, 15, 14,
     16, 15, 15, 15, 16, 16, 16, 15, 16, 16, 16, 16, 16, 16, 16, 16},
    // 2 <= nC < 4
    {2, 0, 0, 0,
     6, 2, 0, 0,     6, 5, 3, 0,     7, 6, 6, 4,     8, 6, 6, 4,
     8, 7, 7, 5,     9, 8, 8, 6,     11, 9, 9, 6,    11, 11, 11, 7,
     12, 11, 11, 9,  12, 12, 12, 11, 12, 12, 12, 11, 13, 13, 13, 12,
     13, 13, 13, 13, 13, 14, 13, 13, 14, 14, 14, 13, 14, 14, 14, 14},
    // 4 <= nC < 8
    {4, 0, 0, 0,
     6, 4, 0, 0,     6, 5, 4, 0,     6, 5, 5, 4,     7, 5, 5, 4,
     7, 5, 5, 4,     7, 6, 6, 4,     7, 6, 6, 4,     8, 7, 7, 5,
     8, 8, 7, 6,     9, 8, 8, 7,     9, 9, 8, 8,     9, 9, 9, 8,
     10, 9, 9, 9,    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10},
};
constexpr uint16_t kCoeffTokenCode[3][17 * 4] = {
    {1, 0, 0, 0,
     5, 1, 0, 0,     7, 4, 1, 0,     7, 6, 5, 3,     7, 6, 5, 3,
     7, 6, 5, 4,     15, 6, 5, 4,    11, 14, 5, 4,   8, 10, 13, 4,
     15, 14, 9, 4,   11, 10, 13, 12, 15, 14, 9, 12,  11, 10, 13, 8,
     15, 1, 9, 12,   11, 14, 13, 8,  7, 10, 9, 12,   4, 6, 5, 8},
    {3, 0, 0, 0,
     11, 2, 0, 0,    7, 7, 3, 0,     7, 10, 9, 5,    7, 6, 5, 4,
     4, 6, 5, 6,     7, 6, 5, 8,     15, 6, 5, 4,    11, 14, 13, 4,
     15, 10, 9, 4,   11, 14, 13, 12, 8, 10, 9, 8,    15, 14, 13, 12,
     11, 10, 9, 12,  7, 11, 6, 8,    9, 8, 10, 1,    7, 6, 5, 4},
    {15, 0, 0, 0,
     15, 14, 0, 0,   11, 15, 13, 0,  8, 12, 14, 12,  15, 10, 11, 11,
     11, 8, 9, 10,   9, 14, 13, 9,   8, 10, 9, 8,    15, 14, 13, 13,
     11, 14, 10, 12, 15, 10, 13, 12, 11, 14, 9, 12,  8, 10, 13, 8,
     13, 7, 9, 12,   9, 12, 11, 10,  5, 8, 7, 6,     1, 4, 3, 2},
};

// nC == -1 (chroma DC, ChromaArrayType 1), TotalCoeff 0..4.
constexpr uint8_t kChromaDc420Len[5 * 4] = {2, 0, 0, 0, 6, 1, 0, 0, 6, 6, 3, 0,
                                            6, 7, 7, 6, 6, 8, 8, 7};
constexpr uint16_t kChromaDc420Code[5 * 4] = {1, 0, 0, 0, 7, 1, 0, 0, 4, 6, 1, 0,
                                              3, 3, 2, 5, 2, 3, 2, 0};
// nC == -2 (chroma DC, ChromaArrayType 2), TotalCoeff 0..8.
constexpr uint8_t kChromaDc422Len[9 * 4] = {1,  0,  0,  0,  7,  2,  0,  0,  7,  7,  3,  0,
                                            9,  7,  7,  5,  9,  9,  7,  6,  10, 10, 9,  7,
                                            11, 11, 10, 7,  12, 12, 11, 10, 13, 12, 12, 11};
constexpr uint16_t kChromaDc422Code[9 * 4] = {1, 0, 0, 0,  15, 1, 0, 0, 14, 13, 1, 0,
                                              7, 12, 11, 1, 6, 5, 10, 1, 7, 6, 4, 9,
                                              7, 6, 5, 8,  7, 6, 5, 4,  7, 5, 4, 4};

// ---------------------------------------------------------------------------
// total_zeros, Tables 9-7 / 9-8 (4x4 blocks): [tzVlcIndex - 1][total_zeros].
constexpr uint8_t kTotalZerosLen[15][16] = {
    {1, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 9},
    {3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 6, 6},
    {4, 3, 3, 3, 4, 4, 3, 3, 4, 5, 5, 6, 5, 6},
    {5, 3, 4, 4, 3, 3, 3, 4, 3, 4, 5, 5, 5},
    {4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 4, 5},
    {6, 5, 3, 3, 3, 3, 3, 3, 4, 3, 6},
    {6, 5, 3, 3, 3, 2, 3, 4, 3, 6},
    {6, 4, 5, 3, 2, 2, 3, 3, 6},
    {6, 6, 4, 2, 2, 3, 2, 5},
    {5, 5, 3, 2, 2, 2, 4},
    {4, 4, 3, 3, 1, 3},
    {4, 4, 2, 1, 3},
    {3, 3, 1, 2},
    {2, 2, 1},
    {1, 1},
};
constexpr uint16_t kTotalZerosCode[15][16] = {
    {1, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 1},
    {7, 6, 5, 4, 3, 5, 4, 3, 2, 3, 2, 3, 2, 1, 0},
    {5, 7, 6, 5, 4, 3, 4, 3, 2, 3, 2, 1, 1, 0},
    {3, 7, 5, 4, 6, 5, 4, 3, 3, 2, 2, 1, 0},
    {5, 4, 3, 7, 6, 5, 4, 3, 2, 1, 1, 0},
    {1, 1, 7, 6, 5, 4, 3, 2, 1, 1, 0},
    {1, 1, 5, 4, 3, 3, 2, 1, 1, 0},
    {1, 1, 1, 3, 3, 2, 2, 1, 0},
    {1, 0, 1, 3, 2, 1, 1, 1},
    {1, 0, 1, 3, 2, 1, 1},
    {0, 1, 1, 2, 1, 3},
    {0, 1, 1, 1, 1},
    {0, 1, 1, 1},
    {0, 1, 1},
    {0, 1},
};
// Table 9-9a (2x2 chroma DC): [tzVlcIndex - 1][total_zeros].
constexpr uint8_t kTotalZeros2x2Len[3][4] = {{1, 2, 3, 3}, {1, 2, 2}, {1, 1}};
constexpr uint16_t kTotalZeros2x2Code[3][4] = {{1, 1, 1, 0}, {1, 1, 0}, {1, 0}};
// Table 9-9b (2x4 chroma DC): [tzVlcIndex - 1][total_zeros].
constexpr uint8_t kTotalZeros2x4Len[7][8] = {{1, 3, 3, 4, 4, 4, 5, 5}, {3, 2, 3, 3, 3, 3, 3},
                                             {3, 3, 2, 2, 3, 3},       {3, 2, 2, 2, 3},
                                             {2, 2, 2, 2},             {2, 2, 1},
                                             {1, 1}};
constexpr uint16_t kTotalZeros2x4Code[7][8] = {{1, 2, 3, 2, 3, 1, 1, 0}, {0, 1, 1, 4, 5, 6, 7},
                                               {0, 1, 1, 2, 6, 7},       {6, 0, 1, 2, 7},
                                               {0, 1, 2, 3},             {0, 1, 1},
                                               {0, 1}};

// run_before, Table 9-10: [Min(zerosLeft, 7) - 1][run_before].
constexpr uint8_t kRunBeforeLen[7][15] = {
    {1, 1},          {1, 2, 2},          {2, 2, 2, 2},
    {2, 2, 2, 3, 3}, {2, 2, 3, 3, 3, 3}, {2, 3, 3, 3, 3, 3, 3},
    {3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11},
};
constexpr uint16_t kRunBeforeCode[7][15] = {
    {1, 0},          {1, 1, 0},          {3, 2, 1, 0},
    {3, 2, 1, 1, 0}, {3, 2, 3, 2, 1, 0}, {3, 0, 1, 3, 2, 5, 4},
    {7, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1},
};

// ---------------------------------------------------------------------------
// Table 9-4: coded_block_pattern for codeNum.
constexpr uint8_t kCbpIntra420[48] = {
    47, 31, 15, 0,  23, 27, 29, 30, 7,  11, 13, 14, 39, 43, 45, 46,
    16, 3,  5,  10, 12, 19, 21, 26, 28, 35, 37, 42, 44, 1,  2,  4,
    8,  17, 18, 20, 24, 6,  9,  22, 25, 32, 33, 34, 36, 40, 38, 41};
constexpr uint8_t kCbpInter420[48] = {
    0,  16, 1,  2,  4,  8,  32, 3,  5,  10, 12, 15, 47, 7,  11, 13,
    14, 6,  9,  31, 35, 37, 42, 44, 33, 34, 36, 40, 39, 43, 45, 46,
    17, 18, 20, 24, 19, 21, 26, 28, 23, 27, 29, 30, 22, 25, 38, 41};
constexpr uint8_t kCbpIntraMono[16] = {15, 0, 7, 11, 13, 14, 3, 5, 10, 12, 1, 2, 4, 8, 6, 9};
constexpr uint8_t kCbpInterMono[16] = {0, 1, 2, 4, 8, 3, 5, 10, 12, 15, 7, 11, 13, 14, 6, 9};

constexpr int kMaxCodeLen = 16;

// Reads the next kMaxCodeLen bits without consuming them, zero-padded past the
// end; *avail is how many of them are real.
uint32_t peek_bits(const BitReader& br, int* avail) {
  BitReader copy = br;
  const size_t left = copy.bits_left();
  const int n = left < static_cast<size_t>(kMaxCodeLen) ? static_cast<int>(left) : kMaxCodeLen;
  *avail = n;
  return copy.u(n) << (kMaxCodeLen - n);
}

// Index of the codeword of a prefix-free table that the bitstream starts with.
int read_vlc(BitReader& br, const uint8_t* len, const uint16_t* code, int count, const char* what) {
  int avail = 0;
  const uint32_t bits = peek_bits(br, &avail);
  for (int i = 0; i < count; ++i) {
    const int l = len[i];
    if (l == 0) continue;
    if ((bits >> (kMaxCodeLen - l)) != code[i]) continue;
    if (l > avail) fail(ErrorCode::kTruncated, std::string("bitstream ended inside ") + what);
    br.skip(static_cast<size_t>(l));
    return i;
  }
  if (avail < kMaxCodeLen) fail(ErrorCode::kTruncated, std::string("bitstream ended inside ") + what);
  fail(ErrorCode::kInvalidSyntax, std::string("invalid ") + what + " codeword");
}

}  // namespace

CoeffToken read_coeff_token(BitReader& br, int nC) {
  if (nC >= 8) {
    // 6-bit fixed-length code: TotalCoeff - 1 in the upper 4 bits, TrailingOnes
    // in the lower 2; 000011 is TotalCoeff 0.
    const uint32_t v = br.u(6);
    if (v == 3) return {0, 0};
    const int total = static_cast<int>(v >> 2) + 1;
    const int ones = static_cast<int>(v & 3);
    if (ones > total) fail(ErrorCode::kInvalidSyntax, "invalid coeff_token codeword (nC >= 8)");
    return {total, ones};
  }
  int index;
  if (nC == kNcChromaDc420) {
    index = read_vlc(br, kChromaDc420Len, kChromaDc420Code, 5 * 4, "coeff_token");
  } else if (nC == kNcChromaDc422) {
    index = read_vlc(br, kChromaDc422Len, kChromaDc422Code, 9 * 4, "coeff_token");
  } else if (nC >= 0) {
    const int table = nC < 2 ? 0 : nC < 4 ? 1 : 2;
    index = read_vlc(br, kCoeffTokenLen[table], kCoeffTokenCode[table], 17 * 4, "coeff_token");
  } else {
    fail(ErrorCode::kInvalidSyntax, "coeff_token: nC out of range");
  }
  return {index >> 2, index & 3};
}

int read_level_prefix(BitReader& br) {
  int zeros = 0;
  while (br.u(1) == 0) {
    // level_prefix is at most 15 in Baseline/Main/Extended and small in every
    // conforming stream (the level code must fit 16 bits plus the escape).
    if (++zeros > 25) fail(ErrorCode::kInvalidSyntax, "level_prefix too long");
  }
  return zeros;
}

void read_levels(BitReader& br, int total_coeff, int trailing_ones, int32_t level_val[16]) {
  int suffix_length = (total_coeff > 10 && trailing_ones < 3) ? 1 : 0;
  for (int i = 0; i < total_coeff; ++i) {
    if (i < trailing_ones) {
      level_val[i] = 1 - 2 * static_cast<int32_t>(br.u(1));
      continue;
    }
    const int level_prefix = read_level_prefix(br);
    int32_t level_code = (level_prefix < 15 ? level_prefix : 15) << suffix_length;
    if (suffix_length > 0 || level_prefix >= 14) {
      int size;
      if (level_prefix == 14 && suffix_length == 0) {
        size = 4;
      } else if (level_prefix >= 15) {
        size = level_prefix - 3;
      } else {
        size = suffix_length;
      }
      if (size > 0) level_code += static_cast<int32_t>(br.u(size));
    }
    if (level_prefix >= 15 && suffix_length == 0) level_code += 15;
    if (level_prefix >= 16) level_code += (1 << (level_prefix - 3)) - 4096;
    if (i == trailing_ones && trailing_ones < 3) level_code += 2;
    level_val[i] = (level_code % 2 == 0) ? (level_code + 2) >> 1 : (-level_code - 1) >> 1;
    if (suffix_length == 0) suffix_length = 1;
    const int32_t magnitude = level_val[i] < 0 ? -level_val[i] : level_val[i];
    if (magnitude > (3 << (suffix_length - 1)) && suffix_length < 6) ++suffix_length;
  }
}

int read_total_zeros(BitReader& br, int tz_vlc_index, int max_num_coeff) {
  if (max_num_coeff == 4) {
    if (tz_vlc_index < 1 || tz_vlc_index > 3) fail(ErrorCode::kInvalidSyntax, "total_zeros: bad TotalCoeff");
    return read_vlc(br, kTotalZeros2x2Len[tz_vlc_index - 1], kTotalZeros2x2Code[tz_vlc_index - 1], 4,
                    "total_zeros");
  }
  if (max_num_coeff == 8) {
    if (tz_vlc_index < 1 || tz_vlc_index > 7) fail(ErrorCode::kInvalidSyntax, "total_zeros: bad TotalCoeff");
    return read_vlc(br, kTotalZeros2x4Len[tz_vlc_index - 1], kTotalZeros2x4Code[tz_vlc_index - 1], 8,
                    "total_zeros");
  }
  if (tz_vlc_index < 1 || tz_vlc_index > 15) fail(ErrorCode::kInvalidSyntax, "total_zeros: bad TotalCoeff");
  return read_vlc(br, kTotalZerosLen[tz_vlc_index - 1], kTotalZerosCode[tz_vlc_index - 1], 16,
                  "total_zeros");
}

int read_run_before(BitReader& br, int zeros_left) {
  const int t = (zeros_left < 7 ? zeros_left : 7) - 1;
  if (t < 0) fail(ErrorCode::kInvalidSyntax, "run_before with no zeros left");
  return read_vlc(br, kRunBeforeLen[t], kRunBeforeCode[t], 15, "run_before");
}

int residual_block_cavlc(BitReader& br, int nC, int startIdx, int endIdx, int maxNumCoeff,
                         int32_t coeffLevel[]) {
  if (maxNumCoeff < 1 || maxNumCoeff > 16 || startIdx < 0 || endIdx < startIdx || endIdx >= maxNumCoeff)
    fail(ErrorCode::kInvalidSyntax, "residual_block_cavlc: bad coefficient range");
  for (int i = 0; i < maxNumCoeff; ++i) coeffLevel[i] = 0;
  const CoeffToken token = read_coeff_token(br, nC);
  const int total_coeff = token.total_coeff;
  if (total_coeff == 0) return 0;
  const int span = endIdx - startIdx + 1;
  if (total_coeff > span) fail(ErrorCode::kInvalidSyntax, "coeff_token: TotalCoeff exceeds the block");

  int32_t level_val[16];
  read_levels(br, total_coeff, token.trailing_ones, level_val);

  int zeros_left = 0;
  if (total_coeff < span) {
    zeros_left = read_total_zeros(br, total_coeff, maxNumCoeff);
    if (zeros_left > span - total_coeff) fail(ErrorCode::kInvalidSyntax, "total_zeros exceeds the block");
  }
  int run_val[16];
  for (int i = 0; i < total_coeff - 1; ++i) {
    if (zeros_left > 0) {
      run_val[i] = read_run_before(br, zeros_left);
      if (run_val[i] > zeros_left) fail(ErrorCode::kInvalidSyntax, "run_before exceeds zerosLeft");
    } else {
      run_val[i] = 0;
    }
    zeros_left -= run_val[i];
  }
  run_val[total_coeff - 1] = zeros_left;
  int coeff_num = -1;
  for (int i = total_coeff - 1; i >= 0; --i) {
    coeff_num += run_val[i] + 1;
    coeffLevel[startIdx + coeff_num] = level_val[i];
  }
  return total_coeff;
}

int coded_block_pattern_from_code_num(uint32_t code_num, bool intra, int chroma_array_type) {
  if (chroma_array_type == 1 || chroma_array_type == 2) {
    if (code_num >= 48) fail(ErrorCode::kInvalidSyntax, "coded_block_pattern codeNum above 47");
    return intra ? kCbpIntra420[code_num] : kCbpInter420[code_num];
  }
  if (code_num >= 16) fail(ErrorCode::kInvalidSyntax, "coded_block_pattern codeNum above 15");
  return intra ? kCbpIntraMono[code_num] : kCbpInterMono[code_num];
}

}  // namespace h264
}  // namespace codectok
