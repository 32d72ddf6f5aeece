/**
 * How much every patch of the picture changed between consecutive sampled frames, estimated from
 * the bitstream of EVERY decoded picture in between (not only the sampled ones), for the `refresh`
 * policy. Two steps:
 *
 * 1. pictureChange(picture): the codec maps of one picture pooled onto the patch grid by area (the
 *    scoring's own maps and pooling), computed by the C++ core (cpp/score/picture_change.h): on the
 *    decoder's thread for every picture tokenize parses (score.change), or for one picture held in
 *    JavaScript here. CHANGE_FLOORS below is the one definition of the floors; the core gets them
 *    with each request (changeRequest):
 *    - motion: vector length in pixels per frame, list 0 and 1 averaged, WITHOUT camera
 *      compensation (a pan changes every patch on screen). Moving content changes the picture in
 *      proportion to its detail (a moving flat wall changes nothing, and an encoder's vectors there
 *      are arbitrary): motion is weighted by the patch's texture, the bits the clip's intra pictures
 *      spent on it over their mean (the intra cost of a patch is the codec's measure of its detail);
 *    - intra: the share of the patch coded intra. In an inter picture an intra block says the
 *      encoder found nothing to predict it from: its content is new, as if it had moved by a whole
 *      patch. It counts as motion of one patch side (in source pixels) per frame;
 *    - residual: the prediction error the encoder had to code: RMS of the luma coefficient levels
 *      (sqrt of the pooled energy per 4x4, `coeff`, cheap) or the mean |residual| (`abs`);
 *    - bits: bits spent per 8x8 block.
 * 2. changeVolume(pictures, sampled): per picture and patch, change = the mean of the three signals,
 *    each divided by its clip-level scale: its mean over the inter pictures and patches of the clip,
 *    but never below the level the scoring treats as noise (motion 0.25 px/frame, a quarter-pel
 *    vector; residual 1; bits 1 per 8x8). A clip-level scale makes pixels, coefficient levels and
 *    bits commensurable without a constant per clip: one unit is "as much as an average inter patch
 *    of this clip", and the floors keep a still clip's noise from being blown up. The change
 *    between slot t-1 and slot t is the sum over the pictures displayed after slot t-1's frame up
 *    to slot t's frame.
 *
 * Intra pictures have no motion and their residual and bits measure texture, not change:
 * - their change is the mean change of the nearest inter pictures before and after (display order);
 * - a scene cut coded as an intra picture, x264-style (a cut is a picture whose content the previous
 *   pictures do not predict): the intra cost of the content, bits per patch, is compared with the
 *   previous intra picture's as distributions over the picture (total variation distance between
 *   the two bit maps, each divided by its sum, so that a different QP does not count). Re-coding the
 *   same content spends its bits in the same places; a new scene spends them elsewhere. Above
 *   INTRA_BIAS the picture is a cut and every patch changed as an inter picture coded all intra
 *   would say. A periodic intra picture in a still scene stays far below. The comparison means
 *   something only while the content has moved less than half a patch since the previous intra
 *   picture (mean displacement over the inter pictures in between); beyond, the inter pictures
 *   already measured the change and the intra picture takes their mean.
 * A residual below one quantisation step (RMS over the patch: coefficient levels, `coeff`) is
 * re-quantisation noise, not change; so is motion below a quarter pixel per frame over the patch
 * (the vectors' precision). Skipped blocks code no change: their bits (the skip flag) are not counted; nor are the bits of a
 * patch where nothing moves and no residual is coded (modes and merge indices re-sent after an
 * intra picture, not new content).
 * A cut coded inside an inter picture needs no rule: its blocks are intra, carry large residuals and
 * bits, and score as change like any other.
 */
import type { Geometry } from '../geometry/output_geometry.js';
import { loadNative, type NativeChangeRequest, type NativeChangeSignals } from '../input/native.js';
import { type CodecPicture, type FrameType, frameType } from './codec_picture.js';
import { type ResidualSource, ScoringError } from './options.js';

