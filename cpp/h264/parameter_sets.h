// H.264 sequence and picture parameter sets (clauses 7.3.2.1 and 7.3.2.2).
// Progressive 4:2:0 (and 4:0:0) streams only: field coding, 4:2:2, 4:4:4 and
// the SVC/MVC extensions are refused with ErrorCode::kUnsupported.
#pragma once
#include <cstdint>
#include <memory>

#include "bitstream/bit_reader.h"

namespace codectok {
namespace h264 {

// Scaling lists in coded (zig-zag / field-independent frame scan) order:
// lists 0..5 are 4x4 (Intra Y, Cb, Cr, Inter Y, Cb, Cr), 8x8 lists 0..1
// (Intra Y, Inter Y) are used for 4:2:0.
struct ScalingMatrices {
  uint8_t list4x4[6][16];
  uint8_t list8x8[6][64];
};

struct Sps {
  int id = 0;
  int profile_idc = 0;
  int constraint_flags = 0;  // constraint_set0_flag..set5_flag, bit 0 = set0
  int level_idc = 0;
  int chroma_format_idc = 1;
  int bit_depth_luma = 8;
  int bit_depth_chroma = 8;
  bool transform_bypass = false;  // qpprime_y_zero_transform_bypass_flag
  bool scaling_matrix_present = false;
  ScalingMatrices scaling{};  // flat (16) when absent
  int log2_max_frame_num = 4;
  int poc_type = 0;
  int log2_max_poc_lsb = 4;
  bool delta_pic_order_always_zero = false;
  int offset_for_non_ref_pic = 0;
  int offset_for_top_to_bottom_field = 0;
  int num_ref_frames_in_poc_cycle = 0;
  int32_t offset_for_ref_frame[256] = {};
  int max_num_ref_frames = 0;
  bool gaps_in_frame_num_allowed = false;
  int width_mbs = 0, height_mbs = 0;  // frame size in macroblocks
  bool frame_mbs_only = true;
  bool mb_adaptive_frame_field = false;
  bool direct_8x8_inference = false;
  // Frame cropping in luma samples.
  int crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  // VUI
  bool timing_info_present = false;
  uint32_t num_units_in_tick = 0, time_scale = 0;
  bool bitstream_restriction = false;
  int max_num_reorder_frames = -1;  // -1: not given
  int max_dec_frame_buffering = -1;

  int width() const { return width_mbs * 16; }
  int height() const { return height_mbs * 16; }
  // MaxDpbFrames from the level limits (Table A-1) when the VUI does not say.
  int dpb_frames() const;
};

struct Pps {
  int id = 0;
  int sps_id = 0;
  bool cabac = false;  // entropy_coding_mode_flag
  bool bottom_field_pic_order_in_frame_present = false;
  int num_ref_idx_default[2] = {1, 1};
  bool weighted_pred = false;
  int weighted_bipred_idc = 0;
  int pic_init_qp = 26;
  int pic_init_qs = 26;
  int chroma_qp_index_offset[2] = {0, 0};
  bool deblocking_filter_control_present = false;
  bool constrained_intra_pred = false;
  bool redundant_pic_cnt_present = false;
  bool transform_8x8_mode = false;
  bool scaling_matrix_present = false;
  ScalingMatrices scaling{};  // the lists in effect (SPS lists, or PPS ones with fall-back rule B)
};

// Parses seq_parameter_set_rbsp. Throws kUnsupported for what codectok does
// not read (naming it), kInvalidSyntax for out-of-range values.
std::shared_ptr<Sps> parse_sps(BitReader& br);
// Parses pic_parameter_set_rbsp; `sps` is the table of SPSs seen so far (the
// PPS's trailing High-profile syntax depends on its SPS).
std::shared_ptr<Pps> parse_pps(BitReader& br, const std::shared_ptr<Sps> sps[32]);

// Default scaling lists (Table 7-3), coded order.
extern const uint8_t kDefault4x4Intra[16];
extern const uint8_t kDefault4x4Inter[16];
extern const uint8_t kDefault8x8Intra[64];
extern const uint8_t kDefault8x8Inter[64];

}  // namespace h264
}  // namespace codectok
