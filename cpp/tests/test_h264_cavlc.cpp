// Tests of the H.264 CAVLC residual parser (cpp/h264/cavlc.*) on bit strings
// written by hand from ITU-T H.264 clause 9.2 (Tables 9-5, 9-7, 9-9a, 9-10)
// and the coded_block_pattern mapping of Table 9-4.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bitstream/bit_reader.h"
#include "bitstream/parse_error.h"
#include "h264/cavlc.h"
#include "support/check.h"

using namespace codectok;
using namespace codectok::h264;
using codectok::test::check;
using codectok::test::report;

namespace {

// "0101 1..." (spaces ignored) -> bytes, zero-padded to a whole byte.
std::vector<uint8_t> bits(const std::string& s) {
  std::vector<uint8_t> out;
  int n = 0;
  for (char c : s) {
    if (c != '0' && c != '1') continue;
    if (n % 8 == 0) out.push_back(0);
    if (c == '1') out.back() |= static_cast<uint8_t>(0x80 >> (n % 8));
    ++n;
  }
  return out;
}
size_t bit_count(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (c == '0' || c == '1');
  return n;
}

// Decodes one block; checks the coefficients, TotalCoeff and bits consumed.
void expect_block(const std::string& what, const std::string& code, int nC, int start, int end, int max,
                  const std::vector<int32_t>& want) {
  std::vector<uint8_t> data = bits(code);
  BitReader br(data.data(), data.size());
  int32_t coeff[16];
  for (int32_t& c : coeff) c = 12345;
  int total = -1;
  try {
    total = residual_block_cavlc(br, nC, start, end, max, coeff);
  } catch (const ParseError& e) {
    check(false, what + ": threw " + e.what());
    return;
  }
  bool ok = true;
  int nonzero = 0;
  for (int i = 0; i < max; ++i) {
    if (coeff[i] != want[i]) {
      std::printf("  %s: coeff[%d] = %d, want %d\n", what.c_str(), i, coeff[i], want[i]);
      ok = false;
    }
    nonzero += want[i] != 0;
  }
  check(ok, what + ": coefficients");
  check(total == nonzero, what + ": TotalCoeff");
  check(br.bit_position() == bit_count(code), what + ": bits consumed");
}

void expect_error(const std::string& what, const std::string& code, int nC, int max, ErrorCode want) {
  std::vector<uint8_t> data = bits(code);
  BitReader br(data.data(), data.size());
  int32_t coeff[16];
  try {
    residual_block_cavlc(br, nC, 0, max - 1, max, coeff);
    check(false, what + ": no error");
  } catch (const ParseError& e) {
    check(e.code() == want, what + ": error code (" + e.what() + ")");
  }
}

void expect_token(int nC, const std::string& code, int total, int ones) {
  std::vector<uint8_t> data = bits(code + "11111111");  // trailing bits must not matter
  BitReader br(data.data(), data.size());
  const CoeffToken t = read_coeff_token(br, nC);
  check(t.total_coeff == total && t.trailing_ones == ones && br.bit_position() == bit_count(code),
        "coeff_token nC=" + std::to_string(nC) + " " + code + " -> " + std::to_string(total) + "," +
            std::to_string(ones));
}

}  // namespace

