#include "bitstream/cabac_engine.h"


namespace codectok {

namespace {

// Table 9-47: transIdxLps.
constexpr uint8_t kTransIdxLps[64] = {0,  0,  1,  2,  2,  4,  4,  5,  6,  7,  8,  9,  9,  11, 11, 12,
                                      13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
                                      24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
                                      33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63};

// Table 9-47 (transIdxMps is pStateIdx + 1 up to 62) with the valMps switch
// of clause 9.3.4.3.2.2, as one table per bin outcome.
constexpr StateTransitions make_state_transitions() {
  StateTransitions t{};
  for (int st = 0; st < 128; ++st) {
    int state = st >> 1, mps = st & 1;
    t.next[0][st] = static_cast<uint16_t>(((state < 62 ? state + 1 : state) << 1) | mps);
    t.next[1][st] = static_cast<uint16_t>((kTransIdxLps[state] << 1) | (state == 0 ? 1 - mps : mps));
  }
  return t;
}

}  // namespace

extern const StateTransitions kStateTransitions = make_state_transitions();

}  // namespace codectok