/** One decoded picture's signals on the patch grid. */
export interface PictureChange {
  /** Position in display order. */
  outIndex: number;
  type: FrameType;
  /** [S] px/frame, no camera compensation. */
  motion: Float32Array;
  /** [S] RMS coefficient level (coeff) or mean |residual| (abs). */
  residual: Float32Array;
  /** [S] bits per 8x8 block. */
  bits: Float32Array;
  /** [S] share of the patch coded intra (1 everywhere in an intra picture). */
  intra: Float32Array;
}

export interface ChangeScales {
  motion: number;
  residual: number;
  bits: number;
}

/** Noise levels below which a clip-level scale is not taken (the scoring's floors). */
export const CHANGE_FLOORS: ChangeScales = { motion: 0.25, residual: 1, bits: 1 };
/**
 * Total variation distance between two intra pictures' bit maps above which the later one is a cut
 * (x264's default scene-cut threshold, 40, as a share).
 */
export const INTRA_BIAS = 0.4;

export interface ChangeEstimate {
  /** [T][S]: change between slot t-1 and slot t (slot 0: 0). */
  change: Float32Array;
  /** The clip-level scales the signals were divided by. */
  scales: ChangeScales;
  /** Decoded pictures that contributed to each slot's change. */
  picturesPerSlot: number[];
  /** Intra pictures after the first slot and their cut test: total variation distance to the previous intra picture's bits (null: not tested, the content moved too much in between). */
  intra: { outIndex: number; distance: number | null; cut: boolean }[];
}

/** What the change signals read and the floors below which they are noise: CHANGE_FLOORS, handed to the C++ core. */
export function changeRequest(residualSource: ResidualSource = 'coeff'): NativeChangeRequest {
  return { residualSource, floors: { motion: CHANGE_FLOORS.motion, residual: CHANGE_FLOORS.residual } };
}

/**
 * Step 1 for one picture held in JavaScript (a custom picture source): its codec maps pooled onto
 * the patch grid by the C++ core (cpp/score/picture_change.h), the function the decoder runs on its
 * thread for tokenize (score.change). ERR_MISSING_DATA when the picture lacks motion, bits or the
 * coefficient statistics (`coeff`) / residual (`abs`).
 */
export function pictureChange(pic: CodecPicture, outIndex: number, g: Geometry, residualSource: ResidualSource = 'coeff'): PictureChange {
  let c: NativeChangeSignals;
  try {
    c = loadNative().pictureChange(pic, g, changeRequest(residualSource));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MISSING_DATA' || code === 'ERR_INVALID_OPTION') throw new ScoringError((e as Error).message, code);
    throw e;
  }
  return { outIndex, type: frameType(pic), ...c };
}

/** [S] share of each patch that shows picture (1 inside, 0 on letterbox padding). */
export function pictureShare(pic: Pick<CodecPicture, 'width' | 'height' | 'crop'>, g: Geometry): Float32Array {
  return loadNative().pictureShare(pic, g);
}

/**
 * The change volume of the slots whose frames are `sampled` (display indices, ascending), from the
 * signals of the decoded pictures (any order; those after the last sampled frame are ignored).
 */
