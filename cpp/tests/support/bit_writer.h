// Writes the bits of a syntax structure (u(n), ue(v), se(v)) for tests that
// build or rewrite parameter sets by hand, independently of the decoder's reader.
#pragma once
#include <cstdint>
#include <vector>

namespace codectok::test {

struct BitWriter {
  std::vector<uint8_t> bytes;
  int bits = 0;
  void put(uint32_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      if (bits % 8 == 0) bytes.push_back(0);
      bytes.back() |= static_cast<uint8_t>(((v >> i) & 1) << (7 - bits % 8));
      ++bits;
    }
  }
  void ue(uint32_t v) {
    uint64_t x = uint64_t{v} + 1;
    int len = 0;
    while ((x >> len) > 1) ++len;
    put(0, len);
    // The len + 1 bits of x (up to 33), high part first.
    if (len + 1 > 32) put(static_cast<uint32_t>(x >> 32), len + 1 - 32), put(static_cast<uint32_t>(x), 32);
    else put(static_cast<uint32_t>(x), len + 1);
  }
  void se(int32_t v) { ue(v > 0 ? static_cast<uint32_t>(2 * int64_t{v} - 1) : static_cast<uint32_t>(-2 * int64_t{v})); }
  // rbsp_trailing_bits(): a one, then zeros to the byte boundary.
  void trailing() {
    put(1, 1);
    while (bits % 8) put(0, 1);
  }
};

}  // namespace codectok::test
