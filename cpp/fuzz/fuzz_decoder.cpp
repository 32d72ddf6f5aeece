// libFuzzer target: the whole HEVC decoder. Annex-B bytes in, every output
// option on (motion, CU map, bit costs, transform statistics, residual), on one thread and with
// 2 pictures decoded at once; see fuzz_stream.h.
#include <cstddef>
#include <cstdint>

#include "fuzz_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  codectok::fuzz::decode_all_outputs(codectok::Codec::kHevc, data, size);
  // Again with 2 pictures decoded at once (stream/hevc_picture_pipeline.h): errors, pictures left
  // incomplete and missing references on worker threads.
  codectok::fuzz::decode_all_outputs(codectok::Codec::kHevc, data, size, 2);
  return 0;
}
