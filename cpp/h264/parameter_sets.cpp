#include "h264/parameter_sets.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "bitstream/parse_error.h"

namespace codectok {
namespace h264 {

const uint8_t kDefault4x4Intra[16] = {6, 13, 13, 20, 20, 20, 28, 28, 28, 28, 32, 32, 32, 37, 37, 42};
const uint8_t kDefault4x4Inter[16] = {10, 14, 14, 20, 20, 20, 24, 24, 24, 24, 27, 27, 27, 30, 30, 34};
const uint8_t kDefault8x8Intra[64] = {6,  10, 10, 13, 11, 13, 16, 16, 16, 16, 18, 18, 18, 18, 18, 23,
                                      23, 23, 23, 23, 23, 25, 25, 25, 25, 25, 25, 25, 27, 27, 27, 27,
                                      27, 27, 27, 27, 29, 29, 29, 29, 29, 29, 29, 31, 31, 31, 31, 31,
                                      31, 33, 33, 33, 33, 33, 36, 36, 36, 36, 38, 38, 38, 40, 40, 42};
const uint8_t kDefault8x8Inter[64] = {9,  13, 13, 15, 13, 15, 17, 17, 17, 17, 19, 19, 19, 19, 19, 21,
                                      21, 21, 21, 21, 21, 22, 22, 22, 22, 22, 22, 22, 24, 24, 24, 24,
                                      24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 27, 27, 27, 27, 27,
                                      27, 28, 28, 28, 28, 28, 30, 30, 30, 30, 32, 32, 32, 33, 33, 35};

namespace {

uint32_t ue_max(BitReader& br, uint32_t max, const char* what) {
  uint32_t v = br.ue();
  if (v > max) fail(ErrorCode::kInvalidSyntax, std::string(what) + " out of range (" + std::to_string(v) + ")");
  return v;
}

int se_range(BitReader& br, int lo, int hi, const char* what) {
  int v = br.se();
  if (v < lo || v > hi) fail(ErrorCode::kInvalidSyntax, std::string(what) + " out of range (" + std::to_string(v) + ")");
  return v;
}

// scaling_list() (clause 7.3.2.1.1.1). Returns false when useDefaultScalingMatrixFlag.
bool read_scaling_list(BitReader& br, uint8_t* list, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size; ++j) {
    if (next != 0) {
      int delta = se_range(br, -128, 127, "delta_scale");
      next = (last + delta + 256) % 256;
      if (j == 0 && next == 0) return false;
    }
    list[j] = static_cast<uint8_t>(next == 0 ? last : next);
    last = list[j];
  }
  return true;
}

// The scaling lists of an SPS or PPS with the fall-back rules of Table 7-2:
// `fallback` is null for rule A (defaults), the SPS lists for rule B.
void read_scaling_matrices(BitReader& br, int n8x8, ScalingMatrices& m, const ScalingMatrices* fallback) {
  for (int i = 0; i < 6 + n8x8; ++i) {
    bool present = br.flag();
    if (i < 6) {
      uint8_t* l = m.list4x4[i];
      if (present) {
        if (!read_scaling_list(br, l, 16)) std::memcpy(l, i < 3 ? kDefault4x4Intra : kDefault4x4Inter, 16);
      } else if (i == 0 || i == 3) {
        if (fallback) std::memcpy(l, fallback->list4x4[i], 16);
        else std::memcpy(l, i == 0 ? kDefault4x4Intra : kDefault4x4Inter, 16);
      } else {
        std::memcpy(l, m.list4x4[i - 1], 16);
      }
    } else {
      int k = i - 6;
      uint8_t* l = m.list8x8[k];
      if (present) {
        if (!read_scaling_list(br, l, 64)) std::memcpy(l, (k & 1) == 0 ? kDefault8x8Intra : kDefault8x8Inter, 64);
      } else if (k < 2) {
        if (fallback) std::memcpy(l, fallback->list8x8[k], 64);
        else std::memcpy(l, k == 0 ? kDefault8x8Intra : kDefault8x8Inter, 64);
      } else {
        std::memcpy(l, m.list8x8[k - 2], 64);
      }
    }
  }
  if (n8x8 < 6) {
    // 4:2:0: the 8x8 chroma lists are not used; keep them equal to the luma ones.
    for (int k = std::max(n8x8, 2); k < 6; ++k) std::memcpy(m.list8x8[k], m.list8x8[k & 1], 64);
  }
}

void set_flat(ScalingMatrices& m) { std::memset(&m, 16, sizeof(m)); }

void skip_hrd_parameters(BitReader& br) {
  uint32_t cpb_cnt = ue_max(br, 31, "cpb_cnt_minus1") + 1;
  br.u(4);
  br.u(4);
  for (uint32_t i = 0; i < cpb_cnt; ++i) {
    br.ue();
    br.ue();
    br.flag();
  }
  br.u(5);
  br.u(5);
  br.u(5);
  br.u(5);
}

void parse_vui(BitReader& br, Sps& s) {
  if (br.flag()) {  // aspect_ratio_info_present_flag
    if (br.u(8) == 255) br.u(32);  // Extended_SAR: sar_width, sar_height
  }
  if (br.flag()) br.flag();  // overscan
  if (br.flag()) {           // video_signal_type_present_flag
    br.u(4);
    if (br.flag()) br.u(24);
  }
  if (br.flag()) {  // chroma_loc_info_present_flag
    br.ue();
    br.ue();
  }
  s.timing_info_present = br.flag();
  if (s.timing_info_present) {
    s.num_units_in_tick = br.u(32);
    s.time_scale = br.u(32);
    br.flag();  // fixed_frame_rate_flag
  }
  bool nal_hrd = br.flag();
  if (nal_hrd) skip_hrd_parameters(br);
  bool vcl_hrd = br.flag();
  if (vcl_hrd) skip_hrd_parameters(br);
  if (nal_hrd || vcl_hrd) br.flag();  // low_delay_hrd_flag
  br.flag();                          // pic_struct_present_flag
  s.bitstream_restriction = br.flag();
  if (s.bitstream_restriction) {
    br.flag();
    br.ue();
    br.ue();
    br.ue();
    br.ue();
    s.max_num_reorder_frames = static_cast<int>(ue_max(br, 16, "max_num_reorder_frames"));
    s.max_dec_frame_buffering = static_cast<int>(ue_max(br, 16, "max_dec_frame_buffering"));
  }
}

bool is_high_profile_syntax(int p) {
  return p == 100 || p == 110 || p == 122 || p == 244 || p == 44 || p == 83 || p == 86 || p == 118 || p == 128 ||
         p == 138 || p == 139 || p == 134 || p == 135;
}

}  // namespace

int Sps::dpb_frames() const {
  // MaxDpbMbs of Table A-1 by level_idc (level 1b: level_idc 11 with constraint_set3 in Baseline/Main, or 9).
  int level = level_idc;
  int max_dpb_mbs;
  if (level <= 10 || level == 9) max_dpb_mbs = 396;
  else if (level == 11) max_dpb_mbs = (constraint_flags & 8) && profile_idc != 100 ? 396 : 900;
  else if (level <= 20) max_dpb_mbs = 2376;
  else if (level == 21) max_dpb_mbs = 4752;
  else if (level <= 30) max_dpb_mbs = 8100;
  else if (level == 31) max_dpb_mbs = 18000;
  else if (level == 32) max_dpb_mbs = 20480;
  else if (level <= 41) max_dpb_mbs = 32768;
  else if (level == 42) max_dpb_mbs = 34816;
  else if (level == 50) max_dpb_mbs = 110400;
  else if (level <= 52) max_dpb_mbs = 184320;
  else max_dpb_mbs = 696320;
  int frames = max_dpb_mbs / std::max(1, width_mbs * height_mbs);
  return std::clamp(std::max(frames, max_num_ref_frames), 1, 16);
}

std::shared_ptr<Sps> parse_sps(BitReader& br) {
  auto sp = std::make_shared<Sps>();
  Sps& s = *sp;
  s.profile_idc = static_cast<int>(br.u(8));
  int cf = static_cast<int>(br.u(8));
  for (int i = 0; i < 6; ++i) s.constraint_flags |= ((cf >> (7 - i)) & 1) << i;
  s.level_idc = static_cast<int>(br.u(8));
  s.id = static_cast<int>(ue_max(br, 31, "seq_parameter_set_id"));
  const int p = s.profile_idc;
  if (p == 83 || p == 86)
    fail(ErrorCode::kUnsupported, "unsupported H.264 stream: SVC (Scalable profile_idc " + std::to_string(p) + ")");
  if (p == 118 || p == 128 || p == 134 || p == 135 || p == 138 || p == 139)
    fail(ErrorCode::kUnsupported,
         "unsupported H.264 stream: MVC / multiview or depth profile (profile_idc " + std::to_string(p) + ")");
  set_flat(s.scaling);
  if (is_high_profile_syntax(p)) {
    s.chroma_format_idc = static_cast<int>(ue_max(br, 3, "chroma_format_idc"));
    if (s.chroma_format_idc == 3) br.flag();  // separate_colour_plane_flag
    s.bit_depth_luma = static_cast<int>(ue_max(br, 6, "bit_depth_luma_minus8")) + 8;
    s.bit_depth_chroma = static_cast<int>(ue_max(br, 6, "bit_depth_chroma_minus8")) + 8;
    s.transform_bypass = br.flag();
    s.scaling_matrix_present = br.flag();
    if (s.scaling_matrix_present) read_scaling_matrices(br, s.chroma_format_idc != 3 ? 2 : 6, s.scaling, nullptr);
  }
  if (s.chroma_format_idc == 2 || s.chroma_format_idc == 3)
    fail(ErrorCode::kUnsupported, std::string("unsupported H.264 stream: chroma format ") +
                                      (s.chroma_format_idc == 2 ? "4:2:2" : "4:4:4") + " (profile_idc " +
                                      std::to_string(p) + "); codectok reads 4:2:0 and 4:0:0");
  if (s.transform_bypass)
    fail(ErrorCode::kUnsupported, "unsupported H.264 stream: lossless (qpprime_y_zero_transform_bypass_flag)");
  s.log2_max_frame_num = static_cast<int>(ue_max(br, 12, "log2_max_frame_num_minus4")) + 4;
  s.poc_type = static_cast<int>(ue_max(br, 2, "pic_order_cnt_type"));
  if (s.poc_type == 0) {
    s.log2_max_poc_lsb = static_cast<int>(ue_max(br, 12, "log2_max_pic_order_cnt_lsb_minus4")) + 4;
  } else if (s.poc_type == 1) {
    s.delta_pic_order_always_zero = br.flag();
    s.offset_for_non_ref_pic = br.se();
    s.offset_for_top_to_bottom_field = br.se();
    s.num_ref_frames_in_poc_cycle = static_cast<int>(ue_max(br, 255, "num_ref_frames_in_pic_order_cnt_cycle"));
    for (int i = 0; i < s.num_ref_frames_in_poc_cycle; ++i) s.offset_for_ref_frame[i] = br.se();
  }
  s.max_num_ref_frames = static_cast<int>(ue_max(br, 16, "max_num_ref_frames"));
  s.gaps_in_frame_num_allowed = br.flag();
  s.width_mbs = static_cast<int>(ue_max(br, 1023, "pic_width_in_mbs_minus1")) + 1;
  int map_units = static_cast<int>(ue_max(br, 1023, "pic_height_in_map_units_minus1")) + 1;
  s.frame_mbs_only = br.flag();
  s.height_mbs = map_units * (s.frame_mbs_only ? 1 : 2);
  if (!s.frame_mbs_only) s.mb_adaptive_frame_field = br.flag();  // refused per slice
  s.direct_8x8_inference = br.flag();
  if (br.flag()) {  // frame_cropping_flag
    uint32_t l = br.ue(), r = br.ue(), t = br.ue(), b = br.ue();
    int crop_x = s.chroma_format_idc == 0 ? 1 : 2;
    int crop_y = (s.chroma_format_idc == 1 ? 2 : 1) * (s.frame_mbs_only ? 1 : 2);
    if ((int64_t{l} + r) * crop_x >= s.width() || (int64_t{t} + b) * crop_y >= s.height())
      fail(ErrorCode::kInvalidSyntax, "frame cropping larger than the picture");
    s.crop_left = static_cast<int>(l) * crop_x;
    s.crop_right = static_cast<int>(r) * crop_x;
    s.crop_top = static_cast<int>(t) * crop_y;
    s.crop_bottom = static_cast<int>(b) * crop_y;
  }
  if (br.flag()) parse_vui(br, s);
  return sp;
}

std::shared_ptr<Pps> parse_pps(BitReader& br, const std::shared_ptr<Sps> sps_table[32]) {
  auto pp = std::make_shared<Pps>();
  Pps& p = *pp;
  p.id = static_cast<int>(ue_max(br, 255, "pic_parameter_set_id"));
  p.sps_id = static_cast<int>(ue_max(br, 31, "seq_parameter_set_id"));
  const Sps* sps = sps_table[p.sps_id].get();
  if (!sps) fail(ErrorCode::kMissingParameterSet, "PPS refers to a missing SPS " + std::to_string(p.sps_id));
  p.cabac = br.flag();
  p.bottom_field_pic_order_in_frame_present = br.flag();
  int slice_groups = static_cast<int>(ue_max(br, 7, "num_slice_groups_minus1")) + 1;
  if (slice_groups > 1)
    fail(ErrorCode::kUnsupported, "unsupported H.264 stream: " + std::to_string(slice_groups) +
                                      " slice groups (FMO, Extended/Baseline profile)");
  p.num_ref_idx_default[0] = static_cast<int>(ue_max(br, 31, "num_ref_idx_l0_default_active_minus1")) + 1;
  p.num_ref_idx_default[1] = static_cast<int>(ue_max(br, 31, "num_ref_idx_l1_default_active_minus1")) + 1;
  p.weighted_pred = br.flag();
  p.weighted_bipred_idc = static_cast<int>(br.u(2));
  if (p.weighted_bipred_idc == 3) fail(ErrorCode::kInvalidSyntax, "weighted_bipred_idc 3");
  int qp_off = 6 * (sps->bit_depth_luma - 8);
  p.pic_init_qp = se_range(br, -26 - qp_off, 25, "pic_init_qp_minus26") + 26;
  p.pic_init_qs = se_range(br, -26, 25, "pic_init_qs_minus26") + 26;
  p.chroma_qp_index_offset[0] = se_range(br, -12, 12, "chroma_qp_index_offset");
  p.chroma_qp_index_offset[1] = p.chroma_qp_index_offset[0];
  p.deblocking_filter_control_present = br.flag();
  p.constrained_intra_pred = br.flag();
  p.redundant_pic_cnt_present = br.flag();
  p.scaling = sps->scaling;
  if (br.more_rbsp_data()) {
    p.transform_8x8_mode = br.flag();
    p.scaling_matrix_present = br.flag();
    if (p.scaling_matrix_present) {
      int n8 = p.transform_8x8_mode ? (sps->chroma_format_idc != 3 ? 2 : 6) : 0;
      // Without transform_8x8_mode_flag the 8x8 lists are not coded: the SPS ones stay.
      ScalingMatrices sps_lists = sps->scaling;
      ScalingMatrices m = sps_lists;
      read_scaling_matrices(br, n8, m, sps->scaling_matrix_present ? &sps_lists : nullptr);
      if (!n8)
        for (int k = 0; k < 6; ++k) std::memcpy(m.list8x8[k], sps_lists.list8x8[k], 64);
      p.scaling = m;
    }
    p.chroma_qp_index_offset[1] = se_range(br, -12, 12, "second_chroma_qp_index_offset");
  }
  return pp;
}

}  // namespace h264
}  // namespace codectok
