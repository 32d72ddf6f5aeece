// slice_data() of one H.264 slice (clause 7.3.4): the macroblock layer in
// CAVLC or CABAC, motion vector derivation, coded block patterns, QP and the
// residual blocks; fills the picture state and its output maps.
#pragma once
#include <cstddef>
#include <cstdint>

#include "bitstream/bit_reader.h"
#include "bitstream/cabac_engine.h"
#include "h264/cabac_init_tables.h"
#include "h264/dpb.h"
#include "h264/motion_prediction.h"
#include "h264/picture_state.h"
#include "h264/slice_header.h"
#include "h264/transform.h"

namespace codectok {
namespace h264 {

class SliceDecoder {
 public:
  SliceDecoder(PictureState& pic, const SliceHeader& sh, const RefLists& refs, int slice_index, int32_t cur_poc,
               const uint8_t* rbsp, size_t size);
  void decode();

 private:
  struct MbType {
    bool intra;
    int type;  // intra: 0 I_NxN, 1..24 I_16x16, 25 I_PCM; inter: index into kPMbTypes / kBMbTypes
  };

  void decode_skip(int addr);
  void decode_macroblock(int addr);
  void decode_pcm(MbInfo& m);
  void decode_intra(MbInfo& m, int type);
  void decode_inter(MbInfo& m, int type);
  void decode_residual(MbInfo& m, bool intra16x16);
  void finish_macroblock(int addr, double bits);
  void begin_macroblock(int addr);

  // Syntax elements (CAVLC or CABAC).
  MbType read_mb_type();
  bool read_skip_flag();
  int read_sub_mb_type();
  int read_ref_idx(int list, int x4, int y4);
  int read_mvd(int list, int comp, int x4, int y4);
  // |mvd| of a partition (clipped to 127) for the CABAC contexts of the next ones.
  void store_abs_mvd(int list, int x4, int y4, int w4, int h4, const int16_t mvd[2]);
  int read_cbp(bool intra);
  bool read_transform8x8();
  int read_qp_delta();
  void read_intra_modes(bool t8x8);
  int read_intra_chroma_pred_mode();

  // Neighbouring macroblocks (clause 6.4.9): null when not available.
  const MbInfo* mb_a() const { return mb_a_; }
  const MbInfo* mb_b() const { return mb_b_; }
  // Motion-field neighbour data for CABAC contexts: the block at (x4, y4)
  // relative to the current macroblock, with x4 or y4 possibly -1.
  const MbInfo* mb_at(int x4, int y4) const;
  // ctxIdxInc of a luma 4x4 block's coded_block_flag from the flags of the current macroblock
  // so far (cbf) and those along its left and upper edges (edges: the left macroblock's right
  // column << 16 | the upper one's bottom row << 20, bit i of each: row / column i).
  static int coded_block_flag_inc_luma(int blk, uint32_t cbf, uint32_t edges);
  int coded_block_flag_inc_chroma_ac(int c, int blk, bool intra) const;
  int coded_block_flag_inc_dc(uint32_t bit, int which, bool intra) const;

  // Residual blocks.
  int luma_nc(int x4, int y4) const;
  int chroma_nc(int c, int bx, int by) const;

  PictureState& pic_;
  const SliceHeader& sh_;
  const Sps& sps_;
  const Pps& pps_;
  const RefLists& refs_;
  int slice_;
  MotionPredictor mp_;
  const uint8_t* data_;
  size_t size_;
  BitReader br_;
  CabacDecoder cabac_;
  uint16_t ctx_[kNumCabacContexts];
  bool use_cabac_;
  int qp_;
  int qp_bd_offset_;
  int prev_qp_delta_ = 0;
  int mb_x_ = 0, mb_y_ = 0, mb_addr_ = 0;
  MbInfo* cur_mb_ = nullptr;
  // The macroblocks left and above when available (clause 6.4.9; set by begin_macroblock).
  const MbInfo* mb_a_ = nullptr;
  const MbInfo* mb_b_ = nullptr;
  uint8_t* mvd_mb_ = nullptr;  // the current macroblock's top-left entry of pic_.mvd
  uint8_t* nnz_mb_ = nullptr;  // and of pic_.nnz
  // The picture's arrays (allocated before its slices): no reload through pic_ per macroblock.
  size_t w4_ = 0;
  MbInfo* mb_base_ = nullptr;
  uint8_t* nnz_base_ = nullptr;
  uint8_t* mvd_base_ = nullptr;
  int32_t* mb_slice_base_ = nullptr;
  // Reference indices parsed so far in the current macroblock, per 8x8 quadrant (CABAC contexts).
  int8_t cur_ref_[2][4];
  int8_t pending_ref_[2][4];
  bool ref_parsed_[4];
  double last_bits_ = 0;
  void output_residual(const MbInfo& m, bool intra16x16);
  void output_transform_blocks(const MbInfo& m, bool intra16x16);
  // Hands a block, its levels in scan (list) order with num_levels non-zero ones (its
  // parsed count), to the block sink. positions: null, or the list indices of the non-zero
  // levels (CABAC; after the DC at index 0 when dc: the list's first index then is the DC's,
  // the positions count from the next).
  void emit_block(int c_idx, int x0, int y0, int log2_size, bool intra, int qp, const int32_t* list,
                  int num_levels, const uint8_t* positions, bool dc);
  int chroma_qp(int c) const;

  // Coefficient levels of the current macroblock, in the layout of
  // macroblock_luma_residual (transform.h), and of its chroma blocks.
  bool keep_levels_ = false;
  int32_t luma_[256];
  int32_t luma_dc_[16];
  int32_t chroma_dc_[2][4];
  int32_t chroma_ac_[2][4][16];
  int32_t tmp_[16];
  // CABAC: the list indices of the non-zero levels of each block (residual_block_cabac_4x4 / 8x8).
  uint8_t pos4_[16][16];
  uint8_t pos8_[4][64];
  uint8_t pos_chroma_[2][4][16];
  LevelScale4x4 ls4_[6];  // Intra Y, Cb, Cr, Inter Y, Cb, Cr
  LevelScale8x8 ls8_[2];  // Intra Y, Inter Y
};

}  // namespace h264
}  // namespace codectok
