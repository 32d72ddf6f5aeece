// HEVC CABAC context variables (clause 9.3.2.2); the arithmetic decoding
// engine is bitstream/cabac_engine.h.
#pragma once
#include <cstddef>
#include <cstdint>

#include "bitstream/cabac_engine.h"
#include "hevc/cabac_contexts.h"

namespace codectok {

// pStateIdx << 1 | valMps
struct ContextSet {
  // uint16_t rather than uint8_t: a character type would alias the engine state and
  // keep the compiler from holding it in registers.
  uint16_t state[kNumCabacContexts];
};

void init_contexts(ContextSet& ctx, int init_type, int slice_qp_y);

}  // namespace codectok
