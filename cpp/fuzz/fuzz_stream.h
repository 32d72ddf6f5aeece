// What the decoder fuzz targets do with an input: the Annex-B bytes through a
// stream decoder (HEVC or H.264: `codec`) with every output option on,
// in two pushes (the split point exercises the splitter's resumption) and two
// pictures per call (the resume path of push() / finish()). Invalid or refused
// input must end in codectok::ParseError; anything else (a crash, a sanitizer
// report, another exception, a hang, unbounded memory) is a finding.
#pragma once
#include <cstddef>
#include <cstdint>

#include "analysis/picture_result.h"
#include "bitstream/parse_error.h"
#include "stream/stream_decoder.h"

namespace codectok::fuzz {

// `threads`: DecodeOptions::threads (HEVC pictures decoded at once on worker threads).
inline void decode_all_outputs(Codec codec, const uint8_t* data, size_t size, int threads = 1) {
  DecodeOptions o;
  o.threads = threads;
  o.motion = o.cu = o.bits = true;
  o.tu_stats = true;
  o.residual = true;
  o.max_pictures_per_call = 2;
  // Pictures up to 1 Mi luma samples (1024x1024): a mutated SPS of the largest
  // level makes every execution allocate and clear ~130 MB, which slows the
  // search 100-fold without reaching code that smaller pictures do not.
  o.limits.max_luma_picture_size = int64_t{1} << 20;
  try {
    StreamDecoder dec(o, codec);
    PictureResult r;
    const size_t half = size / 2;
    dec.push(data, half);
    while (dec.next(r)) {
    }
    dec.push(data + half, size - half);
    while (dec.next(r)) {
    }
    while (!dec.finish())
      while (dec.next(r)) {
      }
    while (dec.next(r)) {
    }
  } catch (const ParseError&) {
  }
}

}  // namespace codectok::fuzz
