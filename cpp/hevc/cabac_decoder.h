// CABAC arithmetic decoding engine (clause 9.3.4.3) and context variables
// (clause 9.3.2.2), byte-oriented with a 7-bit look-ahead.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hevc/cabac_contexts.h"

namespace codectok {

// pStateIdx << 1 | valMps
struct ContextSet {
  // uint16_t rather than uint8_t: a character type would alias the engine state and
  // keep the compiler from holding it in registers.
  uint16_t state[kNumCabacContexts];
};

void init_contexts(ContextSet& ctx, int init_type, int slice_qp_y);

extern const uint8_t kRangeTabLps[64][4];
extern const uint8_t kTransIdxLps[64];
extern const uint8_t kRenormTable[32];
extern float kLog2Range[512];  // log2(r), for the fractional part of consumed bits

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

  int decode(uint16_t& s) {
    uint32_t state = s >> 1;
    int mps = s & 1;
    uint32_t lps = kRangeTabLps[state][(range_ >> 6) & 3];
    range_ -= lps;
    uint32_t scaled = range_ << 7;
    if (value_ < scaled) {
      // MPS path
      s = static_cast<uint16_t>(((state < 62 ? state + 1 : state) << 1) | mps);
      if (scaled < (256u << 7)) {
        range_ = scaled >> 6;
        value_ <<= 1;
        if (++bits_needed_ == 0) {
          bits_needed_ = -8;
          value_ += read_byte();
        }
      }
      return mps;
    }
    int num_bits = kRenormTable[lps >> 3];
    value_ = (value_ - scaled) << num_bits;
    range_ = lps << num_bits;
    int bin = 1 - mps;
    if (state == 0) mps = 1 - mps;
    s = static_cast<uint16_t>((kTransIdxLps[state] << 1) | mps);
    bits_needed_ += num_bits;
    if (bits_needed_ >= 0) {
      value_ += read_byte() << bits_needed_;
      bits_needed_ -= 8;
    }
    return bin;
  }

  int decode_bypass() {
    value_ <<= 1;
    if (++bits_needed_ >= 0) {
      bits_needed_ = -8;
      value_ += read_byte();
    }
    uint32_t scaled = range_ << 7;
    if (value_ >= scaled) {
      value_ -= scaled;
      return 1;
    }
    return 0;
  }

  uint32_t decode_bypass_bits(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 1) | static_cast<uint32_t>(decode_bypass());
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
    return static_cast<double>(pos_ + overrun_) * 8.0 + bits_needed_ - kLog2Range[range_ & 511];
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
