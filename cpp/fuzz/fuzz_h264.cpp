// libFuzzer target: the whole H.264 decoder. Annex-B bytes in, every output
// option on (motion, macroblock map, bit costs, transform statistics,
// residual). Invalid or refused input must end in codectok::ParseError;
// anything else (a crash, a sanitizer report, another exception, a hang,
// unbounded memory) is a finding.
#include <cstddef>
#include <cstdint>

#include "analysis/picture_result.h"
#include "bitstream/parse_error.h"
#include "h264/stream_decoder.h"

using namespace codectok;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DecodeOptions o;
  o.motion = o.cu = o.bits = true;
  o.tu_stats = true;
  o.residual = true;
  // Small enough to exercise the resume path of push()/finish().
  o.max_pictures_per_call = 2;
  // Pictures up to 1 Mi luma samples, as in fuzz_decoder.cpp: larger ones only
  // slow the search down.
  o.limits.max_luma_picture_size = int64_t{1} << 20;
  try {
    h264::StreamDecoder dec(o);
    PictureResult r;
    // Two chunks: the split point exercises the splitter's resumption.
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
  return 0;
}
