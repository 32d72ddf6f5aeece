// CABAC context initialisation of ITU-T H.264 clause 9.3.1.1: the (m, n)
// values of Tables 9-12 to 9-33 for ctxIdx 0..1023, and the initial state of
// every context variable for a slice.
//
// States use the representation of the shared arithmetic decoding engine
// (bitstream/cabac_engine.h): uint16_t pStateIdx << 1 | valMPS.
#pragma once
#include <cstdint>

namespace codectok {
namespace h264 {

constexpr int kNumCabacContexts = 1024;

struct CabacInitMN {
  int8_t m;
  int8_t n;
};

// Init table: 0 for I and SI slices, 1 + cabac_init_idc for P, SP and B slices.
constexpr int kCabacInitTableIntra = 0;
constexpr int cabac_init_table(bool intra_slice, int cabac_init_idc) {
  return intra_slice ? kCabacInitTableIntra : 1 + cabac_init_idc;
}

// (m, n) of ctxIdx (0..1023) in init table 0..3. Context variables a table
// does not use (ctxIdx 11..59 for I slices, ctxIdx 276 which is decoded with
// DecodeTerminate) are (0, 0).
CabacInitMN cabac_init_mn(int init_table, int ctx_idx);

// State (pStateIdx << 1 | valMPS) of one context for SliceQPY (clause 9.3.1.1).
constexpr uint16_t cabac_init_state(CabacInitMN mn, int slice_qp_y) {
  const int qp = slice_qp_y < 0 ? 0 : slice_qp_y > 51 ? 51 : slice_qp_y;
  int pre = ((mn.m * qp) >> 4) + mn.n;
  pre = pre < 1 ? 1 : pre > 126 ? 126 : pre;
  return pre <= 63 ? static_cast<uint16_t>((63 - pre) << 1)
                   : static_cast<uint16_t>(((pre - 64) << 1) | 1);
}

// Initialises all 1024 context variables of a slice. cabac_init_idc (0..2)
// is ignored for I and SI slices; other values throw ParseError(kInvalidSyntax).
void init_contexts(bool intra_slice, int cabac_init_idc, int slice_qp_y,
                   uint16_t state_out[kNumCabacContexts]);

}  // namespace h264
}  // namespace codectok
