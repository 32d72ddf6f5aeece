// Luma motion vector prediction of clause 8.5.3.2: merge candidates
// (8.5.3.2.2-8.5.3.2.5), AMVP (8.5.3.2.6-8.5.3.2.7) and temporal prediction
// (8.5.3.2.8), over an explicit MotionContext.
#include "hevc/motion_prediction.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace codectok {

namespace {

inline const PredInfo& motion_at(const MotionContext& ctx, int xn, int yn) {
  return ctx.pred[static_cast<size_t>(yn >> 2) * ctx.w4 + (xn >> 2)];
}

bool same_motion(const PredInfo& a, const PredInfo& b) {
  if (a.pred_flags != b.pred_flags) return false;
  for (int l = 0; l < 2; ++l)
    if (a.pred_flags & (1 << l))
      if (a.ref_idx[l] != b.ref_idx[l] || a.mv[l][0] != b.mv[l][0] || a.mv[l][1] != b.mv[l][1]) return false;
  return true;
}

MvCand to_cand(const PredInfo& p) {
  MvCand c;
  std::memcpy(c.mv, p.mv, sizeof(c.mv));
  c.ref_idx[0] = p.ref_idx[0];
  c.ref_idx[1] = p.ref_idx[1];
  c.pred_flags = p.pred_flags;
  return c;
}

// The motion vector of the collocated block covering (x, y) of `col`
// (clause 8.5.3.2.9), scaled to the current picture's reference.
bool collocated_mv(const MotionContext& ctx, const CollocatedMotion& col, int x, int y, int ref_idx, int X,
                   int16_t mv[2]) {
  const int bx = x >> 4, by = y >> 4;
  if (bx >= col.w16 || by >= col.h16 || col.intra_only) return false;
  col.progress.wait_for_row(y);
  const PredInfo& p = (*col.blocks)[static_cast<size_t>(by) * col.w16 + bx];
  if (p.pred_flags == 0) return false;  // colPb is intra
  int l;
  if (!(p.pred_flags & 1))
    l = 1;
  else if (p.pred_flags == 1)
    l = 0;
  else
    l = ctx.refs->no_backward_pred ? X : (ctx.collocated_from_l0 ? 1 : 0);
  const RefPicEntry& target = ctx.refs->list[X][ref_idx];
  const bool col_lt = (p.long_term >> l) & 1;
  if (col_lt != target.long_term) return false;
  const int col_diff = col.poc - p.ref_poc[l];
  const int cur_diff = ctx.poc - target.poc;
  if (target.long_term || col_diff == cur_diff) {
    mv[0] = p.mv[l][0];
    mv[1] = p.mv[l][1];
  } else {
    mv[0] = scale_mv(p.mv[l][0], col_diff, cur_diff);
    mv[1] = scale_mv(p.mv[l][1], col_diff, cur_diff);
  }
  return true;
}

// available_prediction_block(), inlined into the candidate derivations (several calls each).
[[gnu::always_inline]] inline bool prediction_block_available(const MotionContext& ctx, const PredictionBlock& pb, int xn,
                                                               int yn) {
  const bool same_cb = pb.x_cb <= xn && pb.y_cb <= yn && pb.x_cb + pb.n_cb > xn && pb.y_cb + pb.n_cb > yn;
  bool avail;
  if (!same_cb)
    avail = available_zscan(ctx.avail, pb.x, pb.y, xn, yn);
  else  // the second NxN partition may not use the third (not yet decoded)
    avail = !((pb.w << 1) == pb.n_cb && (pb.h << 1) == pb.n_cb && pb.part_idx == 1 && pb.y_cb + pb.h <= yn &&
              pb.x_cb + pb.w > xn);
  return avail && ctx.pred_mode[static_cast<size_t>(yn >> 2) * ctx.w4 + (xn >> 2)] != kModeIntra;
}

}  // namespace

int16_t scale_mv(int mv, int td, int tb) {
  td = std::clamp(td, -128, 127);
  tb = std::clamp(tb, -128, 127);
  if (td == 0) return static_cast<int16_t>(mv);
  const int tx = (16384 + (std::abs(td) >> 1)) / td;
  const int dsf = std::clamp((tb * tx + 32) >> 6, -4096, 4095);
  const int64_t v = static_cast<int64_t>(dsf) * mv;
  const int64_t r = (v >= 0 ? 1 : -1) * ((std::llabs(v) + 127) >> 8);
  return static_cast<int16_t>(std::clamp<int64_t>(r, -32768, 32767));
}

