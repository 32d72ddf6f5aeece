// The core's tables that are computed at compile time (constexpr data, no
// static constructors): checked against the specification's definitions
// and, for log2, against the C library.
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "hevc/block_availability.h"
#include "bitstream/cabac_engine.h"
#include "hevc/scan_order.h"
#include "support/check.h"

namespace {

using codectok::test::check;

}  // namespace

int main() {
  using namespace codectok;

  // Compile-time data: these must be usable in constant expressions.
  static_assert(kZscan.z[1][1] == 3, "z-scan of (1,1) is 3");
  static_assert(scan_order(2, 0)[1].x == 0 && scan_order(2, 0)[1].y == 1, "diagonal scan starts down");
  static_assert(kLog2Range.v[256] == 8.0f, "log2(256)");

  // log2(r) as the engine's bit count uses it: bit-identical to the C library.
  {
    bool ok = kLog2Range.v[0] == 0.0f;
    for (int r = 1; r < 512; ++r)
      if (kLog2Range.v[r] != static_cast<float>(std::log2(static_cast<double>(r)))) {
        std::printf("  log2(%d): %.9g vs %.9g\n", r, kLog2Range.v[r], std::log2(static_cast<double>(r)));
        ok = false;
      }
    check(ok, "kLog2Range equals std::log2 for 0..511");
  }

  // Clause 6.5.3: the up-right diagonal scan of a 4x4 block.
  {
    const int want[16][2] = {{0, 0}, {0, 1}, {1, 0}, {0, 2}, {1, 1}, {2, 0}, {0, 3}, {1, 2},
                             {2, 1}, {3, 0}, {1, 3}, {2, 2}, {3, 1}, {2, 3}, {3, 2}, {3, 3}};
    bool ok = true;
    for (int i = 0; i < 16; ++i) ok &= scan_order(2, 0)[i].x == want[i][0] && scan_order(2, 0)[i].y == want[i][1];
    check(ok, "4x4 up-right diagonal scan (6.5.3)");
  }
  // 6.5.3 for 8x8: the last positions are (6,7), (7,6), (7,7); the 11th is (0,4).
  check(scan_order(3, 0)[63].x == 7 && scan_order(3, 0)[63].y == 7 && scan_order(3, 0)[62].x == 7 &&
            scan_order(3, 0)[62].y == 6 && scan_order(3, 0)[10].x == 0 && scan_order(3, 0)[10].y == 4,
        "8x8 up-right diagonal scan (6.5.3)");
  // 6.5.4 horizontal and 6.5.5 vertical, 2x2.
  check(scan_order(1, 1)[1].x == 1 && scan_order(1, 1)[1].y == 0 && scan_order(1, 2)[1].x == 0 &&
            scan_order(1, 2)[1].y == 1,
        "horizontal / vertical scans (6.5.4, 6.5.5)");

  // Clause 6.5.2: MinTbAddrZs interleaves the bits of x and y (x in the even bits).
  check(kZscan.z[0][1] == 1 && kZscan.z[1][0] == 2 && kZscan.z[0][2] == 4 && kZscan.z[15][15] == 255 &&
            kZscan.z[12][7] == 181,
        "z-scan order (6.5.2)");

  // Table 9-47: transIdxLps(0) = 0 with the valMps switch, transIdxLps(12) = 9,
  // transIdxLps(62) = 38; transIdxMps(62) = 62, 63 stays 63.
  check(kStateTransitions.next[1][0 << 1 | 1] == (0 << 1 | 0), "LPS in state 0 switches valMps");
  check(kStateTransitions.next[1][12 << 1 | 0] == (9 << 1 | 0), "transIdxLps(12) = 9");
  check(kStateTransitions.next[1][62 << 1 | 1] == (38 << 1 | 1), "transIdxLps(62) = 38");
  check(kStateTransitions.next[0][61 << 1 | 0] == (62 << 1 | 0), "transIdxMps(61) = 62");
  check(kStateTransitions.next[0][62 << 1 | 1] == (62 << 1 | 1), "transIdxMps(62) = 62");

  return codectok::test::report();
}
