// PicOrderCntVal from slice_pic_order_cnt_lsb and the previous TemporalId-0 picture (H.265 clause
// 8.3.1). One definition: the picture decoder derives every POC with it, and the stream pruner
// (src/input/ffmpeg/needed_pictures.ts, through the addon) asks what a picture's POC would be if
// another picture were its prevTid0Pic.
#pragma once

namespace codectok {

// slice_pic_order_cnt_lsb of a picture whose PicOrderCntVal is `poc` (MaxPicOrderCntLsb a power of two).
inline int poc_lsb(int poc, int max_poc_lsb) { return poc & (max_poc_lsb - 1); }

// PicOrderCntVal of a picture with slice_pic_order_cnt_lsb `lsb` whose prevTid0Pic has POC
// `prev_tid0_poc` (a picture that does not start a coded video sequence: those have msb 0).
inline int derive_poc(int lsb, int prev_tid0_poc, int max_poc_lsb) {
  const int prev_lsb = poc_lsb(prev_tid0_poc, max_poc_lsb);
  const int prev_msb = prev_tid0_poc - prev_lsb;
  int msb = prev_msb;
  if (lsb < prev_lsb && prev_lsb - lsb >= max_poc_lsb / 2)
    msb = prev_msb + max_poc_lsb;
  else if (lsb > prev_lsb && lsb - prev_lsb > max_poc_lsb / 2)
    msb = prev_msb - max_poc_lsb;
  return msb + lsb;
}

}  // namespace codectok