bool available_prediction_block(const MotionContext& ctx, const PredictionBlock& pb, int xn, int yn) {
  return prediction_block_available(ctx, pb, xn, yn);
}

bool derive_temporal_mv(const MotionContext& ctx, int x_pb, int y_pb, int w, int h, int X, int ref_idx,
                        int16_t mv[2]) {
  if (!ctx.temporal_mvp_enabled) return false;
  const int col_list = (ctx.b_slice && !ctx.collocated_from_l0) ? 1 : 0;
  if (ctx.collocated_ref_idx >= ctx.refs->num[col_list]) return false;
  const RefPicEntry& col = ctx.refs->list[col_list][ctx.collocated_ref_idx];
  if (!col.motion) return false;
  const int ctb_log2 = ctx.avail.ctb_log2;
  const int xbr = x_pb + w, ybr = y_pb + h;  // bottom right, in the same CTB row only
  if ((y_pb >> ctb_log2) == (ybr >> ctb_log2) && ybr < ctx.avail.height && xbr < ctx.avail.width) {
    if (collocated_mv(ctx, *col.motion, (xbr >> 4) << 4, (ybr >> 4) << 4, ref_idx, X, mv)) return true;
  }
  const int xc = x_pb + (w >> 1), yc = y_pb + (h >> 1);  // centre
  return collocated_mv(ctx, *col.motion, (xc >> 4) << 4, (yc >> 4) << 4, ref_idx, X, mv);
}

