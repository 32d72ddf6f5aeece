// The HEVC PictureDecoder: NAL units -> parameter sets, slice headers, slice
// data -> per-picture maps, handed to the output queue with the "bumping" of
// clause C.5.2 (smallest POC first, bounded by sps_max_num_reorder_pics).
#include "stream/hevc_picture_decoder.h"

#include <algorithm>
#include <string>

#include "bitstream/bit_reader.h"
#include "bitstream/nal_unit.h"
#include "bitstream/parse_error.h"
#include "hevc/dpb.h"
#include "hevc/parameter_sets.h"
#include "hevc/picture_order_count.h"
#include "hevc/picture_state.h"
#include "hevc/slice_header.h"
#include "stream/hevc_picture_pipeline.h"

namespace codectok {

namespace {

class HevcPictureDecoder final : public PictureDecoder {
 public:
  HevcPictureDecoder(const DecodeOptions& options, OutputQueue& out)
      : options_(options), pipeline_(options.headers_only ? 1 : options.threads, out) {
    restart();
  }

  // The pictures whose slice data is decoded go to the output queue as they are done (on the
  // calling thread, in decoding order; at once with one thread). An error here comes after an
  // earlier picture's error, which is thrown instead.
  void decode_nal(NalUnit& nal) override {
    nal_offset_ = nal.byte_offset;
    try {
      handle(nal);
      pipeline_.hand_out();
    } catch (...) {
      nal_offset_ = -1;
      pipeline_.settle();
      throw;
    }
    nal_offset_ = -1;
  }

  void complete() override { pipeline_.hand_out(true); }

  // The decoding state, from DecodeOptions::start (where the stream resumes): everything but the
  // pictures of the pipeline and the per-slice scratch (slices_, refs_, prev_sh_, set before they
  // are read), which keep their memory across restarts.
  void restart() override {
    pipeline_.reset();
    task_ = nullptr;
    for (auto& sps : sps_) sps.reset();
    for (auto& pps : pps_) pps.reset();
    dpb_ = DecodedPictureBuffer();
    in_picture_ = false;
    pic_output_flag_ = true;
    seen_irap_ = options_.start.continues_sequence;
    no_rasl_output_ = true;
    after_eos_ = false;
    prev_tid0_poc_ = options_.start.prev_tid0_poc;
    decode_count_ = options_.start.decode_index;
    nal_count_ = 0;
    first_nal_offset_ = -1;
    seen_parameter_set_ = false;
    first_slice_without_parameter_set_ = -1;
  }

  int abandon_picture() override {
    const int picture = in_picture_ ? decode_index_ : -1;
    in_picture_ = false;
    pipeline_.abandon();
    task_ = nullptr;
    return picture;
  }

  // A stream that holds NAL units but never a picture because no parameter
  // set is there (none at all, or none that its slices refer to) is an
  // error, not an empty stream. Bytes without a start code hold no NAL unit
  // and are not this error.
  void end_of_stream() override {
    if (decode_count_ > 0) return;
    const bool unreferenced = first_slice_without_parameter_set_ >= 0;
    if (!unreferenced && (nal_count_ == 0 || seen_parameter_set_)) return;
    ParseError e(ErrorCode::kMissingParameterSet,
                 unreferenced ? "no picture: the slices refer to a parameter set (SPS/PPS) the stream does not contain"
                              : "no picture: the stream has NAL units but no parameter set (VPS/SPS/PPS)");
    e.byte_offset = unreferenced ? first_slice_without_parameter_set_ : first_nal_offset_;
    throw e;
  }

