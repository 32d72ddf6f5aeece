// libFuzzer target: the whole H.264 decoder. Annex-B bytes in, every output
// option on (motion, macroblock map, bit costs, transform statistics,
// residual); see fuzz_stream.h.
#include <cstddef>
#include <cstdint>

#include "fuzz_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  codectok::fuzz::decode_all_outputs(codectok::Codec::kH264, data, size);
  return 0;
}
