#include "stream/hevc_picture_pipeline.h"

#include <algorithm>
#include <utility>

#include "bitstream/parse_error.h"
#include "hevc/slice_decoder.h"

namespace codectok {

HevcPicturePipeline::HevcPicturePipeline(int threads, OutputQueue& out) : out_(out), threaded_(threads > 1) {
  // More pictures than workers: a worker that finished a picture takes another while earlier
  // pictures are still decoding (pictures differ in cost several-fold: I, P, B, and a small
  // picture can wait, row by row, for a large one).
  const int slots = threaded_ ? threads + 4 : 1;
  for (int i = 0; i < slots; ++i) {
    slots_.push_back(std::make_unique<HevcPictureTask>());
    free_.push_back(slots_.back().get());
    // One pool of each kind of array for every picture (copies of a VectorPool share its free
    // list): an array returns to it whichever picture decoded it, so the pictures in flight
    // recycle each other's memory (fresh pages cost more than decoding a picture's slices).
    PictureState& first = slots_.front()->pic;
    PictureState& pic = slots_.back()->pic;
    pic.pool_motion = first.pool_motion;
    pic.pool_cu = first.pool_cu;
    pic.pool_residual = first.pool_residual;
    pic.pool_bits = first.pool_bits;
    pic.pool_col = first.pool_col;
    slots_.back()->tu_stats.share_pool(slots_.front()->tu_stats);
  }
  if (threaded_)
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { worker(); });
}

HevcPicturePipeline::~HevcPicturePipeline() {
  drop_all();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_.notify_all();
  for (std::thread& t : workers_) t.join();
}

HevcPictureTask& HevcPicturePipeline::begin() {
  if (free_.empty()) hand_out_until(Until::kFreePicture);
  return *free_.back();
}

void HevcPicturePipeline::start(HevcPictureTask& task) {
  free_.pop_back();  // `task`, from begin()
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task.num_slices = task.next_slice = 0;
    task.sequence = ++sequence_;
    task.bytes = 0;
    task.taken = false;
    task.reads.clear();
    task.closed = task.check_complete = task.done = false;
    task.end_offset = -1;
    task.error = nullptr;
    task.output = false;
    if (threaded_) queue_.push_back(&task);
  }
  open_ = &task;
  script_.push_back(Entry{Op::kPicture, 0, &task, {}});
  if (threaded_)
    work_.notify_all();
  else if (!allocate(task))
    task.done = true;
}

void HevcPicturePipeline::add_slice(HevcPictureTask& task, const SliceHeader& sh, const SliceRefs& refs, NalUnit& nal) {
  if (!threaded_) {
    if (!task.done && !decode_slice(task, sh, refs, nal.rbsp, nal.byte_offset)) task.done = true;
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (task.done) return;  // failed: its error ends the stream
    if (task.num_slices == task.slices.size()) task.slices.emplace_back();
    HevcSliceTask& s = task.slices[task.num_slices++];
    // The picture whose motion the slice reads for temporal prediction (clause 8.5.3.2.8), if it
    // is still decoding.
    if (sh.temporal_mvp_enabled && sh.slice_type != kSliceI) {
      const int list = sh.slice_type == kSliceB && !sh.collocated_from_l0 ? 1 : 0;
      const CollocatedMotion* col = sh.collocated_ref_idx < refs.num[list] ? refs.list[list][sh.collocated_ref_idx].motion : nullptr;
      if (col && !col->intra_only)
        for (const auto& slot : slots_)
          if (slot.get() != &task && slot->pic.collocated.get() == col && !slot->done) task.reads.emplace_back(slot.get(), slot->sequence);
    }
    task.bytes += static_cast<int64_t>(nal.rbsp.size());
    s.sh = sh;
    s.refs = refs;
    std::swap(s.rbsp, nal.rbsp);  // the splitter refills the vector of an earlier slice
    s.byte_offset = nal.byte_offset;
  }
  work_.notify_all();
}

void HevcPicturePipeline::close(HevcPictureTask& task, bool check_complete, int64_t end_offset) {
  if (open_ == &task) open_ = nullptr;
  if (!threaded_) {
    if (task.done) return;
    task.closed = true;
    task.check_complete = check_complete;
    task.end_offset = end_offset;
    finish(task);
    task.done = true;
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task.closed = true;
    task.check_complete = check_complete;
    task.end_offset = end_offset;
  }
  work_.notify_all();
}

void HevcPicturePipeline::add_result(PictureResult&& result) {
  Entry e{Op::kResult, 0, nullptr, std::move(result)};
  script_.push_back(std::move(e));
}

void HevcPicturePipeline::queue_op(Op op, size_t keep) { script_.push_back(Entry{op, keep, nullptr, {}}); }

void HevcPicturePipeline::hand_out(bool wait) { hand_out_until(wait ? Until::kAll : Until::kDecoding); }

