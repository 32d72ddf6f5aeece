// Slice segment data (clause 7.3.8): coding quadtree, coding units,
// prediction units with their motion (clause 8.5.3), transform trees and
// residual coding, driven by the CABAC engine. No pixel is reconstructed.
#pragma once
#include <cstddef>
#include <cstdint>

#include "hevc/block_availability.h"
#include "hevc/cabac_decoder.h"
#include "hevc/motion_prediction.h"
#include "hevc/picture_state.h"
#include "hevc/reference_lists.h"
#include "hevc/slice_header.h"

namespace codectok {

class SliceDecoder {
 public:
  SliceDecoder(PictureState& pic, const SliceHeader& sh, const SliceRefs& refs, const uint8_t* data, size_t size);
  // Decodes the slice segment data; throws ParseError on invalid data.
  void decode();

 private:
  // Stream structure.
  void start_ctu_entropy(int ctb_rs, bool first_in_segment);
  void parse_sao(int rx, int ry, int ctb_rs, int ctb_ts);
  void coding_quadtree(int x0, int y0, int log2_size, int depth);
  void coding_unit(int x0, int y0, int log2_size);
  void prediction_unit(int x0, int y0, int w, int h, int x_cb, int y_cb, int log2_cb, int part_idx, int part_mode,
                       bool skip);
  void transform_tree(int x0, int y0, int x_base, int y_base, int log2_size, int depth, int blk_idx, bool parent_cbf_cb,
                      bool parent_cbf_cr);
  void transform_unit(int x0, int y0, int x_base, int y_base, int log2_size, int depth, int blk_idx, bool cbf_luma,
                      bool cbf_cb, bool cbf_cr);
  void residual_coding(int x0, int y0, int log2_size, int c_idx);
  // Hands the parsed levels of a block (in coeffs_) to the statistics sink and
  // the residual plane, then clears coeffs_.
  void transform_block(int x0, int y0, int log2_size, int c_idx, bool transform_skip, const uint32_t* nonzero,
                       int num_nonzero);
  void pcm_sample(int x0, int y0, int log2_size);

  // Syntax element decoding.
  int decode_split_cu_flag(int x0, int y0, int depth);
  int decode_cu_skip_flag(int x0, int y0);
  int decode_part_mode(bool intra, int log2_cb);
  int decode_merge_idx();
  int decode_ref_idx(int num_active);
  void decode_mvd(int16_t mvd[2]);
  void decode_cu_qp_delta();

  // Derivations.
  bool available_zs(int x_curr, int y_curr, int x_n, int y_n) const;
  // available_zs for the left (x0 - 1, y0) and upper (x0, y0 - 1) neighbours of a block at (x0, y0)
  // of the current CTB.
  bool available_left(int x0, int y0) const;
  bool available_up(int x0, int y0) const;
  void start_quantization_group(int x_qg, int y_qg);
  void derive_intra_modes(int x0, int y0, int log2_cb, int nxn, const int* prev_flag, const int* mpm_idx,
                          const int* rem_mode, int chroma_syntax);
  void store_pu(int x, int y, int w, int h, const MvCand& c);
  // Writes one output motion-field entry (8 values) over a region of 4x4 blocks.
  void store_motion(int x4, int y4, int w4, int h4, const int16_t (&entry)[8]);
  void clear_residual(int x0, int y0, int size);  // zero residual where no luma residual is coded
  void finish_cu(int x0, int y0, int log2_size, int part_mode, uint8_t mode, double bits_start);

  PictureState& pic_;
  const SliceHeader& sh_;
  const SliceRefs& refs_;
  const Sps& sps_;
  const Pps& pps_;
  const uint8_t* data_;
  size_t size_;
  MotionContext motion_;  // motion prediction inputs of this slice, z-scan availability included
  CabacDecoder cabac_;
  ContextSet ctx_;
  int init_type_ = 0;

  int ctb_log2_ = 4;
  int min_cb_log2_ = 3;
  int log2_min_cu_qp_delta_size_ = 4;
  int ctb_addr_rs_ = 0, ctb_addr_ts_ = 0;
  bool ctb_left_available_ = false, ctb_up_available_ = false;  // the left / upper CTB, clause 6.4.1

  // Coding unit state.
  bool cu_transquant_bypass_ = false;
  uint8_t cu_pred_mode_ = kModeIntra;
  int cu_part_mode_ = 0;
  bool is_cu_qp_delta_coded_ = false;
  int cu_qp_delta_val_ = 0;
  int qp_y_pred_ = 26;
  int qp_y_ = 26;
  int last_qp_y_ = 26;  // QpY of the last coding unit decoded (qPY_PREV)
  double cu_mark_ = 0;  // bits_consumed() where the next coding unit's bits start (end of the last CU or of the SAO syntax)
  void spread_ctu_bits(int rx, int ry, double bits);
  int intra_pred_mode_c_ = 0;
  int max_trafo_depth_ = 0;
  bool intra_split_ = false;
  bool merge_flag_2nx2n_ = false;

  // Scratch for residual coding.
  int32_t coeffs_[32 * 32] = {};
  int32_t resid_[32 * 32];
  uint8_t scaling_factor_[4][6][32 * 32];  // ScalingFactor per size and matrixId, derived on first use
  bool scaling_factor_ready_[4][6] = {};
};

}  // namespace codectok
