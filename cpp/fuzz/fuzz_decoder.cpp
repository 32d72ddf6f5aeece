// libFuzzer target: the whole HEVC decoder. Annex-B bytes in, every output
// option on (motion, CU map, bit costs, transform statistics, residual); see
// fuzz_stream.h.
#include <cstddef>
#include <cstdint>

#include "fuzz_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  codectok::fuzz::decode_all_outputs(codectok::Codec::kHevc, data, size);
  return 0;
}
