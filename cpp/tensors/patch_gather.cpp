#include "tensors/patch_gather.h"

#include <stdexcept>
#include <string>

namespace codectok {

void gather_patches(const uint8_t* rgb, const GatherSpec& spec, const GatherRow* rows, size_t count, void* out) {
  const int P = spec.patch;
  const size_t per = static_cast<size_t>(P) * P * 3;
  for (size_t k = 0; k < count; ++k) {
    const GatherRow& g = rows[k];
    if (g.row < 0 || g.h < 0 || g.w < 0 || (g.h + 1) * P > spec.frame_height || (g.w + 1) * P > spec.frame_width)
      throw std::invalid_argument("patch (" + std::to_string(g.h) + ", " + std::to_string(g.w) + ") outside the " +
                                  std::to_string(spec.frame_width) + "x" + std::to_string(spec.frame_height) + " frame");
    const size_t base = static_cast<size_t>(g.row) * per;
    for (int y = 0; y < P; ++y) {
      const uint8_t* src = rgb + ((static_cast<size_t>(g.h) * P + y) * spec.frame_width + static_cast<size_t>(g.w) * P) * 3;
      for (int x = 0; x < P; ++x)
        for (int c = 0; c < 3; ++c) {
          const uint8_t v = src[3 * x + c];
          const size_t dst = base + gather_offset(spec.layout, P, y, x, c);
          if (spec.float32) static_cast<float*>(out)[dst] = normalise_sample(v, spec.mean[c], spec.std[c]);
          else static_cast<uint8_t*>(out)[dst] = v;
        }
    }
  }
}

}  // namespace codectok
