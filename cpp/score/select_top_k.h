// The codec policy's selection (src/policies/codec.ts): one global top-K over all slots x patches
// of a clip. Dense slots are kept whole (the first with keep_first, every I slot with
// iframes = dense, or floor(K/S) evenly spaced slots under the static fallback); the rest of the
// budget goes to the other patches by rank key (codec_rank_key), highest first, ties by flat index
// t*S + h*W + w ascending. The one definition: the Node addon runs it for selectCodec, the GPU
// selection (cuda/gpu_select.h) is checked against it.
#pragma once
#include <cstdint>
#include <vector>

#include "common/host_device.h"

namespace codectok {

enum class IFramePolicy { kZero, kDense, kScore };
enum class SelectionOrder { kThw, kScore };

struct TopKOptions {
  int64_t budget = 0;
  IFramePolicy iframes = IFramePolicy::kZero;
  bool keep_first = true;
  bool padding_exclude = true;
  bool static_fallback = true;
  SelectionOrder order = SelectionOrder::kThw;
};

// One clip's score volume (policies/types.ts ScoreVolume).
struct TopKVolume {
  int T = 0, grid_h = 0, grid_w = 0;
  const float* scores = nullptr;   // [T][grid_h][grid_w]
  const uint8_t* intra = nullptr;  // [T]: 1 for an I slot
  const uint8_t* content = nullptr;  // [grid_h][grid_w]: 1 inside the picture, 0 touching padding
  bool is_static = false;
};

struct TopKSelection {
  std::vector<int32_t> flat;         // K = min(budget, T*S) flat indices, in the requested order
  std::vector<int32_t> dense_slots;  // slots that got any mandatory patch
  int32_t mandatory = 0;             // patches of dense slots (the first of `flat` with order kScore)
  bool static_fallback = false;
};

// Math.floor(i * (count - 1) / (n - 1) + 1e-9) for i < n (policies/types.ts linspaceInt).
std::vector<int32_t> linspace_int(int count, int n);

// The slots kept whole and the number of their patches that fit the budget.
std::vector<int32_t> codec_dense_slots(const TopKVolume& v, const TopKOptions& o, int64_t K);

// Ranking key of flat index i (the addon hands it out with keys: true; the adaptive policy sums it): the fused score, 0 in I slots with iframes = zero;
// patches touching padding (padding_exclude) rank after every content patch: -1 - s * 1e-6.
CODECTOK_HD double codec_rank_key(float score, bool intra_slot, bool content, const TopKOptions& o) {
  const double s = intra_slot && o.iframes == IFramePolicy::kZero ? 0.0 : static_cast<double>(score);
  if (o.padding_exclude && !content) {
    const double scaled = s * 1e-6;  // two roundings, as in JavaScript (no fused multiply-add)
    return -1.0 - scaled;
  }
  return s;
}

// Throws std::invalid_argument for an empty volume or a budget < 1.
TopKSelection select_top_k(const TopKVolume& v, const TopKOptions& o);

// The selection's mandatory part alone: flat = the patches of the dense slots (slot order, raster
// order), dense_slots, mandatory, static_fallback; what select_top_k starts from and what a
// caller of the GPU selection reports besides the GPU's flat indices.
TopKSelection select_dense_part(const TopKVolume& v, const TopKOptions& o);

}  // namespace codectok
