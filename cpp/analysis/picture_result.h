// What the core hands out for one picture, in output (display) order.
// Layouts match the reference corpus (test/fixtures/hevc-corpus/README.md).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/huge_page_vector.h"

namespace codectok {

// Resource limits: what a hostile stream can make the decoder hold. A stream
// that exceeds one fails with ParseError kLimitExceeded (ERR_LIMIT_EXCEEDED)
// whose message names the limit (by its JavaScript option name, in
// parentheses below). The defaults are the largest values any HEVC level
// allows (Level 6.2, Table A.8) or the bounds of the specification itself, so
// no conforming stream is refused. Both decoders apply them (H.264: Level 6.2
// of Table A-1 gives the same picture size; its DPB counts reference frames,
// max_num_ref_frames <= 16, and its slices count as slice segments).
struct DecodeLimits {
  // Luma samples per picture (maxLumaPictureSize): MaxLumaPs of Level 6.2.
  // Checked when the SPS arrives, before anything of that size is allocated.
  int64_t max_luma_picture_size = 35651584;
  // Width or height in luma samples (maxPictureDimension): Sqrt(MaxLumaPs * 8).
  // Larger values have no effect: the SPS reader refuses more than 16888 itself.
  int32_t max_picture_dimension = 16888;
  // Pictures in the decoded picture buffer, the current one included
  // (maxDpbSize): sps_max_dec_pic_buffering and every RPS must fit (MaxDpbSize <= 16).
  int32_t max_dpb_size = 16;
  // Slice segments per picture (maxSliceSegmentsPerPicture): MaxSliceSegmentsPerPicture of Level 6.2.
  int32_t max_slice_segments_per_picture = 600;
  // Tiles per picture (maxTilesPerPicture): MaxTileRows x MaxTileCols of Level 6.2 (22 x 20).
  int32_t max_tiles_per_picture = 440;
  // Bytes of one NAL unit (maxNalUnitSize): bounds what a stream without start codes can buffer.
  int64_t max_nal_unit_size = int64_t{256} << 20;
};

// Decoding that starts part-way into a stream, at a cut point found by the SegmentPlanner
// (stream/segment_planner.h): the state the decoder of the whole stream had at that point, so that
// the segment decodes exactly as it would in one pass.
struct StreamStart {
  int32_t decode_index = 0;  // decode index of the segment's first picture
  // HEVC: the first picture is a CRA that continues its coded video sequence (NoRaslOutputFlag 0):
  // its POC follows prevTid0Pic's (clause 8.3.1) instead of restarting from 0.
  bool continues_sequence = false;
  int32_t prev_tid0_poc = 0;  // with continues_sequence: the POC of prevTid0Pic
};

struct DecodeOptions {
  bool motion = true;     // 4x4 motion field
  bool cu = true;         // 8x8 coding-unit map
  bool bits = true;       // 8x8 bit-cost map
  bool tu_stats = false;  // per transform block coefficient statistics
  // With tu_stats: the FNV hash of each block's levels (column 10). False leaves it 0, for a
  // consumer that reads the counts and sums only (the addon's scoring, which hands no rows out).
  bool tu_hash = true;
  bool residual = false;  // luma residual plane (clause 8.6), needs inverse transforms
  // Parse parameter sets and slice headers only (POC, types, reference lists):
  // no slice data, no arrays. Fast: for counting and mapping pictures.
  bool headers_only = false;
  // When non-empty (sorted): arrays are produced only for pictures with these
  // decode indices; the others are parsed (their motion still serves temporal
  // prediction) but yield metadata only, and skip residual reconstruction.
  std::vector<int32_t> only_decode_indices;
  // When > 0, push() and finish() stop decoding once this many pictures are
  // ready to be taken; call push() with no data (or finish() again) to go on.
  // Bounds the memory a caller holds per call whatever the bitrate.
  int max_pictures_per_call = 0;
  DecodeLimits limits;
  // When set, checked before each NAL unit: once true, decoding stops with ParseError kCancelled
  // (another thread sets it to abandon a decode in progress). Owned by the caller, who keeps it
  // alive as long as the decoder.
  const std::atomic<bool>* cancel = nullptr;
  // Where in the stream the bytes given to the decoder start (the default: at its beginning).
  StreamStart start;
  // HEVC: pictures whose slice data is decoded at once, on this many worker threads (frame
  // threads, stream/hevc_picture_pipeline.h); 1: on the calling thread. The output is the same
  // for every count. H.264 decodes on the calling thread whatever the count.
  int threads = 1;
};

struct SliceInfo {
  char type = 'I';  // 'I', 'P' or 'B'
  int32_t address = 0;  // slice_segment_address
  bool dependent = false;
  int32_t qp_delta = 0;  // slice_qp_delta (of the independent slice segment that owns it)
  std::vector<int32_t> ref_l0;  // POC of each RefPicList0 entry
  std::vector<int32_t> ref_l1;
  // Where the slice (segment) NAL unit lies in the Annex-B stream the decoder was fed: the offset
  // of its NAL unit header and its size (header and payload; the start code before it and the
  // zero bytes after it excluded).
  int64_t byte_offset = 0;
  int64_t byte_size = 0;
};

// The coding standard a picture was read from.
enum class Codec : uint8_t { kHevc, kH264 };

// Per-picture output. Arrays are allocated only for what DecodeOptions asked.
struct PictureResult {
  Codec codec = Codec::kHevc;
  int32_t poc = 0;
  int32_t decode_index = 0;  // position in decoding order in the whole stream
  int32_t nal_type = 0;
  int32_t temporal_id = 0;  // HEVC TemporalId (nuh_temporal_id_plus1 - 1); 0 for H.264
  // No later picture in decoding order can use this one for inter prediction, so a decoder that
  // does not output it can skip it: HEVC, a sub-layer non-reference picture (clause 3; TRAIL_N,
  // TSA_N, STSA_N, RADL_N, RASL_N) whose TemporalId is the highest of the stream
  // (sps_max_sub_layers_minus1), since pictures of the same sub-layer do not refer to it and no
  // higher sub-layer exists; H.264, a picture with nal_ref_idc 0 (a non-reference picture).
  bool disposable = false;
  // HEVC: MaxPicOrderCntLsb of the picture's SPS (POC derivation, clause 8.3.1); 0 for H.264.
  int32_t max_poc_lsb = 0;
  // HEVC: an IRAP picture (NAL types 16-23); H.264: an IDR picture.
  bool irap = false;
  // The picture starts a coded video sequence (HEVC: an IRAP picture with NoRaslOutputFlag 1, its
  // POC not derived from an earlier picture; H.264: an IDR picture).
  bool new_sequence = false;
  // HEVC: a RASL picture (NAL types 8, 9); false for H.264.
  bool rasl = false;
  // HEVC: a picture that can be prevTid0Pic of later pictures (clause 8.3.1: TemporalId 0, not RASL,
  // RADL or a sub-layer non-reference picture); false for H.264.
  bool poc_anchor = false;
  int32_t width = 0, height = 0;  // coded luma size (pic_width_in_luma_samples...)
  int32_t bit_depth = 8;
  // Conformance window in luma samples: the displayed picture is
  // [crop_left, width - crop_right) x [crop_top, height - crop_bottom).
  int32_t crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  std::vector<SliceInfo> slices;

  // int16 [ceil(H/4)][ceil(W/4)][8]: pred_mode, inter_dir, mv0x, mv0y, mv1x, mv1y, refpoc0, refpoc1
  std::shared_ptr<HugePageVector<int16_t>> motion;
  // int16 [ceil(H/8)][ceil(W/8)][4]: log2 cu size, part_mode, QpY, pred_mode
  std::shared_ptr<HugePageVector<int16_t>> cu;
  // float32 [ceil(H/8)][ceil(W/8)]: entropy-coded bits of the covering CU (HEVC: with the split flags
  // before it), spread by area; HEVC CTB-level syntax (SAO, end of slice segment / substream) is
  // spread over its CTB, H.264 end_of_slice_flag is in its macroblock: the map sums to total_bits
  std::shared_ptr<HugePageVector<float>> bits;
  // int16 [H][W] luma residual
  std::shared_ptr<HugePageVector<int16_t>> residual;
  // int64 [n][13] transform block rows, decoding order (see corpus README)
  std::shared_ptr<HugePageVector<int64_t>> tu;
  // Total bits of the picture's slice data (entropy-coded payload).
  double total_bits = 0;
};

}  // namespace codectok
