// gzip / DEFLATE decoder for the test support code (see inflate.h).
//
// Bits are read LSB-first from a 64-bit buffer refilled 8 bytes at a time.
// Huffman codes are decoded through a 10-bit lookup table (symbol and length
// per entry); the rare longer codes fall back to a canonical, count-based
// decode. Validation follows zlib: over-subscribed codes and incomplete codes
// (other than a lone 1-bit literal/length or distance code) are rejected.
#include "support/inflate.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace codectok {
namespace test {
namespace {

[[noreturn]] void bad(const std::string& what) { throw std::runtime_error("inflate: " + what); }

inline uint64_t load64le(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size) : begin_(data), p_(data), end_(data + size) {}

  // Tops the buffer up to at least 56 bits. Past the end of the input zero
  // bytes are supplied; more than 8 of them means bits beyond the input were
  // really consumed, i.e. the stream is truncated.
  inline void refill() {
    if (end_ - p_ >= 8) {
      buf_ |= load64le(p_) << cnt_;
      p_ += (63 - cnt_) >> 3;
      cnt_ |= 56;
    } else {
      while (cnt_ <= 56) {
        uint64_t b = 0;
        if (p_ < end_) {
          b = *p_++;
        } else if (++phantom_ > 8) {
          bad("truncated input");
        }
        buf_ |= b << cnt_;
        cnt_ += 8;
      }
    }
  }
  inline uint64_t buffer() const { return buf_; }
  inline unsigned available() const { return cnt_; }
  inline void drop(unsigned n) {
    buf_ >>= n;
    cnt_ -= n;
  }
  // n <= 32; refills when needed.
  inline uint32_t bits(unsigned n) {
    if (cnt_ < n) refill();
    return bits_buffered(n);
  }
  // n <= available().
  inline uint32_t bits_buffered(unsigned n) {
    uint32_t v = static_cast<uint32_t>(buf_ & ((uint64_t(1) << n) - 1));
    drop(n);
    return v;
  }
  void align_to_byte() { drop(cnt_ & 7); }
  uint64_t consumed_bits() const {
    return (static_cast<uint64_t>(p_ - begin_) + phantom_) * 8 - cnt_;
  }
  void check_not_overrun() const {
    if (consumed_bits() > static_cast<uint64_t>(end_ - begin_) * 8) bad("truncated input");
  }
  // Stored block payload: `len` bytes, byte aligned.
  void copy_bytes(uint8_t* dst, size_t len) {
    while (len > 0 && cnt_ >= 8) {
      *dst++ = static_cast<uint8_t>(buf_);
      drop(8);
      --len;
    }
    check_not_overrun();
    if (len == 0) return;
    // Buffer empty (cnt_ == 0): read straight from the input. The bits still
    // in buf_ above cnt_ are look-ahead copies of these bytes; clear them.
    buf_ = 0;
    cnt_ = 0;
    if (static_cast<size_t>(end_ - p_) < len) bad("truncated stored block");
    std::memcpy(dst, p_, len);
    p_ += len;
  }

 private:
  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
  uint64_t buf_ = 0;
  unsigned cnt_ = 0;
  size_t phantom_ = 0;
};

enum class CodeKind { kCodeLengths, kLiteralLength, kDistance };

struct Huffman {
  static constexpr unsigned kFastBits = 10;
  static constexpr unsigned kMaxBits = 15;
  // Entry: symbol | (length << 9); 0 when the code is longer than kFastBits
  // (or does not exist).
  uint16_t fast[1u << kFastBits];
  uint16_t count[kMaxBits + 1];
  uint16_t symbol[288];

