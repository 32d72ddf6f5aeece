// Rewrites the headers of a progressive, CABAC, POC type 2 H.264 stream (what libx264 writes
// without B-frames) into what x264 cannot make, for testing the parser on it (ITU-T H.264 7.3.2.1.1,
// 7.3.3, 8.2.1.2, 8.2.5). Only the headers change; every slice's data is copied byte for byte (CABAC
// slice data starts byte-aligned after cabac_alignment_one_bit).
//
// - `pocType1`: the SPS gets pic_order_cnt_type 1 with the given cycle of offset_for_ref_frame,
//   offset_for_non_ref_pic and offset_for_top_to_bottom_field, and delta_pic_order_always_zero_flag
//   1 unless `deltas` are given; with `deltas`, every slice header carries delta_pic_order_cnt[0] =
//   deltas[picture]. The pictures stay the same when the POCs keep their order.
// - `nonReference`: pictures (decode order) whose nal_ref_idc becomes 0 (their dec_ref_pic_marking()
//   goes; it must be the sliding window). Only pictures that no later picture references may be named.
// - `longTermIdr`: the IDR pictures get long_term_reference_flag 1 (marked long-term, index 0): later
//   pictures then refer to other pictures than the stream was coded for (their motion is read the
//   same; their pixels differ).
// - `frameNumGap`: from that picture (decode order) on, frame_num is one more (one frame_num
//   skipped: gaps_in_frame_num_value_allowed_flag 1, max_num_ref_frames 2). The decoder infers a
//   "non-existing" frame for the skipped number (8.2.5.2), which takes a sliding-window slot and
//   leads list 0 of the picture after the gap: that picture gets a list-0 modification putting its
//   previous picture first (abs_diff_pic_num_minus1 1). For a stream with one reference per picture
//   the pictures stay the same.
import { BitReader, BitWriter, concatBytes, nalBytes, splitNals, START_CODE, toEbsp, toRbsp } from './bitstream.js';

export interface HeaderRewrite {
  pocType1?: PocType1;
  nonReference?: number[];
  longTermIdr?: boolean;
  frameNumGap?: number;
  /** Decode index of a P picture given memory_management_control_operation 5 (8.2.5.4.5); the frame_num of the pictures after it restarts at 1. */
  mmco5At?: number;
  /**
   * Memory management control operations written into pictures (by decode index; non-IDR reference
   * pictures without MMCOs of their own): each operation as [memory_management_control_operation,
   * then its ue(v) arguments in syntax order], the closing 0 added.
   */
  mmco?: Record<number, number[][]>;
  /** max_num_ref_frames written into the SPS. */
  maxNumRefFrames?: number;
}

export interface PocType1 {
  offsetForRefFrame: number[];
  offsetForNonRefPic: number;
  offsetForTopToBottomField?: number;
  /** delta_pic_order_cnt[0] of each picture (decode order); absent: delta_pic_order_always_zero_flag 1. */
  deltas?: number[];
}

