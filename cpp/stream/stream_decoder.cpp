// The stream shell: bytes -> NAL units (Annex B) -> the standard's
// PictureDecoder -> output queue, resumable when max_pictures_per_call pictures
// are ready.
#include "stream/stream_decoder.h"

#include <algorithm>

#include "bitstream/nal_unit.h"
#include "bitstream/parse_error.h"
#include "stream/h264_picture_decoder.h"
#include "stream/hevc_picture_decoder.h"
#include "stream/picture_decoder.h"

namespace codectok {

namespace {
DecodeOptions sorted_indices(DecodeOptions o) {
  std::sort(o.only_decode_indices.begin(), o.only_decode_indices.end());
  return o;
}

std::unique_ptr<PictureDecoder> make_picture_decoder(Codec codec, const DecodeOptions& options, OutputQueue& out) {
  return codec == Codec::kH264 ? make_h264_picture_decoder(options, out) : make_hevc_picture_decoder(options, out);
}
}  // namespace

class StreamDecoderImpl {
 public:
  StreamDecoderImpl(const DecodeOptions& o, Codec codec)
      : options_(sorted_indices(o)),
        syntax_(codec == Codec::kH264 ? NalSyntax::kH264 : NalSyntax::kHevc),
        splitter_(syntax_),
        decoder_(make_picture_decoder(codec, options_, output_)) {
    splitter_.set_max_nal_unit_size(options_.limits.max_nal_unit_size);
  }

  void restart(const StreamStart& start) {
    options_.start = start;
    splitter_ = AnnexBSplitter(syntax_);
    splitter_.set_max_nal_unit_size(options_.limits.max_nal_unit_size);
    output_.clear();
    decoder_->restart();
    done_ = false;
  }

  void push(const uint8_t* data, size_t size) {
    if (size > 0) splitter_.push(data, size);
    drain();
  }

  bool finish() {
    if (done_) return true;
    splitter_.finish();
    drain();
    if (limit_reached()) return false;
    decoder_->finish_picture();
    decoder_->complete();
    output_.flush();
    done_ = true;
    decoder_->end_of_stream();
    return true;
  }

  bool next(PictureResult& out) { return output_.next(out); }
  void set_observer(PictureObserver o) { output_.set_observer(std::move(o)); }

 private:
  bool limit_reached() const {
    return options_.max_pictures_per_call > 0 && output_.ready() >= static_cast<size_t>(options_.max_pictures_per_call);
  }

  void drain() {
    NalUnit nal;
    while (!limit_reached() && splitter_.next(nal)) {
      if (options_.cancel && options_.cancel->load(std::memory_order_relaxed))
        fail(ErrorCode::kCancelled, "decoding cancelled");
      try {
        decoder_->decode_nal(nal);
      } catch (ParseError& e) {
        if (e.byte_offset < 0) e.byte_offset = nal.byte_offset;
        const int picture = decoder_->abandon_picture();
        if (e.picture < 0) e.picture = picture;
        throw;
      }
    }
  }

  DecodeOptions options_;  // only_decode_indices sorted; the picture decoder reads them (start changes at a restart)
  const NalSyntax syntax_;
  AnnexBSplitter splitter_;
  OutputQueue output_;
  std::unique_ptr<PictureDecoder> decoder_;
  bool done_ = false;
};

StreamDecoder::StreamDecoder(const DecodeOptions& options, Codec codec)
    : impl_(new StreamDecoderImpl(options, codec)) {}
StreamDecoder::~StreamDecoder() = default;
void StreamDecoder::push(const uint8_t* data, size_t size) { impl_->push(data, size); }
bool StreamDecoder::finish() { return impl_->finish(); }
bool StreamDecoder::next(PictureResult& out) { return impl_->next(out); }
void StreamDecoder::restart(const StreamStart& start) { impl_->restart(start); }
void StreamDecoder::set_observer(PictureObserver observer) { impl_->set_observer(std::move(observer)); }

}  // namespace codectok
