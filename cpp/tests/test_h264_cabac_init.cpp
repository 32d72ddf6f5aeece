// Tests of the H.264 CABAC context initialisation (cpp/h264/cabac_init_tables.*):
// (m, n) spot values of Tables 9-12 to 9-33 at the first and last ctxIdx of
// each syntax-element range, values in the 4:4:4 / 8x8 extension (ctxIdx
// 460..1023) as FFmpeg's h264_cabac.c lists them in full, and initial states
// computed by hand from clause 9.3.1.1.
#include <cstdint>
#include <cstdio>
#include <string>

#include "bitstream/parse_error.h"
#include "h264/cabac_init_tables.h"
#include "support/check.h"

using namespace codectok;
using namespace codectok::h264;
using codectok::test::check;
using codectok::test::report;

namespace {

struct Spot {
  int ctx;
  int m;
  int n;
};

void expect(int table, std::initializer_list<Spot> spots) {
  for (const Spot& s : spots) {
    const CabacInitMN mn = cabac_init_mn(table, s.ctx);
    check(mn.m == s.m && mn.n == s.n,
          "table " + std::to_string(table) + " ctxIdx " + std::to_string(s.ctx) + ": got (" +
              std::to_string(mn.m) + ", " + std::to_string(mn.n) + "), want (" + std::to_string(s.m) +
              ", " + std::to_string(s.n) + ")");
  }
}

}  // namespace

int main() {
  // I slices (init table 0).
  expect(0, {{0, 20, -15}, {6, -28, 127}, {10, 7, 51}, {60, 0, 41}, {69, 3, 62}, {70, 0, 11},
             {104, -22, 125}, {105, -7, 93}, {165, 12, 72}, {166, 24, 0}, {226, 2, 97},
             {227, -3, 71}, {275, -14, 97}, {277, -6, 93}, {337, 12, 70}, {338, 15, 6},
             {398, 19, 66}, {399, 31, 21}, {402, -17, 120}, {417, 23, -13}, {426, -3, 75},
             {435, -9, 92}, {436, -14, 106}, {451, 21, -10}, {459, 14, 67}});
  // I slices, extension ranges.
  expect(0, {{460, -17, 123}, {471, -30, 127}, {484, -7, 93}, {572, 24, 0}, {660, -17, 120},
             {675, -14, 106}, {690, 23, -13}, {699, 21, -10}, {708, -3, 75}, {776, -6, 93},
             {864, 15, 6}, {952, -3, 71}, {1011, -17, 110}, {1012, -3, 70}, {1023, -30, 127}});
  // cabac_init_idc 0.
  expect(1, {{0, 20, -15}, {11, 23, 33}, {23, 17, 50}, {24, 18, 64}, {39, 9, 45}, {40, -3, 69},
             {53, 0, 88}, {54, -7, 67}, {59, 1, 58}, {70, 0, 45}, {104, -8, 88}, {105, -2, 85},
             {165, 9, 69}, {166, 11, 28}, {226, -9, 108}, {227, -6, 76}, {275, -8, 85},
             {277, -13, 106}, {337, 26, 43}, {338, 14, 11}, {398, 11, 86}, {399, 12, 40},
             {435, -8, 76}, {436, -5, 85}, {459, 42, 62}});
  expect(1, {{460, -7, 92}, {952, -6, 76}, {982, -6, 76}, {1011, -10, 90}, {1012, -3, 74},
             {1023, -23, 126}});
  // cabac_init_idc 1.
  expect(2, {{11, 22, 25}, {116, -78, 127}, {178, 102, -94}, {179, 0, 0}, {193, 0, 0},
             {226, -10, 116}, {459, 47, 57}, {660, -5, 85}, {718, -5, 85}});
  // cabac_init_idc 2.
  expect(3, {{11, 29, 16}, {165, -22, 127}, {226, -24, 127}, {338, 17, -13}, {459, 20, 64},
             {776, -22, 127}, {1020, -5, 79}});
  // Contexts shared by every slice type (Table 9-12, 9-17).
  for (int t = 1; t < 4; ++t)
    expect(t, {{0, 20, -15}, {10, 7, 51}, {60, 0, 41}, {64, -9, 83}, {69, 3, 62}});

  // States, clause 9.3.1.1, by hand:
  // (20, -15) at QP 26: (520 >> 4) - 15 = 17 -> pStateIdx 46, valMPS 0.
  check(cabac_init_state({20, -15}, 26) == (46 << 1), "state (20,-15) QP 26");
  // (-28, 127) at QP 26: (-728 >> 4) = -46, + 127 = 81 -> pStateIdx 17, valMPS 1.
  check(cabac_init_state({-28, 127}, 26) == ((17 << 1) | 1), "state (-28,127) QP 26");
  // SliceQPY clipped to 51: (1020 >> 4) - 15 = 48 -> pStateIdx 15, valMPS 0.
  check(cabac_init_state({20, -15}, 60) == (15 << 1), "state QP clipped to 51");
  // SliceQPY clipped to 0 (High 10 negative QP): -15 -> preCtxState 1 -> pStateIdx 62.
  check(cabac_init_state({20, -15}, -6) == (62 << 1), "state QP clipped to 0");
  // preCtxState clipped to 126: (102 * 51 >> 4) - 94 = 231 -> 126 -> pStateIdx 62, valMPS 1.
  check(cabac_init_state({102, -94}, 51) == ((62 << 1) | 1), "state preCtxState clipped to 126");
  // preCtxState 64 -> pStateIdx 0, valMPS 1; 63 -> pStateIdx 0, valMPS 0.
  check(cabac_init_state({0, 64}, 30) == 1, "state preCtxState 64");
  check(cabac_init_state({0, 63}, 30) == 0, "state preCtxState 63");

  uint16_t state[kNumCabacContexts];
  init_contexts(true, 0, 26, state);
  check(state[0] == (46 << 1) && state[6] == ((17 << 1) | 1), "init_contexts I slice");
  init_contexts(false, 1, 51, state);
  check(state[178] == ((62 << 1) | 1), "init_contexts cabac_init_idc 1");
  init_contexts(true, 7, 26, state);  // cabac_init_idc is not used by I slices
  check(state[0] == (46 << 1), "init_contexts I slice ignores cabac_init_idc");
  try {
    init_contexts(false, 3, 26, state);
    check(false, "cabac_init_idc 3 throws");
  } catch (const ParseError& e) {
    check(e.code() == ErrorCode::kInvalidSyntax, "cabac_init_idc 3 throws kInvalidSyntax");
  }

  return report();
}
