// The H.264 PictureDecoder: NAL units -> parameter sets, slice headers, slice
// data -> per-picture maps, handed to the output queue smallest POC first,
// bounded by max_num_reorder_frames (or the DPB size without VUI bitstream
// restrictions).
#include "stream/h264_picture_decoder.h"

#include <string>
#include <vector>

#include "analysis/transform_statistics.h"
#include "bitstream/bit_reader.h"
#include "bitstream/nal_unit.h"
#include "bitstream/parse_error.h"
#include "h264/dpb.h"
#include "h264/parameter_sets.h"
#include "h264/picture_state.h"
#include "h264/slice_decoder.h"
#include "h264/slice_header.h"

namespace codectok {
namespace h264 {

namespace {
// Level 6.2 MaxFS (139264 macroblocks): larger pictures are refused before any allocation.
constexpr int64_t kMaxFrameMbs = 139264;

// First slice of a new primary coded picture (clause 7.4.1.2.4).
bool starts_new_picture(const SliceHeader& a, const SliceHeader& b) {
  if (a.frame_num != b.frame_num || a.pps_id != b.pps_id) return true;
  if ((a.nal_ref_idc == 0) != (b.nal_ref_idc == 0)) return true;
  if (a.is_idr() != b.is_idr()) return true;
  if (a.is_idr() && b.is_idr() && a.idr_pic_id != b.idr_pic_id) return true;
  const Sps& sps = *b.sps;
  if (sps.poc_type == 0 && (a.poc_lsb != b.poc_lsb || a.delta_poc_bottom != b.delta_poc_bottom)) return true;
  if (sps.poc_type == 1 && (a.delta_poc[0] != b.delta_poc[0] || a.delta_poc[1] != b.delta_poc[1])) return true;
  return false;
}

class H264PictureDecoder final : public codectok::PictureDecoder {
 public:
  // Segments start at IDR pictures (stream/segment_planner.h), which reset every state but the
  // decode index: DecodeOptions::start gives only that.
  H264PictureDecoder(const DecodeOptions& options, OutputQueue& out) : options_(options), out_(out) { restart(); }

  void decode_nal(NalUnit& nal) override { handle(nal); }

  // The decoding state, from DecodeOptions::start: everything but the picture state and the
  // transform statistics, which keep their memory across restarts (the per-picture fields are set
  // when a picture starts).
  void restart() override {
    for (auto& sps : sps_) sps.reset();
    for (auto& pps : pps_) pps.reset();
    dpb_ = Dpb();
    in_picture_ = false;
    seen_start_ = false;
    decode_count_ = options_.start.decode_index;
  }

  int abandon_picture() override {
    const int picture = in_picture_ ? decode_index_ : -1;
    in_picture_ = false;
    return picture;
  }

  void finish_picture() override {
    if (!in_picture_) return;
    in_picture_ = false;
    const Sps& sps = *pic_.sps;
    if (!options_.headers_only && pic_.decoded_mbs != sps.width_mbs * sps.height_mbs) {
      ParseError e(ErrorCode::kTruncated, "picture ends before all of its macroblocks were coded");
      e.picture = decode_index_;
      throw e;
    }
    const bool mmco5 = dpb_.current_has_mmco5();
    dpb_.finish_picture(first_sh_, options_.headers_only ? nullptr : pic_.motion);
    if (mmco5) out_.flush();
    const DecodeOptions& o = picture_options_;
    PictureResult r;
    r.codec = Codec::kH264;
    r.poc = mmco5 ? 0 : poc_;
    r.decode_index = decode_index_;
    r.nal_type = first_sh_.nal_type;
    r.disposable = first_sh_.nal_ref_idc == 0;
    r.irap = r.new_sequence = first_sh_.is_idr();
    r.width = sps.width();
    r.height = sps.height();
    r.bit_depth = sps.bit_depth_luma;
    r.crop_left = sps.crop_left;
    r.crop_right = sps.crop_right;
    r.crop_top = sps.crop_top;
    r.crop_bottom = sps.crop_bottom;
    r.slices = std::move(slices_);
    r.total_bits = pic_.total_bits;
    if (!options_.headers_only) {
      if (o.motion) r.motion = pic_.motion_output();
      if (o.cu) r.cu = pic_.cu;
      if (o.bits) r.bits = pic_.bits;
      if (o.residual) r.residual = pic_.residual;
      if (o.tu_stats) r.tu = tu_stats_.rows();
    }
    out_.add(std::move(r));
    const int reorder = sps.bitstream_restriction ? sps.max_num_reorder_frames : sps.dpb_frames();
    out_.bump(static_cast<size_t>(reorder));
  }

 private:
  void handle(NalUnit& nal) {
    switch (nal.type) {
      case kNalSps: {
        BitReader br(nal.rbsp.data(), nal.rbsp.size());
        auto sps = parse_sps(br);
        if (static_cast<int64_t>(sps->width_mbs) * sps->height_mbs > kMaxFrameMbs)
          fail(ErrorCode::kLimitExceeded, "picture size " + std::to_string(sps->width()) + "x" +
                                              std::to_string(sps->height()) + " exceeds the largest H.264 level");
        check_sps_limits(*sps);
        sps_[sps->id] = sps;
        return;
      }
      case kNalPps: {
        BitReader br(nal.rbsp.data(), nal.rbsp.size());
        auto pps = parse_pps(br, sps_);
        pps_[pps->id] = pps;
        return;
      }
      case kNalAud:
      case kNalEndOfSequence:
      case kNalEndOfStream:
        finish_picture();
        return;
      case kNalSlice:
      case kNalIdr:
        handle_slice(nal);
        return;
      case kNalSliceA:
      case kNalSliceB:
      case kNalSliceC:
        fail(ErrorCode::kUnsupported, "unsupported H.264 stream: data partitioning (Extended profile)");
      case kNalPrefix:
      case kNalSubsetSps:
      case kNalSliceExt:
        fail(ErrorCode::kUnsupported, "unsupported H.264 stream: SVC/MVC extension NAL units (type " +
                                          std::to_string(nal.type) + ")");
      case kNalSliceExtDepth:
        fail(ErrorCode::kUnsupported, "unsupported H.264 stream: 3D-AVC depth NAL units (type 21)");
      default:
        return;  // SEI, filler, auxiliary pictures, ...
    }
  }

