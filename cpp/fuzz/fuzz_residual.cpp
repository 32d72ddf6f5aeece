// libFuzzer target: the residual path (clauses 8.6.2-8.6.4: scaling, inverse
// DCT/DST, transform skip, bypass). The input is one transform block:
//   byte 0: log2 size (2..5), byte 1: flags (transform skip, bypass, DST,
//   scaling list, nonzero list), byte 2: bit depth (8..10), byte 3: qP', then
//   the levels as int16 little endian (the TransCoeffLevel range), then the
//   scaling factors (1..255) when the flag asks for them.
// Every input the caller contract allows must reconstruct without undefined
// behaviour; the result is cross-checked between the full-block and the
// nonzero-list entry points, which must agree.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "hevc/residual_reconstruction.h"

using namespace codectok;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  ResidualBlockParams p;
  p.log2_size = 2 + data[0] % 4;
  const uint8_t flags = data[1];
  p.bit_depth = 8 + (data[2] % 3);  // the decoder accepts 8..10 bits
  p.qp = data[3] % (52 + 6 * (p.bit_depth - 8));
  p.transform_skip = flags & 1;
  p.transquant_bypass = flags & 2;
  p.dst = (flags & 4) && p.log2_size == 2;
  const int n = 1 << p.log2_size, count = n * n;
  data += 4;
  size -= 4;

  int32_t levels[1024] = {}, levels_copy[1024];
  for (int i = 0; i < count && 2 * static_cast<size_t>(i) + 1 < size; ++i)
    levels[i] = static_cast<int16_t>(data[2 * i] | (data[2 * i + 1] << 8));
  const size_t used = std::min(size, static_cast<size_t>(2 * count));
  data += used;
  size -= used;

  uint8_t factors[1024];
  if ((flags & 8) && !p.transquant_bypass) {
    for (int i = 0; i < count; ++i) factors[i] = i < static_cast<int>(size) && data[i] ? data[i] : 16;
    p.scaling_factor = factors;
  }
  std::memcpy(levels_copy, levels, sizeof(int32_t) * count);

  int32_t full[1024];
  reconstruct_residual(levels, p, full);

  // The same block through the nonzero list (as the slice decoder calls it).
  uint32_t nz[1024];
  int nnz = 0;
  for (int i = 0; i < count; ++i)
    if (levels_copy[i]) nz[nnz++] = (static_cast<uint32_t>(i) << 16) | static_cast<uint16_t>(levels_copy[i]);
  if (nnz > 0) {
    ResidualBlockParams q = p;
    q.nonzero = nz;
    q.num_nonzero = nnz;
    int32_t listed[1024];
    reconstruct_residual(levels_copy, q, listed);
    if (std::memcmp(full, listed, sizeof(int32_t) * count) != 0) std::abort();
  }
  return 0;
}
