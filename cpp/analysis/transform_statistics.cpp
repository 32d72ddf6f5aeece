#include "analysis/transform_statistics.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace codectok {

void TransformStatistics::start_picture(int32_t decode_index, int32_t poc) {
  decode_index_ = decode_index;
  poc_ = poc;
  if (rows_) last_count_ = rows_->size();
  rows_ = pool_.get(0, 0);
  rows_->reserve(last_count_ + last_count_ / 4 + kTransformStatColumns * 64);
}

void TransformStatistics::transform_block(const TransformBlockLevels& b) {
  const int n = 1 << b.log2_size;
  const int nnz = b.num_nonzero;
  // The levels sorted by position, for the hash.
  if (nnz * 8 >= n * n) {
    // Dense block: read the levels back in raster order instead of sorting.
    int k = 0;
    for (int pos = 0; pos < n * n; ++pos)
      if (b.levels[pos]) sorted_[k++] = (static_cast<uint32_t>(pos) << 16) | static_cast<uint16_t>(b.levels[pos]);
  } else {
    std::memcpy(sorted_, b.nonzero, sizeof(uint32_t) * nnz);
    std::sort(sorted_, sorted_ + nnz);
  }
  // FNV-1a over (position as little-endian uint16, level as little-endian int16).
  uint32_t hash = 2166136261u;
  int64_t sum_abs = 0, sum_sq = 0;
  for (int k = 0; k < nnz; ++k) {
    const uint32_t e = sorted_[k];
    hash = (hash ^ ((e >> 16) & 0xff)) * 16777619u;
    hash = (hash ^ (e >> 24)) * 16777619u;
    hash = (hash ^ (e & 0xff)) * 16777619u;
    hash = (hash ^ ((e >> 8) & 0xff)) * 16777619u;
    const int level = static_cast<int16_t>(e & 0xffff);
    sum_abs += std::abs(level);
    sum_sq += static_cast<int64_t>(level) * level;
  }
  const int64_t row[kTransformStatColumns] = {decode_index_,
                                              poc_,
                                              b.c_idx,
                                              b.c_idx ? b.x0 / 2 : b.x0,
                                              b.c_idx ? b.y0 / 2 : b.y0,
                                              b.log2_size,
                                              b.intra ? 0 : 1,
                                              nnz,
                                              sum_abs,
                                              sum_sq,
                                              hash,
                                              b.qp,
                                              (b.transform_skip ? 2 : 0) + (b.transquant_bypass ? 1 : 0)};
  rows_->insert(rows_->end(), row, row + kTransformStatColumns);
}

}  // namespace codectok
