// Streaming entry point of the core: Annex-B bytes of an HEVC or H.264 stream
// in, pictures out in output order. Memory stays bounded by the reference
// pictures the stream needs. One codec-neutral shell (NAL splitting, error
// positions, output queue, resumable push/finish) over the standard's
// PictureDecoder (stream/hevc_picture_decoder.h, stream/h264_picture_decoder.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "analysis/picture_result.h"
#include "stream/output_queue.h"

namespace codectok {

class StreamDecoderImpl;

class StreamDecoder {
 public:
  // H.264: progressive 4:2:0 / 4:0:0 streams of the Constrained Baseline,
  // Main, High and High 10 profiles; interlaced coding, 4:2:2, 4:4:4, SVC and
  // MVC are refused with ErrorCode::kUnsupported.
  explicit StreamDecoder(const DecodeOptions& options, Codec codec = Codec::kHevc);
  ~StreamDecoder();
  StreamDecoder(const StreamDecoder&) = delete;
  StreamDecoder& operator=(const StreamDecoder&) = delete;

  // Feeds the next chunk of an Annex-B byte stream (any split; size 0 just
  // resumes decoding) and decodes what is complete. Throws ParseError (with
  // byte_offset and picture set) on invalid input.
  void push(const uint8_t* data, size_t size);
  // Declares the end of the stream: parses what is buffered, outputs every
  // remaining picture. With max_pictures_per_call, returns false while more
  // remains (call it again after taking the pictures), true when done.
  bool finish();
  // Pops the next picture in output order, if one is ready.
  bool next(PictureResult& out);
  // Starts decoding another stream, or another segment of one (stream/segment_planner.h), from
  // `start`, as a new decoder with the same options would, but with this decoder's memory: what
  // remains of the previous stream (bytes, pictures) is dropped.
  void restart(const StreamStart& start);

  // See codectok::PictureObserver (stream/output_queue.h).
  using PictureObserver = codectok::PictureObserver;
  void set_observer(PictureObserver observer);

 private:
  std::unique_ptr<StreamDecoderImpl> impl_;
};

}  // namespace codectok
