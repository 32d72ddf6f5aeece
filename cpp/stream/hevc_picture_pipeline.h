// The slice data of an HEVC stream's pictures decoded on worker threads, several pictures at once
// (frame threads, issue 9: one file on several cores even within one segment), handed to the
// output queue exactly as one thread decoding them in turn would hand them.
//
// The HEVC PictureDecoder (stream/hevc_picture_decoder.cpp) reads the parameter sets, slice
// headers, POC, RPS and DPB in decoding order on the calling thread, as it always does; what it
// would do with a picture's slice data and with the output queue goes through this pipeline:
//   - begin() gives it a free picture (a slot with its own PictureState; the array pools are shared),
//     start() hands the picture to the workers (which allocate its arrays), add_slice() each slice
//     segment as it comes, close() the end of the picture;
//   - flush(), discard(), bump() and the pictures are queued in decoding order and applied to the
//     output queue in that order, each picture once it is decoded (hand_out()).
// Between pictures, parsing and motion derivation depend on one thing only: temporal motion vector
// prediction reads the collocated picture's motion (clause 8.5.3.2.8) in the same coding tree block
// row (the bottom-right candidate is taken in the current CTB row only) and at the centre of the
// prediction block. The decoder of a picture publishes its collocated motion row by row
// (PictureState::collocated_rows_decoded, CollocatedMotion::progress) and a picture decoded at the
// same time waits for the rows it reads (not at all for a picture of I slices only). A free worker
// takes the oldest picture not taken, or a later, larger one (more slice bytes) whose collocated
// pictures are all taken already: the picture waited for is always being decoded or done, and a
// large picture runs beside the small ones that follow another large one row by row. The
// reference pictures' motion is held by each picture (HevcPictureTask::references) while the DPB
// moves on.
//
// Errors: a picture's error (in its slice data, or a picture left incomplete) is thrown by the
// hand_out() that reaches it, with the byte offset and picture a single thread gives it, after the
// pictures and output operations before it; the pictures after it are dropped. An error of the
// calling thread (headers, limits) is thrown after the pictures before it are handed out, or
// instead an earlier picture's error (settle()). After an error the decoder is to be restarted or
// dropped (a single thread would have gone on from there; the caller does not).
//
// With threads == 1 no thread is started: each slice is decoded when it is added, on the calling
// thread, and the output operations are applied at once, as the decoder always did.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "analysis/picture_result.h"
#include "analysis/transform_statistics.h"
#include "bitstream/nal_unit.h"
#include "hevc/picture_state.h"
#include "hevc/reference_lists.h"
#include "hevc/slice_header.h"
#include "stream/output_queue.h"

namespace codectok {

// One slice segment of a picture, as a worker decodes it.
struct HevcSliceTask {
  SliceHeader sh;
  SliceRefs refs;
  std::vector<uint8_t> rbsp;
  int64_t byte_offset = 0;  // of its NAL unit
};

// One picture: what the calling thread sets before start() (pic's POC, decode index, parameter
// sets and maps: PictureState::start; options, references) and at close() (result's header
// fields), and what its decoding writes (pic's arrays, from PictureState::allocate).
struct HevcPictureTask {
  PictureState pic;
  TransformStatistics tu_stats;
  DecodeOptions options;  // the stream's, as they apply to this picture (picture_options)
  std::vector<std::shared_ptr<const CollocatedMotion>> references;  // kept alive while it decodes
  PictureResult result;   // without the arrays, set at close()
  bool output = false;    // handed to the output queue (pic_output_flag, not abandoned)

 private:
  friend class HevcPicturePipeline;
  // Guarded by the pipeline's mutex.
  std::deque<HevcSliceTask> slices;  // [0, num_slices) of this picture; the rest kept for their memory
  size_t num_slices = 0;
  size_t next_slice = 0;  // the next one a worker decodes
  uint64_t sequence = 0;  // start() order: tells a picture from a later one in the same slot
  int64_t bytes = 0;      // of its slices so far: what a worker picks first (the larger the longer)
  bool taken = false;     // by a worker
  // The pictures still decoding whose motion it reads (and the sequence of each), for temporal
  // prediction: a worker may take it before older pictures only once they are all taken.
  std::vector<std::pair<const HevcPictureTask*, uint64_t>> reads;
  bool closed = false;
  bool check_complete = false;  // at the end: every coding tree block must have been coded
  int64_t end_offset = -1;      // the NAL unit that ended the picture (-1: the end of the stream)
  bool done = false;
  std::exception_ptr error;
};

class HevcPicturePipeline {
 public:
  // `threads` workers (1: none, everything on the calling thread).
  HevcPicturePipeline(int threads, OutputQueue& out);
  ~HevcPicturePipeline();
  HevcPicturePipeline(const HevcPicturePipeline&) = delete;
  HevcPicturePipeline& operator=(const HevcPicturePipeline&) = delete;