  void build(const uint8_t* lengths, unsigned n, CodeKind kind, const char* name) {
    std::memset(count, 0, sizeof(count));
    for (unsigned i = 0; i < n; ++i) {
      if (lengths[i] > kMaxBits) bad(std::string("bad code length in ") + name);
      ++count[lengths[i]];
    }
    count[0] = 0;
    int left = 1;
    unsigned total = 0, max_len = 0;
    for (unsigned len = 1; len <= kMaxBits; ++len) {
      left <<= 1;
      left -= count[len];
      if (left < 0) bad(std::string("over-subscribed ") + name + " code");
      total += count[len];
      if (count[len]) max_len = len;
    }
    if (left > 0 && total > 0 && (kind == CodeKind::kCodeLengths || max_len != 1))
      bad(std::string("incomplete ") + name + " code");
    uint16_t offs[kMaxBits + 2];
    offs[1] = 0;
    for (unsigned len = 1; len <= kMaxBits; ++len) offs[len + 1] = offs[len] + count[len];
    for (unsigned i = 0; i < n; ++i)
      if (lengths[i]) symbol[offs[lengths[i]]++] = static_cast<uint16_t>(i);
    std::memset(fast, 0, sizeof(fast));
    unsigned code = 0, index = 0;
    for (unsigned len = 1; len <= kFastBits; ++len) {
      for (unsigned k = 0; k < count[len]; ++k, ++code, ++index) {
        unsigned rev = 0;
        for (unsigned b = 0; b < len; ++b) rev |= ((code >> b) & 1u) << (len - 1 - b);
        const uint16_t entry = static_cast<uint16_t>(symbol[index] | (len << 9));
        for (unsigned j = rev; j < (1u << kFastBits); j += 1u << len) fast[j] = entry;
      }
      code <<= 1;
    }
  }

  // Requires at least kMaxBits buffered bits.
  inline unsigned decode(BitReader& in) const {
    const unsigned e = fast[in.buffer() & ((1u << kFastBits) - 1)];
    if (e) {
      in.drop(e >> 9);
      return e & 511u;
    }
    return decode_slow(in);
  }

