// CAVLC tables and parsing, ITU-T H.264 clause 9.2 and Table 9-4.
//
// Every variable-length table is stored as (length, codeword value) pairs, the
// codeword read MSB first; length 0 marks a combination the table does not
// define. Values transcribed from the specification (Tables 9-5, 9-7, 9-8,
// 9-9a, 9-9b, 9-10, 9-4) and cross-checked against FFmpeg's h264_cavlc.c /
// h264data.h, which store the same tables in the same (length, value) form.
// Decoding goes through lookup tables derived from them at compile time
// (static_asserts check that each table is prefix-free and fits its lookup).
#include "h264/cavlc.h"

#include <array>
#include <cstring>
#include <string>
#include <utility>

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

// ---------------------------------------------------------------------------
// Bit access. The next 32 bits at the reader's position, zeros past the end,
// read with one 64-bit load where the data allows (BitReader::u reads bit by
// bit).
inline __attribute__((always_inline)) uint32_t peek32(const BitReader& br) {
  const uint8_t* d = br.data();
  const size_t size = br.size_bytes();
  const size_t pos = br.bit_position();
  const size_t byte = pos >> 3;
  uint64_t v;
  if (byte + 8 <= size) {
    std::memcpy(&v, d + byte, 8);
    v = __builtin_bswap64(v);
  } else {
    v = 0;
    for (size_t i = 0; i < 8; ++i) v = (v << 8) | (byte + i < size ? d[byte + i] : 0u);
  }
  return static_cast<uint32_t>((v << (pos & 7)) >> 32);
}

inline __attribute__((always_inline)) void consume(BitReader& br, int n, const char* what) {
  if (static_cast<size_t>(n) > br.bits_left())
    fail(ErrorCode::kTruncated, std::string("bitstream ended inside ") + what);
  br.skip(static_cast<size_t>(n));
}

// n bits (1..32), MSB first.
uint32_t read_bits(BitReader& br, int n, const char* what) {
  const uint32_t v = peek32(br) >> (32 - n);
  consume(br, n, what);
  return v;
}

// Generic prefix-code match over a (length, value) table (used for the rare
// 2x4 chroma DC coeff_token); the others go through the lookup tables below.
int read_vlc(BitReader& br, const uint8_t* len, const uint16_t* code, int count, const char* what) {
  const uint32_t bits = peek32(br) >> (32 - kMaxCodeLen);
  for (int i = 0; i < count; ++i) {
    const int l = len[i];
    if (l == 0) continue;
    if ((bits >> (kMaxCodeLen - l)) != code[i]) continue;
    consume(br, l, what);
    return i;
  }
  if (br.bits_left() < static_cast<size_t>(kMaxCodeLen))
    fail(ErrorCode::kTruncated, std::string("bitstream ended inside ") + what);
  fail(ErrorCode::kInvalidSyntax, std::string("invalid ") + what + " codeword");
}

// ---------------------------------------------------------------------------
// Lookup tables derived at compile time from the (length, value) tables.
// Entry: (length << 8) | index into the source table; 0 = no codeword.

// Indexed by the next `Bits` bits (Bits >= the longest codeword).
template <int Bits>
struct DirectVlc {
  uint16_t entry[1 << Bits];
};

template <int Bits>
constexpr DirectVlc<Bits> make_direct_vlc(const uint8_t* len, const uint16_t* code, int count) {
  DirectVlc<Bits> t{};
  for (int i = 0; i < count; ++i) {
    const int l = len[i];
    if (l == 0) continue;
    const int first = code[i] << (Bits - l);
    for (int k = 0; k < (1 << (Bits - l)); ++k) t.entry[first + k] = static_cast<uint16_t>((l << 8) | i);
  }
  return t;
}

