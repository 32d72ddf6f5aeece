// Streaming H.264 decoder of the core: Annex-B bytes in, pictures out in
// output order, with the interface and records of the HEVC one
// (analysis/stream_decoder.h). Progressive 4:2:0 / 4:0:0 streams of the
// Constrained Baseline, Main, High and High 10 profiles; interlaced coding,
// 4:2:2, 4:4:4, SVC and MVC are refused with ErrorCode::kUnsupported.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "analysis/picture_result.h"
#include "analysis/stream_decoder.h"

namespace codectok {
namespace h264 {

class StreamDecoderImpl;

class StreamDecoder {
 public:
  explicit StreamDecoder(const DecodeOptions& options);
  ~StreamDecoder();
  StreamDecoder(const StreamDecoder&) = delete;
  StreamDecoder& operator=(const StreamDecoder&) = delete;

  // Same contract as codectok::StreamDecoder::push / finish / next.
  void push(const uint8_t* data, size_t size);
  bool finish();
  bool next(PictureResult& out);
  // Same contract as codectok::StreamDecoder::set_observer.
  void set_observer(codectok::StreamDecoder::PictureObserver observer);

 private:
  std::unique_ptr<StreamDecoderImpl> impl_;
};

}  // namespace h264
}  // namespace codectok
