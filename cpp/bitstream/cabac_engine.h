// CABAC arithmetic decoding engine, shared by H.264 (clause 9.3.3.2) and
// HEVC (clause 9.3.4.3): the same tables and the same engine in both
// standards. Byte-oriented with a 7-bit look-ahead. Context variables are
// uint16_t pStateIdx << 1 | valMps; each codec owns its context sets.
#pragma once
#include <cstddef>
#include <cstdint>

namespace codectok {

// Table 9-46: rangeTabLps[pStateIdx][qRangeIdx].
inline constexpr uint8_t kRangeTabLps[64][4] = {
    {128, 176, 208, 240}, {128, 167, 197, 227}, {128, 158, 187, 216}, {123, 150, 178, 205}, {116, 142, 169, 195},
    {111, 135, 160, 185}, {105, 128, 152, 175}, {100, 122, 144, 166}, {95, 116, 137, 158},  {90, 110, 130, 150},
    {85, 104, 123, 142},  {81, 99, 117, 135},   {77, 94, 111, 128},   {73, 89, 105, 122},   {69, 85, 100, 116},
    {66, 80, 95, 110},    {62, 76, 90, 104},    {59, 72, 86, 99},     {56, 69, 81, 94},     {53, 65, 77, 89},
    {51, 62, 73, 85},     {48, 59, 69, 80},     {46, 56, 66, 76},     {43, 53, 63, 72},     {41, 50, 59, 69},
    {39, 48, 56, 65},     {37, 45, 54, 62},     {35, 43, 51, 59},     {33, 41, 48, 56},     {32, 39, 46, 53},
    {30, 37, 43, 50},     {29, 35, 41, 48},     {27, 33, 39, 45},     {26, 31, 37, 43},     {24, 30, 35, 41},
    {23, 28, 33, 39},     {22, 27, 32, 37},     {21, 26, 30, 35},     {20, 24, 29, 33},     {19, 23, 27, 31},
    {18, 22, 26, 30},     {17, 21, 25, 28},     {16, 20, 23, 27},     {15, 19, 22, 25},     {14, 18, 21, 24},
    {14, 17, 20, 23},     {13, 16, 19, 22},     {12, 15, 18, 21},     {12, 14, 17, 20},     {11, 14, 16, 19},
    {11, 13, 15, 18},     {10, 12, 15, 17},     {10, 12, 14, 16},     {9, 11, 13, 15},      {9, 11, 12, 14},
    {8, 10, 12, 14},      {8, 9, 11, 13},       {7, 9, 11, 12},       {7, 9, 10, 12},       {7, 8, 10, 11},
    {6, 8, 9, 11},        {6, 7, 9, 10},        {6, 7, 8, 9},         {2, 2, 2, 2},
};

// rangeTabLps by the engine's own indices: [qRangeIdx][pStateIdx << 1 | valMps] (no shift per bin).
struct LpsRangeTable {
  uint8_t v[4][128];
};
constexpr LpsRangeTable make_lps_range_table() {
  LpsRangeTable t{};
  for (int q = 0; q < 4; ++q)
    for (int st = 0; st < 128; ++st) t.v[q][st] = kRangeTabLps[st >> 1][q];
  return t;
}
inline constexpr LpsRangeTable kLpsRange = make_lps_range_table();

// State transitions (Table 9-47) indexed by [the bin was the LPS][pStateIdx << 1 | valMps].
struct StateTransitions {
  uint16_t next[2][128];
};
extern const StateTransitions kStateTransitions;

// log2(r) for r = 0..511 (0 for r = 0), for the fractional part of the bits
// consumed: compile-time data, computed in double precision (ln through the
// atanh series, converging to the last bit for a mantissa in [1, 2)) and
// rounded to float like static_cast<float>(std::log2(r)).
struct Log2Table {
  float v[512];
};
constexpr Log2Table make_log2_table() {
  Log2Table t{};
  constexpr double kLn2 = 0.69314718055994530941723212145818;
  for (int r = 1; r < 512; ++r) {
    int e = 0;
    while ((r >> (e + 1)) != 0) ++e;
    const double m = static_cast<double>(r) / static_cast<double>(1 << e);  // [1, 2)
    const double z = (m - 1) / (m + 1), z2 = z * z;
    double term = z, sum = 0;
    for (int k = 1; k < 60; k += 2) {
      sum += term / k;
      term *= z2;
    }
    t.v[r] = static_cast<float>(e + 2 * sum / kLn2);
  }
  return t;
}
inline constexpr Log2Table kLog2Range = make_log2_table();

class CabacDecoder {
 public:
  // Starts decoding at data[pos] (clause 9.3.2.5).
  void start(const uint8_t* data, size_t size, size_t pos) {
    data_ = data;
    size_ = size;
    pos_ = pos;
    range_ = 510;
    bits_needed_ = -8;
    value_ = (read_byte() << 8);
    value_ += read_byte();
  }

