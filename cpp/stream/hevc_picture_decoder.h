// The HEVC (ITU-T H.265) PictureDecoder: VPS/SPS/PPS, slice segments, POC
// (clause 8.3.1), RPS and DPB, output bumping (clause C.5.2).
#pragma once
#include <memory>

#include "stream/picture_decoder.h"

namespace codectok {

// `options` (only_decode_indices sorted) and `out` (where it hands the pictures
// it completes) must outlive the decoder.
std::unique_ptr<PictureDecoder> make_hevc_picture_decoder(const DecodeOptions& options, OutputQueue& out);

}  // namespace codectok
