// prediction_unit() syntax (clause 7.3.8.6): merge_idx, inter_pred_idc,
// ref_idx, mvd_coding (7.3.8.9), mvp flags; the motion is derived by
// motion_prediction.h and stored per 4x4 block.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "bitstream/parse_error.h"
#include "hevc/block_fill.h"
#include "hevc/motion_prediction.h"
#include "hevc/part_mode.h"
#include "hevc/slice_decoder.h"

namespace codectok {

namespace {
// inter_pred_idc (Table 7-15 semantics).
enum { kPredL0 = 0, kPredL1 = 1, kPredBi = 2 };
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
  // pic_.pred is read for the spatial candidates of later prediction blocks, which are always
  // in the right column or the bottom row of the block that covers them (a block to the right
  // of or below the reading block in its own rows or columns is not decoded yet), and for the
  // collocated motion at the 16x16-aligned blocks (PictureState::collocated): only those
  // entries are written.
  const size_t stride = static_cast<size_t>(pic_.w4);
  PredInfo* const origin = pic_.pred.data() + static_cast<size_t>(y4) * stride + x4;
  if (w4 > 0 && h4 > 0) {
    std::fill_n(origin + (h4 - 1) * stride, w4, p);                             // bottom row
    for (int j = 0; j < h4 - 1; ++j) origin[static_cast<size_t>(j) * stride + w4 - 1] = p;  // right column
    for (int j = (-y4) & 3; j < h4 - 1; j += 4)                                 // 16x16-aligned blocks
      for (int i = (-x4) & 3; i < w4 - 1; i += 4) origin[static_cast<size_t>(j) * stride + i] = p;
  }
  if (pic_.motion) {
    int16_t entry[8] = {static_cast<int16_t>(cu_pred_mode_), static_cast<int16_t>(c.pred_flags), 0, 0, 0, 0,
                        -32768, -32768};
    for (int l = 0; l < 2; ++l) {
      if (!(c.pred_flags & (1 << l))) continue;
      entry[2 + 2 * l] = p.mv[l][0];
      entry[3 + 2 * l] = p.mv[l][1];
      entry[6 + l] = static_cast<int16_t>(std::clamp(p.ref_poc[l], -32767, 32767));
    }
    store_motion(x4, y4, w4, h4, entry);
  }
}

void SliceDecoder::store_motion(int x4, int y4, int w4, int h4, const int16_t (&entry)[8]) {
  fill_block_entries<sizeof(entry)>(pic_.motion->data() + (static_cast<size_t>(y4) * pic_.w4 + x4) * 8,
                                    static_cast<size_t>(pic_.w4), w4, h4, entry);
}

void SliceDecoder::prediction_unit(int x0, int y0, int w, int h, int x_cb, int y_cb, int log2_cb, int part_idx,
                                   int part_mode, bool skip) {
  PredictionBlock pb;
  pb.x_cb = x_cb;
  pb.y_cb = y_cb;
  pb.n_cb = 1 << log2_cb;
  pb.x = x0;
  pb.y = y0;
  pb.w = w;
  pb.h = h;
  pb.part_idx = part_idx;
  pb.part_mode = static_cast<PartMode>(part_mode);
  MvCand c;
  std::memset(&c, 0, sizeof(c));
  bool merge = skip;
  if (!skip) merge = cabac_.decode(ctx_.state[kCtxMergeFlag]);
  if (merge) {
    int merge_idx = decode_merge_idx();
    if (part_mode == k2Nx2N) merge_flag_2nx2n_ = true;
    c = derive_merge_motion(motion_, pb, merge_idx);
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
      derive_mvp(motion_, pb, l, ref_idx[l], mvp_flag[l], mvp);
      for (int k = 0; k < 2; ++k) c.mv[l][k] = static_cast<int16_t>(static_cast<uint16_t>(mvp[k] + mvd[l][k]));
    }
  }
  store_pu(x0, y0, w, h, c);
}

}  // namespace codectok
