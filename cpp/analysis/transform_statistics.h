// Per transform block coefficient statistics, the `tu` rows of a picture
// (layout in test/fixtures/hevc-corpus/README.md): the sink the slice
// decoder hands its parsed transform blocks to.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/buffer_pool.h"
#include "core/transform_block_sink.h"

namespace codectok {

// Columns of one row.
constexpr int kTransformStatColumns = 13;

class TransformStatistics final : public TransformBlockSink {
 public:
  // Starts the rows of the picture with this decode index and POC, of `luma_samples` luma samples;
  // `hash` false leaves column 10 (the levels' hash) 0.
  void start_picture(int32_t decode_index, int32_t poc, int64_t luma_samples, bool hash = true);
  // int64 [n][13]: decode index, POC, cIdx, x, y (in the component's samples,
  // 4:2:0), log2 size, 0 intra / 1 inter, number of non-zero levels, sum of
  // |level|, sum of level^2, FNV-1a hash of the levels, qP', flags
  // (2: transform skip, 1: transquant bypass).
  // The current picture's rows, once all of its blocks are in.
  const std::shared_ptr<HugePageVector<int64_t>>& rows();

  void transform_block(const TransformBlockLevels& block) override;

  // Takes its row vectors from `other`'s pool from now on (the pictures decoded at once share one).
  void share_pool(const TransformStatistics& other) { pool_ = other.pool_; }

 private:
  VectorPool<int64_t> pool_{24};
  void flush();  // appends the pending rows to rows_
  void append_row(const TransformBlockLevels& b, int nnz, int64_t sum_abs, int64_t sum_sq, uint32_t hash);

  std::shared_ptr<HugePageVector<int64_t>> rows_;
  size_t max_count_ = 0;  // elements of the largest picture's rows so far
  int32_t decode_index_ = 0, poc_ = 0;
  bool hash_ = true;
  // Rows written here first and appended to rows_ in batches (one copy per batch, not per row).
  static constexpr int kBatchRows = 64;
  int64_t pending_[kBatchRows * kTransformStatColumns];
  int num_pending_ = 0;
};

}  // namespace codectok
