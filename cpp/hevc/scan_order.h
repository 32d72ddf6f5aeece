// Scan orders of clause 6.5.3-6.5.5 (up-right diagonal, horizontal,
// vertical) for square blocks of 1, 2, 4 and 8 positions per side.
#pragma once
#include <cstdint>

namespace codectok {

struct ScanPos {
  uint8_t x, y;
};

// kScanOrder(log2_block, scan_idx)[i]: position of scan index i;
// log2_block 0..3, scan_idx 0 diagonal, 1 horizontal, 2 vertical.
const ScanPos* scan_order(int log2_block, int scan_idx);

}  // namespace codectok
