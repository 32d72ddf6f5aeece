#include "hevc/cabac_decoder.h"

#include <algorithm>

namespace codectok {

void init_contexts(ContextSet& ctx, int init_type, int slice_qp_y) {
  int qp = std::clamp(slice_qp_y, 0, 51);
  for (int i = 0; i < kNumCabacContexts; ++i) {
    int init_value = kCabacInitValues[init_type][i];
    int slope_idx = init_value >> 4, offset_idx = init_value & 15;
    int m = slope_idx * 5 - 45, n = (offset_idx << 3) - 16;
    int pre = std::clamp(((m * qp) >> 4) + n, 1, 126);
    int val_mps = pre <= 63 ? 0 : 1;
    int p_state = val_mps ? (pre - 64) : (63 - pre);
    ctx.state[i] = static_cast<uint16_t>((p_state << 1) | val_mps);
  }
}

}  // namespace codectok
