// CABAC arithmetic decoding engine, shared by H.264 (clause 9.3.3.2) and
// HEVC (clause 9.3.4.3): the same tables and the same engine in both
// standards. Context variables are uint16_t pStateIdx << 1 | valMps; each
// codec owns its context sets.
//
// The offset register holds ivlOffset (9 bits) at bits 17..25, compared with
// ivlCurrRange << 17, and below it 1..16 bits of look-ahead read two bytes at
// a time, closed by a marker bit (the lowest set bit). Renormalisation shifts
// the register; when the marker reaches bit 16 or above the look-ahead is
// spent and two more bytes go in at the marker's place (one test per bin, no
// bit counter to keep).
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

// rangeTabLps by the engine's own indices: v[qRangeIdx << 7 | pStateIdx << 1 | valMps], where
// qRangeIdx << 7 is (range & 0xC0) << 1 (no shift of the state per bin).
struct LpsRangeTable {
  uint8_t v[4 * 128];
};
constexpr LpsRangeTable make_lps_range_table() {
  LpsRangeTable t{};
  for (int q = 0; q < 4; ++q)
    for (int st = 0; st < 128; ++st) t.v[q << 7 | st] = kRangeTabLps[st >> 1][q];
  return t;
}

// RenormD's shift count for a range r = 1..511 (clause 9.3.4.3.3): the
// smallest n with r << n >= 256.
struct RenormShiftTable {
  uint8_t v[512];
};
constexpr RenormShiftTable make_renorm_shift_table() {
  RenormShiftTable t{};
  for (int r = 1; r < 512; ++r) {
    int n = 0;
    while ((r << n) < 256) ++n;
    t.v[r] = static_cast<uint8_t>(n);
  }
  return t;
}

// Table 9-47: transIdxLps.
inline constexpr uint8_t kTransIdxLps[64] = {0,  0,  1,  2,  2,  4,  4,  5,  6,  7,  8,  9,  9,  11, 11, 12,
                                             13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
                                             24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
                                             33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63};

// State transitions (Table 9-47, transIdxMps is pStateIdx + 1 up to 62) with
// the valMps switch of clause 9.3.4.3.2.2, indexed by [the bin was the
// LPS][pStateIdx << 1 | valMps].
struct StateTransitions {
  uint16_t next[2][128];
};
constexpr StateTransitions make_state_transitions() {
  StateTransitions t{};
  for (int st = 0; st < 128; ++st) {
    const int state = st >> 1, mps = st & 1;
    t.next[0][st] = static_cast<uint16_t>(((state < 62 ? state + 1 : state) << 1) | mps);
    t.next[1][st] = static_cast<uint16_t>((kTransIdxLps[state] << 1) | (state == 0 ? 1 - mps : mps));
  }
  return t;
}

// The engine's per-bin tables in one object: one base address for all of them
// (position-independent code computes each object's address apart).
struct CabacEngineTables {
  LpsRangeTable lps_range;
  RenormShiftTable renorm_shift;
  StateTransitions transitions;
};
inline constexpr CabacEngineTables kCabacEngineTables = {make_lps_range_table(), make_renorm_shift_table(),
                                                         make_state_transitions()};
inline constexpr const LpsRangeTable& kLpsRange = kCabacEngineTables.lps_range;
inline constexpr const RenormShiftTable& kRenormShift = kCabacEngineTables.renorm_shift;
inline constexpr const StateTransitions& kStateTransitions = kCabacEngineTables.transitions;

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

#if defined(__GNUC__)
#define CODECTOK_CABAC_INLINE inline __attribute__((always_inline))
#else
#define CODECTOK_CABAC_INLINE inline
#endif

// Copy the engine into a local variable around a hot loop (and back after it)
// to let the compiler hold its state in registers.
class CabacDecoder {
 public:
  // Starts decoding at data[pos] (clause 9.3.2.5): ivlCurrRange = 510,
  // ivlOffset = the first 9 bits (and 15 bits of look-ahead, the marker at bit 1).
  void start(const uint8_t* data, size_t size, size_t pos) {
    overrun_ = overrun();  // carried over restarts (PCM samples, entry points)
    data_ = data;
    size_ = size;
    pos_ = pos;
    start_overrun_ = overrun_;
    range_ = 510;
    uint32_t b = read_byte() << 16;
    b |= read_byte() << 8;
    b |= read_byte();
    low_ = (b << 2) | 2;
  }