  unsigned decode_slow(BitReader& in) const {
    uint64_t b = in.buffer();
    int code = 0, first = 0, index = 0;
    for (unsigned len = 1; len <= kMaxBits; ++len) {
      code |= static_cast<int>(b & 1);
      b >>= 1;
      const int c = count[len];
      if (code - first < c) {
        in.drop(len);
        return symbol[index + code - first];
      }
      index += c;
      first += c;
      first <<= 1;
      code <<= 1;
    }
    bad("invalid Huffman code");
  }
};

const uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                  31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
const uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
const uint16_t kDistBase[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
const uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

struct FixedTables {
  Huffman lit, dist;
  FixedTables() {
    uint8_t l[288];
    for (int i = 0; i < 144; ++i) l[i] = 8;
    for (int i = 144; i < 256; ++i) l[i] = 9;
    for (int i = 256; i < 280; ++i) l[i] = 7;
    for (int i = 280; i < 288; ++i) l[i] = 8;
    lit.build(l, 288, CodeKind::kLiteralLength, "fixed literal/length");
    uint8_t d[32];
    for (int i = 0; i < 32; ++i) d[i] = 5;
    dist.build(d, 32, CodeKind::kDistance, "fixed distance");
  }
};

const FixedTables& fixed_tables() {
  static const FixedTables tables;
  return tables;
}

class Output {
 public:
  Output(size_t hint, size_t max_output) : max_(max_output) {
    buf_.resize(std::max<size_t>(std::min(hint, max_output), 1024) + 258);
  }
  // Guarantees room for n more bytes.
  inline uint8_t* reserve(size_t n) {
    if (buf_.size() - pos_ < n) grow(n);
    return buf_.data() + pos_;
  }
  inline void advance(size_t n) { pos_ += n; }
  size_t size() const { return pos_; }
  const uint8_t* data() const { return buf_.data(); }
  std::vector<uint8_t> take() {
    if (pos_ > max_) bad("output exceeds the limit");
    buf_.resize(pos_);
    return std::move(buf_);
  }

 private:
  void grow(size_t n) {
    if (pos_ > max_) bad("output exceeds the limit of " + std::to_string(max_) + " bytes");
    const size_t need = pos_ + n;
    size_t next = std::max(need, buf_.size() * 2);
    next = std::min(next, std::max(need, max_ + 258));
    buf_.resize(next);
  }
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  size_t max_;
};

void inflate_block(BitReader& in, Output& out, const Huffman& lit, const Huffman& dist) {
  for (;;) {
    in.refill();  // >= 56 bits: enough for length code + extra + distance code + extra
    const unsigned sym = lit.decode(in);
    if (sym < 256) {
      *out.reserve(1) = static_cast<uint8_t>(sym);
      out.advance(1);
      continue;
    }
    if (sym == 256) return;
    const unsigned li = sym - 257;
    if (li >= 29) bad("invalid literal/length symbol " + std::to_string(sym));
    const size_t len = kLengthBase[li] + in.bits_buffered(kLengthExtra[li]);
    const unsigned ds = dist.decode(in);
    if (ds >= 30) bad("invalid distance symbol " + std::to_string(ds));
    const size_t d = kDistBase[ds] + in.bits_buffered(kDistExtra[ds]);
    if (d > out.size()) bad("distance too far back");
    uint8_t* dst = out.reserve(len);
    const uint8_t* src = dst - d;
    if (d >= len) {
      std::memcpy(dst, src, len);
    } else if (d == 1) {
      std::memset(dst, *src, len);
    } else {
      for (size_t i = 0; i < len; ++i) dst[i] = src[i];
    }
    out.advance(len);
  }
}

void read_dynamic_tables(BitReader& in, Huffman& lit, Huffman& dist) {
  static const uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  const unsigned hlit = in.bits(5) + 257;
  const unsigned hdist = in.bits(5) + 1;
  const unsigned hclen = in.bits(4) + 4;
  if (hlit > 286) bad("too many literal/length codes");
  if (hdist > 30) bad("too many distance codes");
  uint8_t cl[19] = {0};
  for (unsigned i = 0; i < hclen; ++i) cl[kOrder[i]] = static_cast<uint8_t>(in.bits(3));
  Huffman clcode;
  clcode.build(cl, 19, CodeKind::kCodeLengths, "code length");
  uint8_t lens[286 + 30];
  const unsigned total = hlit + hdist;
  unsigned n = 0;
  while (n < total) {
    in.refill();
    const unsigned sym = clcode.decode(in);
    if (sym < 16) {
      lens[n++] = static_cast<uint8_t>(sym);
      continue;
    }
    uint8_t value = 0;
    unsigned repeat;
    if (sym == 16) {
      if (n == 0) bad("repeat of a code length with no previous length");
      value = lens[n - 1];
      repeat = 3 + in.bits_buffered(2);
    } else if (sym == 17) {
      repeat = 3 + in.bits_buffered(3);
    } else {
      repeat = 11 + in.bits_buffered(7);
    }
    if (n + repeat > total) bad("code lengths repeat past the end");
    std::memset(lens + n, value, repeat);
    n += repeat;
  }
  if (lens[256] == 0) bad("missing end-of-block code");
  lit.build(lens, hlit, CodeKind::kLiteralLength, "literal/length");
  dist.build(lens + hlit, hdist, CodeKind::kDistance, "distance");
}

struct Crc32Tables {
  uint32_t t[8][256];
  Crc32Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};

inline uint32_t load32le(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc) {
  static const Crc32Tables tables;
  const auto& t = tables.t;
  uint32_t c = ~crc;
  while (size >= 8) {
    const uint32_t a = load32le(data) ^ c;
    const uint32_t b = load32le(data + 4);
    c = t[7][a & 0xFF] ^ t[6][(a >> 8) & 0xFF] ^ t[5][(a >> 16) & 0xFF] ^ t[4][a >> 24] ^
        t[3][b & 0xFF] ^ t[2][(b >> 8) & 0xFF] ^ t[1][(b >> 16) & 0xFF] ^ t[0][b >> 24];
    data += 8;
    size -= 8;
  }
  while (size--) c = t[0][(c ^ *data++) & 0xFF] ^ (c >> 8);
  return ~c;
}

std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t* consumed,
                                 size_t size_hint, size_t max_output) {
  BitReader in(data, size);
  Output out(size_hint, max_output);
  Huffman lit, dist;
  bool final_block = false;
  while (!final_block) {
    final_block = in.bits(1) != 0;
    const unsigned type = in.bits(2);
    if (type == 0) {
      in.align_to_byte();
      const uint32_t len = in.bits(16);
      const uint32_t nlen = in.bits(16);
      if ((len ^ 0xFFFFu) != nlen) bad("stored block length does not match its complement");
      uint8_t* dst = out.reserve(len);
      in.copy_bytes(dst, len);
      out.advance(len);
    } else if (type == 1) {
      const FixedTables& fixed = fixed_tables();
      inflate_block(in, out, fixed.lit, fixed.dist);
    } else if (type == 2) {
      read_dynamic_tables(in, lit, dist);
      inflate_block(in, out, lit, dist);
    } else {
      bad("invalid block type 3");
    }
    in.check_not_overrun();
  }
  if (consumed) *consumed = static_cast<size_t>((in.consumed_bits() + 7) / 8);
  return out.take();
}

std::vector<uint8_t> gunzip(const uint8_t* data, size_t size, size_t max_output) {
  std::vector<uint8_t> result;
  size_t off = 0;
  int member = 0;
  for (;;) {
    const std::string where = "gzip member " + std::to_string(member) + ": ";
    if (size - off < 18) bad(where + "truncated (shorter than a gzip header and trailer)");
    const uint8_t* h = data + off;
    if (h[0] != 0x1F || h[1] != 0x8B) bad(where + "not gzip data (bad magic)");
    if (h[2] != 8) bad(where + "unknown compression method " + std::to_string(h[2]));
    const uint8_t flags = h[3];
    if (flags & 0xE0) bad(where + "reserved header flags set");
    size_t pos = off + 10;
    if (flags & 0x04) {  // FEXTRA
      if (size - pos < 2) bad(where + "truncated extra field");
      const size_t xlen = size_t(data[pos]) | size_t(data[pos + 1]) << 8;
      pos += 2;
      if (size - pos < xlen) bad(where + "truncated extra field");
      pos += xlen;
    }
    for (uint8_t flag : {uint8_t(0x08), uint8_t(0x10)}) {  // FNAME, FCOMMENT
      if (!(flags & flag)) continue;
      const void* nul = std::memchr(data + pos, 0, size - pos);
      if (!nul) bad(where + "unterminated file name or comment");
      pos = static_cast<size_t>(static_cast<const uint8_t*>(nul) - data) + 1;
    }
    if (flags & 0x02) {  // FHCRC
      if (size - pos < 2) bad(where + "truncated header CRC");
      const uint32_t want = uint32_t(data[pos]) | uint32_t(data[pos + 1]) << 8;
      if ((crc32(data + off, pos - off) & 0xFFFF) != want) bad(where + "header CRC mismatch");
      pos += 2;
    }
    // ISIZE at the end of the file is the size of a single-member file: a hint.
    size_t hint = 0;
    if (member == 0) {
      hint = load32le(data + size - 4);
      const size_t max_ratio = (size - pos) * 1032 + 1024;  // DEFLATE cannot exceed ~1032:1
      hint = std::min(hint, max_ratio);
    }
    const size_t budget = max_output - result.size();
    size_t used = 0;
    std::vector<uint8_t> bytes = inflate_raw(data + pos, size - pos, &used, hint, budget);
    pos += used;
    if (size - pos < 8) bad(where + "truncated trailer");
    const uint32_t want_crc = load32le(data + pos);
    const uint32_t want_size = load32le(data + pos + 4);
    if (crc32(bytes.data(), bytes.size()) != want_crc) bad(where + "CRC-32 mismatch (corrupt data)");
    if (static_cast<uint32_t>(bytes.size()) != want_size) bad(where + "ISIZE mismatch");
    if (result.empty()) {
      result = std::move(bytes);
    } else {
      result.insert(result.end(), bytes.begin(), bytes.end());
    }
    off = pos + 8;
    ++member;
    if (off == size) break;
    if (std::all_of(data + off, data + size, [](uint8_t b) { return b == 0; })) break;
    if (size - off >= 2 && data[off] == 0x1F && data[off + 1] == 0x8B) continue;
    bad("trailing garbage after gzip member " + std::to_string(member - 1));
  }
  return result;
}

}  // namespace test
}  // namespace codectok
