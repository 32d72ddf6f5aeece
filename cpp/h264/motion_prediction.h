// Motion vector prediction of H.264 (clause 8.4.1): neighbouring partitions
// (6.4.11.7), median and directional prediction, P_Skip, and spatial and
// temporal direct prediction for B_Skip, B_Direct_16x16 and B_Direct_8x8.
// Works on the 4x4 motion field of the picture being decoded.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "h264/dpb.h"
#include "h264/picture_state.h"
#include "h264/slice_header.h"

namespace codectok {
namespace h264 {

class MotionPredictor {
 public:
  MotionPredictor(PictureState& pic, const SliceHeader& sh, const RefLists& refs, int slice_index, int32_t cur_poc);

  // The macroblock at (mb_x, mb_y), its entry cur of pic.mb; avail_a / avail_b: the macroblocks
  // left and above are available (the caller's clause 6.4.8 test, not repeated here).
  void set_macroblock(int mb_x, int mb_y, const MbInfo* cur, bool avail_a, bool avail_b);
  // mvpLX of a partition at (x4, y4) (4x4 units inside the macroblock) of
  // w4 x h4 blocks. shape: 1 for 16x8, 2 for 8x16 (directional rules), else 0.
  void predict(int list, int ref_idx, int x4, int y4, int w4, int h4, int shape, int16_t mvp[2]) const;
  // P_Skip vector (8.4.1.1), reference index 0.
  void p_skip(int16_t mv[2]) const;
  // Direct prediction of the 8x8 quadrants in quadrant_mask (bit q: quadrant q)
  // into the motion field.
  void direct(int quadrant_mask);
  // Stores the motion of a block range of the current macroblock, both lists
  // (ref_idx < 0: the list is not used, its vector is ignored), and its motion
  // output entries (pred_mode from the macroblock's kind, set before).
  void store(int x4, int y4, int w4, int h4, const int ref_idx[2], const int16_t mv[2][2]);

 private:
  struct Neighbour {
    bool avail;
    int ref;
    int16_t mv[2];
  };
  // Motion of the co-located 4x4 block in RefPicList1[0] (8.4.1.2.1): its
  // list-0 motion, else its list-1 motion; ref_idx -1 when intra or unknown.
  struct Colocated {
    int16_t mv[2] = {0, 0};
    int ref_idx = -1;
    int32_t ref_id = -1;  // the reference picture's identity (ColocatedMotion::ref_id)
  };
  [[gnu::always_inline]] inline Neighbour neighbour(int list, int nx, int ny, int cur_x4, int cur_y4) const;
  void neighbours_abc(int list, int x4, int y4, int w4, Neighbour& a, Neighbour& b, Neighbour& c) const;
  // predict() from the neighbours neighbours_abc gave.
  static void predict_from(const Neighbour& a, const Neighbour& b, const Neighbour& c, int ref_idx, int x4, int y4,
                           int shape, int16_t mvp[2]);
  // Its median rule (8.4.1.3.1), B and C replaced by A already where A alone is available.
  static void predict_median(const Neighbour& a, const Neighbour& b, const Neighbour& c, int ref_idx,
                             int16_t mvp[2]);
  void direct_spatial(int quadrant_mask);
  void direct_temporal(int quadrant_mask);
  // Co-located 4x4 block of RefPicList1[0] for block (x4, y4) of the macroblock; col: its
  // motion, null when unknown or of another size. ref_id only when with_ref_id (temporal).
  Colocated colocated(const ColocatedMotion* col, int x4, int y4, bool with_ref_id) const;
  // The direct-predicted blocks of the quadrants in quadrant_mask, for both
  // spatial and temporal direct prediction: with direct_8x8_inference_flag
  // one 8x8 block a quadrant, co-located with the quadrant's corner 4x4 block
  // (8.4.1.2.1), else four 4x4 blocks each co-located with itself. Calls
  // visit(x4, y4, w4, colocated) with the block's position and width (4x4
  // units inside the macroblock).
  template <typename Visit>
  void for_each_direct_block(int quadrant_mask, bool with_ref_id, Visit&& visit) const;

