// Streaming entry point of the core: Annex-B bytes in, pictures out in output
// order. Memory stays bounded by the reference pictures the stream needs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "analysis/picture_result.h"

namespace codectok {

class StreamDecoderImpl;

class StreamDecoder {
 public:
  explicit StreamDecoder(const DecodeOptions& options);
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

  // Called with each output picture once it is decoded, in decoding order (before output
  // reordering), on the decoding thread. It may consume the picture's arrays (reset them), so that
  // maps it reduces are neither handed on nor kept while the picture waits for its output turn.
  using PictureObserver = std::function<void(PictureResult&)>;
  void set_observer(PictureObserver observer);

 private:
  std::unique_ptr<StreamDecoderImpl> impl_;
};

}  // namespace codectok
