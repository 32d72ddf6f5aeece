// The pictures between decoding and the caller: those waiting for their
// output turn (the "bumping" of H.265 clause C.5.2 / H.264 clause C.4.5.3:
// smallest POC first), then those ready to be taken. Codec-neutral: each
// standard's PictureDecoder (stream/picture_decoder.h) decides when to bump.
#pragma once
#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

#include "analysis/picture_result.h"

namespace codectok {

// Called with each output picture once it is decoded, in decoding order
// (before output reordering), on the decoding thread. It may consume the
// picture's arrays (reset them), so that maps it reduces are neither handed on
// nor kept while the picture waits for its output turn.
using PictureObserver = std::function<void(PictureResult&)>;

class OutputQueue {
 public:
  void set_observer(PictureObserver observer) { observer_ = std::move(observer); }
  // A decoded picture that is to be output: shown to the observer, then it
  // waits for its turn.
  void add(PictureResult&& picture);
  // Outputs waiting pictures, smallest POC first, until at most `keep` wait.
  void bump(size_t keep);
  // Outputs every waiting picture.
  void flush() { bump(0); }
  // Drops the waiting pictures (no_output_of_prior_pics_flag).
  void discard() { pending_.clear(); }
  // Drops every picture, waiting or ready (a restart).
  void clear() {
    pending_.clear();
    ready_.clear();
  }
  // Pops the next picture in output order, if one is ready.
  bool next(PictureResult& out);
  size_t ready() const { return ready_.size(); }

 private:
  PictureObserver observer_;
  std::vector<PictureResult> pending_;  // decoded, waiting for output
  std::deque<PictureResult> ready_;     // output, not yet taken
};

}  // namespace codectok