void HevcPicturePipeline::hand_out_until(Until until) {
  while (!script_.empty()) {
    Entry& e = script_.front();
    if (e.op != Op::kPicture) {
      Entry op = std::move(e);
      script_.pop_front();
      apply(op);
      continue;
    }
    HevcPictureTask& t = *e.task;
    if (threaded_) {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!t.done) {
        if (until == Until::kDecoding || (until == Until::kFreePicture && !free_.empty())) return;
        done_.wait(lock, [&] { return t.done; });
      }
    } else if (!t.done) {
      return;
    }
    if (t.error) {
      std::exception_ptr error = t.error;
      drop_all();
      std::rethrow_exception(error);
    }
    script_.pop_front();
    free_.push_back(&t);
    // The arrays leave the picture: each returns to its pool once the caller drops it, not when
    // this slot decodes its next picture (fewer arrays in circulation, fewer fresh pages).
    PictureState& pic = t.pic;
    if (!t.output) {
      pic.motion.reset(), pic.cu_map.reset(), pic.bits.reset(), pic.residual.reset();
      continue;
    }
    PictureResult r = std::move(t.result);
    const DecodeOptions& o = t.options;
    r.total_bits = pic.total_bits;
    if (o.motion) r.motion = std::move(pic.motion);
    if (o.cu) r.cu = std::move(pic.cu_map);
    if (o.bits) r.bits = std::move(pic.bits);
    if (o.residual) r.residual = std::move(pic.residual);
    if (o.tu_stats) r.tu = t.tu_stats.rows();
    pic.motion.reset(), pic.cu_map.reset(), pic.bits.reset(), pic.residual.reset();
    out_.add(std::move(r));
  }
}

void HevcPicturePipeline::apply(Entry& e) {
  switch (e.op) {
    case Op::kFlush: out_.flush(); break;
    case Op::kDiscard: out_.discard(); break;
    case Op::kBump: out_.bump(e.keep); break;
    case Op::kResult: out_.add(std::move(e.result)); break;
    case Op::kPicture: break;
  }
}

void HevcPicturePipeline::settle() {
  abandon_open();
  hand_out(true);
}

void HevcPicturePipeline::reset() { drop_all(); }

void HevcPicturePipeline::abandon_open() {
  if (open_) close(*open_, false, -1);  // not output: `output` stays false
}

void HevcPicturePipeline::drop_all() {
  abandon_open();
  if (threaded_) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] {
      for (const Entry& e : script_)
        if (e.op == Op::kPicture && !e.task->done) return false;
      return true;
    });
  }
  script_.clear();
  free_.clear();
  for (auto& slot : slots_) free_.push_back(slot.get());
}

// The oldest picture not taken, whose collocated pictures are older, hence taken; or a later
// closed one with more slice bytes whose collocated pictures are all taken (or done: a slot that
// holds a later picture than the one read). A picture taken thus waits only for pictures being
// decoded or done: no worker waits for a picture no worker will take.
HevcPictureTask* HevcPicturePipeline::pick() {
  size_t best = 0;
  for (size_t i = 1; i < queue_.size(); ++i) {
    const HevcPictureTask& t = *queue_[i];
    if (!t.closed || t.bytes <= queue_[best]->bytes) continue;
    const bool ready = std::all_of(t.reads.begin(), t.reads.end(), [](const auto& r) {
      return r.first->taken || r.first->done || r.first->sequence != r.second;
    });
    if (ready) best = i;
  }
  HevcPictureTask* t = queue_[best];
  queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(best));
  t->taken = true;
  return t;
}

void HevcPicturePipeline::worker() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopped
    HevcPictureTask& t = *pick();
    lock.unlock();
    bool ok = allocate(t);
    lock.lock();
    while (ok) {
      work_.wait(lock, [&] { return t.next_slice < t.num_slices || t.closed; });
      if (t.next_slice < t.num_slices) {
        HevcSliceTask& s = t.slices[t.next_slice++];
        lock.unlock();
        ok = decode_slice(t, s.sh, s.refs, s.rbsp, s.byte_offset);
        lock.lock();
      } else {
        lock.unlock();
        finish(t);
        lock.lock();
        break;
      }
    }
    t.done = true;
    done_.notify_all();
  }
}

bool HevcPicturePipeline::allocate(HevcPictureTask& task) {
  {
    std::lock_guard<std::mutex> lock(spare_mutex_);
    if (!spare_.empty()) {
      task.pic.swap_prediction_state(spare_.back());
      spare_.pop_back();
    }
  }
  try {
    task.pic.allocate();
    return true;
  } catch (...) {
    fail(task, std::current_exception());
    return false;
  }
}

bool HevcPicturePipeline::decode_slice(HevcPictureTask& task, const SliceHeader& sh, const SliceRefs& refs,
                                       const std::vector<uint8_t>& rbsp, int64_t byte_offset) {
  try {
    SliceDecoder dec(task.pic, sh, refs, rbsp.data(), rbsp.size());
    dec.decode();
    return true;
  } catch (ParseError& e) {
    // Where a single thread's stream shell places it: the slice's NAL unit, the picture decoding.
    if (e.byte_offset < 0) e.byte_offset = byte_offset;
    if (e.picture < 0) e.picture = task.pic.decode_index;
    fail(task, std::make_exception_ptr(e));
  } catch (...) {
    fail(task, std::current_exception());
  }
  return false;
}

bool HevcPicturePipeline::finish(HevcPictureTask& task) {
  try {
    if (task.check_complete)
      for (int ctb : task.pic.ctb_slice_addr)
        if (ctb < 0) {
          ParseError e(ErrorCode::kTruncated, "picture ends before all of its coding tree blocks were coded");
          e.picture = task.pic.decode_index;
          e.byte_offset = task.end_offset;
          throw e;
        }
    task.pic.collocated_complete();
    return_prediction_state(task);
    return true;
  } catch (...) {
    fail(task, std::current_exception());
    return false;
  }
}

void HevcPicturePipeline::fail(HevcPictureTask& task, std::exception_ptr error) {
  task.error = std::move(error);
  task.pic.collocated_abandon();
  return_prediction_state(task);
}

void HevcPicturePipeline::return_prediction_state(HevcPictureTask& task) {
  std::lock_guard<std::mutex> lock(spare_mutex_);
  spare_.emplace_back();
  task.pic.swap_prediction_state(spare_.back());
}

}  // namespace codectok