// Prefix-free, fits in Bits, and every codeword gets its whole range: the
// entries filled equal the sum over codewords of 2^(Bits - length).
template <int Bits>
constexpr bool direct_vlc_consistent(const DirectVlc<Bits>& t, const uint8_t* len, const uint16_t* code, int count) {
  int expected = 0;
  for (int i = 0; i < count; ++i) {
    if (len[i] == 0) continue;
    if (len[i] > Bits || code[i] >= (1 << len[i])) return false;
    expected += 1 << (Bits - len[i]);
    const int first = code[i] << (Bits - len[i]);
    for (int k = 0; k < (1 << (Bits - len[i])); ++k)
      if ((t.entry[first + k] & 0xFF) != i) return false;  // overwritten by another codeword
  }
  int filled = 0;
  for (int k = 0; k < (1 << Bits); ++k) filled += t.entry[k] != 0;
  return filled == expected;
}

template <int Bits>
int read_direct(BitReader& br, const DirectVlc<Bits>& t, const char* what) {
  const uint16_t e = t.entry[peek32(br) >> (32 - Bits)];
  if (e == 0) {
    if (br.bits_left() < static_cast<size_t>(Bits))
      fail(ErrorCode::kTruncated, std::string("bitstream ended inside ") + what);
    fail(ErrorCode::kInvalidSyntax, std::string("invalid ") + what + " codeword");
  }
  consume(br, e >> 8, what);
  return e & 0xFF;
}

// coeff_token for 0 <= nC < 8: up to 16 bits, always some 1 bit, and at
// most 3 bits after the first 1. Indexed by (leading zeros) * 8 + the 3 bits
// following the first 1.
struct CoeffTokenVlc {
  uint16_t entry[16 * 8];
};

constexpr int bit_length(int v) {
  int n = 0;
  while (v) {
    ++n;
    v >>= 1;
  }
  return n;
}

constexpr CoeffTokenVlc make_coeff_token_vlc(const uint8_t* len, const uint16_t* code) {
  CoeffTokenVlc t{};
  for (int i = 0; i < 17 * 4; ++i) {
    const int l = len[i];
    if (l == 0) continue;
    const int lz = l - bit_length(code[i]);
    const int rest = l - lz - 1;  // bits after the first 1
    const int suffix = code[i] & ((1 << rest) - 1);
    for (int k = 0; k < (1 << (3 - rest)); ++k)
      t.entry[lz * 8 + (suffix << (3 - rest)) + k] = static_cast<uint16_t>((l << 8) | i);
  }
  return t;
}

constexpr bool coeff_token_vlc_consistent(const CoeffTokenVlc& t, const uint8_t* len, const uint16_t* code) {
  int expected = 0;
  for (int i = 0; i < 17 * 4; ++i) {
    const int l = len[i];
    if (l == 0) continue;
    if (code[i] == 0 || code[i] >= (1 << l)) return false;
    const int lz = l - bit_length(code[i]);
    const int rest = l - lz - 1;
    if (rest > 3 || lz > 15) return false;
    expected += 1 << (3 - rest);
    const int suffix = code[i] & ((1 << rest) - 1);
    for (int k = 0; k < (1 << (3 - rest)); ++k)
      if ((t.entry[lz * 8 + (suffix << (3 - rest)) + k] & 0xFF) != i) return false;
  }
  int filled = 0;
  for (int k = 0; k < 16 * 8; ++k) filled += t.entry[k] != 0;
  return filled == expected;
}

constexpr CoeffTokenVlc kCoeffTokenVlc[3] = {make_coeff_token_vlc(kCoeffTokenLen[0], kCoeffTokenCode[0]),
                                             make_coeff_token_vlc(kCoeffTokenLen[1], kCoeffTokenCode[1]),
                                             make_coeff_token_vlc(kCoeffTokenLen[2], kCoeffTokenCode[2])};
static_assert(coeff_token_vlc_consistent(kCoeffTokenVlc[0], kCoeffTokenLen[0], kCoeffTokenCode[0]) &&
                  coeff_token_vlc_consistent(kCoeffTokenVlc[1], kCoeffTokenLen[1], kCoeffTokenCode[1]) &&
                  coeff_token_vlc_consistent(kCoeffTokenVlc[2], kCoeffTokenLen[2], kCoeffTokenCode[2]),
              "coeff_token tables must be prefix-free with at most 3 bits after the first 1");

