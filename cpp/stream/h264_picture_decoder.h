// The H.264 (ITU-T H.264) PictureDecoder: SPS/PPS, slices, primary coded
// picture boundaries (clause 7.4.1.2.4), POC and DPB (h264/dpb.h), output
// bumping. Progressive 4:2:0 / 4:0:0 streams of the Constrained Baseline,
// Main, High and High 10 profiles; interlaced coding, 4:2:2, 4:4:4, data
// partitioning, SVC and MVC are refused with ErrorCode::kUnsupported.
#pragma once
#include <memory>

#include "stream/picture_decoder.h"

namespace codectok {

// `options` (only_decode_indices sorted) and `out` (where it hands the pictures
// it completes) must outlive the decoder.
std::unique_ptr<PictureDecoder> make_h264_picture_decoder(const DecodeOptions& options, OutputQueue& out);

}  // namespace codectok