 private:
  void handle(NalUnit& nal) {
    if (nal_count_++ == 0) first_nal_offset_ = nal.byte_offset;
    if (nal.layer_id > 0) {
      if (is_vcl(nal.type) || nal.type <= kNalPps)
        fail(ErrorCode::kUnsupported, "unsupported HEVC stream: multi-layer (nuh_layer_id " +
                                          std::to_string(nal.layer_id) + ")");
      return;
    }
    switch (nal.type) {
      case kNalVps:
        seen_parameter_set_ = true;
        return;
      case kNalSps: {
        BitReader br(nal.rbsp.data(), nal.rbsp.size());
        auto sps = parse_sps(br);
        check_sps_limits(*sps);
        sps_[sps->id] = sps;
        seen_parameter_set_ = true;
        return;
      }
      case kNalPps: {
        BitReader br(nal.rbsp.data(), nal.rbsp.size());
        auto pps = parse_pps(br);
        pps_[pps->id] = pps;
        seen_parameter_set_ = true;
        return;
      }
      case kNalEos:
      case kNalEob:  // end of sequence / bitstream: the next picture starts a new CVS
        finish_picture();
        after_eos_ = true;
        return;
      default: break;
    }
    if (nal.type <= kNalRaslR || (nal.type >= kNalBlaWLp && nal.type <= kNalCra)) handle_slice(nal);
  }

  // Before anything is allocated for the SPS's pictures.
  void check_sps_limits(const Sps& sps) const {
    const DecodeLimits& l = options_.limits;
    const std::string size = "picture size " + std::to_string(sps.width) + "x" + std::to_string(sps.height);
    if (sps.width > l.max_picture_dimension || sps.height > l.max_picture_dimension)
      limit_exceeded(size, "maxPictureDimension", l.max_picture_dimension);
    if (static_cast<int64_t>(sps.width) * sps.height > l.max_luma_picture_size)
      limit_exceeded(size, "maxLumaPictureSize", l.max_luma_picture_size);
    const int dpb = sps.max_dec_pic_buffering[sps.max_sub_layers - 1];
    if (dpb > l.max_dpb_size)
      limit_exceeded("sps_max_dec_pic_buffering " + std::to_string(dpb), "maxDpbSize", l.max_dpb_size);
  }

  void handle_slice(NalUnit& nal) {
    BitReader br(nal.rbsp.data(), nal.rbsp.size());
    // Peek first_slice_segment_in_pic_flag to know whether a new picture starts.
    bool first = (nal.rbsp.empty() ? 0 : (nal.rbsp[0] >> 7)) != 0;
    if (first) finish_picture();
    if (!first && !in_picture_) return;  // the rest of a skipped picture
    if (first) {
      // Random access: skip until an IRAP picture; skip RASL pictures of an IRAP that starts decoding.
      if (!is_irap(nal.type) && !seen_irap_) return;
      if (is_rasl(nal.type) && no_rasl_output_) return;
    }
    SliceHeader sh;
    try {
      parse_slice_header(br, nal.type, pps_, sps_, first ? nullptr : &prev_sh_, sh);
    } catch (ParseError& e) {
      if (e.code() == ErrorCode::kMissingParameterSet && !seen_irap_) {  // stream starts mid-way
        if (first_slice_without_parameter_set_ < 0) first_slice_without_parameter_set_ = nal.byte_offset;
        return;
      }
      throw;
    }
    if (first) {
      start_picture(nal, sh);
    } else if (sh.pps_id != pps_in_use_->id || pps_[sh.pps_id]->sps_id != sps_in_use_->id ||
               sps_[sps_in_use_->id]->pic_size_in_ctbs != sps_in_use_->pic_size_in_ctbs ||
               sh.segment_address >= sps_in_use_->pic_size_in_ctbs) {
      fail(ErrorCode::kInvalidSyntax, "slice segments of one picture disagree on their parameter sets");
    }
    if (slices_.size() >= static_cast<size_t>(options_.limits.max_slice_segments_per_picture))
      limit_exceeded("picture " + std::to_string(decode_index_) + " with more slice segments",
                     "maxSliceSegmentsPerPicture", options_.limits.max_slice_segments_per_picture);
    if (!sh.dependent_slice_segment) dpb_.build_ref_lists(sh, poc_, refs_);
    SliceInfo info;
    info.type = sh.slice_type == kSliceI ? 'I' : sh.slice_type == kSliceP ? 'P' : 'B';
    info.address = sh.segment_address;
    info.dependent = sh.dependent_slice_segment;
    info.qp_delta = sh.qp_delta;
    info.byte_offset = nal.byte_offset;
    info.byte_size = nal.byte_size;
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < refs_.num[l]; ++i) (l == 0 ? info.ref_l0 : info.ref_l1).push_back(refs_.list[l][i].poc);
    if (info.type != 'I') intra_only_ = false;
    slices_.push_back(std::move(info));
    if (!options_.headers_only) pipeline_.add_slice(*task_, sh, refs_, nal);  // may take nal.rbsp
    prev_sh_ = std::move(sh);
  }

