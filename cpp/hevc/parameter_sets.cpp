#include "hevc/parameter_sets.h"

#include <string>

#include "bitstream/parse_error.h"

namespace codectok {

namespace {

// Sqrt(MaxLumaPs * 8) of Level 6.2: the largest width or height of any HEVC picture, the hard cap
// behind DecodeLimits::max_picture_dimension.
constexpr uint32_t kMaxPictureDimension = 16888;

void check(bool ok, const char* what) {
  if (!ok) fail(ErrorCode::kInvalidSyntax, std::string("invalid parameter set: ") + what);
}

// profile_tier_level(1, max_sub_layers_minus1); returns general_profile_idc.
// The extension flags of an SPS or PPS (sps/pps_range_extension_flag, ...,
// then 4 bits). Multi-layer, 3D and screen content extensions are refused.
struct ExtensionFlags {
  bool range = false;
};

ExtensionFlags parse_extension_flags(BitReader& br, const char* where) {
  ExtensionFlags f;
  f.range = br.flag();
  bool multilayer = br.flag();
  bool ext3d = br.flag();
  bool scc = br.flag();
  br.u(4);
  if (multilayer || ext3d)
    fail(ErrorCode::kUnsupported, std::string("unsupported HEVC stream: multi-layer or 3D extension in the ") + where);
  if (scc) fail(ErrorCode::kUnsupported, "unsupported HEVC stream: screen content coding extension");
  return f;
}

int parse_profile_tier_level(BitReader& br, int max_sub_layers_minus1) {
  br.u(2);  // general_profile_space
  br.u(1);  // general_tier_flag
  int profile_idc = static_cast<int>(br.u(5));
  uint32_t compat = br.u(32);
  br.skip(4 + 43 + 1);
  br.u(8);  // general_level_idc
  if (profile_idc == 0) {
    for (int j = 1; j < 32; ++j)
      if (compat & (1u << (31 - j))) { profile_idc = j; break; }
  }
  bool sub_profile[8] = {}, sub_level[8] = {};
  for (int i = 0; i < max_sub_layers_minus1; ++i) {
    sub_profile[i] = br.flag();
    sub_level[i] = br.flag();
  }
  if (max_sub_layers_minus1 > 0)
    for (int i = max_sub_layers_minus1; i < 8; ++i) br.u(2);
  for (int i = 0; i < max_sub_layers_minus1; ++i) {
    if (sub_profile[i]) br.skip(88);
    if (sub_level[i]) br.skip(8);
  }
  return profile_idc;
}

void parse_sub_layer_hrd(BitReader& br, int cpb_cnt, bool sub_pic) {
  for (int i = 0; i < cpb_cnt; ++i) {
    br.ue();
    br.ue();
    if (sub_pic) {
      br.ue();
      br.ue();
    }
    br.u(1);
  }
}

void parse_hrd(BitReader& br, bool common_inf, int max_sub_layers_minus1) {
  bool nal = false, vcl = false, sub_pic = false;
  if (common_inf) {
    nal = br.flag();
    vcl = br.flag();
    if (nal || vcl) {
      sub_pic = br.flag();
      if (sub_pic) br.skip(8 + 5 + 1 + 5);
      br.skip(4 + 4);
      if (sub_pic) br.skip(4);
      br.skip(5 + 5 + 5);
    }
  }
  for (int i = 0; i <= max_sub_layers_minus1; ++i) {
    bool fixed_general = br.flag();
    bool fixed_cvs = true;
    if (!fixed_general) fixed_cvs = br.flag();
    bool low_delay = false;
    if (fixed_cvs)
      br.ue();
    else
      low_delay = br.flag();
    int cpb_cnt = 1;
    if (!low_delay) {
      uint32_t c = br.ue();
      check(c <= 31, "cpb_cnt_minus1");
      cpb_cnt = static_cast<int>(c) + 1;
    }
    if (nal) parse_sub_layer_hrd(br, cpb_cnt, sub_pic);
    if (vcl) parse_sub_layer_hrd(br, cpb_cnt, sub_pic);
  }
}

void parse_vui(BitReader& br, int max_sub_layers_minus1) {
  if (br.flag()) {  // aspect_ratio_info_present_flag
    if (br.u(8) == 255) br.skip(32);
  }
  if (br.flag()) br.u(1);  // overscan
  if (br.flag()) {         // video_signal_type_present_flag
    br.skip(4);
    if (br.flag()) br.skip(24);
  }
  if (br.flag()) {  // chroma_loc_info_present_flag
    br.ue();
    br.ue();
  }
  br.skip(3);       // neutral_chroma, field_seq, frame_field_info
  if (br.flag()) {  // default_display_window_flag
    br.ue(); br.ue(); br.ue(); br.ue();
  }
  if (br.flag()) {  // vui_timing_info_present_flag
    br.skip(64);
    if (br.flag()) br.ue();
    if (br.flag()) parse_hrd(br, true, max_sub_layers_minus1);
  }
  if (br.flag()) {  // bitstream_restriction_flag
    br.skip(3);
    br.ue(); br.ue(); br.ue(); br.ue(); br.ue();
  }
}

}  // namespace

void parse_short_term_rps(BitReader& br, int idx, int num_sets, const std::vector<ShortTermRps>& sets,
                          ShortTermRps& out) {
  out = ShortTermRps{};
  bool inter = false;
  if (idx != 0) inter = br.flag();
  if (inter) {
    int delta_idx = 1;
    if (idx == num_sets) {
      uint32_t d = br.ue();
      check(static_cast<int>(d) + 1 <= idx, "delta_idx_minus1");
      delta_idx = static_cast<int>(d) + 1;
    }
    int ref_idx = idx - delta_idx;
    check(ref_idx >= 0 && ref_idx < static_cast<int>(sets.size()), "RefRpsIdx");
    const ShortTermRps& ref = sets[ref_idx];
    int sign = static_cast<int>(br.u(1));
    uint32_t abs_minus1 = br.ue();
    check(abs_minus1 < 32768, "abs_delta_rps_minus1");
    int delta_rps = (1 - 2 * sign) * (static_cast<int>(abs_minus1) + 1);
    int n = ref.num_delta_pocs();
    bool used[33] = {}, use_delta[33] = {};
    for (int j = 0; j <= n; ++j) {
      used[j] = br.flag();
      use_delta[j] = used[j] ? true : br.flag();
    }
    int i = 0;
    for (int j = ref.num_positive - 1; j >= 0; --j) {
      int d = ref.delta_poc_s1[j] + delta_rps;
      if (d < 0 && use_delta[ref.num_negative + j]) {
        check(i < 16, "too many pictures in the RPS");
        out.delta_poc_s0[i] = d;
        out.used_s0[i++] = used[ref.num_negative + j];
      }
    }
    if (delta_rps < 0 && use_delta[n]) {
      check(i < 16, "too many pictures in the RPS");
      out.delta_poc_s0[i] = delta_rps;
      out.used_s0[i++] = used[n];
    }
    for (int j = 0; j < ref.num_negative; ++j) {
      int d = ref.delta_poc_s0[j] + delta_rps;
      if (d < 0 && use_delta[j]) {
        check(i < 16, "too many pictures in the RPS");
        out.delta_poc_s0[i] = d;
        out.used_s0[i++] = used[j];
      }
    }
    out.num_negative = i;
    i = 0;
    for (int j = ref.num_negative - 1; j >= 0; --j) {
      int d = ref.delta_poc_s0[j] + delta_rps;
      if (d > 0 && use_delta[j]) {
        check(i < 16, "too many pictures in the RPS");
        out.delta_poc_s1[i] = d;
        out.used_s1[i++] = used[j];
      }
    }
    if (delta_rps > 0 && use_delta[n]) {
      check(i < 16, "too many pictures in the RPS");
      out.delta_poc_s1[i] = delta_rps;
      out.used_s1[i++] = used[n];
    }
    for (int j = 0; j < ref.num_positive; ++j) {
      int d = ref.delta_poc_s1[j] + delta_rps;
      if (d > 0 && use_delta[ref.num_negative + j]) {
        check(i < 16, "too many pictures in the RPS");
        out.delta_poc_s1[i] = d;
        out.used_s1[i++] = used[ref.num_negative + j];
      }
    }
    out.num_positive = i;
  } else {
    uint32_t neg = br.ue(), pos = br.ue();
    check(neg <= 16 && pos <= 16 && neg + pos <= 16, "num_negative_pics/num_positive_pics");
    out.num_negative = static_cast<int>(neg);
    out.num_positive = static_cast<int>(pos);
    int poc = 0;
    for (int i = 0; i < out.num_negative; ++i) {
      uint32_t d = br.ue();
      check(d < 32768, "delta_poc_s0_minus1");
      poc -= static_cast<int>(d) + 1;
      out.delta_poc_s0[i] = poc;
      out.used_s0[i] = br.flag();
    }
    poc = 0;
    for (int i = 0; i < out.num_positive; ++i) {
      uint32_t d = br.ue();
      check(d < 32768, "delta_poc_s1_minus1");
      poc += static_cast<int>(d) + 1;
      out.delta_poc_s1[i] = poc;
      out.used_s1[i] = br.flag();
    }
  }
}

std::shared_ptr<Sps> parse_sps(BitReader& br) {
  auto sps = std::make_shared<Sps>();
  Sps& s = *sps;
  br.u(4);  // sps_video_parameter_set_id
  int max_sub_layers_minus1 = static_cast<int>(br.u(3));
  check(max_sub_layers_minus1 <= 6, "sps_max_sub_layers_minus1");
  s.max_sub_layers = max_sub_layers_minus1 + 1;
  br.u(1);  // temporal_id_nesting
  s.profile_idc = parse_profile_tier_level(br, max_sub_layers_minus1);
  uint32_t id = br.ue();
  check(id <= 15, "sps_seq_parameter_set_id");
  s.id = static_cast<int>(id);
  uint32_t cf = br.ue();
  check(cf <= 3, "chroma_format_idc");
  s.chroma_format_idc = static_cast<int>(cf);
  if (cf == 3 && br.flag())
    fail(ErrorCode::kUnsupported, "unsupported HEVC stream: separate colour planes (4:4:4)");
  uint32_t w = br.ue(), h = br.ue();
  if (w == 0 || h == 0) fail(ErrorCode::kInvalidSyntax, "picture size " + std::to_string(w) + "x" + std::to_string(h));
  if (w > kMaxPictureDimension || h > kMaxPictureDimension)
    fail(ErrorCode::kLimitExceeded, "picture size " + std::to_string(w) + "x" + std::to_string(h) +
                                        " exceeds the limit maxPictureDimension = " + std::to_string(kMaxPictureDimension) +
                                        " (the largest HEVC level)");
  s.width = static_cast<int>(w);
  s.height = static_cast<int>(h);
  int sub_w = (cf == 1 || cf == 2) ? 2 : 1, sub_h = (cf == 1) ? 2 : 1;
  if (br.flag()) {
    // ue(v) reaches 2^32 - 2: bound each offset (in luma samples, 64 bits) before it is an int.
    int64_t left = int64_t{br.ue()} * sub_w, right = int64_t{br.ue()} * sub_w;
    int64_t top = int64_t{br.ue()} * sub_h, bottom = int64_t{br.ue()} * sub_h;
    check(left + right < s.width && top + bottom < s.height, "conformance window larger than the picture");
    s.conf_left = static_cast<int>(left);
    s.conf_right = static_cast<int>(right);
    s.conf_top = static_cast<int>(top);
    s.conf_bottom = static_cast<int>(bottom);
  }
  uint32_t bdl = br.ue(), bdc = br.ue();
  check(bdl <= 8 && bdc <= 8, "bit_depth_minus8");
  s.bit_depth_luma = static_cast<int>(bdl) + 8;
  s.bit_depth_chroma = static_cast<int>(bdc) + 8;
  uint32_t lsb = br.ue();
  check(lsb <= 12, "log2_max_pic_order_cnt_lsb_minus4");
  s.log2_max_poc_lsb = static_cast<int>(lsb) + 4;
  bool ordering_info = br.flag();
  for (int i = ordering_info ? 0 : max_sub_layers_minus1; i <= max_sub_layers_minus1; ++i) {
    uint32_t dpb = br.ue(), reorder = br.ue(), latency = br.ue();
    check(dpb <= 15 && reorder <= dpb, "sps_max_dec_pic_buffering/num_reorder_pics");
    s.max_dec_pic_buffering[i] = static_cast<int>(dpb) + 1;
    s.max_num_reorder_pics[i] = static_cast<int>(reorder);
    s.max_latency_increase_plus1[i] = static_cast<int>(latency);
  }
  if (!ordering_info)
    for (int i = 0; i < max_sub_layers_minus1; ++i) {
      s.max_dec_pic_buffering[i] = s.max_dec_pic_buffering[max_sub_layers_minus1];
      s.max_num_reorder_pics[i] = s.max_num_reorder_pics[max_sub_layers_minus1];
      s.max_latency_increase_plus1[i] = s.max_latency_increase_plus1[max_sub_layers_minus1];
    }
  uint32_t min_cb = br.ue(), diff_cb = br.ue(), min_tb = br.ue(), diff_tb = br.ue();
  check(min_cb <= 3 && min_cb + 3 + diff_cb <= 6 && min_cb + 3 + diff_cb >= 4, "coding block sizes");
  s.log2_min_cb_size = static_cast<int>(min_cb) + 3;
  s.log2_ctb_size = s.log2_min_cb_size + static_cast<int>(diff_cb);
  check(min_tb <= 3 && min_tb + 2 + diff_tb <= 5, "transform block sizes");
  s.log2_min_tb_size = static_cast<int>(min_tb) + 2;
  s.log2_max_tb_size = s.log2_min_tb_size + static_cast<int>(diff_tb);
  check(s.log2_min_tb_size < s.log2_min_cb_size && s.log2_max_tb_size <= std::min(s.log2_ctb_size, 5),
        "transform block sizes");
  uint32_t dinter = br.ue(), dintra = br.ue();
  check(dinter <= 4 && dintra <= 4, "max_transform_hierarchy_depth");
  s.max_transform_hierarchy_depth_inter = static_cast<int>(dinter);
  s.max_transform_hierarchy_depth_intra = static_cast<int>(dintra);
  set_default_scaling_list(s.scaling_list);
  s.scaling_list_enabled = br.flag();
  if (s.scaling_list_enabled) {
    s.sps_scaling_list_data_present = br.flag();
    if (s.sps_scaling_list_data_present) parse_scaling_list_data(br, s.scaling_list);
  }
  s.amp_enabled = br.flag();
  s.sao_enabled = br.flag();
  s.pcm_enabled = br.flag();
  if (s.pcm_enabled) {
    s.pcm_bit_depth_luma = static_cast<int>(br.u(4)) + 1;
    s.pcm_bit_depth_chroma = static_cast<int>(br.u(4)) + 1;
    uint32_t minp = br.ue(), diffp = br.ue();
    check(minp <= 2 && minp + 3 + diffp <= 5, "pcm sizes");
    s.log2_min_pcm_cb_size = static_cast<int>(minp) + 3;
    s.log2_max_pcm_cb_size = s.log2_min_pcm_cb_size + static_cast<int>(diffp);
    br.u(1);  // pcm_loop_filter_disabled_flag
  }
  uint32_t nst = br.ue();
  check(nst <= 64, "num_short_term_ref_pic_sets");
  s.st_rps.resize(nst);
  for (uint32_t i = 0; i < nst; ++i)
    parse_short_term_rps(br, static_cast<int>(i), static_cast<int>(nst), s.st_rps, s.st_rps[i]);
  s.long_term_ref_pics_present = br.flag();
  if (s.long_term_ref_pics_present) {
    uint32_t n = br.ue();
    check(n <= 32, "num_long_term_ref_pics_sps");
    s.num_long_term_ref_pics_sps = static_cast<int>(n);
    for (uint32_t i = 0; i < n; ++i) {
      s.lt_ref_pic_poc_lsb_sps[i] = br.u(s.log2_max_poc_lsb);
      s.used_by_curr_pic_lt_sps[i] = br.flag();
    }
  }
  s.temporal_mvp_enabled = br.flag();
  s.strong_intra_smoothing = br.flag();
  if (br.flag()) parse_vui(br, max_sub_layers_minus1);
  if (br.flag()) {  // sps_extension_present_flag
    if (parse_extension_flags(br, "SPS").range) {
      s.transform_skip_rotation = br.flag();
      s.transform_skip_context = br.flag();
      s.implicit_rdpcm = br.flag();
      s.explicit_rdpcm = br.flag();
      s.extended_precision = br.flag();
      s.intra_smoothing_disabled = br.flag();
      s.high_precision_offsets = br.flag();
      s.persistent_rice_adaptation = br.flag();
      s.cabac_bypass_alignment = br.flag();
    }
  }
  // What codectok supports: Main, Main 10, Main Still Picture (4:2:0, 8/10-bit), also when
  // signalled under a range-extensions profile without range-extension tools.
  static const char* kChroma[] = {"4:0:0", "4:2:0", "4:2:2", "4:4:4"};
  if (s.chroma_format_idc != 1)
    fail(ErrorCode::kUnsupported, std::string("unsupported HEVC stream: chroma format ") + kChroma[s.chroma_format_idc] +
                                      " (profile_idc " + std::to_string(s.profile_idc) +
                                      "); codectok supports Main, Main 10 and Main Still Picture (4:2:0)");
  if (s.bit_depth_luma > 10 || s.bit_depth_chroma > 10)
    fail(ErrorCode::kUnsupported, "unsupported HEVC stream: bit depth " + std::to_string(s.bit_depth_luma) +
                                      "/" + std::to_string(s.bit_depth_chroma) +
                                      "; codectok supports 8 and 10 bits (Main, Main 10)");
  if (s.transform_skip_rotation || s.transform_skip_context || s.implicit_rdpcm || s.explicit_rdpcm ||
      s.extended_precision || s.persistent_rice_adaptation || s.cabac_bypass_alignment)
    fail(ErrorCode::kUnsupported, "unsupported HEVC stream: range-extension coding tools are enabled in the SPS");

  s.ctb_size = 1 << s.log2_ctb_size;
  s.pic_width_in_ctbs = (s.width + s.ctb_size - 1) >> s.log2_ctb_size;
  s.pic_height_in_ctbs = (s.height + s.ctb_size - 1) >> s.log2_ctb_size;
  s.pic_size_in_ctbs = s.pic_width_in_ctbs * s.pic_height_in_ctbs;
  check(s.width % (1 << s.log2_min_cb_size) == 0 && s.height % (1 << s.log2_min_cb_size) == 0,
        "picture size is not a multiple of MinCbSizeY");
  s.pic_width_in_min_cbs = s.width >> s.log2_min_cb_size;
  s.pic_height_in_min_cbs = s.height >> s.log2_min_cb_size;
  s.qp_bd_offset_y = 6 * (s.bit_depth_luma - 8);
  s.qp_bd_offset_c = 6 * (s.bit_depth_chroma - 8);
  return sps;
}

std::shared_ptr<Pps> parse_pps(BitReader& br) {
  auto pps = std::make_shared<Pps>();
  Pps& p = *pps;
  uint32_t id = br.ue(), sps_id = br.ue();
  check(id <= 63 && sps_id <= 15, "pps/sps id");
  p.id = static_cast<int>(id);
  p.sps_id = static_cast<int>(sps_id);
  p.dependent_slice_segments_enabled = br.flag();
  p.output_flag_present = br.flag();
  p.num_extra_slice_header_bits = static_cast<int>(br.u(3));
  p.sign_data_hiding_enabled = br.flag();
  p.cabac_init_present = br.flag();
  uint32_t l0 = br.ue(), l1 = br.ue();
  check(l0 <= 14 && l1 <= 14, "num_ref_idx_default_active_minus1");
  p.num_ref_idx_l0_default_active = static_cast<int>(l0) + 1;
  p.num_ref_idx_l1_default_active = static_cast<int>(l1) + 1;
  int32_t qp = br.se();
  check(qp >= -(26 + 48) && qp <= 25, "init_qp_minus26");
  p.init_qp = 26 + qp;
  p.constrained_intra_pred = br.flag();
  p.transform_skip_enabled = br.flag();
  p.cu_qp_delta_enabled = br.flag();
  if (p.cu_qp_delta_enabled) {
    uint32_t d = br.ue();
    check(d <= 3, "diff_cu_qp_delta_depth");
    p.diff_cu_qp_delta_depth = static_cast<int>(d);
  }
  p.cb_qp_offset = br.se();
  p.cr_qp_offset = br.se();
  check(p.cb_qp_offset >= -12 && p.cb_qp_offset <= 12 && p.cr_qp_offset >= -12 && p.cr_qp_offset <= 12,
        "pps_cb/cr_qp_offset");
  p.slice_chroma_qp_offsets_present = br.flag();
  p.weighted_pred = br.flag();
  p.weighted_bipred = br.flag();
  p.transquant_bypass_enabled = br.flag();
  p.tiles_enabled = br.flag();
  p.entropy_coding_sync_enabled = br.flag();
  if (p.tiles_enabled) {
    uint32_t c = br.ue(), r = br.ue();
    check(c < 64 && r < 64, "num_tile_columns/rows");
    p.num_tile_columns = static_cast<int>(c) + 1;
    p.num_tile_rows = static_cast<int>(r) + 1;
    p.uniform_spacing = br.flag();
    if (!p.uniform_spacing) {
      // column_width_minus1 / row_height_minus1 < PicWidth/HeightInCtbsY (clause 7.4.3.3.1): the SPS is
      // not known yet, so first the bound of every picture (kMaxPictureDimension luma samples in the
      // smallest CTBs, 16x16), then the sums against this picture in derive_pps_layout.
      constexpr uint32_t kMaxCtbsMinus1 = (kMaxPictureDimension + 15) / 16 - 1;
      for (int i = 0; i < p.num_tile_columns - 1; ++i) {
        const uint32_t w = br.ue();
        check(w <= kMaxCtbsMinus1, "column_width_minus1");
        p.column_width_minus1.push_back(static_cast<int>(w));
      }
      for (int i = 0; i < p.num_tile_rows - 1; ++i) {
        const uint32_t h = br.ue();
        check(h <= kMaxCtbsMinus1, "row_height_minus1");
        p.row_height_minus1.push_back(static_cast<int>(h));
      }
    }
    p.loop_filter_across_tiles = br.flag();
  }
  p.loop_filter_across_slices = br.flag();
  p.deblocking_filter_control_present = br.flag();
  if (p.deblocking_filter_control_present) {
    p.deblocking_filter_override_enabled = br.flag();
    p.pps_deblocking_filter_disabled = br.flag();
    if (!p.pps_deblocking_filter_disabled) {
      p.beta_offset_div2 = br.se();
      p.tc_offset_div2 = br.se();
    }
  }
  p.pps_scaling_list_data_present = br.flag();
  if (p.pps_scaling_list_data_present) {
    set_default_scaling_list(p.scaling_list);
    parse_scaling_list_data(br, p.scaling_list);
  }
  p.lists_modification_present = br.flag();
  uint32_t pml = br.ue();
  check(pml <= 4, "log2_parallel_merge_level_minus2");
  p.log2_parallel_merge_level = static_cast<int>(pml) + 2;
  p.slice_segment_header_extension_present = br.flag();
  if (br.flag()) {  // pps_extension_present_flag
    if (parse_extension_flags(br, "PPS").range) {
      if (p.transform_skip_enabled) {
        uint32_t v = br.ue();
        check(v <= 3, "log2_max_transform_skip_block_size_minus2");
        p.log2_max_transform_skip_block_size = static_cast<int>(v) + 2;
      }
      if (br.flag())
        fail(ErrorCode::kUnsupported, "unsupported HEVC stream: cross-component prediction (range extensions)");
      if (br.flag())
        fail(ErrorCode::kUnsupported, "unsupported HEVC stream: chroma QP offset lists (range extensions)");
      br.ue();  // log2_sao_offset_scale_luma
      br.ue();  // log2_sao_offset_scale_chroma
    }
  }
  return pps;
}

bool pps_layout_matches(const Pps& p, const Sps& s) {
  return p.layout_valid && p.layout_sps_width_ctbs == s.pic_width_in_ctbs && p.layout_sps_height_ctbs == s.pic_height_in_ctbs;
}

void derive_pps_layout(Pps& p, const Sps& s) {
  if (pps_layout_matches(p, s)) return;
  int W = s.pic_width_in_ctbs, H = s.pic_height_in_ctbs;
  if (p.num_tile_columns > W || p.num_tile_rows > H)
    fail(ErrorCode::kInvalidSyntax, "more tiles than coding tree blocks");
  std::vector<int> colw(p.num_tile_columns), rowh(p.num_tile_rows);
  if (p.uniform_spacing) {
    for (int i = 0; i < p.num_tile_columns; ++i)
      colw[i] = ((i + 1) * W) / p.num_tile_columns - (i * W) / p.num_tile_columns;
    for (int j = 0; j < p.num_tile_rows; ++j)
      rowh[j] = ((j + 1) * H) / p.num_tile_rows - (j * H) / p.num_tile_rows;
  } else {
    int sum = 0;
    for (int i = 0; i < p.num_tile_columns - 1; ++i) sum += (colw[i] = p.column_width_minus1[i] + 1);
    if (sum >= W) fail(ErrorCode::kInvalidSyntax, "tile columns wider than the picture");
    colw[p.num_tile_columns - 1] = W - sum;
    sum = 0;
    for (int j = 0; j < p.num_tile_rows - 1; ++j) sum += (rowh[j] = p.row_height_minus1[j] + 1);
    if (sum >= H) fail(ErrorCode::kInvalidSyntax, "tile rows taller than the picture");
    rowh[p.num_tile_rows - 1] = H - sum;
  }
  p.col_bd.assign(p.num_tile_columns + 1, 0);
  p.row_bd.assign(p.num_tile_rows + 1, 0);
  for (int i = 0; i < p.num_tile_columns; ++i) p.col_bd[i + 1] = p.col_bd[i] + colw[i];
  for (int j = 0; j < p.num_tile_rows; ++j) p.row_bd[j + 1] = p.row_bd[j] + rowh[j];
  p.tile_column_of_ctb_x.assign(W, 0);
  p.tile_row_of_ctb_y.assign(H, 0);
  for (int i = 0; i < p.num_tile_columns; ++i)
    for (int x = p.col_bd[i]; x < p.col_bd[i + 1]; ++x) p.tile_column_of_ctb_x[x] = i;
  for (int j = 0; j < p.num_tile_rows; ++j)
    for (int y = p.row_bd[j]; y < p.row_bd[j + 1]; ++y) p.tile_row_of_ctb_y[y] = j;
  int n = W * H;
  p.ctb_addr_rs_to_ts.assign(n, 0);
  p.ctb_addr_ts_to_rs.assign(n, 0);
  p.tile_id.assign(n, 0);
  for (int rs = 0; rs < n; ++rs) {
    int tbx = rs % W, tby = rs / W;
    const int tx = p.tile_column_of_ctb_x[tbx], ty = p.tile_row_of_ctb_y[tby];
    int v = 0;
    for (int i = 0; i < tx; ++i) v += rowh[ty] * colw[i];
    for (int j = 0; j < ty; ++j) v += W * rowh[j];
    v += (tby - p.row_bd[ty]) * colw[tx] + tbx - p.col_bd[tx];
    p.ctb_addr_rs_to_ts[rs] = v;
    p.ctb_addr_ts_to_rs[v] = rs;
  }
  int tid = 0;
  for (int j = 0; j < p.num_tile_rows; ++j)
    for (int i = 0; i < p.num_tile_columns; ++i, ++tid)
      for (int y = p.row_bd[j]; y < p.row_bd[j + 1]; ++y)
        for (int x = p.col_bd[i]; x < p.col_bd[i + 1]; ++x) p.tile_id[p.ctb_addr_rs_to_ts[y * W + x]] = tid;
  p.layout_valid = true;
  p.layout_sps_width_ctbs = W;
  p.layout_sps_height_ctbs = H;
}

}  // namespace codectok
