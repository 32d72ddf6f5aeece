// TEMPORARY STUB (being replaced by the real decoder): accepts bytes, outputs nothing.
#include "analysis/stream_decoder.h"

namespace codectok {
class StreamDecoderImpl {};
StreamDecoder::StreamDecoder(const DecodeOptions&) : impl_(new StreamDecoderImpl) {}
StreamDecoder::~StreamDecoder() = default;
void StreamDecoder::push(const uint8_t*, size_t) {}
void StreamDecoder::finish() {}
bool StreamDecoder::next(PictureResult&) { return false; }
}  // namespace codectok