export function changeVolume(pictures: PictureChange[], sampled: number[], S: number, patchSide: number): ChangeEstimate {
  const T = sampled.length;
  const last = sampled[T - 1]!;
  const pics = pictures.filter((p) => p.outIndex <= last).sort((a, b) => a.outIndex - b.outIndex);
  for (const p of pics) {
    if (p.motion.length !== S || p.residual.length !== S || p.bits.length !== S || p.intra.length !== S) throw new RangeError(`picture ${p.outIndex}: signals of ${p.motion.length} patches, expected ${S}`);
  }
  // texture of each patch: the bits the clip's intra pictures spent on it, over their mean (one map
  // for the clip, so that a position's change does not jump at every intra picture)
  let texture: Float32Array | null = null;
  {
    const acc = new Float64Array(S);
    let total = 0;
    for (const p of pics) {
      if (p.type !== 'I') continue;
      for (let s = 0; s < S; s++) acc[s]! += p.bits[s]!;
    }
    for (let s = 0; s < S; s++) total += acc[s]!;
    if (total > 0) texture = Float32Array.from(acc, (b) => (b * S) / total);
  }
  const motionAt = (i: number, s: number): number => {
    const p = pics[i]!;
    return p.motion[s]! * (texture ? texture[s]! : 1) + p.intra[s]! * patchSide;
  };
  // clip-level scales over the inter pictures
  const sums = { motion: 0, residual: 0, bits: 0 };
  let n = 0;
  for (let i = 0; i < pics.length; i++) {
    const p = pics[i]!;
    if (p.type === 'I') continue;
    for (let s = 0; s < S; s++) {
      sums.motion += motionAt(i, s);
      sums.residual += p.residual[s]!;
      sums.bits += p.bits[s]!;
    }
    n += S;
  }
  const scales: ChangeScales = {
    motion: Math.max(CHANGE_FLOORS.motion, n ? sums.motion / n : 0),
    residual: Math.max(CHANGE_FLOORS.residual, n ? sums.residual / n : 0),
    bits: Math.max(CHANGE_FLOORS.bits, n ? sums.bits / n : 0),
  };
  const asInter = (i: number): Float32Array => {
    const p = pics[i]!;
    const c = new Float32Array(S);
    for (let s = 0; s < S; s++) c[s] = (motionAt(i, s) / scales.motion + p.residual[s]! / scales.residual + p.bits[s]! / scales.bits) / 3;
    return c;
  };
  const perPic: (Float32Array | null)[] = pics.map((p, i) => (p.type === 'I' ? null : asInter(i)));
  // mean displacement (px) of each inter picture, for the intra cut test
  const moved = pics.map((p) => {
    let m = 0;
    for (let s = 0; s < S; s++) m += p.motion[s]! + p.intra[s]! * patchSide;
    return p.type === 'I' ? 0 : m / S;
  });
  const intra: ChangeEstimate['intra'] = [];
  let prevIntra: PictureChange | null = null;
  let since = 0;
  for (let i = 0; i < pics.length; i++) {
    since += moved[i]!;
    const p = pics[i]!;
    if (p.type !== 'I') continue;
    let before: Float32Array | null = null;
    let after: Float32Array | null = null;
    for (let k = i - 1; k >= 0 && !before; k--) if (pics[k]!.type !== 'I') before = perPic[k]!;
    for (let k = i + 1; k < pics.length && !after; k++) if (pics[k]!.type !== 'I') after = perPic[k]!;
    const c = new Float32Array(S);
    for (let s = 0; s < S; s++) c[s] = before && after ? (before[s]! + after[s]!) / 2 : (before ?? after)?.[s] ?? 0;
    if (prevIntra && since >= patchSide / 2 && p.outIndex > sampled[0]!) intra.push({ outIndex: p.outIndex, distance: null, cut: false });
    if (prevIntra && since < patchSide / 2) {
      const distance = bitsDistance(p.bits, prevIntra.bits);
      const cut = distance > INTRA_BIAS;
      if (cut) {
        const full = asInter(i);
        for (let s = 0; s < S; s++) c[s] = Math.max(c[s]!, full[s]!);
      }
      if (p.outIndex > sampled[0]!) intra.push({ outIndex: p.outIndex, distance, cut });
    }
    perPic[i] = c;
    prevIntra = p;
    since = 0;
  }
  const change = new Float32Array(T * S);
  const picturesPerSlot = new Array<number>(T).fill(0);
  let slot = 1;
  for (let i = 0; i < pics.length; i++) {
    const p = pics[i]!;
    if (p.outIndex <= sampled[0]!) continue;
    while (slot < T && p.outIndex > sampled[slot]!) slot++;
    if (slot >= T) break;
    picturesPerSlot[slot]!++;
    const c = perPic[i]!;
    const o = slot * S;
    for (let s = 0; s < S; s++) change[o + s]! += c[s]!;
  }
  return { change, scales, picturesPerSlot, intra };
}

/** Total variation distance between two maps taken as distributions (each divided by its sum); 0 when either is empty. */
export function bitsDistance(a: Float32Array, b: Float32Array): number {
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    sa += a[i]!;
    sb += b[i]!;
  }
  if (!(sa > 0 && sb > 0)) return 0;
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! / sa - b[i]! / sb);
  return d / 2;
}
