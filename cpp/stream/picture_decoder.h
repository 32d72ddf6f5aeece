// One coding standard's part of the stream decoder (stream/stream_decoder.h):
// NAL units in, decoded pictures out. The stream shell splits the bytes into
// NAL units, tags errors with where they happened and hands pictures out; a
// PictureDecoder reads the parameter sets and slices, decides where a picture
// starts and ends and when pictures may be output (its DPB rules), through the
// OutputQueue it is given. Explicit contexts: what a decoder keeps is in the
// object; the options and the output queue are the stream's (owned by the
// shell, given at construction).
#pragma once

#include <functional>

#include "analysis/picture_result.h"
#include "bitstream/nal_unit.h"
#include "stream/output_queue.h"

namespace codectok {

// A picture as its decoding starts, with the state a decoder needs to start at it
// (stream/segment_planner.h).
struct PictureStart {
  int32_t decode_index = 0;
  int nal_type = 0;  // of its first slice (segment)
  // A fresh decoder given `resume` (DecodeOptions::start) and the active parameter sets, fed the
  // stream from this picture's access unit on, decodes this picture and those after it exactly as
  // this decoder does, provided no later picture refers to one before it (the planner checks that).
  bool random_access = false;
  StreamStart resume;
};
using PictureStartObserver = std::function<void(const PictureStart&)>;

class PictureDecoder {
 public:
  virtual ~PictureDecoder() = default;
  // Called as each picture starts decoding, before its first slice is decoded.
  void set_start_observer(PictureStartObserver observer) { on_start_ = std::move(observer); }
  // Decodes one NAL unit of any type; the pictures it completes go to the
  // output queue. Throws ParseError on invalid input.
  virtual void decode_nal(NalUnit& nal) = 0;
  // Completes the picture being decoded, if any (the end of the stream).
  virtual void finish_picture() = 0;
  // Waits for the pictures still decoding on other threads (DecodeOptions::threads) and hands them
  // to the output queue (the end of the stream, before its last flush).
  virtual void complete() {}
  // After decode_nal threw: gives up the picture being decoded and returns its
  // decode index, or -1 when no picture was being decoded.
  virtual int abandon_picture() = 0;
  // Once every picture is output: throws if the stream was not a stream of
  // pictures at all (by default nothing is refused).
  virtual void end_of_stream() {}
  // Forgets the stream (parameter sets, reference pictures, POC, counters) and starts again as a
  // new decoder would at the stream options' `start`, keeping the memory it allocated: the next
  // segment of a stream decodes without fresh pages (stream/segment_planner.h).
  virtual void restart() = 0;

 protected:
  void notify_start(const PictureStart& start) const {
    if (on_start_) on_start_(start);
  }

 private:
  PictureStartObserver on_start_;
};

// The options as they apply to the picture with this decode index: with
// headers_only, or an only_decode_indices (sorted) that does not name it, no
// arrays are produced for it.
DecodeOptions picture_options(const DecodeOptions& stream, int decode_index);

}  // namespace codectok
