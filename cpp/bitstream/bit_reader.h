// MSB-first bit reader over an RBSP (emulation prevention bytes already
// removed), with the Exp-Golomb descriptors of clause 9.2.
#pragma once
#include <cstddef>
#include <cstdint>

#include "bitstream/parse_error.h"

namespace codectok {

class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size) : data_(data), size_bits_(size * 8) {}

  // u(n), n in 0..32.
  uint32_t u(int n) {
    if (n == 0) return 0;
    if (pos_ + static_cast<size_t>(n) > size_bits_) fail(ErrorCode::kTruncated, "bitstream ended inside a syntax element");
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
      v = (v << 1) | ((data_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1u);
      ++pos_;
    }
    return v;
  }
  bool flag() { return u(1) != 0; }
  // ue(v): values up to 2^32 - 2.
  uint32_t ue() {
    int zeros = 0;
    while (u(1) == 0) {
      if (++zeros > 31) fail(ErrorCode::kInvalidSyntax, "Exp-Golomb code longer than 32 bits");
    }
    if (zeros == 0) return 0;
    return static_cast<uint32_t>((uint64_t{1} << zeros) - 1 + u(zeros));
  }
  int32_t se() {
    uint32_t k = ue();
    int64_t v = (k & 1) ? (int64_t{k} + 1) / 2 : -(int64_t{k} / 2);
    return static_cast<int32_t>(v);
  }
  void skip(size_t n) {
    if (pos_ + n > size_bits_) fail(ErrorCode::kTruncated, "bitstream ended inside a syntax element");
    pos_ += n;
  }
  void byte_align() { pos_ = (pos_ + 7) & ~size_t{7}; }
  bool byte_aligned() const { return (pos_ & 7) == 0; }
  size_t bit_position() const { return pos_; }
  size_t bits_left() const { return size_bits_ > pos_ ? size_bits_ - pos_ : 0; }
  // more_rbsp_data(): true while anything precedes the rbsp_stop_one_bit.
  bool more_rbsp_data() const;
  const uint8_t* data() const { return data_; }
  size_t size_bytes() const { return size_bits_ / 8; }

 private:
  const uint8_t* data_;
  size_t size_bits_;
  size_t pos_ = 0;
};

}  // namespace codectok
