#include "analysis/transform_statistics.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace codectok {

namespace {

// The levels' FNV-1a hash and their sums, in position order (the hash depends on the order).
void hash_levels(const TransformBlockLevels& b, int n, int nnz, uint32_t& hash, int64_t& sum_abs, int64_t& sum_sq) {
  // The positions of the non-zero levels as a raster-order bitmap, read back in
  // position order for the hash (no sort).
  uint64_t bitmap[32 * 32 / 64];
  const int words = (n * n + 63) >> 6;
  if (words == 1)
    bitmap[0] = 0;  // 4x4 and 8x8 blocks: one word, no call to memset
  else
    std::memset(bitmap, 0, static_cast<size_t>(words) * sizeof(bitmap[0]));
  for (int k = 0; k < nnz; ++k) {
    const uint32_t pos = b.nonzero[k] >> 16;
    bitmap[pos >> 6] |= uint64_t{1} << (pos & 63);
  }
  // FNV-1a over (position as little-endian uint16, level as little-endian int16).
  hash = 2166136261u;
  for (int w = 0; w < words; ++w)
    for (uint64_t bits = bitmap[w]; bits; bits &= bits - 1) {
      const uint32_t pos = static_cast<uint32_t>(w * 64 + __builtin_ctzll(bits));
      const int level = static_cast<int16_t>(b.levels[pos]);
      const uint32_t v = static_cast<uint16_t>(level);
      hash = (hash ^ (pos & 0xff)) * 16777619u;
      hash = (hash ^ (pos >> 8)) * 16777619u;
      hash = (hash ^ (v & 0xff)) * 16777619u;
      hash = (hash ^ (v >> 8)) * 16777619u;
      sum_abs += std::abs(level);
      sum_sq += static_cast<int64_t>(level) * level;
    }
}

}  // namespace

void TransformStatistics::start_picture(int32_t decode_index, int32_t poc, int64_t luma_samples, bool hash) {
  decode_index_ = decode_index;
  poc_ = poc;
  hash_ = hash;
  if (rows_) max_count_ = std::max(max_count_, rows_->size());
  rows_ = pool_.get(0, 0);
  // Room for a row per 8x8 luma block, or more if a picture had more: a pooled vector grows once
  // to what the stream's large pictures need (1080p: 3.4 MB, in huge pages, core/huge_page_vector.h)
  // instead of reallocating into fresh pages whenever a larger picture follows smaller ones.
  const size_t per_8x8 = static_cast<size_t>(std::max<int64_t>(luma_samples, 0) / 64) * kTransformStatColumns;
  rows_->reserve(std::max(per_8x8, max_count_ + max_count_ / 4) + kTransformStatColumns * 64);
  num_pending_ = 0;
}

void TransformStatistics::flush() {
  rows_->insert(rows_->end(), pending_, pending_ + num_pending_ * kTransformStatColumns);
  num_pending_ = 0;
}

const std::shared_ptr<HugePageVector<int64_t>>& TransformStatistics::rows() {
  if (num_pending_) flush();
  return rows_;
}

void TransformStatistics::transform_block(const TransformBlockLevels& b) {
  const int n = 1 << b.log2_size;
  const int nnz = b.num_nonzero;
  uint32_t hash = 0;
  int64_t sum_abs = 0, sum_sq = 0;
  if (!hash_) {
    // The sums in any order: no bitmap, no hash.
    for (int k = 0; k < nnz; ++k) {
      const int level = static_cast<int16_t>(b.levels[b.nonzero[k] >> 16]);
      sum_abs += std::abs(level);
      sum_sq += static_cast<int64_t>(level) * level;
    }
  } else {
    hash_levels(b, n, nnz, hash, sum_abs, sum_sq);
  }
  if (num_pending_ == kBatchRows) flush();
  append_row(b, nnz, sum_abs, sum_sq, hash);
}

void TransformStatistics::append_row(const TransformBlockLevels& b, int nnz, int64_t sum_abs, int64_t sum_sq, uint32_t hash) {
  int64_t* row = pending_ + num_pending_++ * kTransformStatColumns;
  row[0] = decode_index_;
  row[1] = poc_;
  row[2] = b.c_idx;
  row[3] = b.c_idx ? b.x0 / 2 : b.x0;
  row[4] = b.c_idx ? b.y0 / 2 : b.y0;
  row[5] = b.log2_size;
  row[6] = b.intra ? 0 : 1;
  row[7] = nnz;
  row[8] = sum_abs;
  row[9] = sum_sq;
  row[10] = hash;
  row[11] = b.qp;
  row[12] = (b.transform_skip ? 2 : 0) + (b.transquant_bypass ? 1 : 0);
}

}  // namespace codectok