  // decodeDecision (clause 9.3.4.3.2) and RenormD (9.3.4.3.3). The most
  // probable symbol's path renormalises by at most one bit.
  CODECTOK_CABAC_INLINE int decode(uint16_t& s) {
    const size_t st = s;  // size_t: an index without a zero extension of its own
    const uint32_t lps = kLpsRange.v[((range_ & 0xC0u) << 1) | st];
    const uint32_t range = range_ - lps;
    const uint32_t scaled = range << 17;
    if (low_ < scaled) {
      s = kStateTransitions.next[0][st];
      // Branch-free: whether the range fell below 256 is a coin toss for the branch predictor.
      const uint32_t shift = range < 256 ? 1u : 0u;
      range_ = range << shift;
      low_ <<= shift;
      if ((low_ & 0xFFFF) == 0) refill();
      return static_cast<int>(st & 1);
    }
    low_ -= scaled;
    s = kStateTransitions.next[1][st];
    const int shift = kRenormShift.v[lps];
    range_ = lps << shift;
    low_ <<= shift;
    if ((low_ & 0xFFFF) == 0) refill();
    return static_cast<int>((st & 1) ^ 1);
  }

  // DecodeBypass (clause 9.3.4.3.4).
  CODECTOK_CABAC_INLINE int decode_bypass() {
    low_ <<= 1;
    if ((low_ & 0xFFFF) == 0) refill();
    const uint32_t scaled = range_ << 17;
    const uint32_t bin = low_ >= scaled ? 1u : 0u;
    low_ -= scaled & (0u - bin);
    return static_cast<int>(bin);
  }

  // n bypass bins at once (n <= 32), most significant first: the look-ahead
  // is shifted in up to 16 bits at a time, then one compare per bin.
  uint32_t decode_bypass_bits(int n) {
    uint32_t v = 0;
    while (n > 0) {
      const int avail = 16 - __builtin_ctz(low_);  // 1..16 bits of look-ahead
      const int k = n < avail ? n : avail;
      uint64_t low = static_cast<uint64_t>(low_) << k;
      uint64_t scaled = static_cast<uint64_t>(range_) << (17 + k);
      for (int i = 0; i < k; ++i) {
        scaled >>= 1;
        const uint64_t bin = low >= scaled ? 1u : 0u;
        v = (v << 1) | static_cast<uint32_t>(bin);
        low -= scaled & (0u - bin);
      }
      low_ = static_cast<uint32_t>(low);  // < range << 17
      if ((low_ & 0xFFFF) == 0) refill();
      n -= k;
    }
    return v;
  }

  // DecodeTerminate (clause 9.3.4.3.5); a terminating bin equal to 1 leaves
  // the register as it is (position_after_terminate() accounts for it).
  int decode_terminate() {
    range_ -= 2;
    const uint32_t scaled = range_ << 17;
    if (low_ >= scaled) return 1;
    if (range_ < 256) {
      range_ <<= 1;
      low_ <<= 1;
      if ((low_ & 0xFFFF) == 0) refill();
    }
    return 0;
  }

  // Byte position where data following a terminating bin equal to 1 starts:
  // that of a decoder reading one byte whenever its look-ahead runs out.
  size_t position_after_terminate() const {
    const size_t ahead = read_ahead();
    const size_t ahead_overrun = overrun_ - start_overrun_;
    return pos_ - (ahead - (ahead < ahead_overrun ? ahead : ahead_overrun));
  }
  // Bytes read past the end of the data (zeros were supplied), counted as a
  // decoder reading one byte whenever its look-ahead runs out would count them.
  size_t overrun() const {
    const size_t ahead = read_ahead();
    const size_t ahead_overrun = overrun_ - start_overrun_;
    return overrun_ - (ahead < ahead_overrun ? ahead : ahead_overrun);
  }
  // Monotonic measure of the entropy-coded bits consumed so far: bytes read
  // times 8 less the look-ahead bits and 1, less log2(ivlCurrRange).
  double bits_consumed() const {
    return static_cast<double>(pos_ + overrun_) * 8.0 + (__builtin_ctz(low_) - 17) - kLog2Range.v[range_ & 511];
  }

 private:
  // Whole bytes of look-ahead beyond one byte-at-a-time decoder's (0..2).
  size_t read_ahead() const { return static_cast<size_t>((16 - __builtin_ctz(low_)) >> 3); }

  // The marker is at bit p >= 16 (p <= 22): 16 bits go in at p..p-15, the
  // marker moves to p - 16.
  void refill() {
    const int p = __builtin_ctz(low_);
    uint32_t b;
    if (pos_ + 2 <= size_) {
      b = static_cast<uint32_t>(data_[pos_]) << 8 | data_[pos_ + 1];
      pos_ += 2;
    } else {
      b = read_byte() << 8;
      b |= read_byte();
    }
    low_ += ((b << 1) + 1 - (1u << 16)) << (p - 16);
  }

  uint32_t read_byte() {
    if (pos_ < size_) return data_[pos_++];
    ++overrun_;
    return 0;
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  size_t overrun_ = 0;        // zero bytes supplied, this start and before
  size_t start_overrun_ = 0;  // overrun_ when decoding last started
  uint32_t range_ = 510;
  uint32_t low_ = 1u << 16;   // no look-ahead: overrun() is 0 before start()
};

}  // namespace codectok