  void start_picture(const NalUnit& nal, const SliceHeader& sh) {
    auto pps = pps_[sh.pps_id];
    auto sps = sps_[pps->sps_id];
    if (!pps_layout_matches(*pps, *sps)) {
      // A copy: the pictures still decoding on other threads read the PPS as it was.
      auto laid_out = std::make_shared<Pps>(*pps);
      derive_pps_layout(*laid_out, *sps);
      pps_[sh.pps_id] = pps = laid_out;
    }
    if (is_irap(nal.type)) {
      no_rasl_output_ = is_idr(nal.type) || is_bla(nal.type) || !seen_irap_ || after_eos_;
      seen_irap_ = true;
    }
    bool new_cvs = is_irap(nal.type) && no_rasl_output_;
    after_eos_ = false;
    // POC (clause 8.3.1).
    const int poc = new_cvs ? sh.poc_lsb : derive_poc(sh.poc_lsb, prev_tid0_poc_, 1 << sps->log2_max_poc_lsb);
    PictureStart start;
    start.decode_index = decode_count_;
    start.nal_type = nal.type;
    // A decoder can start here unless the IRAP discards the pictures still waiting for output
    // (no_output_of_prior_pics_flag): one that starts here has none to discard.
    start.random_access = is_irap(nal.type) && !(new_cvs && sh.no_output_of_prior_pics && decode_count_ > 0 && nal.type != kNalCra);
    start.resume.decode_index = decode_count_;
    start.resume.continues_sequence = !new_cvs;
    start.resume.prev_tid0_poc = prev_tid0_poc_;
    poc_anchor_ = nal.temporal_id == 0 && !is_rasl(nal.type) && !is_radl(nal.type) && !is_sub_layer_non_reference(nal.type);
    if (poc_anchor_) prev_tid0_poc_ = poc;
    new_sequence_ = new_cvs;
    if (new_cvs) {
      if (sh.no_output_of_prior_pics && decode_count_ > 0 && nal.type != kNalCra)
        pipeline_.discard();
      else
        pipeline_.flush();
    }
    const int64_t tiles = int64_t{pps->num_tile_columns} * pps->num_tile_rows;
    if (tiles > options_.limits.max_tiles_per_picture)
      limit_exceeded(std::to_string(tiles) + " tiles per picture", "maxTilesPerPicture",
                     options_.limits.max_tiles_per_picture);
    // The RPS names the pictures the DPB keeps; with the current one they must fit.
    const int kept = sh.st_rps.num_delta_pocs() + sh.num_long_term_sps + sh.num_long_term_pics;
    if (kept + 1 > options_.limits.max_dpb_size)
      limit_exceeded("a reference picture set of " + std::to_string(kept) + " pictures plus the current one",
                     "maxDpbSize", options_.limits.max_dpb_size);
    dpb_.apply_rps(*sps, sh, nal.type, poc, new_cvs);
    notify_start(start);
    const int decode_index = decode_count_++;
    if (!options_.headers_only) {
      HevcPictureTask& t = pipeline_.begin();
      t.options = picture_options(options_, decode_index);
      PictureMaps maps;
      maps.motion = t.options.motion;
      maps.cu = t.options.cu;
      maps.bits = t.options.bits;
      maps.residual = t.options.residual;
      if (t.options.tu_stats) {
        t.tu_stats.start_picture(decode_index, poc, int64_t{sps->width} * sps->height, t.options.tu_hash);
        maps.block_sink = &t.tu_stats;
      }
      t.pic.poc = poc;
      t.pic.nal_type = nal.type;
      t.pic.decode_index = decode_index;
      t.pic.start(sps, pps, maps);
      dpb_.collect_motion(t.references);
      pipeline_.start(t);
      task_ = &t;
    }
    sps_in_use_ = sps;
    pps_in_use_ = pps;
    poc_ = poc;
    nal_type_ = nal.type;
    decode_index_ = decode_index;
    temporal_id_ = nal.temporal_id;
    disposable_ = is_sub_layer_non_reference(nal.type) && nal.temporal_id == sps->max_sub_layers - 1;
    slices_.clear();
    intra_only_ = true;
    pic_output_flag_ = sh.pic_output_flag;
    in_picture_ = true;
  }

