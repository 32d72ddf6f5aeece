// Filling a rectangle of a per-block map (the 4x4 and 8x8 maps of a picture)
// with one value. Regions are small (1..16 blocks a row, up to 16 rows): the
// value is held in registers and written with fixed-size stores.
#pragma once
#include <cstddef>
#include <cstring>

namespace codectok {

// Writes the kBytes-byte entry at `entry` into w x h consecutive entries of a
// map whose rows are stride_entries entries apart, starting at `origin`.
// Rows of kW entries: a fixed-count inner loop, unrolled by the compiler.
template <size_t kBytes, int kW>
inline void fill_block_rows(unsigned char* row, size_t stride_bytes, int h, const unsigned char (&e)[kBytes]) {
  for (int y = 0; y < h; ++y, row += stride_bytes)
    for (int x = 0; x < kW; ++x) std::memcpy(row + static_cast<size_t>(x) * kBytes, e, kBytes);
}

template <size_t kBytes>
inline void fill_block_entries(void* origin, size_t stride_entries, int w, int h, const void* entry) {
  unsigned char e[kBytes];
  std::memcpy(e, entry, kBytes);  // a local copy: the stores cannot alias it
  unsigned char* row = static_cast<unsigned char*>(origin);
  const size_t stride_bytes = stride_entries * kBytes;
  switch (w) {  // the widths of the power-of-two blocks, dispatched once
    case 16: fill_block_rows<kBytes, 16>(row, stride_bytes, h, e); break;
    case 8: fill_block_rows<kBytes, 8>(row, stride_bytes, h, e); break;
    case 4: fill_block_rows<kBytes, 4>(row, stride_bytes, h, e); break;
    case 2: fill_block_rows<kBytes, 2>(row, stride_bytes, h, e); break;
    case 1: fill_block_rows<kBytes, 1>(row, stride_bytes, h, e); break;
    default:
      for (int y = 0; y < h; ++y, row += stride_bytes)
        for (int x = 0; x < w; ++x) std::memcpy(row + static_cast<size_t>(x) * kBytes, e, kBytes);
  }
}

// The same for maps of single-byte values (w <= 16): one fixed-size copy of a
// pattern per row, the row width dispatched once.
template <typename T>
inline void fill_block_bytes(T* origin, size_t stride, int w, int h, T v) {
  static_assert(sizeof(T) == 1, "byte maps only");
  T pattern[16];
  std::memset(pattern, static_cast<unsigned char>(v), sizeof(pattern));
  switch (w) {
    case 16: for (int y = 0; y < h; ++y, origin += stride) std::memcpy(origin, pattern, 16); break;
    case 8: for (int y = 0; y < h; ++y, origin += stride) std::memcpy(origin, pattern, 8); break;
    case 4: for (int y = 0; y < h; ++y, origin += stride) std::memcpy(origin, pattern, 4); break;
    case 2: for (int y = 0; y < h; ++y, origin += stride) std::memcpy(origin, pattern, 2); break;
    case 1: for (int y = 0; y < h; ++y, origin += stride) *origin = v; break;
    default:
      for (int y = 0; y < h; ++y, origin += stride)
        for (int x = 0; x < w; ++x) origin[x] = v;
  }
}

}  // namespace codectok