MvCand derive_merge_motion(const MotionContext& ctx, const PredictionBlock& orig, int merge_idx) {
  PredictionBlock pb = orig;
  const int plevel = ctx.log2_parallel_merge_level;
  if (plevel > 2 && pb.n_cb == 8) {  // one merge candidate list for all partitions of the CU
    pb.x = pb.x_cb;
    pb.y = pb.y_cb;
    pb.w = pb.h = pb.n_cb;
    pb.part_idx = 0;
  }
  const int x_pb = pb.x, y_pb = pb.y, w = pb.w, h = pb.h;
  const PartMode part_mode = pb.part_mode;
  auto diff_mer = [&](int xn, int yn) { return (x_pb >> plevel) != (xn >> plevel) || (y_pb >> plevel) != (yn >> plevel); };
  auto at = [&](int xn, int yn) -> const PredInfo& { return motion_at(ctx, xn, yn); };
  auto avail = [&](int xn, int yn) { return diff_mer(xn, yn) && prediction_block_available(ctx, pb, xn, yn); };
  MvCand cand[6];
  int count = 0;
  // Spatial candidates (8.5.3.2.3): A1, B1, B0, A0, B2 with the pruning comparisons.
  const int xa1 = x_pb - 1, ya1 = y_pb + h - 1;
  const int xb1 = x_pb + w - 1, yb1 = y_pb - 1;
  const int xb0 = x_pb + w, yb0 = y_pb - 1;
  const int xa0 = x_pb - 1, ya0 = y_pb + h;
  const int xb2 = x_pb - 1, yb2 = y_pb - 1;
  const bool a1 = avail(xa1, ya1) && !(pb.part_idx == 1 && (part_mode == kNx2N || part_mode == knLx2N ||
                                                           part_mode == knRx2N));
  if (a1) cand[count++] = to_cand(at(xa1, ya1));
  const bool b1 = avail(xb1, yb1) && !(pb.part_idx == 1 && (part_mode == k2NxN || part_mode == k2NxnU ||
                                                           part_mode == k2NxnD));
  const bool fb1 = b1 && !(a1 && same_motion(at(xa1, ya1), at(xb1, yb1)));
  if (fb1) cand[count++] = to_cand(at(xb1, yb1));
  const bool b0 = avail(xb0, yb0);
  const bool fb0 = b0 && !(b1 && same_motion(at(xb1, yb1), at(xb0, yb0)));
  if (fb0) cand[count++] = to_cand(at(xb0, yb0));
  const bool a0 = avail(xa0, ya0);
  const bool fa0 = a0 && !(a1 && same_motion(at(xa1, ya1), at(xa0, ya0)));
  if (fa0) cand[count++] = to_cand(at(xa0, ya0));
  if (merge_idx >= count) {
    const bool b2 = avail(xb2, yb2);
    const bool fb2 = b2 && !(a1 && same_motion(at(xa1, ya1), at(xb2, yb2))) &&
                     !(b1 && same_motion(at(xb1, yb1), at(xb2, yb2))) && !(a1 + fb1 + fb0 + fa0 == 4);
    if (fb2) cand[count++] = to_cand(at(xb2, yb2));
  }
  // Temporal candidate (refIdxLXCol = 0).
  if (merge_idx >= count && ctx.temporal_mvp_enabled) {
    MvCand col;
    std::memset(&col, 0, sizeof(col));
    col.ref_idx[0] = col.ref_idx[1] = -1;
    if (derive_temporal_mv(ctx, x_pb, y_pb, w, h, 0, 0, col.mv[0])) {
      col.pred_flags |= 1;
      col.ref_idx[0] = 0;
    }
    if (ctx.b_slice && derive_temporal_mv(ctx, x_pb, y_pb, w, h, 1, 0, col.mv[1])) {
      col.pred_flags |= 2;
      col.ref_idx[1] = 0;
    }
    if (col.pred_flags) cand[count++] = col;
  }
  // Combined bi-predictive candidates (8.5.3.2.4).
  const int max_cand = ctx.max_num_merge_cand;
  if (merge_idx >= count && ctx.b_slice && count > 1 && count < max_cand) {
    static constexpr int kL0[12] = {0, 1, 0, 2, 1, 2, 0, 3, 1, 3, 2, 3};
    static constexpr int kL1[12] = {1, 0, 2, 0, 2, 1, 3, 0, 3, 1, 3, 2};
    const RefPicEntry* const list0 = ctx.refs->list[0];
    const RefPicEntry* const list1 = ctx.refs->list[1];
    const int orig_count = count;
    for (int comb = 0; comb < orig_count * (orig_count - 1) && count < max_cand; ++comb) {
      const MvCand& l0 = cand[kL0[comb]];
      const MvCand& l1 = cand[kL1[comb]];
      if ((l0.pred_flags & 1) && (l1.pred_flags & 2) &&
          (list0[l0.ref_idx[0]].poc != list1[l1.ref_idx[1]].poc || l0.mv[0][0] != l1.mv[1][0] ||
           l0.mv[0][1] != l1.mv[1][1])) {
        MvCand& c = cand[count++];
        c.ref_idx[0] = l0.ref_idx[0];
        c.ref_idx[1] = l1.ref_idx[1];
        c.mv[0][0] = l0.mv[0][0];
        c.mv[0][1] = l0.mv[0][1];
        c.mv[1][0] = l1.mv[1][0];
        c.mv[1][1] = l1.mv[1][1];
        c.pred_flags = 3;
      }
    }
  }
  // Zero motion vector candidates (8.5.3.2.5).
  if (merge_idx >= count) {
    const int num_ref = ctx.b_slice ? std::min(ctx.num_ref_idx_active[0], ctx.num_ref_idx_active[1])
                                    : ctx.num_ref_idx_active[0];
    for (int zero = 0; count <= merge_idx; ++zero) {
      MvCand& c = cand[count++];
      std::memset(&c, 0, sizeof(c));
      const int r = zero < num_ref ? zero : 0;
      c.ref_idx[0] = static_cast<int8_t>(r);
      if (ctx.b_slice) {
        c.ref_idx[1] = static_cast<int8_t>(r);
        c.pred_flags = 3;
      } else {
        c.ref_idx[1] = -1;
        c.pred_flags = 1;
      }
    }
  }
  MvCand out = cand[merge_idx];
  if (out.pred_flags == 3 && orig.w + orig.h == 12) {  // 8x4 and 4x8 blocks are not bi-predicted
    out.pred_flags = 1;
    out.ref_idx[1] = -1;
    out.mv[1][0] = out.mv[1][1] = 0;
  }
  return out;
}