  // A free picture to set up, waiting for (and handing out) earlier pictures while none is free.
  HevcPictureTask& begin();
  // The picture is set up: queued for its output turn and for the workers.
  void start(HevcPictureTask& task);
  // The next slice segment of the started picture (nal.rbsp may be taken).
  void add_slice(HevcPictureTask& task, const SliceHeader& sh, const SliceRefs& refs, NalUnit& nal);
  // The picture has no more slices. check_complete: it is an error if a coding tree block was not
  // coded (an error thrown with end_offset as its byte offset, -1 when the stream ended).
  void close(HevcPictureTask& task, bool check_complete, int64_t end_offset);
  // Output operations, applied in order after the pictures started before them.
  void flush() { queue_op(Op::kFlush, 0); }
  void discard() { queue_op(Op::kDiscard, 0); }
  void bump(size_t keep) { queue_op(Op::kBump, keep); }
  // A picture without slice data (headers only), in its output turn.
  void add_result(PictureResult&& result);

  // Applies the queued operations and hands out the decoded pictures, in order, up to the first
  // picture still decoding (wait: waiting for every picture). Throws the first failed picture's
  // error (after dropping the pictures after it).
  void hand_out(bool wait = false);
  // The started picture is given up (an error): closed without output.
  void abandon() { abandon_open(); }
  // After an error of the calling thread: abandons the open picture, then hands out every picture
  // (which throws an earlier picture's error, if one failed).
  void settle();
  // Drops every picture and operation (a restart), once the workers are done with them.
  void reset();

 private:
  enum class Op { kFlush, kDiscard, kBump, kPicture, kResult };
  struct Entry {
    Op op;
    size_t keep = 0;
    HevcPictureTask* task = nullptr;
    PictureResult result;  // kResult
  };
  // Hands out up to the first picture still decoding, or waiting for it: kFreePicture while no
  // picture is free, kAll always.
  enum class Until { kDecoding, kFreePicture, kAll };
  void hand_out_until(Until until);
  void queue_op(Op op, size_t keep);
  void apply(Entry& e);
  void abandon_open();
  void drop_all();  // waits until every started picture is done, then frees them
  void worker();
  // The picture a free worker takes (under the mutex): see the .cpp.
  HevcPictureTask* pick();
  // Allocates the picture's arrays (its prediction state lent from spare_) / decodes a slice /
  // ends the picture (the prediction state given back); false (the error kept in the task) on
  // failure.
  bool allocate(HevcPictureTask& task);
  bool decode_slice(HevcPictureTask& task, const SliceHeader& sh, const SliceRefs& refs,
                    const std::vector<uint8_t>& rbsp, int64_t byte_offset);
  bool finish(HevcPictureTask& task);
  void fail(HevcPictureTask& task, std::exception_ptr error);
  void return_prediction_state(HevcPictureTask& task);

  OutputQueue& out_;
  const bool threaded_;
  std::vector<std::unique_ptr<HevcPictureTask>> slots_;
  std::vector<HevcPictureTask*> free_;
  std::deque<Entry> script_;             // output operations and pictures, decoding order
  HevcPictureTask* open_ = nullptr;      // started, not closed

  std::mutex mutex_;
  std::condition_variable work_;  // a picture started, a slice added, a picture closed, stop
  std::condition_variable done_;  // a picture done
  std::deque<HevcPictureTask*> queue_;  // started, not taken by a worker, in decoding order
  uint64_t sequence_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;

  // Prediction states not lent to a picture (guarded by spare_mutex_): one per picture decoding at
  // once, made as needed, reused (their memory faulted in once).
  std::mutex spare_mutex_;
  std::vector<PredictionState> spare_;
};

}  // namespace codectok
