// Test support: a self-contained gzip (RFC 1952) / DEFLATE (RFC 1951)
// decompressor, so the C++ tests can read the *.npy.gz golden files without
// any third-party dependency. Handles stored, fixed-Huffman and
// dynamic-Huffman blocks and multi-member gzip files; every malformed input
// (bad header, invalid or incomplete Huffman code, distance too far back,
// truncated data, CRC-32 or length mismatch) throws std::runtime_error.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace codectok {
namespace test {

// Refuses to produce more than this many bytes (guards against bombs).
constexpr size_t kDefaultMaxInflateOutput = size_t(1) << 31;  // 2 GiB

// CRC-32 (ISO-HDLC, as used by gzip/zlib). Pass the previous value to continue
// a running CRC; crc32("123456789") == 0xCBF43926.
uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

// Decompresses one raw DEFLATE stream (no zlib or gzip wrapper) starting at
// `data`. When `consumed` is given it receives the number of input bytes the
// stream occupied (its last byte partially used counts as consumed); otherwise
// trailing bytes are ignored. `size_hint` pre-sizes the output buffer.
std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t* consumed = nullptr,
                                 size_t size_hint = 0,
                                 size_t max_output = kDefaultMaxInflateOutput);

// Decompresses a whole gzip file (one or more concatenated members), checking
// each member's CRC-32 and ISIZE. Trailing zero padding is tolerated; any
// other trailing data is an error.
std::vector<uint8_t> gunzip(const uint8_t* data, size_t size,
                            size_t max_output = kDefaultMaxInflateOutput);
inline std::vector<uint8_t> gunzip(const std::vector<uint8_t>& data,
                                   size_t max_output = kDefaultMaxInflateOutput) {
  return gunzip(data.data(), data.size(), max_output);
}

}  // namespace test
}  // namespace codectok