  PictureState& pic_;
  const SliceHeader& sh_;
  const RefLists& refs_;
  int slice_;
  int32_t cur_poc_;
  int mb_x_ = 0, mb_y_ = 0;
  // Availability of the macroblocks left, above, above right and above left (set_macroblock).
  bool avail_a_ = false, avail_b_ = false, avail_c_ = false, avail_d_ = false;
  BlockMotion* blocks_ = nullptr;  // the current macroblock's top-left block
  int16_t* out_ = nullptr;         // its entry in the motion output, null without one
  const MbInfo* cur_mb_ = nullptr;  // the current macroblock's entry of pic.mb
  // The picture's arrays (allocated before its slices, for the whole picture): no reload per
  // macroblock through pic_.
  size_t w4_ = 0;
  int w_mbs_ = 0;
  BlockMotion* blocks_base_ = nullptr;
  int16_t* out_base_ = nullptr;
  int16_t ref_poc_[2][kMaxRefIdx];  // POC of each list entry, clamped for the output
};

// Inline: called for every partition of every macroblock.
namespace motion_detail {
// The blocks of a partition W blocks wide (W a constant: unrolled 16-byte stores), and their
// output entries when the picture has a motion output.
template <int W, bool kOutput>
inline void fill_rows(BlockMotion* b, int16_t* o, size_t stride, int h4, const BlockMotion& v, const int16_t out[8]) {
  for (int y = 0; y < h4; ++y, b += stride) {
    for (int x = 0; x < W; ++x) {
      b[x] = v;
      if (kOutput) std::memcpy(o + 8 * x, out, 16);
    }
    if (kOutput) o += stride * 8;
  }
}
template <bool kOutput>
inline void fill(BlockMotion* b, int16_t* o, size_t stride, int w4, int h4, const BlockMotion& v, const int16_t out[8]) {
  switch (w4) {
    case 4: fill_rows<4, kOutput>(b, o, stride, h4, v, out); break;
    case 2: fill_rows<2, kOutput>(b, o, stride, h4, v, out); break;
    default: fill_rows<1, kOutput>(b, o, stride, h4, v, out); break;
  }
}
}  // namespace motion_detail

// Inline: called for every macroblock.
inline void MotionPredictor::set_macroblock(int mb_x, int mb_y, const MbInfo* cur, bool avail_a, bool avail_b) {
  mb_x_ = mb_x;
  mb_y_ = mb_y;
  // Available: inside the picture and in the current slice (decoded before, 6.4.8).
  cur_mb_ = cur;
  const MbInfo* up = cur - w_mbs_;
  avail_a_ = avail_a;
  avail_b_ = avail_b;
  avail_c_ = mb_y > 0 && mb_x + 1 < w_mbs_ && up[1].slice == slice_;
  avail_d_ = mb_y > 0 && mb_x > 0 && up[-1].slice == slice_;
  const size_t at = static_cast<size_t>(mb_y * 4) * w4_ + static_cast<size_t>(mb_x * 4);
  blocks_ = blocks_base_ + at;
  out_ = out_base_ ? out_base_ + at * 8 : nullptr;
}

inline void MotionPredictor::store(int x4, int y4, int w4, int h4, const int ref_idx[2], const int16_t mv[2][2]) {
  // The reference picture's identity is found later through the macroblock's slice
  // (ColocatedMotion::ref_id); its POC goes with the block, for the output.
  BlockMotion v;
  v.unused = 0;
  for (int l = 0; l < 2; ++l) {
    const bool used = ref_idx[l] >= 0;
    v.ref_idx[l] = static_cast<int8_t>(used ? ref_idx[l] : -1);
    v.mv[l][0] = used ? mv[l][0] : 0;
    v.mv[l][1] = used ? mv[l][1] : 0;
    v.poc[l] = used ? ref_poc_[l][ref_idx[l]] : int16_t{-32768};
  }
  const size_t stride = w4_;
  const size_t at = static_cast<size_t>(y4) * stride + x4;
  if (!out_) {
    motion_detail::fill<false>(blocks_ + at, nullptr, stride, w4, h4, v, nullptr);
    return;
  }
  // The output entry: the block with pred_mode and inter_dir in place of the reference indices.
  int16_t out[8];
  std::memcpy(out, &v, sizeof(out));
  const uint8_t kind = cur_mb_->kind;
  out[0] = is_intra(kind) ? 0 : is_skip(kind) ? 2 : 1;
  out[1] = static_cast<int16_t>((ref_idx[0] >= 0 ? 1 : 0) | (ref_idx[1] >= 0 ? 2 : 0));
  motion_detail::fill<true>(blocks_ + at, out_ + at * 8, stride, w4, h4, v, out);
}

}  // namespace h264
}  // namespace codectok
