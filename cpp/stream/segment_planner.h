// Where a stream can be cut into segments that decode independently, so that one long video is
// decoded on several threads (issue 9: "one long file on several cores").
//
// The planner runs the standard's picture decoder over the parameter sets and slice headers only
// (DecodeOptions::headers_only) and reports cut points: the start of a picture's access unit where
// a fresh decoder, given `start` (DecodeOptions::start) and the parameter sets in force there, fed
// the stream from the cut on, decodes the rest of the stream exactly as a decoder of the whole
// stream does (same pictures, POC, decode indices, maps):
//   - HEVC: IDR and BLA pictures, and CRA pictures none of whose leading pictures is a RASL
//     picture (RASL pictures refer to pictures before their CRA); not an IRAP picture whose
//     no_output_of_prior_pics_flag discards the pictures still waiting for output;
//   - H.264: IDR pictures.
// Decoding the segments and concatenating their pictures in segment order gives the pictures of
// the whole stream in its output order: pictures that precede an IRAP picture in decoding order
// precede it and its leading pictures in output order (H.265 clause 7.4.2.2); an H.264 IDR picture
// outputs every picture before it.
// An error in the headers ends planning: the rest of the stream is one segment, whose decoder
// reports the error where a decoder of the whole stream would.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "analysis/picture_result.h"
#include "bitstream/nal_unit.h"
#include "stream/output_queue.h"
#include "stream/picture_decoder.h"

namespace codectok {

struct CutPoint {
  int64_t byte_offset = 0;  // of the start code of the first NAL unit of the picture's access unit
  // Of the NAL unit header of the picture's first slice: where a decoder of the whole stream finds
  // that the picture before it is incomplete, an error a segment's decoder meets only at its end.
  int64_t first_slice_offset = 0;
  StreamStart start;        // the decoder state there (DecodeOptions::start)
  // The parameter sets (VPS, SPS, PPS; H.264: SPS, PPS) received before the cut point's picture,
  // the latest of each id, as Annex-B NAL units: a segment's decoder is fed these first.
  std::vector<uint8_t> parameter_sets;
};

class SegmentPlanner {
 public:
  // `limits`: the same as the decoders' (a NAL unit larger than max_nal_unit_size ends planning).
  SegmentPlanner(Codec codec, const DecodeLimits& limits);
  ~SegmentPlanner();
  SegmentPlanner(const SegmentPlanner&) = delete;
  SegmentPlanner& operator=(const SegmentPlanner&) = delete;

  // Feeds the next chunk of the Annex-B byte stream (any split).
  void push(const uint8_t* data, size_t size);
  // The end of the stream: every cut point is known after this.
  void finish();
  // Pops the next cut point found, in stream order (never one at the first picture).
  bool next(CutPoint& out);
  // No cut point will be found before this stream offset (INT64_MAX once finished or failed):
  // the bytes before it can be handed to the segments' decoders.
  int64_t planned_offset() const;
  // Planning ended on an error in the headers (no cut point after it).
  bool failed() const { return failed_; }

 private:
  void drain();
  void handle(NalUnit& nal);
  void on_picture_start(const PictureStart& start);
  void confirm_pending();
  std::vector<uint8_t> parameter_sets() const;

  Codec codec_;
  DecodeOptions options_;
  AnnexBSplitter splitter_;
  OutputQueue output_;  // the headers-only pictures, dropped
  std::unique_ptr<PictureDecoder> decoder_;
  // Annex-B NAL units of the parameter sets in force, by (NAL type, id).
  std::map<std::pair<int, uint32_t>, std::vector<uint8_t>> parameter_sets_;
  int64_t access_unit_start_ = -1;  // start code offset of the open access unit, -1 when none is open
  int64_t slice_offset_ = -1;        // NAL unit header offset of the slice being decoded
  std::deque<CutPoint> ready_;
  std::unique_ptr<CutPoint> pending_;  // an HEVC CRA whose leading pictures are not all seen yet
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace codectok
