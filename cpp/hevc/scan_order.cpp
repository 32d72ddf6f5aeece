#include "hevc/scan_order.h"

namespace codectok {

namespace {

struct ScanTables {
  ScanPos tables[4][3][64];
  ScanTables() {
    for (int log2 = 0; log2 < 4; ++log2) {
      int size = 1 << log2;
      // 6.5.3 up-right diagonal
      int i = 0, x = 0, y = 0;
      bool stop = false;
      while (!stop) {
        while (y >= 0) {
          if (x < size && y < size) tables[log2][0][i++] = {static_cast<uint8_t>(x), static_cast<uint8_t>(y)};
          --y;
          ++x;
        }
        y = x;
        x = 0;
        if (i >= size * size) stop = true;
      }
      // 6.5.4 horizontal, 6.5.5 vertical
      i = 0;
      for (int yy = 0; yy < size; ++yy)
        for (int xx = 0; xx < size; ++xx) tables[log2][1][i++] = {static_cast<uint8_t>(xx), static_cast<uint8_t>(yy)};
      i = 0;
      for (int xx = 0; xx < size; ++xx)
        for (int yy = 0; yy < size; ++yy) tables[log2][2][i++] = {static_cast<uint8_t>(xx), static_cast<uint8_t>(yy)};
    }
  }
};

const ScanTables& tables() {
  static const ScanTables t;
  return t;
}

}  // namespace

const ScanPos* scan_order(int log2_block, int scan_idx) { return tables().tables[log2_block][scan_idx]; }

}  // namespace codectok
