// prediction_unit() syntax (clause 7.3.8.6) and the motion vector derivation
// of clause 8.5.3.2: merge candidates, AMVP and temporal prediction.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "bitstream/parse_error.h"
#include "hevc/part_mode.h"
#include "hevc/slice_decoder.h"

namespace codectok {

namespace {

enum { kPredL0 = 0, kPredL1 = 1, kPredBi = 2 };

int16_t scale_mv(int mv, int td, int tb) {
  td = std::clamp(td, -128, 127);
  tb = std::clamp(tb, -128, 127);
  if (td == 0) return static_cast<int16_t>(mv);
  int tx = (16384 + (std::abs(td) >> 1)) / td;
  int dsf = std::clamp((tb * tx + 32) >> 6, -4096, 4095);
  int64_t v = static_cast<int64_t>(dsf) * mv;
  int64_t r = (v >= 0 ? 1 : -1) * ((std::llabs(v) + 127) >> 8);
  return static_cast<int16_t>(std::clamp<int64_t>(r, -32768, 32767));
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

}  // namespace

int SliceDecoder::decode_merge_idx() {
  int cmax = sh_.max_num_merge_cand - 1;
  if (cmax <= 0) return 0;
  int v = 0;
  if (cabac_.decode(ctx_.state[kCtxMergeIdx])) {
    v = 1;
    while (v < cmax && cabac_.decode_bypass()) ++v;
  }
  return v;
}

int SliceDecoder::decode_ref_idx(int num_active) {
  int cmax = num_active - 1;
  int v = 0;
  while (v < cmax) {
    int bin = v < 2 ? cabac_.decode(ctx_.state[kCtxRefIdx + v]) : cabac_.decode_bypass();
    if (!bin) break;
    ++v;
  }
  return v;
}

void SliceDecoder::decode_mvd(int16_t mvd[2]) {
  int g0[2], g1[2] = {0, 0};
  g0[0] = cabac_.decode(ctx_.state[kCtxAbsMvdGreater0]);
  g0[1] = cabac_.decode(ctx_.state[kCtxAbsMvdGreater0]);
  if (g0[0]) g1[0] = cabac_.decode(ctx_.state[kCtxAbsMvdGreater1]);
  if (g0[1]) g1[1] = cabac_.decode(ctx_.state[kCtxAbsMvdGreater1]);
  for (int c = 0; c < 2; ++c) {
    int v = 0;
    if (g0[c]) {
      v = 1;
      if (g1[c]) {
        int k = 1, abs_minus2 = 0;
        while (cabac_.decode_bypass()) {
          abs_minus2 += 1 << k;
          if (++k > 20) fail(ErrorCode::kInvalidSyntax, "abs_mvd_minus2 too large");
        }
        abs_minus2 += static_cast<int>(cabac_.decode_bypass_bits(k));
        v = abs_minus2 + 2;
        if (v > 32768) fail(ErrorCode::kInvalidSyntax, "motion vector difference out of range");
      }
      if (cabac_.decode_bypass()) v = -v;
    }
    mvd[c] = static_cast<int16_t>(std::clamp(v, -32768, 32767));
  }
}

void SliceDecoder::store_pu(int x, int y, int w, int h, const MvCand& c) {
  PredInfo p;
  std::memset(&p, 0, sizeof(p));
  p.pred_flags = c.pred_flags;
  for (int l = 0; l < 2; ++l) {
    if (c.pred_flags & (1 << l)) {
      p.mv[l][0] = c.mv[l][0];
      p.mv[l][1] = c.mv[l][1];
      p.ref_idx[l] = c.ref_idx[l];
      const RefPicEntry& r = refs_.list[l][c.ref_idx[l]];
      p.ref_poc[l] = r.poc;
      if (r.long_term) p.long_term |= static_cast<uint8_t>(1 << l);
    } else {
      p.ref_idx[l] = -1;
    }
  }
  const int x4 = x >> 2, y4 = y >> 2;
  const int w4 = std::min(w >> 2, pic_.w4 - x4), h4 = std::min(h >> 2, pic_.h4 - y4);
  for (int j = 0; j < h4; ++j) std::fill_n(pic_.pred.begin() + static_cast<size_t>(y4 + j) * pic_.w4 + x4, w4, p);
}

void SliceDecoder::prediction_unit(int x0, int y0, int w, int h, int x_cb, int y_cb, int log2_cb, int part_idx,
                                   int part_mode, bool skip) {
  const int n_cb = 1 << log2_cb;
  MvCand c;
  std::memset(&c, 0, sizeof(c));
  bool merge = skip;
  if (!skip) merge = cabac_.decode(ctx_.state[kCtxMergeFlag]);
  if (merge) {
    int merge_idx = decode_merge_idx();
    if (part_mode == k2Nx2N) merge_flag_2nx2n_ = true;
    derive_merge(x_cb, y_cb, n_cb, x0, y0, w, h, part_idx, part_mode, merge_idx, c);
  } else {
    int idc = kPredL0;
    if (sh_.slice_type == kSliceB) {
      if (w + h != 12) {
        int depth = ctb_log2_ - log2_cb;
        if (cabac_.decode(ctx_.state[kCtxInterPredIdc + depth]))
          idc = kPredBi;
        else
          idc = cabac_.decode(ctx_.state[kCtxInterPredIdc + 4]) ? kPredL1 : kPredL0;
      } else {
        idc = cabac_.decode(ctx_.state[kCtxInterPredIdc + 4]) ? kPredL1 : kPredL0;
      }
    }
    int16_t mvd[2][2] = {{0, 0}, {0, 0}};
    int ref_idx[2] = {-1, -1}, mvp_flag[2] = {0, 0};
    for (int l = 0; l < 2; ++l) {
      if ((l == 0 && idc == kPredL1) || (l == 1 && idc == kPredL0)) continue;
      ref_idx[l] = sh_.num_ref_idx_active[l] > 1 ? decode_ref_idx(sh_.num_ref_idx_active[l]) : 0;
      if (l == 1 && sh_.mvd_l1_zero && idc == kPredBi) {
        mvd[1][0] = mvd[1][1] = 0;
      } else {
        decode_mvd(mvd[l]);
      }
      mvp_flag[l] = cabac_.decode(ctx_.state[kCtxMvpFlag]);
    }
    c.pred_flags = 0;
    for (int l = 0; l < 2; ++l) {
      c.ref_idx[l] = static_cast<int8_t>(ref_idx[l]);
      if (ref_idx[l] < 0) continue;
      if (ref_idx[l] >= refs_.num[l]) fail(ErrorCode::kInvalidSyntax, "reference index beyond the reference list");
      c.pred_flags |= static_cast<uint8_t>(1 << l);
      int16_t mvp[2];
      derive_amvp(x_cb, y_cb, n_cb, x0, y0, w, h, part_idx, l, ref_idx[l], mvp, mvp_flag[l]);
      for (int k = 0; k < 2; ++k) c.mv[l][k] = static_cast<int16_t>(static_cast<uint16_t>(mvp[k] + mvd[l][k]));
    }
  }
  store_pu(x0, y0, w, h, c);
}

void SliceDecoder::derive_merge(int x_cb, int y_cb, int n_cb, int x_pb, int y_pb, int w, int h, int part_idx,
                                int part_mode, int merge_idx, MvCand& out) {
  const int orig_w = w, orig_h = h;
  const int plevel = pps_.log2_parallel_merge_level;
  if (plevel > 2 && n_cb == 8) {
    x_pb = x_cb;
    y_pb = y_cb;
    w = h = n_cb;
    part_idx = 0;
  }
  auto diff_mer = [&](int xn, int yn) { return (x_pb >> plevel) != (xn >> plevel) || (y_pb >> plevel) != (yn >> plevel); };
  auto at = [&](int xn, int yn) -> const PredInfo& { return pic_.pred[static_cast<size_t>(yn >> 2) * pic_.w4 + (xn >> 2)]; };
  auto avail = [&](int xn, int yn) {
    return diff_mer(xn, yn) && available_pb(x_cb, y_cb, n_cb, x_pb, y_pb, w, h, part_idx, xn, yn);
  };
  MvCand cand[6];
  int count = 0;
  const int xa1 = x_pb - 1, ya1 = y_pb + h - 1;
  const int xb1 = x_pb + w - 1, yb1 = y_pb - 1;
  const int xb0 = x_pb + w, yb0 = y_pb - 1;
  const int xa0 = x_pb - 1, ya0 = y_pb + h;
  const int xb2 = x_pb - 1, yb2 = y_pb - 1;
  bool a1 = avail(xa1, ya1) && !(part_idx == 1 && (part_mode == kNx2N || part_mode == knLx2N || part_mode == knRx2N));
  if (a1) cand[count++] = to_cand(at(xa1, ya1));
  bool b1 = avail(xb1, yb1) && !(part_idx == 1 && (part_mode == k2NxN || part_mode == k2NxnU || part_mode == k2NxnD));
  bool fb1 = b1 && !(a1 && same_motion(at(xa1, ya1), at(xb1, yb1)));
  if (fb1) cand[count++] = to_cand(at(xb1, yb1));
  bool b0 = avail(xb0, yb0);
  bool fb0 = b0 && !(b1 && same_motion(at(xb1, yb1), at(xb0, yb0)));
  if (fb0) cand[count++] = to_cand(at(xb0, yb0));
  bool a0 = avail(xa0, ya0);
  bool fa0 = a0 && !(a1 && same_motion(at(xa1, ya1), at(xa0, ya0)));
  if (fa0) cand[count++] = to_cand(at(xa0, ya0));
  if (merge_idx >= count) {
    bool b2 = avail(xb2, yb2);
    bool fb2 = b2 && !(a1 && same_motion(at(xa1, ya1), at(xb2, yb2))) &&
               !(b1 && same_motion(at(xb1, yb1), at(xb2, yb2))) && !(a1 + fb1 + fb0 + fa0 == 4);
    if (fb2) cand[count++] = to_cand(at(xb2, yb2));
  }
  if (merge_idx >= count && sh_.temporal_mvp_enabled) {
    MvCand col;
    std::memset(&col, 0, sizeof(col));
    col.ref_idx[0] = col.ref_idx[1] = -1;
    if (temporal_mv(x_pb, y_pb, w, h, 0, 0, col.mv[0])) {
      col.pred_flags |= 1;
      col.ref_idx[0] = 0;
    }
    if (sh_.slice_type == kSliceB && temporal_mv(x_pb, y_pb, w, h, 0, 1, col.mv[1])) {
      col.pred_flags |= 2;
      col.ref_idx[1] = 0;
    }
    if (col.pred_flags) cand[count++] = col;
  }
  const int max_cand = sh_.max_num_merge_cand;
  if (merge_idx >= count && sh_.slice_type == kSliceB && count > 1 && count < max_cand) {
    static const int kL0[12] = {0, 1, 0, 2, 1, 2, 0, 3, 1, 3, 2, 3};
    static const int kL1[12] = {1, 0, 2, 0, 2, 1, 3, 0, 3, 1, 3, 2};
    const int orig = count;
    for (int comb = 0; comb < orig * (orig - 1) && count < max_cand; ++comb) {
      const MvCand& l0 = cand[kL0[comb]];
      const MvCand& l1 = cand[kL1[comb]];
      if ((l0.pred_flags & 1) && (l1.pred_flags & 2) &&
          (refs_.list[0][l0.ref_idx[0]].poc != refs_.list[1][l1.ref_idx[1]].poc || l0.mv[0][0] != l1.mv[1][0] ||
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
  if (merge_idx >= count) {
    int num_ref = sh_.slice_type == kSliceP ? sh_.num_ref_idx_active[0]
                                            : std::min(sh_.num_ref_idx_active[0], sh_.num_ref_idx_active[1]);
    for (int zero = 0; count <= merge_idx; ++zero) {
      MvCand& c = cand[count++];
      std::memset(&c, 0, sizeof(c));
      int r = zero < num_ref ? zero : 0;
      c.ref_idx[0] = static_cast<int8_t>(r);
      if (sh_.slice_type == kSliceP) {
        c.ref_idx[1] = -1;
        c.pred_flags = 1;
      } else {
        c.ref_idx[1] = static_cast<int8_t>(r);
        c.pred_flags = 3;
      }
    }
  }
  out = cand[merge_idx];
  if (out.pred_flags == 3 && orig_w + orig_h == 12) {
    out.pred_flags = 1;
    out.ref_idx[1] = -1;
    out.mv[1][0] = out.mv[1][1] = 0;
  }
}

void SliceDecoder::derive_amvp(int x_cb, int y_cb, int n_cb, int x_pb, int y_pb, int w, int h, int part_idx, int X,
                               int ref_idx, int16_t mvp[2], int mvp_flag) {
  const int Y = 1 - X;
  const RefPicEntry& target = refs_.list[X][ref_idx];
  auto at = [&](int xn, int yn) -> const PredInfo& { return pic_.pred[static_cast<size_t>(yn >> 2) * pic_.w4 + (xn >> 2)]; };
  auto avail = [&](int xn, int yn) { return available_pb(x_cb, y_cb, n_cb, x_pb, y_pb, w, h, part_idx, xn, yn); };
  const int cur_poc = pic_.poc;

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
  // Scaled candidate: a neighbour with the same long-term status.
  auto scaled = [&](const PredInfo& p, int16_t mv[2]) {
    for (int l : {X, Y}) {
      bool lt = (p.long_term >> l) & 1;
      if ((p.pred_flags & (1 << l)) && lt == target.long_term) {
        mv[0] = p.mv[l][0];
        mv[1] = p.mv[l][1];
        if (!lt && !target.long_term) {
          int td = cur_poc - p.ref_poc[l], tb = cur_poc - target.poc;
          mv[0] = scale_mv(mv[0], td, tb);
          mv[1] = scale_mv(mv[1], td, tb);
        }
        return true;
      }
    }
    return false;
  };

  const int xa[2] = {x_pb - 1, x_pb - 1}, ya[2] = {y_pb + h, y_pb + h - 1};
  bool av_a[2] = {avail(xa[0], ya[0]), avail(xa[1], ya[1])};
  bool is_scaled = av_a[0] || av_a[1];
  int16_t mva[2] = {0, 0}, mvb[2] = {0, 0};
  bool fa = false, fb = false;
  for (int k = 0; k < 2 && !fa; ++k)
    if (av_a[k]) fa = same_pic(at(xa[k], ya[k]), mva);
  for (int k = 0; k < 2 && !fa; ++k)
    if (av_a[k]) fa = scaled(at(xa[k], ya[k]), mva);

  const int xb[3] = {x_pb + w, x_pb + w - 1, x_pb - 1}, yb[3] = {y_pb - 1, y_pb - 1, y_pb - 1};
  bool av_b[3] = {avail(xb[0], yb[0]), avail(xb[1], yb[1]), avail(xb[2], yb[2])};
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
    if (temporal_mv(x_pb, y_pb, w, h, ref_idx, X, col)) {
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

bool SliceDecoder::temporal_mv(int x_pb, int y_pb, int w, int h, int ref_idx, int X, int16_t mv[2]) {
  if (!sh_.temporal_mvp_enabled) return false;
  int col_list = (sh_.slice_type == kSliceB && !sh_.collocated_from_l0) ? 1 : 0;
  if (sh_.collocated_ref_idx >= refs_.num[col_list]) return false;
  const RefPicEntry& col = refs_.list[col_list][sh_.collocated_ref_idx];
  if (!col.motion) return false;
  int xbr = x_pb + w, ybr = y_pb + h;
  if ((y_pb >> ctb_log2_) == (ybr >> ctb_log2_) && ybr < sps_.height && xbr < sps_.width) {
    if (collocated_mv(*col.motion, (xbr >> 4) << 4, (ybr >> 4) << 4, ref_idx, X, mv)) return true;
  }
  int xc = x_pb + (w >> 1), yc = y_pb + (h >> 1);
  return collocated_mv(*col.motion, (xc >> 4) << 4, (yc >> 4) << 4, ref_idx, X, mv);
}

bool SliceDecoder::collocated_mv(const CollocatedMotion& col, int x, int y, int ref_idx, int X, int16_t mv[2]) {
  int bx = x >> 4, by = y >> 4;
  if (bx >= col.w16 || by >= col.h16) return false;
  const PredInfo& p = (*col.blocks)[static_cast<size_t>(by) * col.w16 + bx];
  if (p.pred_flags == 0) return false;
  int l;
  if (!(p.pred_flags & 1))
    l = 1;
  else if (p.pred_flags == 1)
    l = 0;
  else
    l = refs_.no_backward_pred ? X : (sh_.collocated_from_l0 ? 1 : 0);
  const RefPicEntry& target = refs_.list[X][ref_idx];
  bool col_lt = (p.long_term >> l) & 1;
  if (col_lt != target.long_term) return false;
  int col_diff = col.poc - p.ref_poc[l];
  int cur_diff = pic_.poc - target.poc;
  if (target.long_term || col_diff == cur_diff) {
    mv[0] = p.mv[l][0];
    mv[1] = p.mv[l][1];
  } else {
    mv[0] = scale_mv(p.mv[l][0], col_diff, cur_diff);
    mv[1] = scale_mv(p.mv[l][1], col_diff, cur_diff);
  }
  return true;
}

}  // namespace codectok
