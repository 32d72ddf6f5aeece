// The segment planner: Annex-B bytes -> NAL units -> the standard's picture decoder on the headers
// only, whose picture starts (PictureDecoder::set_start_observer) are the candidate cut points.
#include "stream/segment_planner.h"

#include <limits>

#include "bitstream/bit_reader.h"
#include "bitstream/nal_unit.h"
#include "bitstream/parse_error.h"
#include "h264/parameter_sets.h"
#include "h264/slice_header.h"
#include "hevc/parameter_sets.h"
#include "stream/h264_picture_decoder.h"
#include "stream/hevc_picture_decoder.h"

namespace codectok {

namespace {

bool is_slice(Codec codec, int type) {
  return codec == Codec::kH264 ? (type >= 1 && type <= 5) : type < 32;
}

// NAL units that, after the last slice of a picture, start the next access unit (H.265 clause
// 7.4.2.4.4, H.264 clause 7.4.1.2.3); the others (suffix SEI, end of sequence or bitstream, filler
// data...) belong to the access unit before.
bool starts_access_unit(Codec codec, int type) {
  if (codec == Codec::kH264)
    return type == h264::kNalSei || type == h264::kNalSps || type == h264::kNalPps || type == h264::kNalAud || (type >= 14 && type <= 18);
  return (type >= kNalVps && type <= kNalAud) || type == kNalPrefixSei || (type >= 41 && type <= 44) ||
         (type >= 48 && type <= 55);
}

// The id of a parameter set NAL unit, or false when `nal` is not one.
bool parameter_set_id(Codec codec, const NalUnit& nal, uint32_t& id) {
  BitReader br(nal.rbsp.data(), nal.rbsp.size());
  if (codec == Codec::kH264) {
    if (nal.type == h264::kNalSps) {
      id = static_cast<uint32_t>(h264::parse_sps(br)->id);
      return true;
    }
    if (nal.type == h264::kNalPps) {
      id = br.ue();  // pic_parameter_set_id
      return true;
    }
    return false;
  }
  if (nal.layer_id > 0) return false;
  if (nal.type == kNalVps) {
    id = br.u(4);  // vps_video_parameter_set_id
    return true;
  }
  if (nal.type == kNalSps) {
    id = static_cast<uint32_t>(parse_sps(br)->id);
    return true;
  }
  if (nal.type == kNalPps) {
    id = br.ue();  // pps_pic_parameter_set_id
    return true;
  }
  return false;
}

}  // namespace

SegmentPlanner::SegmentPlanner(Codec codec, const DecodeLimits& limits)
    : codec_(codec), splitter_(codec == Codec::kH264 ? NalSyntax::kH264 : NalSyntax::kHevc) {
  options_.headers_only = true;
  options_.motion = options_.cu = options_.bits = false;
  options_.limits = limits;
  splitter_.set_max_nal_unit_size(limits.max_nal_unit_size);
  decoder_ = codec == Codec::kH264 ? make_h264_picture_decoder(options_, output_) : make_hevc_picture_decoder(options_, output_);
  decoder_->set_start_observer([this](const PictureStart& s) { on_picture_start(s); });
}

SegmentPlanner::~SegmentPlanner() = default;

void SegmentPlanner::push(const uint8_t* data, size_t size) {
  if (failed_ || finished_) return;
  splitter_.push(data, size);
  drain();
}

void SegmentPlanner::finish() {
  if (finished_) return;
  if (!failed_) {
    splitter_.finish();
    drain();
  }
  finished_ = true;
  // The end of the stream: a CRA waiting for its leading pictures has no RASL picture.
  if (!failed_) confirm_pending();
}

bool SegmentPlanner::next(CutPoint& out) {
  if (ready_.empty()) return false;
  out = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

int64_t SegmentPlanner::planned_offset() const {
  if (failed_ || finished_) return std::numeric_limits<int64_t>::max();
  int64_t planned = splitter_.pending_offset();
  if (access_unit_start_ >= 0 && access_unit_start_ < planned) planned = access_unit_start_;
  if (pending_ && pending_->byte_offset < planned) planned = pending_->byte_offset;
  return planned;
}

void SegmentPlanner::drain() {
  NalUnit nal;
  try {
    while (splitter_.next(nal)) {
      handle(nal);
      PictureResult dropped;
      while (output_.next(dropped)) {
      }
    }
  } catch (const ParseError&) {
    // The segment's own decoder meets this error again, where it is.
    failed_ = true;
    pending_.reset();
    access_unit_start_ = -1;
  }
}

void SegmentPlanner::handle(NalUnit& nal) {
  const int64_t start_code = nal.byte_offset - 3;
  if (is_slice(codec_, nal.type)) {
    if (access_unit_start_ < 0) access_unit_start_ = start_code;
    slice_offset_ = nal.byte_offset;
    decoder_->decode_nal(nal);  // a picture start calls on_picture_start
    access_unit_start_ = -1;
    return;
  }
  if (access_unit_start_ < 0 && starts_access_unit(codec_, nal.type)) access_unit_start_ = start_code;
  uint32_t id = 0;
  if (parameter_set_id(codec_, nal, id)) {
    std::vector<uint8_t>& bytes = parameter_sets_[{nal.type, id}];
    bytes.clear();
    append_annexb(nal, codec_ == Codec::kH264 ? NalSyntax::kH264 : NalSyntax::kHevc, bytes);
  }
  decoder_->decode_nal(nal);
}

void SegmentPlanner::on_picture_start(const PictureStart& s) {
  if (pending_) {
    // The leading pictures of a CRA come right after it in decoding order (H.265 clause 7.4.2.2).
    if (is_rasl(s.nal_type)) pending_.reset();     // refers to pictures before the CRA
    else if (!is_radl(s.nal_type)) confirm_pending();  // a trailing picture or the next IRAP
  }
  if (!s.random_access || s.decode_index == 0) return;
  auto cut = std::make_unique<CutPoint>();
  cut->byte_offset = access_unit_start_;
  cut->first_slice_offset = slice_offset_;
  cut->start = s.resume;
  cut->parameter_sets = parameter_sets();
  // A CRA that continues its sequence may have RASL pictures: wait for its leading pictures.
  if (codec_ == Codec::kHevc && s.resume.continues_sequence) pending_ = std::move(cut);
  else ready_.push_back(std::move(*cut));
}

void SegmentPlanner::confirm_pending() {
  if (!pending_) return;
  ready_.push_back(std::move(*pending_));
  pending_.reset();
}

std::vector<uint8_t> SegmentPlanner::parameter_sets() const {
  // std::map orders by NAL type, then id: VPS, SPS, PPS (H.264: SPS, PPS).
  std::vector<uint8_t> out;
  for (const auto& [key, bytes] : parameter_sets_) out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

}  // namespace codectok