  // The caller's DecodeLimits (DecodeOptions::limits), before anything is allocated for the SPS's pictures.
  void check_sps_limits(const Sps& sps) const {
    const DecodeLimits& l = options_.limits;
    const std::string size = "picture size " + std::to_string(sps.width()) + "x" + std::to_string(sps.height());
    if (sps.width() > l.max_picture_dimension || sps.height() > l.max_picture_dimension)
      limit_exceeded(size, "maxPictureDimension", l.max_picture_dimension);
    if (static_cast<int64_t>(sps.width()) * sps.height() > l.max_luma_picture_size)
      limit_exceeded(size, "maxLumaPictureSize", l.max_luma_picture_size);
    // H.264's DPB holds the reference frames; the current one is stored after decoding (clause C.4).
    if (sps.max_num_ref_frames > l.max_dpb_size)
      limit_exceeded("max_num_ref_frames " + std::to_string(sps.max_num_ref_frames), "maxDpbSize", l.max_dpb_size);
  }

  void handle_slice(NalUnit& nal) {
    BitReader br(nal.rbsp.data(), nal.rbsp.size());
    SliceHeader sh;
    try {
      parse_slice_header(br, nal.type, nal.ref_idc, pps_, sps_, sh);
    } catch (ParseError& e) {
      if (e.code() == ErrorCode::kMissingParameterSet && !seen_start_) return;  // stream starts mid-way
      throw;
    }
    const bool first = !in_picture_ || starts_new_picture(first_sh_, sh);
    if (first) {
      finish_picture();
      // Random access: start at an IDR picture or an I picture.
      if (!seen_start_ && !sh.is_idr() && !sh.is_intra()) return;
      seen_start_ = true;
      start_picture(sh);
    } else if (sh.sps != pic_.sps) {
      fail(ErrorCode::kInvalidSyntax, "slices of one picture disagree on their parameter sets");
    }
    if (slices_.size() >= static_cast<size_t>(options_.limits.max_slice_segments_per_picture))
      limit_exceeded("picture " + std::to_string(decode_index_) + " with more slices", "maxSliceSegmentsPerPicture",
                     options_.limits.max_slice_segments_per_picture);
    RefLists refs;
    dpb_.build_lists(sh, refs);
    SliceInfo info;
    info.type = sh.is_intra() ? 'I' : sh.is_b() ? 'B' : 'P';
    info.address = static_cast<int32_t>(sh.first_mb);
    info.qp_delta = sh.slice_qp_delta;
    info.byte_offset = nal.byte_offset;
    info.byte_size = nal.byte_size;
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < refs.num[l]; ++i) (l == 0 ? info.ref_l0 : info.ref_l1).push_back(refs.list[l][i].poc);
    slices_.push_back(std::move(info));
    if (!options_.headers_only) {
      SliceDecoder dec(pic_, sh, refs, slice_count_, dpb_.current_poc(), nal.rbsp.data(), nal.rbsp.size());
      dec.decode();
    }
    ++slice_count_;
  }

  void start_picture(const SliceHeader& sh) {
    PictureStart start;
    start.decode_index = decode_count_;
    start.nal_type = sh.nal_type;
    // An IDR picture resets the DPB and POC (clause 8.2.1), and this decoder outputs every
    // picture still waiting when one comes: a decoder that starts at it misses nothing.
    start.random_access = sh.is_idr();
    start.resume.decode_index = decode_count_;
    notify_start(start);
    if (sh.is_idr()) out_.flush();
    const int32_t poc = dpb_.start_picture(sh);
    decode_index_ = decode_count_++;
    picture_options_ = picture_options(options_, decode_index_);
    if (!options_.headers_only) {
      if (picture_options_.tu_stats) tu_stats_.start_picture(decode_index_, poc, int64_t{sh.sps->width()} * sh.sps->height(), picture_options_.tu_hash);
      pic_.allocate(sh.sps, sh.pps, picture_options_, &tu_stats_);
    } else {
      pic_.sps = sh.sps;
      pic_.pps = sh.pps;
    }
    first_sh_ = sh;
    poc_ = poc;
    slices_.clear();
    slice_count_ = 0;
    in_picture_ = true;
  }

  const DecodeOptions& options_;  // the stream's
  OutputQueue& out_;              // the stream's
  DecodeOptions picture_options_;  // options_ as they apply to the current picture
  std::shared_ptr<Sps> sps_[32];
  std::shared_ptr<Pps> pps_[256];
  Dpb dpb_;
  PictureState pic_;
  TransformStatistics tu_stats_;
  SliceHeader first_sh_;
  std::vector<SliceInfo> slices_;
  int slice_count_ = 0;
  int32_t poc_ = 0;
  int decode_index_ = 0;
  // set by restart()
  bool in_picture_;
  bool seen_start_;
  int decode_count_;
};

}  // namespace
}  // namespace h264

std::unique_ptr<PictureDecoder> make_h264_picture_decoder(const DecodeOptions& options, OutputQueue& out) {
  return std::make_unique<h264::H264PictureDecoder>(options, out);
}

}  // namespace codectok
