// One coding standard's part of the stream decoder (stream/stream_decoder.h):
// NAL units in, decoded pictures out. The stream shell splits the bytes into
// NAL units, tags errors with where they happened and hands pictures out; a
// PictureDecoder reads the parameter sets and slices, decides where a picture
// starts and ends and when pictures may be output (its DPB rules), through the
// OutputQueue it is given. Explicit contexts: what a decoder keeps is in the
// object; the options and the output queue are the stream's (owned by the
// shell, given at construction).
#pragma once

#include "analysis/picture_result.h"
#include "bitstream/nal_unit.h"
#include "stream/output_queue.h"

namespace codectok {

class PictureDecoder {
 public:
  virtual ~PictureDecoder() = default;
  // Decodes one NAL unit of any type; the pictures it completes go to the
  // output queue. Throws ParseError on invalid input.
  virtual void decode_nal(NalUnit& nal) = 0;
  // Completes the picture being decoded, if any (the end of the stream).
  virtual void finish_picture() = 0;
  // After decode_nal threw: gives up the picture being decoded and returns its
  // decode index, or -1 when no picture was being decoded.
  virtual int abandon_picture() = 0;
  // Once every picture is output: throws if the stream was not a stream of
  // pictures at all (by default nothing is refused).
  virtual void end_of_stream() {}
};

// The options as they apply to the picture with this decode index: with
// headers_only, or an only_decode_indices (sorted) that does not name it, no
// arrays are produced for it.
DecodeOptions picture_options(const DecodeOptions& stream, int decode_index);

}  // namespace codectok
