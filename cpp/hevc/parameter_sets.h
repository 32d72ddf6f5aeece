// Sequence and picture parameter sets (clauses 7.3.2.2, 7.3.2.3, 7.4.3) with
// the derived variables the slice decoder needs.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "bitstream/bit_reader.h"
#include "hevc/scaling_list.h"

namespace codectok {

// st_ref_pic_set() after derivation (clause 7.4.8).
struct ShortTermRps {
  int num_negative = 0;
  int num_positive = 0;
  int32_t delta_poc_s0[16] = {};
  int32_t delta_poc_s1[16] = {};
  bool used_s0[16] = {};
  bool used_s1[16] = {};
  int num_delta_pocs() const { return num_negative + num_positive; }
};

// Parses st_ref_pic_set(st_rps_idx); `sets` holds the SPS sets 0..num-1.
void parse_short_term_rps(BitReader& br, int st_rps_idx, int num_short_term_ref_pic_sets,
                          const std::vector<ShortTermRps>& sets, ShortTermRps& out);

struct Sps {
  int id = 0;
  int max_sub_layers = 1;
  int profile_idc = 0;
  int chroma_format_idc = 1;
  int width = 0, height = 0;  // pic_width/height_in_luma_samples
  int conf_left = 0, conf_right = 0, conf_top = 0, conf_bottom = 0;  // in luma samples
  int bit_depth_luma = 8, bit_depth_chroma = 8;
  int log2_max_poc_lsb = 4;
  int max_dec_pic_buffering[8] = {};
  int max_num_reorder_pics[8] = {};
  int max_latency_increase_plus1[8] = {};
  int log2_min_cb_size = 3, log2_ctb_size = 4;
  int log2_min_tb_size = 2, log2_max_tb_size = 5;
  int max_transform_hierarchy_depth_inter = 0, max_transform_hierarchy_depth_intra = 0;
  bool scaling_list_enabled = false;
  bool sps_scaling_list_data_present = false;
  ScalingList scaling_list;  // SPS lists (or defaults)
  bool amp_enabled = false;
  bool sao_enabled = false;
  bool pcm_enabled = false;
  int pcm_bit_depth_luma = 8, pcm_bit_depth_chroma = 8;
  int log2_min_pcm_cb_size = 3, log2_max_pcm_cb_size = 3;
  std::vector<ShortTermRps> st_rps;
  bool long_term_ref_pics_present = false;
  int num_long_term_ref_pics_sps = 0;
  uint32_t lt_ref_pic_poc_lsb_sps[33] = {};
  bool used_by_curr_pic_lt_sps[33] = {};
  bool temporal_mvp_enabled = false;
  bool strong_intra_smoothing = false;
  // range extension flags (refused when set, except the ones with no parsing effect)
  bool transform_skip_rotation = false, transform_skip_context = false, implicit_rdpcm = false,
       explicit_rdpcm = false, extended_precision = false, intra_smoothing_disabled = false,
       high_precision_offsets = false, persistent_rice_adaptation = false, cabac_bypass_alignment = false;

  // Derived.
  int ctb_size = 16;
  int pic_width_in_ctbs = 0, pic_height_in_ctbs = 0, pic_size_in_ctbs = 0;
  int pic_width_in_min_cbs = 0, pic_height_in_min_cbs = 0;
  int qp_bd_offset_y = 0, qp_bd_offset_c = 0;
};

struct Pps {
  int id = 0;
  int sps_id = 0;
  bool dependent_slice_segments_enabled = false;
  bool output_flag_present = false;
  int num_extra_slice_header_bits = 0;
  bool sign_data_hiding_enabled = false;
  bool cabac_init_present = false;
  int num_ref_idx_l0_default_active = 1, num_ref_idx_l1_default_active = 1;
  int init_qp = 26;
  bool constrained_intra_pred = false;
  bool transform_skip_enabled = false;
  bool cu_qp_delta_enabled = false;
  int diff_cu_qp_delta_depth = 0;
  int cb_qp_offset = 0, cr_qp_offset = 0;
  bool slice_chroma_qp_offsets_present = false;
  bool weighted_pred = false, weighted_bipred = false;
  bool transquant_bypass_enabled = false;
  bool tiles_enabled = false;
  bool entropy_coding_sync_enabled = false;
  int num_tile_columns = 1, num_tile_rows = 1;
  bool uniform_spacing = true;
  std::vector<int> column_width_minus1, row_height_minus1;
  bool loop_filter_across_tiles = true;
  bool loop_filter_across_slices = false;
  bool deblocking_filter_control_present = false;
  bool deblocking_filter_override_enabled = false;
  bool pps_deblocking_filter_disabled = false;
  int beta_offset_div2 = 0, tc_offset_div2 = 0;
  bool pps_scaling_list_data_present = false;
  ScalingList scaling_list;
  bool lists_modification_present = false;
  int log2_parallel_merge_level = 2;
  bool slice_segment_header_extension_present = false;
  int log2_max_transform_skip_block_size = 2;

  // Derived once the SPS is known (derive_pps_layout).
  bool layout_valid = false;
  int layout_sps_width_ctbs = -1, layout_sps_height_ctbs = -1;
  std::vector<int> col_bd, row_bd;           // tile boundaries in CTBs
  std::vector<int> tile_column_of_ctb_x, tile_row_of_ctb_y;  // tile column / row of each CTB column / row
  std::vector<int> ctb_addr_rs_to_ts, ctb_addr_ts_to_rs, tile_id;  // tile_id indexed by TS
};

std::shared_ptr<Sps> parse_sps(BitReader& br);
std::shared_ptr<Pps> parse_pps(BitReader& br);
// Computes tile layout and scan conversion for `pps` under `sps` (clause 6.5.1).
void derive_pps_layout(Pps& pps, const Sps& sps);
// The PPS's layout is derived for this SPS's picture size (derive_pps_layout has nothing to do).
bool pps_layout_matches(const Pps& pps, const Sps& sps);

}  // namespace codectok
