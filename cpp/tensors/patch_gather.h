// Patch gather (src/tokenize/tokenize.ts gatherPatches): cuts the selected patch x patch x 3
// patches out of an RGB24 frame of the output geometry into rows of the output tensor, nhwc or
// nchw, uint8 or float32 normalised as (v / 255 - mean[c]) / std[c] (double arithmetic rounded
// once to float32). The one definition: tokenize calls it through the addon, the GPU gather
// (cuda/gpu_gather.h) is checked against it.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/host_device.h"

namespace codectok {

enum class PatchLayout { kNhwc, kNchw };

struct GatherSpec {
  int patch = 16;
  int frame_width = 0, frame_height = 0;  // the RGB24 frame (output geometry)
  PatchLayout layout = PatchLayout::kNhwc;
  bool float32 = false;
  double mean[3] = {0, 0, 0};
  double std[3] = {1, 1, 1};
};

// One gathered patch: output row `row`, patch (h, w) of the frame.
struct GatherRow {
  int32_t row, h, w;
};

// Element c of pixel (y, x) of a patch at offset `at` of its output row (the layout's order).
CODECTOK_HD size_t gather_offset(PatchLayout layout, int patch, int y, int x, int c) {
  return layout == PatchLayout::kNhwc ? (static_cast<size_t>(y) * patch + x) * 3 + c
                                      : static_cast<size_t>(c) * patch * patch + static_cast<size_t>(y) * patch + x;
}

CODECTOK_HD float normalise_sample(uint8_t v, double mean, double std) {
  const double unit = v / 255.0;
  const double centred = unit - mean;
  return static_cast<float>(centred / std);
}

// Throws std::invalid_argument when a patch lies outside the frame. `out` holds at least
// (max row + 1) * patch * patch * 3 elements of uint8_t (spec.float32 false) or float.
void gather_patches(const uint8_t* rgb, const GatherSpec& spec, const GatherRow* rows, size_t count, void* out);

}  // namespace codectok
