// Scan orders of clause 6.5.3-6.5.5 (up-right diagonal, horizontal,
// vertical) for square blocks of 1, 2, 4 and 8 positions per side, as
// constant data computed at compile time.
#pragma once
#include <cstdint>

namespace codectok {

struct ScanPos {
  uint8_t x, y;
};

struct ScanOrderTables {
  ScanPos pos[4][3][64];  // [log2_block][scan_idx][i]
};

constexpr ScanOrderTables make_scan_order_tables() {
  ScanOrderTables t{};
  for (int log2 = 0; log2 < 4; ++log2) {
    const int size = 1 << log2;
    // 6.5.3 up-right diagonal
    int i = 0, x = 0, y = 0;
    while (i < size * size) {
      while (y >= 0) {
        if (x < size && y < size) t.pos[log2][0][i++] = {static_cast<uint8_t>(x), static_cast<uint8_t>(y)};
        --y;
        ++x;
      }
      y = x;
      x = 0;
    }
    // 6.5.4 horizontal, 6.5.5 vertical
    i = 0;
    for (int yy = 0; yy < size; ++yy)
      for (int xx = 0; xx < size; ++xx) t.pos[log2][1][i++] = {static_cast<uint8_t>(xx), static_cast<uint8_t>(yy)};
    i = 0;
    for (int xx = 0; xx < size; ++xx)
      for (int yy = 0; yy < size; ++yy) t.pos[log2][2][i++] = {static_cast<uint8_t>(xx), static_cast<uint8_t>(yy)};
  }
  return t;
}

inline constexpr ScanOrderTables kScanOrder = make_scan_order_tables();

// scan_order(log2_block, scan_idx)[i]: position of scan index i;
// log2_block 0..3, scan_idx 0 diagonal, 1 horizontal, 2 vertical.
constexpr const ScanPos* scan_order(int log2_block, int scan_idx) { return kScanOrder.pos[log2_block][scan_idx]; }

// The inverse: the scan index of each position, [log2_block][scan_idx][y << log2_block | x].
struct ScanIndexTables {
  uint8_t index[4][3][64];
};

constexpr ScanIndexTables make_scan_index_tables() {
  ScanIndexTables t{};
  for (int log2 = 0; log2 < 4; ++log2)
    for (int scan = 0; scan < 3; ++scan)
      for (int i = 0; i < (1 << (2 * log2)); ++i) {
        const ScanPos p = kScanOrder.pos[log2][scan][i];
        t.index[log2][scan][(p.y << log2) | p.x] = static_cast<uint8_t>(i);
      }
  return t;
}

inline constexpr ScanIndexTables kScanIndex = make_scan_index_tables();

// scan_index(log2_block, scan_idx, x, y): the scan index of position (x, y), x and y < 1 << log2_block.
constexpr int scan_index(int log2_block, int scan_idx, int x, int y) {
  return kScanIndex.index[log2_block][scan_idx][(y << log2_block) | x];
}

}  // namespace codectok