  void finish_picture() override {
    if (!in_picture_) return;
    in_picture_ = false;
    const Sps& sps = *sps_in_use_;
    PictureResult r;
    if (pic_output_flag_) {
      r.poc = poc_;
      r.decode_index = decode_index_;
      r.nal_type = nal_type_;
      r.temporal_id = temporal_id_;
      r.disposable = disposable_;
      r.max_poc_lsb = 1 << sps.log2_max_poc_lsb;
      r.irap = is_irap(nal_type_);
      r.new_sequence = new_sequence_;
      r.rasl = is_rasl(nal_type_);
      r.poc_anchor = poc_anchor_;
      r.width = sps.width;
      r.height = sps.height;
      r.bit_depth = sps.bit_depth_luma;
      r.crop_left = sps.conf_left;
      r.crop_right = sps.conf_right;
      r.crop_top = sps.conf_top;
      r.crop_bottom = sps.conf_bottom;
      r.slices = std::move(slices_);
    }
    if (!options_.headers_only) {
      HevcPictureTask& t = *task_;
      task_ = nullptr;
      if (pic_output_flag_) {
        t.result = std::move(r);  // the arrays are added once it is decoded
        t.output = true;
      }
      // A picture of I slices only: the pictures that read its motion need not wait for it (set
      // before any later picture starts).
      t.pic.collocated->intra_only = intra_only_;
      // Every coding tree block must be coded: with one thread the check is made here and its
      // error thrown by hand_out(), before the picture enters the DPB.
      pipeline_.close(t, true, nal_offset_);
      pipeline_.hand_out();
      dpb_.add_current(poc_, t.pic.collocated);
    } else {
      dpb_.add_current(poc_, nullptr);
      if (pic_output_flag_) pipeline_.add_result(std::move(r));
    }
    // Additional bumping (C.5.2.3).
    int htid = sps.max_sub_layers - 1;
    size_t reorder = static_cast<size_t>(sps.max_num_reorder_pics[htid]);
    pipeline_.bump(reorder);
  }

  const DecodeOptions& options_;  // the stream's
  HevcPicturePipeline pipeline_;  // decodes the slice data and hands the pictures to the stream's output queue
  std::shared_ptr<Sps> sps_[16];
  std::shared_ptr<Pps> pps_[64];
  DecodedPictureBuffer dpb_;
  HevcPictureTask* task_ = nullptr;  // the current picture's decoding (not with headers_only)
  std::shared_ptr<const Sps> sps_in_use_;  // of the current picture
  std::shared_ptr<const Pps> pps_in_use_;
  int poc_ = 0;  // of the current picture
  int nal_type_ = 0;
  int decode_index_ = 0;
  int64_t nal_offset_ = -1;  // of the NAL unit being decoded, -1 outside decode_nal
  std::vector<SliceInfo> slices_;  // of the current picture
  bool intra_only_ = true;         // the current picture's slices so far are I slices
  SliceHeader prev_sh_;
  SliceRefs refs_;
  // set by restart()
  bool in_picture_;
  bool pic_output_flag_;
  int temporal_id_ = 0;      // of the current picture
  bool disposable_ = false;  // of the current picture (PictureResult::disposable)
  bool poc_anchor_ = false;  // of the current picture (PictureResult::poc_anchor)
  bool new_sequence_ = false;  // of the current picture (PictureResult::new_sequence)
  // set by restart()
  bool seen_irap_;
  bool no_rasl_output_;
  bool after_eos_;
  int prev_tid0_poc_;
  int decode_count_;
  int64_t nal_count_;
  int64_t first_nal_offset_;
  bool seen_parameter_set_;
  int64_t first_slice_without_parameter_set_;  // byte offset of the first slice skipped for it
};

}  // namespace

std::unique_ptr<PictureDecoder> make_hevc_picture_decoder(const DecodeOptions& options, OutputQueue& out) {
  return std::make_unique<HevcPictureDecoder>(options, out);
}

}  // namespace codectok
