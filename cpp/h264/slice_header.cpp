#include "h264/slice_header.h"

#include <string>

#include "bitstream/parse_error.h"

namespace codectok {
namespace h264 {

namespace {

void parse_modifications(BitReader& br, std::vector<RefPicListModification>& out) {
  out.clear();
  if (!br.flag()) return;  // ref_pic_list_modification_flag_lX
  for (;;) {
    uint32_t idc = br.ue();
    if (idc == 3) break;
    if (idc > 3) fail(ErrorCode::kInvalidSyntax, "modification_of_pic_nums_idc " + std::to_string(idc));
    if (out.size() > 64) fail(ErrorCode::kInvalidSyntax, "too many reference list modifications");
    out.push_back({static_cast<int>(idc), br.ue()});
  }
}

void skip_pred_weight_table(BitReader& br, const SliceHeader& sh, int chroma_array_type) {
  br.ue();  // luma_log2_weight_denom
  if (chroma_array_type != 0) br.ue();
  for (int l = 0; l < (sh.is_b() ? 2 : 1); ++l) {
    for (int i = 0; i < sh.num_ref_idx_active[l]; ++i) {
      if (br.flag()) {
        br.se();
        br.se();
      }
      if (chroma_array_type != 0 && br.flag()) {
        for (int j = 0; j < 4; ++j) br.se();
      }
    }
  }
}

}  // namespace

void parse_slice_header(BitReader& br, int nal_type, int nal_ref_idc, const std::shared_ptr<Pps> pps_table[256],
                        const std::shared_ptr<Sps> sps_table[32], SliceHeader& sh) {
  sh.nal_type = nal_type;
  sh.nal_ref_idc = nal_ref_idc;
  sh.first_mb = br.ue();
  uint32_t st = br.ue();
  if (st > 9) fail(ErrorCode::kInvalidSyntax, "slice_type " + std::to_string(st));
  sh.slice_type = static_cast<int>(st % 5);
  uint32_t pps_id = br.ue();
  if (pps_id > 255 || !pps_table[pps_id])
    fail(ErrorCode::kMissingParameterSet, "slice refers to a missing PPS " + std::to_string(pps_id));
  sh.pps_id = static_cast<int>(pps_id);
  sh.pps = pps_table[pps_id];
  const Pps& pps = *sh.pps;
  if (!sps_table[pps.sps_id]) fail(ErrorCode::kMissingParameterSet, "PPS refers to a missing SPS");
  sh.sps = sps_table[pps.sps_id];
  const Sps& sps = *sh.sps;
  if (sh.first_mb >= static_cast<uint32_t>(sps.width_mbs * sps.height_mbs))
    fail(ErrorCode::kInvalidSyntax, "first_mb_in_slice beyond the picture");
  if (sh.slice_type == kSliceSI || sh.slice_type == kSliceSP)
    fail(ErrorCode::kUnsupported, "unsupported H.264 stream: SP/SI slices (Extended profile)");
  sh.frame_num = br.u(sps.log2_max_frame_num);
  if (!sps.frame_mbs_only) {
    if (br.flag())  // field_pic_flag
      fail(ErrorCode::kUnsupported, "unsupported H.264 stream: interlaced field pictures (field_pic_flag)");
    if (sps.mb_adaptive_frame_field)
      fail(ErrorCode::kUnsupported,
           "unsupported H.264 stream: interlaced MBAFF frames (macroblock-adaptive frame/field coding)");
  }
  if (nal_type == kNalIdr) sh.idr_pic_id = br.ue();
  if (sps.poc_type == 0) {
    sh.poc_lsb = br.u(sps.log2_max_poc_lsb);
    if (pps.bottom_field_pic_order_in_frame_present) sh.delta_poc_bottom = br.se();
  } else if (sps.poc_type == 1 && !sps.delta_pic_order_always_zero) {
    sh.delta_poc[0] = br.se();
    if (pps.bottom_field_pic_order_in_frame_present) sh.delta_poc[1] = br.se();
  }
  if (pps.redundant_pic_cnt_present) {
    if (br.ue() != 0) fail(ErrorCode::kUnsupported, "unsupported H.264 stream: redundant pictures");
  }
  if (sh.is_b()) sh.direct_spatial_mv_pred = br.flag();
  sh.num_ref_idx_active[0] = sh.num_ref_idx_active[1] = 0;
  if (sh.slice_type == kSliceP || sh.is_b()) {
    sh.num_ref_idx_active[0] = pps.num_ref_idx_default[0];
    if (sh.is_b()) sh.num_ref_idx_active[1] = pps.num_ref_idx_default[1];
    if (br.flag()) {  // num_ref_idx_active_override_flag (ue(v) reaches 2^32 - 2: bounded before the + 1)
      const uint32_t l0 = br.ue(), l1 = sh.is_b() ? br.ue() : 0;
      if (l0 > 31 || l1 > 31) fail(ErrorCode::kInvalidSyntax, "num_ref_idx_active above 32");
      sh.num_ref_idx_active[0] = static_cast<int>(l0) + 1;
      if (sh.is_b()) sh.num_ref_idx_active[1] = static_cast<int>(l1) + 1;
    }
    if (sh.num_ref_idx_active[0] > 32 || sh.num_ref_idx_active[1] > 32)
      fail(ErrorCode::kInvalidSyntax, "num_ref_idx_active above 32");
  }
  sh.modification[0].clear();
  sh.modification[1].clear();
  if (!sh.is_intra()) {
    parse_modifications(br, sh.modification[0]);
    if (sh.is_b()) parse_modifications(br, sh.modification[1]);
  }
  if ((pps.weighted_pred && sh.slice_type == kSliceP) || (pps.weighted_bipred_idc == 1 && sh.is_b()))
    skip_pred_weight_table(br, sh, sps.chroma_format_idc);
  sh.mmco.clear();
  sh.adaptive_ref_pic_marking = false;
  sh.no_output_of_prior_pics = sh.long_term_reference = false;
  if (nal_ref_idc != 0) {
    if (nal_type == kNalIdr) {
      sh.no_output_of_prior_pics = br.flag();
      sh.long_term_reference = br.flag();
    } else {
      sh.adaptive_ref_pic_marking = br.flag();
      if (sh.adaptive_ref_pic_marking) {
        for (;;) {
          Mmco m;
          uint32_t op = br.ue();
          if (op == 0) break;
          if (op > 6) fail(ErrorCode::kInvalidSyntax, "memory_management_control_operation " + std::to_string(op));
          if (sh.mmco.size() > 66) fail(ErrorCode::kInvalidSyntax, "too many memory management operations");
          m.op = static_cast<int>(op);
          if (op == 1 || op == 3) m.difference_of_pic_nums_minus1 = br.ue();
          if (op == 2) m.long_term_pic_num = br.ue();
          if (op == 3 || op == 6) m.long_term_frame_idx = br.ue();
          if (op == 4) m.max_long_term_frame_idx_plus1 = br.ue();
          sh.mmco.push_back(m);
        }
      }
    }
  }
  sh.cabac_init_idc = 0;
  if (pps.cabac && !sh.is_intra()) {
    uint32_t idc = br.ue();
    if (idc > 2) fail(ErrorCode::kInvalidSyntax, "cabac_init_idc " + std::to_string(idc));
    sh.cabac_init_idc = static_cast<int>(idc);
  }
  sh.slice_qp_delta = br.se();
  sh.qp = pps.pic_init_qp + sh.slice_qp_delta;
  int qp_bd_offset = 6 * (sps.bit_depth_luma - 8);
  if (sh.qp < -qp_bd_offset || sh.qp > 51)
    fail(ErrorCode::kInvalidSyntax, "slice QP " + std::to_string(sh.qp) + " out of range");
  if (pps.deblocking_filter_control_present) {
    uint32_t idc = br.ue();
    if (idc > 2) fail(ErrorCode::kInvalidSyntax, "disable_deblocking_filter_idc " + std::to_string(idc));
    sh.disable_deblocking_filter_idc = static_cast<int>(idc);
    if (idc != 1) {
      br.se();
      br.se();
    }
  }
  sh.header_bits = br.bit_position();
}

}  // namespace h264
}  // namespace codectok