class Reader extends BitReader {
  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

class Writer extends BitWriter {
  se(v: number): void {
    this.ue(v > 0 ? 2 * v - 1 : -2 * v);
  }
}

interface Sps {
  log2MaxFrameNum: number;
  pocType: number;
  chromaArrayType: number;
}

interface Pps {
  cabac: boolean;
  bottomFieldPicOrder: boolean;
  numRefIdxL0: number;
  weightedPred: boolean;
  deblockingControl: boolean;
  redundantPicCnt: boolean;
}

const HIGH_PROFILES = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

/** The rest of an RBSP from the reader's position, rbsp_trailing_bits redone. */
function copyRest(r: Reader, rbsp: Uint8Array, w: Writer): void {
  let last = rbsp.length * 8 - 1;
  while (last > r.pos && ((rbsp[last >> 3]! >> (7 - (last & 7))) & 1) === 0) last--;
  while (r.pos < last) w.u(1, r.bit());
  w.u(1, 1);
  while (w.length % 8 !== 0) w.u(1, 0);
}

function rewriteSps(nal: Uint8Array, o: PocType1 | undefined, gap: boolean, refFrames: number | undefined): { nal: Uint8Array; sps: Sps } {
  const rbsp = toRbsp(nal);
  const r = new Reader(rbsp);
  const w = new Writer();
  const copy = (n: number) => w.u(n, r.u(n));
  copy(8); // NAL header
  const profile = r.u(8);
  w.u(8, profile);
  copy(16); // constraint flags, level_idc
  w.ue(r.ue()); // seq_parameter_set_id
  let chromaArrayType = 1;
  if (HIGH_PROFILES.includes(profile)) {
    const chroma = r.ue();
    w.ue(chroma);
    chromaArrayType = chroma;
    if (chroma === 3) {
      const separate = r.u(1);
      w.u(1, separate);
      if (separate) chromaArrayType = 0;
    }
    w.ue(r.ue()); // bit_depth_luma_minus8
    w.ue(r.ue()); // bit_depth_chroma_minus8
    copy(1); // qpprime_y_zero_transform_bypass_flag
    const scaling = r.u(1);
    if (scaling) throw new Error('h264_header_rewrite: SPS scaling matrices are not handled');
    w.u(1, 0);
  }
  const log2MaxFrameNum = r.ue() + 4;
  w.ue(log2MaxFrameNum - 4);
  const pocType = r.ue();
  if (pocType !== 2) throw new Error(`h264_header_rewrite: POC type ${pocType} (expected 2)`);
  if (o) {
    w.ue(1);
    w.u(1, o.deltas ? 0 : 1); // delta_pic_order_always_zero_flag
    w.se(o.offsetForNonRefPic);
    w.se(o.offsetForTopToBottomField ?? 0);
    w.ue(o.offsetForRefFrame.length);
    for (const v of o.offsetForRefFrame) w.se(v);
  } else {
    w.ue(2);
  }
  const maxNumRefFrames = r.ue();
  const gaps = r.u(1);
  if (gap && maxNumRefFrames > 2) throw new Error('h264_header_rewrite: a frame_num gap needs max_num_ref_frames <= 2');
  w.ue(refFrames ?? (gap ? 2 : maxNumRefFrames));
  w.u(1, gap ? 1 : gaps);
  copyRest(r, rbsp, w);
  return { nal: toEbsp(w.bytes()), sps: { log2MaxFrameNum, pocType: o ? 1 : 2, chromaArrayType } };
}

function readPps(nal: Uint8Array): Pps {
  const r = new Reader(toRbsp(nal));
  r.u(8);
  r.ue(); // pic_parameter_set_id
  r.ue(); // seq_parameter_set_id
  const cabac = r.u(1) === 1;
  const bottomFieldPicOrder = r.u(1) === 1;
  if (r.ue() !== 0) throw new Error('h264_header_rewrite: slice groups are not handled');
  const numRefIdxL0 = r.ue() + 1;
  r.ue(); // num_ref_idx_l1_default_active_minus1
  const weightedPred = r.u(1) === 1;
  r.u(2); // weighted_bipred_idc
  r.se();
  r.se();
  r.se(); // pic_init_qp_minus26, pic_init_qs_minus26, chroma_qp_index_offset
  const deblockingControl = r.u(1) === 1;
  r.u(1); // constrained_intra_pred_flag
  const redundantPicCnt = r.u(1) === 1;
  return { cabac, bottomFieldPicOrder, numRefIdxL0, weightedPred, deblockingControl, redundantPicCnt };
}

/** A slice NAL unit with delta_pic_order_cnt[0] inserted and, for a picture made non-reference, nal_ref_idc 0 without dec_ref_pic_marking(). */
interface SliceRewrite {
  delta?: number;
  nonReference: boolean;
  longTerm: boolean;
  /** Added to frame_num (modulo MaxFrameNum). */
  frameNumShift: number;
  /** Put the previous picture first in list 0 (the picture after a frame_num gap). */
  previousFirst: boolean;
  /** Marking written instead of the picture's own (adaptive_ref_pic_marking_mode_flag 1): operations as in HeaderRewrite.mmco. */
  mmco: number[][] | undefined;
}

function rewriteSlice(nal: Uint8Array, sps: Sps, pps: Pps, x: SliceRewrite): Uint8Array {
  const { delta, nonReference, longTerm } = x;
  const rbsp = toRbsp(nal);
  const r = new Reader(rbsp);
  const w = new Writer();
  const copyUe = () => {
    const v = r.ue();
    w.ue(v);
    return v;
  };
  const copySe = () => w.se(r.se());
  const header = r.u(8);
  const refIdc = (header >> 5) & 3;
  const type = header & 31;
  const idr = type === 5;
  if (nonReference && idr) throw new Error('h264_header_rewrite: an IDR picture is a reference picture');
  if (x.mmco && (idr || refIdc === 0 || nonReference)) throw new Error('h264_header_rewrite: MMCOs need a non-IDR reference picture');
  w.u(8, nonReference ? header & 0x9f : header);
  if (!pps.cabac) throw new Error('h264_header_rewrite: CAVLC slices are not handled (their data is not byte-aligned)');
  copyUe(); // first_mb_in_slice
  const sliceType = copyUe() % 5; // 0 P, 1 B, 2 I
  if (sliceType === 1 || sliceType > 2) throw new Error('h264_header_rewrite: only I and P slices are handled');
  copyUe(); // pic_parameter_set_id
  // frame_num (frame_mbs_only: no field flags)
  w.u(sps.log2MaxFrameNum, (r.u(sps.log2MaxFrameNum) + x.frameNumShift) % 2 ** sps.log2MaxFrameNum);
  if (idr) copyUe(); // idr_pic_id
  // POC type 2 writes nothing here; type 1 without always-zero writes delta_pic_order_cnt[0] (and [1]
  // with bottom_field_pic_order_in_frame_present_flag, for frames)
  if (delta !== undefined) {
    w.se(delta);
    if (pps.bottomFieldPicOrder) w.se(0);
  }
  if (pps.redundantPicCnt) copyUe();
  let numRefIdxL0 = pps.numRefIdxL0;
  if (sliceType === 0) {
    const override = r.u(1);
    w.u(1, override);
    if (override) numRefIdxL0 = copyUe() + 1;
    const modification = r.u(1);
    if (x.previousFirst) {
      if (modification) throw new Error('h264_header_rewrite: the picture after the gap already modifies its list');
      w.u(1, 1);
      w.ue(0); // modification_of_pic_nums_idc 0: picNumPred - (abs_diff_pic_num_minus1 + 1)
      w.ue(1); // CurrPicNum - 2: the picture before the skipped frame_num
      w.ue(3);
    } else {
      w.u(1, modification);
    }
    if (modification) {
      for (;;) {
        const idc = copyUe();
        if (idc === 3) break;
        copyUe();
      }
    }
    if (pps.weightedPred) {
      copyUe(); // luma_log2_weight_denom
      if (sps.chromaArrayType !== 0) copyUe();
      for (let i = 0; i < numRefIdxL0; i++) {
        const luma = r.u(1);
        w.u(1, luma);
        if (luma) {
          copySe(); // luma_weight_l0
          copySe(); // luma_offset_l0
        }
        if (sps.chromaArrayType !== 0) {
          const chroma = r.u(1);
          w.u(1, chroma);
          if (chroma) for (let j = 0; j < 4; j++) copySe();
        }
      }
    }
  }
  if (refIdc !== 0) {
    if (idr) {
      w.u(1, r.u(1)); // no_output_of_prior_pics_flag
      w.u(1, longTerm ? 1 : r.u(1)); // long_term_reference_flag
      if (longTerm) r.u(1);
    } else {
      const adaptive = r.u(1);
      if (adaptive && nonReference) throw new Error('h264_header_rewrite: a picture with MMCO commands cannot be made non-reference');
      if (adaptive && x.mmco) throw new Error('h264_header_rewrite: the picture given MMCOs already has MMCO commands');
      if (x.mmco) {
        w.u(1, 1);
        for (const op of x.mmco) for (const v of op) w.ue(v);
        w.ue(0);
      } else if (!nonReference) {
        w.u(1, adaptive);
        if (adaptive) {
          for (;;) {
            const op = copyUe();
            if (op === 0) break;
            if (op === 1 || op === 3) copyUe();
            if (op === 2) copyUe();
            if (op === 3 || op === 6) copyUe();
            if (op === 4) copyUe();
          }
        }
      }
    }
  }
  if (sliceType !== 2) copyUe(); // cabac_init_idc
  copySe(); // slice_qp_delta
  if (pps.deblockingControl) {
    const idc = copyUe();
    if (idc !== 1) {
      copySe(); // slice_alpha_c0_offset_div2
      copySe(); // slice_beta_offset_div2
    }
  }
  // cabac_alignment_one_bit, then the slice data as it was
  while (r.pos % 8 !== 0) r.bit();
  while (w.length % 8 !== 0) w.u(1, 1);
  return toEbsp(concatBytes([w.bytes(), rbsp.subarray(r.pos / 8)]));
}

/** The stream with its headers rewritten (see the top of this file). One SPS and one PPS. */
export function rewriteH264Headers(data: Uint8Array, o: HeaderRewrite): Uint8Array {
  let sps: Sps | undefined;
  let pps: Pps | undefined;
  let picture = -1;
  const out: Uint8Array[] = [];
  for (const nal of splitNals(data).map((n) => nalBytes(data, n))) {
    const type = nal[0]! & 31;
    let rewritten = nal;
    if (type === 7) ({ nal: rewritten, sps } = rewriteSps(nal, o.pocType1, o.frameNumGap !== undefined, o.maxNumRefFrames));
    else if (type === 8) pps = readPps(nal);
    else if (type === 1 || type === 5) {
      if (!sps || !pps) throw new Error('h264_header_rewrite: a slice before its parameter sets');
      // first_mb_in_slice 0 starts a picture (its first bit is 1: ue(0))
      if ((nal[1]! & 0x80) !== 0) picture++;
      const gap = o.frameNumGap;
      rewritten = rewriteSlice(nal, sps, pps, {
        delta: o.pocType1?.deltas?.[picture],
        nonReference: o.nonReference?.includes(picture) ?? false,
        longTerm: o.longTermIdr === true,
        frameNumShift: (gap !== undefined && picture >= gap ? 1 : 0) + (o.mmco5At !== undefined && picture > o.mmco5At ? 2 ** sps.log2MaxFrameNum - o.mmco5At : 0),
        previousFirst: picture === gap,
        mmco: picture === o.mmco5At ? [[5]] : o.mmco?.[picture],
      });
    }
    out.push(START_CODE, rewritten);
  }
  return concatBytes(out);
}