int read_coeff_token_index(BitReader& br, const CoeffTokenVlc& t) {
  const uint32_t bits = peek32(br);
  const uint32_t top16 = bits >> 16;
  if (top16 == 0) {
    if (br.bits_left() < 16) fail(ErrorCode::kTruncated, "bitstream ended inside coeff_token");
    fail(ErrorCode::kInvalidSyntax, "invalid coeff_token codeword");
  }
  const int lz = __builtin_clz(bits);
  const uint16_t e = t.entry[lz * 8 + ((bits << (lz + 1)) >> 29)];
  if (e == 0) fail(ErrorCode::kInvalidSyntax, "invalid coeff_token codeword");
  consume(br, e >> 8, "coeff_token");
  return e & 0xFF;
}

constexpr DirectVlc<8> kChromaDc420Vlc = make_direct_vlc<8>(kChromaDc420Len, kChromaDc420Code, 5 * 4);
static_assert(direct_vlc_consistent(kChromaDc420Vlc, kChromaDc420Len, kChromaDc420Code, 5 * 4),
              "chroma DC coeff_token table must be prefix-free");

template <size_t... I>
constexpr std::array<DirectVlc<9>, 15> make_total_zeros_vlcs(std::index_sequence<I...>) {
  return {{make_direct_vlc<9>(kTotalZerosLen[I], kTotalZerosCode[I], 16)...}};
}
constexpr std::array<DirectVlc<9>, 15> kTotalZerosVlc = make_total_zeros_vlcs(std::make_index_sequence<15>());
template <size_t... I>
constexpr bool total_zeros_consistent(std::index_sequence<I...>) {
  return (direct_vlc_consistent(kTotalZerosVlc[I], kTotalZerosLen[I], kTotalZerosCode[I], 16) && ...);
}
static_assert(total_zeros_consistent(std::make_index_sequence<15>()), "total_zeros tables must be prefix-free");

constexpr std::array<DirectVlc<3>, 3> kTotalZeros2x2Vlc = {
    {make_direct_vlc<3>(kTotalZeros2x2Len[0], kTotalZeros2x2Code[0], 4),
     make_direct_vlc<3>(kTotalZeros2x2Len[1], kTotalZeros2x2Code[1], 4),
     make_direct_vlc<3>(kTotalZeros2x2Len[2], kTotalZeros2x2Code[2], 4)}};
template <size_t... I>
constexpr std::array<DirectVlc<5>, 7> make_total_zeros_2x4_vlcs(std::index_sequence<I...>) {
  return {{make_direct_vlc<5>(kTotalZeros2x4Len[I], kTotalZeros2x4Code[I], 8)...}};
}
constexpr std::array<DirectVlc<5>, 7> kTotalZeros2x4Vlc = make_total_zeros_2x4_vlcs(std::make_index_sequence<7>());
template <size_t... I>
constexpr std::array<DirectVlc<3>, 6> make_run_before_vlcs(std::index_sequence<I...>) {
  return {{make_direct_vlc<3>(kRunBeforeLen[I], kRunBeforeCode[I], 15)...}};
}
constexpr std::array<DirectVlc<3>, 6> kRunBeforeVlc = make_run_before_vlcs(std::make_index_sequence<6>());
constexpr DirectVlc<11> kRunBefore7Vlc = make_direct_vlc<11>(kRunBeforeLen[6], kRunBeforeCode[6], 15);
template <size_t... I>
constexpr bool small_tables_consistent(std::index_sequence<I...>) {
  return (direct_vlc_consistent(kRunBeforeVlc[I], kRunBeforeLen[I], kRunBeforeCode[I], 15) && ...) &&
         direct_vlc_consistent(kRunBefore7Vlc, kRunBeforeLen[6], kRunBeforeCode[6], 15) &&
         direct_vlc_consistent(kTotalZeros2x2Vlc[0], kTotalZeros2x2Len[0], kTotalZeros2x2Code[0], 4) &&
         direct_vlc_consistent(kTotalZeros2x2Vlc[1], kTotalZeros2x2Len[1], kTotalZeros2x2Code[1], 4) &&
         direct_vlc_consistent(kTotalZeros2x2Vlc[2], kTotalZeros2x2Len[2], kTotalZeros2x2Code[2], 4);
}
static_assert(small_tables_consistent(std::make_index_sequence<6>()),
              "run_before / chroma DC total_zeros tables must be prefix-free");
