#include "stream/picture_decoder.h"

#include <algorithm>

namespace codectok {

DecodeOptions picture_options(const DecodeOptions& stream, int decode_index) {
  DecodeOptions o = stream;
  const auto& only = stream.only_decode_indices;
  if (stream.headers_only || (!only.empty() && !std::binary_search(only.begin(), only.end(), decode_index))) {
    o.motion = o.cu = o.bits = false;
    o.residual = o.tu_stats = false;
  }
  return o;
}

}  // namespace codectok