void derive_mvp(const MotionContext& ctx, const PredictionBlock& pb, int X, int ref_idx, int mvp_flag,
                int16_t mvp[2]) {
  const int Y = 1 - X;
  const RefPicEntry& target = ctx.refs->list[X][ref_idx];
  const int x_pb = pb.x, y_pb = pb.y, w = pb.w, h = pb.h;
  auto at = [&](int xn, int yn) -> const PredInfo& { return motion_at(ctx, xn, yn); };
  auto avail = [&](int xn, int yn) { return prediction_block_available(ctx, pb, xn, yn); };
  const int cur_poc = ctx.poc;

  // Unscaled candidate: a neighbour referring to the same picture.
  auto same_pic = [&](const PredInfo& p, int16_t mv[2]) {
    if ((p.pred_flags & (1 << X)) && p.ref_poc[X] == target.poc) {
      mv[0] = p.mv[X][0];
      mv[1] = p.mv[X][1];
      return true;
    }
    if ((p.pred_flags & (1 << Y)) && p.ref_poc[Y] == target.poc) {
      mv[0] = p.mv[Y][0];
      mv[1] = p.mv[Y][1];
      return true;
    }
    return false;
  };
  // Scaled candidate: a neighbour with the same long-term status, scaled
  // when both references are short-term.
  auto scaled = [&](const PredInfo& p, int16_t mv[2]) {
    for (int l : {X, Y}) {
      const bool lt = (p.long_term >> l) & 1;
      if ((p.pred_flags & (1 << l)) && lt == target.long_term) {
        mv[0] = p.mv[l][0];
        mv[1] = p.mv[l][1];
        if (!lt && !target.long_term) {
          const int td = cur_poc - p.ref_poc[l], tb = cur_poc - target.poc;
          mv[0] = scale_mv(mv[0], td, tb);
          mv[1] = scale_mv(mv[1], td, tb);
        }
        return true;
      }
    }
    return false;
  };

  // A0, A1 (left).
  const int xa[2] = {x_pb - 1, x_pb - 1}, ya[2] = {y_pb + h, y_pb + h - 1};
  const bool av_a[2] = {avail(xa[0], ya[0]), avail(xa[1], ya[1])};
  const bool is_scaled = av_a[0] || av_a[1];
  int16_t mva[2] = {0, 0}, mvb[2] = {0, 0};
  bool fa = false, fb = false;
  for (int k = 0; k < 2 && !fa; ++k)
    if (av_a[k]) fa = same_pic(at(xa[k], ya[k]), mva);
  for (int k = 0; k < 2 && !fa; ++k)
    if (av_a[k]) fa = scaled(at(xa[k], ya[k]), mva);

  // B0, B1, B2 (above).
  const int xb[3] = {x_pb + w, x_pb + w - 1, x_pb - 1}, yb[3] = {y_pb - 1, y_pb - 1, y_pb - 1};
  const bool av_b[3] = {avail(xb[0], yb[0]), avail(xb[1], yb[1]), avail(xb[2], yb[2])};
  for (int k = 0; k < 3 && !fb; ++k)
    if (av_b[k]) fb = same_pic(at(xb[k], yb[k]), mvb);
  if (!is_scaled && fb) {
    fa = true;
    mva[0] = mvb[0];
    mva[1] = mvb[1];
  }
  if (!is_scaled) {
    fb = false;
    for (int k = 0; k < 3 && !fb; ++k)
      if (av_b[k]) fb = scaled(at(xb[k], yb[k]), mvb);
  }
  int16_t list[3][2];
  int count = 0;
  if (fa) {
    list[count][0] = mva[0];
    list[count++][1] = mva[1];
  }
  if (fb && !(fa && mva[0] == mvb[0] && mva[1] == mvb[1])) {
    list[count][0] = mvb[0];
    list[count++][1] = mvb[1];
  }
  if (count < 2 && mvp_flag >= count) {
    int16_t col[2];
    if (derive_temporal_mv(ctx, x_pb, y_pb, w, h, X, ref_idx, col)) {
      list[count][0] = col[0];
      list[count++][1] = col[1];
    }
  }
  while (count < 2) {
    list[count][0] = 0;
    list[count++][1] = 0;
  }
  mvp[0] = list[mvp_flag][0];
  mvp[1] = list[mvp_flag][1];
}

}  // namespace codectok