template <size_t... I>
constexpr bool total_zeros_2x4_consistent(std::index_sequence<I...>) {
  return (direct_vlc_consistent(kTotalZeros2x4Vlc[I], kTotalZeros2x4Len[I], kTotalZeros2x4Code[I], 8) && ...);
}
static_assert(total_zeros_2x4_consistent(std::make_index_sequence<7>()), "2x4 total_zeros tables must be prefix-free");

}  // namespace

CoeffToken read_coeff_token(BitReader& br, int nC) {
  if (nC >= 8) {
    // 6-bit fixed-length code: TotalCoeff - 1 in the upper 4 bits, TrailingOnes
    // in the lower 2; 000011 is TotalCoeff 0.
    const uint32_t v = read_bits(br, 6, "coeff_token");
    if (v == 3) return {0, 0};
    const int total = static_cast<int>(v >> 2) + 1;
    const int ones = static_cast<int>(v & 3);
    if (ones > total) fail(ErrorCode::kInvalidSyntax, "invalid coeff_token codeword (nC >= 8)");
    return {total, ones};
  }
  int index;
  if (nC == kNcChromaDc420) {
    index = read_direct(br, kChromaDc420Vlc, "coeff_token");
  } else if (nC == kNcChromaDc422) {
    index = read_vlc(br, kChromaDc422Len, kChromaDc422Code, 9 * 4, "coeff_token");
  } else if (nC >= 0) {
    const int table = nC < 2 ? 0 : nC < 4 ? 1 : 2;
    index = read_coeff_token_index(br, kCoeffTokenVlc[table]);
  } else {
    fail(ErrorCode::kInvalidSyntax, "coeff_token: nC out of range");
  }
  return {index >> 2, index & 3};
}

int read_level_prefix(BitReader& br) {
  // level_prefix is at most 15 in Baseline/Main/Extended and small in every
  // conforming stream (the level code must fit 16 bits plus the escape).
  const uint32_t bits = peek32(br);
  const int zeros = bits == 0 ? 32 : __builtin_clz(bits);
  if (zeros > 25) {
    if (br.bits_left() < 26) fail(ErrorCode::kTruncated, "bitstream ended inside level_prefix");
    fail(ErrorCode::kInvalidSyntax, "level_prefix too long");
  }
  consume(br, zeros + 1, "level_prefix");
  return zeros;
}

void read_levels(BitReader& br, int total_coeff, int trailing_ones, int32_t level_val[16]) {
  int suffix_length = (total_coeff > 10 && trailing_ones < 3) ? 1 : 0;
  for (int i = 0; i < total_coeff; ++i) {
    if (i < trailing_ones) {
      level_val[i] = 1 - 2 * static_cast<int32_t>(read_bits(br, 1, "trailing_ones_sign_flag"));
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
      if (size > 0) level_code += static_cast<int32_t>(read_bits(br, size, "level_suffix"));
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
    return read_direct(br, kTotalZeros2x2Vlc[tz_vlc_index - 1], "total_zeros");
  }
  if (max_num_coeff == 8) {
    if (tz_vlc_index < 1 || tz_vlc_index > 7) fail(ErrorCode::kInvalidSyntax, "total_zeros: bad TotalCoeff");
    return read_direct(br, kTotalZeros2x4Vlc[tz_vlc_index - 1], "total_zeros");
  }
  if (tz_vlc_index < 1 || tz_vlc_index > 15) fail(ErrorCode::kInvalidSyntax, "total_zeros: bad TotalCoeff");
  return read_direct(br, kTotalZerosVlc[tz_vlc_index - 1], "total_zeros");
}

int read_run_before(BitReader& br, int zeros_left) {
  const int t = (zeros_left < 7 ? zeros_left : 7) - 1;
  if (t < 0) fail(ErrorCode::kInvalidSyntax, "run_before with no zeros left");
  return t < 6 ? read_direct(br, kRunBeforeVlc[t], "run_before") : read_direct(br, kRunBefore7Vlc, "run_before");
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