int main() {
  // --- coeff_token, Table 9-5 (TotalCoeff, TrailingOnes) spot values.
  expect_token(0, "1", 0, 0);
  expect_token(0, "000101", 1, 0);
  expect_token(0, "01", 1, 1);
  expect_token(0, "001", 2, 2);
  expect_token(0, "00011", 3, 3);
  expect_token(0, "000011", 4, 3);
  expect_token(1, "000000111", 3, 0);
  expect_token(2, "11", 0, 0);
  expect_token(3, "10", 1, 1);
  expect_token(2, "001011", 1, 0);
  expect_token(2, "011", 2, 2);
  expect_token(2, "0101", 3, 3);
  expect_token(2, "0100", 4, 3);
  expect_token(4, "1111", 0, 0);
  expect_token(5, "1110", 1, 1);
  expect_token(6, "1101", 2, 2);
  expect_token(7, "1100", 3, 3);
  expect_token(4, "001111", 1, 0);
  expect_token(4, "0000000001", 16, 0);
  expect_token(4, "0000000010", 16, 3);
  // nC >= 8: 6-bit FLC.
  expect_token(8, "000011", 0, 0);
  expect_token(8, "000000", 1, 0);
  expect_token(9, "000001", 1, 1);
  expect_token(16, "111111", 16, 3);
  expect_token(16, "010110", 6, 2);
  // nC == -1 (chroma DC 4:2:0).
  expect_token(kNcChromaDc420, "01", 0, 0);
  expect_token(kNcChromaDc420, "000111", 1, 0);
  expect_token(kNcChromaDc420, "1", 1, 1);
  expect_token(kNcChromaDc420, "000100", 2, 0);
  expect_token(kNcChromaDc420, "000110", 2, 1);
  expect_token(kNcChromaDc420, "001", 2, 2);
  expect_token(kNcChromaDc420, "000011", 3, 0);
  expect_token(kNcChromaDc420, "0000011", 3, 1);
  expect_token(kNcChromaDc420, "0000010", 3, 2);
  expect_token(kNcChromaDc420, "000101", 3, 3);
  expect_token(kNcChromaDc420, "000010", 4, 0);
  expect_token(kNcChromaDc420, "00000011", 4, 1);
  expect_token(kNcChromaDc420, "00000010", 4, 2);
  expect_token(kNcChromaDc420, "0000000", 4, 3);

  // --- Whole blocks. Scan order [0 3 -1 0 0 -1 1 0 1 0 ...], nC 0:
  // coeff_token TC5 T1s3 "0000100"; signs + + - "001"; level -1 (levelCode 1,
  // suffixLength 0) "01"; level 3 (levelCode 4, suffixLength 1) "001"+"0";
  // total_zeros 4 of tzVlcIndex 5 "110"; run_before 1 (zerosLeft 4) "10",
  // 0 (zerosLeft 3) "11", 2 (zerosLeft 3) "01", 0 (zerosLeft 1) "1".
  const std::vector<int32_t> block1 = {0, 3, -1, 0, 0, -1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  expect_block("example nC=0", "0000100 001 01 0010 110 10 11 01 1", 0, 0, 15, 16, block1);
  // Same block with 2 <= nC < 4: coeff_token TC5 T1s3 is "00110".
  expect_block("example nC=2", "00110 001 01 0010 110 10 11 01 1", 2, 0, 15, 16, block1);

  // suffixLength adaptation: TC3 T1s0, levels (reverse scan) 4, -7, 2.
  // 4: levelCode 6 - 2 (first non-T1 level with T1s < 3) = 4 -> prefix 4 "00001";
  // suffixLength 0 -> 1, |4| > 3 -> 2. -7: levelCode 13 -> prefix 3 "0001",
  // suffix 1 "01"; |7| > 6 -> 3. 2: levelCode 2 -> prefix 0 "1", suffix "010".
  // total_zeros 0 of tzVlcIndex 3 "0101".
  expect_block("suffixLength", "000000111 00001 0001 01 1 010 0101", 0, 0, 15, 16,
               {2, -7, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});

  // level_prefix 14 (suffixLength 0): 4-bit suffix. TC1 T1s0 "000101", level 10
  // = levelCode 18 - 2 = 16 = 14 + 2 -> 14 zeros, 1, "0010"; total_zeros 0 "1".
  expect_block("level_prefix 14", "000101 00000000000000 1 0010 1", 0, 0, 15, 16,
               {10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  // level_prefix 15 (suffixLength 0): 12-bit suffix, levelCode += 15. Level -40
  // = levelCode 79 - 2 = 77 = 15 + 15 + 47.
  expect_block("level_prefix 15", "000101 000000000000000 1 000000101111 1", 0, 0, 15, 16,
               {-40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  // TotalCoeff > 10 with T1s < 3 starts at suffixLength 1: nC >= 8, TC 16 T1s 0
  // "111100"; the last coefficient 2 (levelCode 2 - 2 = 0) is prefix "1" +
  // 1-bit suffix "0", then fifteen levels of 1 (levelCode 0, suffixLength
  // stays 1) "1"+"0" each. No total_zeros (the block is full).
  {
    std::string code = "111100";
    for (int i = 0; i < 16; ++i) code += "10";
    std::vector<int32_t> want(16, 1);
    want[15] = 2;
    expect_block("TC > 10 suffixLength 1", code, 8, 0, 15, 16, want);
  }

  // Chroma DC 4:2:0, [2 0 -1 0]: coeff_token TC2 T1s1 "000110", sign "1";
  // level 2 (levelCode 2 - 2 = 0) "1"; total_zeros 1 of Table 9-9a tzVlcIndex 2
  // "01"; run_before 1 (zerosLeft 1) "0".
  expect_block("chroma DC", "000110 1 1 01 0", kNcChromaDc420, 0, 3, 4, {2, 0, -1, 0});

  // AC block (maxNumCoeff 15): a single +1 at the last position: TC1 T1s1
  // "01", sign "0", total_zeros 14 of tzVlcIndex 1 "000000010".
  expect_block("AC last", "01 0 000000010", 0, 0, 14, 15,
               {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

  // --- Errors.
  expect_error("total_zeros 15 in a 15-coefficient block", "01 0 000000001", 0, 15,
               ErrorCode::kInvalidSyntax);
  expect_error("no coeff_token codeword of 16 zeros", "00000000 00000000 00000000", 0, 16,
               ErrorCode::kInvalidSyntax);
  expect_error("nC >= 8 TrailingOnes above TotalCoeff", "000010", 8, 16, ErrorCode::kInvalidSyntax);
  expect_error("truncated coeff_token", "0000", 0, 16, ErrorCode::kTruncated);
  expect_error("truncated level", "0000100 001", 0, 16, ErrorCode::kTruncated);

  // --- coded_block_pattern me(v), Table 9-4.
  check(coded_block_pattern_from_code_num(0, true, 1) == 47, "cbp codeNum 0 intra");
  check(coded_block_pattern_from_code_num(0, false, 1) == 0, "cbp codeNum 0 inter");
  check(coded_block_pattern_from_code_num(3, true, 1) == 0, "cbp codeNum 3 intra");
  check(coded_block_pattern_from_code_num(12, false, 1) == 47, "cbp codeNum 12 inter");
  check(coded_block_pattern_from_code_num(1, false, 2) == 16, "cbp codeNum 1 inter (4:2:2)");
  check(coded_block_pattern_from_code_num(47, true, 1) == 41, "cbp codeNum 47 intra");
  check(coded_block_pattern_from_code_num(47, false, 1) == 41, "cbp codeNum 47 inter");
  check(coded_block_pattern_from_code_num(0, true, 0) == 15, "cbp codeNum 0 intra (monochrome)");
  check(coded_block_pattern_from_code_num(0, false, 3) == 0, "cbp codeNum 0 inter (4:4:4)");
  check(coded_block_pattern_from_code_num(15, true, 0) == 9, "cbp codeNum 15 intra (monochrome)");
  check(coded_block_pattern_from_code_num(9, false, 0) == 15, "cbp codeNum 9 inter (monochrome)");
  for (int cat : {1, 0}) {
    const int n = cat == 1 ? 48 : 16;
    for (bool intra : {true, false}) {
      std::vector<int> seen(n, 0);
      for (int k = 0; k < n; ++k) ++seen[coded_block_pattern_from_code_num(k, intra, cat)];
      bool perm = true;
      for (int v : seen) perm = perm && v == 1;
      check(perm, std::string("cbp column is a permutation: ") + (intra ? "intra" : "inter") +
                      (cat == 1 ? " 4:2:0" : " monochrome"));
    }
    try {
      coded_block_pattern_from_code_num(n, true, cat);
      check(false, "cbp codeNum out of range throws");
    } catch (const ParseError& e) {
      check(e.code() == ErrorCode::kInvalidSyntax, "cbp codeNum out of range throws");
    }
  }
  {
    std::vector<uint8_t> data = bits("00100");  // ue(v) codeNum 3
    BitReader br(data.data(), data.size());
    check(read_coded_block_pattern(br, true, 1) == 0, "read_coded_block_pattern ue 3 intra");
  }

  return report();
}