  // Branch-free decodeDecision (clause 9.3.4.3.2): the MPS/LPS choice is
  // data-dependent and unpredictable, so it is computed with masks.
  int decode(uint16_t& s) {
    const uint32_t st = s;
    const uint32_t lps = kLpsRange.v[(range_ >> 6) & 3][st];
    const uint32_t rmps = range_ - lps;
    const uint32_t scaled = rmps << 7;
    const uint32_t is_lps = value_ >= scaled ? 1u : 0u;
    const uint32_t mask = 0u - is_lps;
    value_ -= scaled & mask;
    const uint32_t range = (lps & mask) | (rmps & ~mask);
    s = is_lps ? kStateTransitions.next[1][st] : kStateTransitions.next[0][st];
    const int shift = __builtin_clz(range) - 23;  // renormalise to range >= 256
    range_ = range << shift;
    value_ <<= shift;
    bits_needed_ += shift;
    if (bits_needed_ >= 0) {
      value_ += read_byte() << bits_needed_;
      bits_needed_ -= 8;
    }
    return static_cast<int>((st & 1) ^ is_lps);
  }

  int decode_bypass() {
    value_ <<= 1;
    if (++bits_needed_ >= 0) {
      bits_needed_ = -8;
      value_ += read_byte();
    }
    const uint32_t scaled = range_ << 7;
    const uint32_t bin = value_ >= scaled ? 1u : 0u;
    value_ -= scaled & (0u - bin);
    return static_cast<int>(bin);
  }

  // n bypass bins at once (n <= 32), most significant first.
  uint32_t decode_bypass_bits(int n) {
    uint32_t v = 0;
    while (n > 8) {
      value_ = (value_ << 8) + (read_byte() << (8 + bits_needed_));
      uint32_t scaled = range_ << 15;
      for (int i = 0; i < 8; ++i) {
        scaled >>= 1;
        const uint32_t bin = value_ >= scaled ? 1u : 0u;
        v = (v << 1) | bin;
        value_ -= scaled & (0u - bin);
      }
      n -= 8;
    }
    bits_needed_ += n;
    value_ <<= n;
    if (bits_needed_ >= 0) {
      value_ += read_byte() << bits_needed_;
      bits_needed_ -= 8;
    }
    uint32_t scaled = range_ << (n + 7);
    for (int i = 0; i < n; ++i) {
      scaled >>= 1;
      const uint32_t bin = value_ >= scaled ? 1u : 0u;
      v = (v << 1) | bin;
      value_ -= scaled & (0u - bin);
    }
    return v;
  }

  int decode_terminate() {
    range_ -= 2;
    uint32_t scaled = range_ << 7;
    if (value_ >= scaled) return 1;
    if (scaled < (256u << 7)) {
      range_ = scaled >> 6;
      value_ <<= 1;
      if (++bits_needed_ == 0) {
        bits_needed_ = -8;
        value_ += read_byte();
      }
    }
    return 0;
  }

  // Byte position where data following a terminating bin equal to 1 starts.
  size_t position_after_terminate() const { return pos_; }
  // Bytes read past the end of the data (zeros were supplied).
  size_t overrun() const { return overrun_; }
  // Monotonic measure of the entropy-coded bits consumed so far.
  double bits_consumed() const {
    return static_cast<double>(pos_ + overrun_) * 8.0 + bits_needed_ - kLog2Range.v[range_ & 511];
  }

 private:
  uint32_t read_byte() {
    if (pos_ < size_) return data_[pos_++];
    ++overrun_;
    return 0;
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  size_t overrun_ = 0;
  uint32_t range_ = 510;
  uint32_t value_ = 0;
  int bits_needed_ = -8;
};

}  // namespace codectok
