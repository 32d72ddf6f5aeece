// How far down a picture its decoding has come, for pictures decoded at the same time (frame
// threads, stream/picture_pipeline.h): the decoder of a picture publishes the luma rows whose
// collocated motion is final as it finishes coding tree block rows, and a later picture that reads
// that motion for temporal prediction (clause 8.5.3.2.8) waits for the rows it reads. A picture
// not being decoded (the default) is complete.
#pragma once
#include <atomic>
#include <climits>
#include <condition_variable>
#include <mutex>

namespace codectok {

class RowProgress {
 public:
  // Until publish(): no row is final.
  void start() { rows_.store(0, std::memory_order_relaxed); }
  // Luma rows [0, rows) are final (rows only grows; INT_MAX: the whole picture).
  void publish(int rows) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      rows_.store(rows, std::memory_order_release);
    }
    changed_.notify_all();
  }
  // Returns once luma row y is final.
  void wait_for_row(int y) const {
    if (rows_.load(std::memory_order_acquire) > y) return;
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return rows_.load(std::memory_order_acquire) > y; });
  }

 private:
  std::atomic<int> rows_{INT_MAX};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
};

}  // namespace codectok
