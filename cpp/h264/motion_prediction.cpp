#include "h264/motion_prediction.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace codectok {
namespace h264 {

namespace {
// Decoding order of a 4x4 block inside its macroblock (luma4x4BlkIdx).
inline int blk_idx(int x, int y) { return ((y >> 1) << 3) | ((x >> 1) << 2) | ((y & 1) << 1) | (x & 1); }
inline int min_positive(int a, int b) { return (a >= 0 && b >= 0) ? std::min(a, b) : std::max(a, b); }
inline int16_t median3(int a, int b, int c) {
  return static_cast<int16_t>(std::max(std::min(a, b), std::min(std::max(a, b), c)));
}
}  // namespace

MotionPredictor::MotionPredictor(PictureState& pic, const SliceHeader& sh, const RefLists& refs, int slice_index,
                                 int32_t cur_poc)
    : pic_(pic),
      sh_(sh),
      refs_(refs),
      slice_(slice_index),
      cur_poc_(cur_poc),
      w4_(static_cast<size_t>(pic.w4)),
      w_mbs_(pic.w_mbs),
      blocks_base_(pic.motion->blocks.data()),
      out_base_(pic.motion_out ? pic.motion_out->data() : nullptr) {
  for (int l = 0; l < 2; ++l)
    for (int i = 0; i < kMaxRefIdx; ++i)
      ref_poc_[l][i] = static_cast<int16_t>(std::clamp(refs.list[l][i].poc, -32767, 32767));
}

inline MotionPredictor::Neighbour MotionPredictor::neighbour(int list, int nx, int ny, int cur_x4, int cur_y4) const {
  Neighbour n{false, -1, {0, 0}};
  bool avail;
  if (ny >= 0) {
    // Left macroblock, or a block of the current one decoded before (never the one to the right).
    avail = nx < 0 ? avail_a_ : (nx < 4 && blk_idx(nx, ny) < blk_idx(cur_x4, cur_y4));
  } else {
    avail = nx < 0 ? avail_d_ : (nx < 4 ? avail_b_ : avail_c_);
  }
  if (!avail) return n;
  n.avail = true;
  // Intra blocks have both lists unused (ref_idx -1).
  const BlockMotion& b = blocks_[static_cast<ptrdiff_t>(ny) * static_cast<ptrdiff_t>(w4_) + nx];
  if (b.ref_idx[list] < 0) return n;
  n.ref = b.ref_idx[list];
  n.mv[0] = b.mv[list][0];
  n.mv[1] = b.mv[list][1];
  return n;
}

void MotionPredictor::neighbours_abc(int list, int x4, int y4, int w4, Neighbour& a, Neighbour& b,
                                     Neighbour& c) const {
  a = neighbour(list, x4 - 1, y4, x4, y4);
  b = neighbour(list, x4, y4 - 1, x4, y4);
  c = neighbour(list, x4 + w4, y4 - 1, x4, y4);
  if (!c.avail) c = neighbour(list, x4 - 1, y4 - 1, x4, y4);
}

[[gnu::always_inline]] inline void MotionPredictor::predict_from(const Neighbour& a, const Neighbour& b,
                                                                 const Neighbour& c, int ref_idx, int x4, int y4,
                                                                 int shape, int16_t mvp[2]) {
  const Neighbour* pick = nullptr;
  if (shape == 1) pick = (y4 == 0) ? (b.ref == ref_idx ? &b : nullptr) : (a.ref == ref_idx ? &a : nullptr);
  else if (shape == 2) pick = (x4 == 0) ? (a.ref == ref_idx ? &a : nullptr) : (c.ref == ref_idx ? &c : nullptr);
  if (pick) {
    mvp[0] = pick->mv[0];
    mvp[1] = pick->mv[1];
    return;
  }
  // Only A available: B and C take its place.
  const bool only_a = !b.avail && !c.avail && a.avail;
  predict_median(a, only_a ? a : b, only_a ? a : c, ref_idx, mvp);
}

[[gnu::always_inline]] inline void MotionPredictor::predict_median(const Neighbour& a, const Neighbour& b,
                                                                   const Neighbour& c, int ref_idx, int16_t mvp[2]) {
  const int matches = (a.ref == ref_idx) + (b.ref == ref_idx) + (c.ref == ref_idx);
  if (matches == 1) {
    const Neighbour& m = a.ref == ref_idx ? a : (b.ref == ref_idx ? b : c);
    mvp[0] = m.mv[0];
    mvp[1] = m.mv[1];
    return;
  }
  mvp[0] = median3(a.mv[0], b.mv[0], c.mv[0]);
  mvp[1] = median3(a.mv[1], b.mv[1], c.mv[1]);
}

void MotionPredictor::predict(int list, int ref_idx, int x4, int y4, int w4, int h4, int shape,
                              int16_t mvp[2]) const {
  (void)h4;
  Neighbour a, b, c;
  neighbours_abc(list, x4, y4, w4, a, b, c);
  predict_from(a, b, c, ref_idx, x4, y4, shape, mvp);
}

void MotionPredictor::p_skip(int16_t mv[2]) const {
  Neighbour a = neighbour(0, -1, 0, 0, 0);
  Neighbour b = neighbour(0, 0, -1, 0, 0);
  if (!a.avail || !b.avail || (a.ref == 0 && a.mv[0] == 0 && a.mv[1] == 0) ||
      (b.ref == 0 && b.mv[0] == 0 && b.mv[1] == 0)) {
    mv[0] = mv[1] = 0;
    return;
  }
  // As predict(0, 0, 0, 0, 4, 4, 0, mv), with A and B already at hand: C, else D.
  Neighbour c = neighbour(0, 4, -1, 0, 0);
  if (!c.avail) c = neighbour(0, -1, -1, 0, 0);
  predict_from(a, b, c, 0, 0, 0, 0, mv);
}

MotionPredictor::Colocated MotionPredictor::colocated(const ColocatedMotion* col, int x4, int y4,
                                                      bool with_ref_id) const {
  Colocated c;
  if (!col) return c;
  const int bx = mb_x_ * 4 + x4, by = mb_y_ * 4 + y4;
  const BlockMotion& b = col->blocks[static_cast<size_t>(by) * col->w4 + bx];
  const int l = b.ref_idx[0] >= 0 ? 0 : (b.ref_idx[1] >= 0 ? 1 : -1);
  if (l < 0) return c;
  c.mv[0] = b.mv[l][0];
  c.mv[1] = b.mv[l][1];
  c.ref_idx = b.ref_idx[l];
  if (with_ref_id) c.ref_id = col->ref_id(bx, by, l, c.ref_idx);
  return c;
}

template <typename Visit>
void MotionPredictor::for_each_direct_block(int quadrant_mask, bool with_ref_id, Visit&& visit) const {
  const bool inference = sh_.sps->direct_8x8_inference;
  const int w4 = inference ? 2 : 1;
  // RefPicList1[0]'s motion, when it has the current picture's size.
  const ColocatedMotion* col = refs_.list[1][0].motion.get();
  if (col && (col->w4 != pic_.w4 || col->h4 != pic_.h4)) col = nullptr;
  for (int q = 0; q < 4; ++q) {
    if (!(quadrant_mask & (1 << q))) continue;
    const int qx = (q & 1) * 2, qy = (q >> 1) * 2;
    for (int s = 0; s < (inference ? 1 : 4); ++s) {
      const int x4 = qx + (inference ? 0 : (s & 1)), y4 = qy + (inference ? 0 : (s >> 1));
      visit(x4, y4, w4, colocated(col, inference ? (q & 1) * 3 : x4, inference ? (q >> 1) * 3 : y4, with_ref_id));
    }
  }
}

void MotionPredictor::direct(int quadrant_mask) {
  if (sh_.direct_spatial_mv_pred) direct_spatial(quadrant_mask);
  else direct_temporal(quadrant_mask);
}

void MotionPredictor::direct_spatial(int quadrant_mask) {
  int ref[2];
  int16_t mvp[2][2] = {{0, 0}, {0, 0}};
  Neighbour n[2][3];  // A, B, C of the whole macroblock, per list: for the reference and the vector
  for (int l = 0; l < 2; ++l) {
    neighbours_abc(l, 0, 0, 4, n[l][0], n[l][1], n[l][2]);
    ref[l] = min_positive(n[l][0].ref, min_positive(n[l][1].ref, n[l][2].ref));
  }
  const bool direct_zero = ref[0] < 0 && ref[1] < 0;
  if (direct_zero) {
    ref[0] = ref[1] = 0;
  } else {
    for (int l = 0; l < 2; ++l)
      if (ref[l] >= 0) predict_from(n[l][0], n[l][1], n[l][2], ref[l], 0, 0, 0, mvp[l]);
  }
  const bool l1_short = !refs_.list[1][0].long_term;
  // The blocks' vectors differ only by colZeroFlag: the blocks are stored once all are known, as
  // one 16x16 block when they cover the macroblock with one vector pair (the same motion).
  struct Block {
    int x4, y4, w4;
    bool zero_by_col;
  };
  Block blocks[16];
  int num_blocks = 0;
  for_each_direct_block(quadrant_mask, false, [&](int x4, int y4, int w4, const Colocated& col) {
    const bool col_zero = l1_short && col.ref_idx == 0 && std::abs(col.mv[0]) <= 1 && std::abs(col.mv[1]) <= 1;
    blocks[num_blocks++] = {x4, y4, w4, col_zero};
  });
  auto vectors = [&](bool col_zero, int16_t mv[2][2]) {
    for (int l = 0; l < 2; ++l) {
      const bool zero = direct_zero || ref[l] < 0 || (ref[l] == 0 && col_zero);
      mv[l][0] = zero ? 0 : mvp[l][0];
      mv[l][1] = zero ? 0 : mvp[l][1];
    }
  };
  int16_t mv[2][2];
  bool uniform = quadrant_mask == 0xF;
  for (int i = 1; i < num_blocks && uniform; ++i) uniform = blocks[i].zero_by_col == blocks[0].zero_by_col;
  if (uniform) {
    vectors(blocks[0].zero_by_col, mv);
    store(0, 0, 4, 4, ref, mv);
    return;
  }
  for (int i = 0; i < num_blocks; ++i) {
    vectors(blocks[i].zero_by_col, mv);
    store(blocks[i].x4, blocks[i].y4, blocks[i].w4, blocks[i].w4, ref, mv);
  }
}

void MotionPredictor::direct_temporal(int quadrant_mask) {
  const RefPicture& pic1 = refs_.list[1][0];
  for_each_direct_block(quadrant_mask, true, [&](int x4, int y4, int w4, const Colocated& col) {
    int ref0 = 0;
    if (col.ref_idx >= 0) {
      for (int i = 0; i < refs_.num[0]; ++i)
        if (refs_.list[0][i].id == col.ref_id) {
          ref0 = i;
          break;
        }
    }
    const RefPicture& pic0 = refs_.list[0][ref0];
    int16_t mv[2][2];
    int16_t* mv0 = mv[0];
    int16_t* mv1 = mv[1];
    if (pic0.long_term || pic1.poc - pic0.poc == 0) {
      mv0[0] = col.mv[0];
      mv0[1] = col.mv[1];
      mv1[0] = mv1[1] = 0;
    } else {
      const int tb = std::clamp(cur_poc_ - pic0.poc, -128, 127);
      const int td = std::clamp(pic1.poc - pic0.poc, -128, 127);
      const int tx = (16384 + std::abs(td / 2)) / td;
      const int dsf = std::clamp((tb * tx + 32) >> 6, -1024, 1023);
      for (int c = 0; c < 2; ++c) {
        mv0[c] = static_cast<int16_t>((dsf * col.mv[c] + 128) >> 8);
        mv1[c] = static_cast<int16_t>(mv0[c] - col.mv[c]);
      }
    }
    const int ref[2] = {ref0, 0};
    store(x4, y4, w4, w4, ref, mv);
  });
}

}  // namespace h264
}  // namespace codectok
