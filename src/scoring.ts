/**
 * Patch saliency from the HEVC bitstream: motion (camera motion removed), |residual| or coefficient
 * energy, and bit cost; each normalised by a percentile, clipped to [0, 1] at the codec map's own
 * resolution, mapped onto the patch grid by area and fused by a weighted mean.
 */
import { CodectokError } from './errors.js';
import { type CellMap, type Geometry, poolToGridPair } from './geometry.js';

/** The part of the parser's `Picture` that scoring reads (a `Picture` from src/parser.ts fits). */
export interface CodecPicture {
  poc: number;
  decodeIndex: number;
  width: number;
  height: number;
  crop: { left: number; right: number; top: number; bottom: number };
  slices: { type: 'I' | 'P' | 'B' }[];
  totalBits?: number;
  motion?: Int16Array;
  bits?: Float32Array;
  residual?: Int16Array;
  tu?: BigInt64Array;
}

export type FrameType = 'I' | 'P' | 'B';
/** `abs`: sum of |luma residual| (needs the inverse transform); `coeff`: sum of squared coefficient levels of luma TUs (cheaper). */
export type ResidualSource = 'abs' | 'coeff';
/** Camera-motion removal: none, per-frame median vector, or a robust (IRLS, Tukey) similarity / affine fit. */
export type Compensation = 'none' | 'median' | 'similarity' | 'affine';
export type NormalizeScope = 'frame' | 'clip';

export interface SignalWeights {
  motion: number;
  residual: number;
  bits: number;
}

export interface ScoringOptions {
  /** Fusion weights (weighted mean of the normalised signals). Default motion 1, residual 1, bits 0. */
  weights?: Partial<SignalWeights>;
  residualSource?: ResidualSource;
  compensation?: Compensation;
  /** Percentile normalisation per frame (default) or over all scored frames of the clip. */
  normalize?: NormalizeScope;
  /** Percentile used as the "fully salient" level. Default 95. */
  percentile?: number;
  /** Lower bound of the percentile level per signal (avoids blowing up noise on still frames). */
  floors?: Partial<SignalWeights>;
  /** Divide motion vectors by the POC distance to their reference (pixels per frame). Default true. */
  motionPerFrame?: boolean;
}

export interface ResolvedScoringOptions {
  weights: SignalWeights;
  residualSource: ResidualSource;
  compensation: Compensation;
  normalize: NormalizeScope;
  percentile: number;
  floors: SignalWeights;
  motionPerFrame: boolean;
}

/** Bad scoring options (ERR_INVALID_OPTION) or a picture without the data a signal needs (ERR_MISSING_DATA). */
export class ScoringError extends CodectokError {
  constructor(message: string, code = 'ERR_INVALID_OPTION') {
    super(code, message);
    this.name = 'ScoringError';
  }
}

export function resolveScoringOptions(o: ScoringOptions = {}): ResolvedScoringOptions {
  const weights: SignalWeights = { motion: 1, residual: 1, bits: 0, ...o.weights };
  for (const [k, v] of Object.entries(weights)) {
    if (!(Number.isFinite(v) && v >= 0)) throw new ScoringError(`weight ${k} must be a finite number >= 0, got ${v}`);
  }
  if (weights.motion + weights.residual + weights.bits <= 0) throw new ScoringError('at least one signal weight must be > 0');
  const percentile = o.percentile ?? 95;
  if (!(percentile > 0 && percentile <= 100)) throw new ScoringError(`percentile must be in (0, 100], got ${percentile}`);
  const residualSource = o.residualSource ?? 'abs';
  if (residualSource !== 'abs' && residualSource !== 'coeff') throw new ScoringError(`unknown residual source ${String(residualSource)}`);
  const compensation = o.compensation ?? 'median';
  if (!['none', 'median', 'similarity', 'affine'].includes(compensation)) throw new ScoringError(`unknown compensation ${String(compensation)}`);
  const normalize = o.normalize ?? 'frame';
  if (normalize !== 'frame' && normalize !== 'clip') throw new ScoringError(`unknown normalisation scope ${String(normalize)}`);
  return {
    weights,
    residualSource,
    compensation,
    normalize,
    percentile,
    floors: { motion: 0.25, residual: 1, bits: 1, ...o.floors },
    motionPerFrame: o.motionPerFrame ?? true,
  };
}

/** Which parser outputs the scoring options need. */
export function decodeOptionsFor(o: ResolvedScoringOptions): { motion: boolean; bits: boolean; residual: boolean; tuStats: boolean; cu: boolean; pictures?: number[] } {
  return {
    motion: o.weights.motion > 0,
    bits: o.weights.bits > 0,
    residual: o.weights.residual > 0 && o.residualSource === 'abs',
    tuStats: o.weights.residual > 0 && o.residualSource === 'coeff',
    cu: false,
  };
}

export function frameType(p: { slices: { type: FrameType }[] }): FrameType {
  let t: FrameType = 'I';
  for (const s of p.slices) {
    if (s.type === 'B') return 'B';
    if (s.type === 'P') t = 'P';
  }
  return t;
}

// ---------------------------------------------------------------- statistics

/** numpy.percentile (linear interpolation) of a sorted array. */
function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (p / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** numpy.percentile of non-negative integers given as a histogram. */
function percentileHistogram(hist: Float64Array, total: number, p: number): number {
  if (total === 0) return 0;
  const pos = (p / 100) * (total - 1);
  const lo = Math.floor(pos);
  const find = (k: number): number => {
    let c = 0;
    for (let v = 0; v < hist.length; v++) {
      c += hist[v]!;
      if (c > k) return v;
    }
    return hist.length - 1;
  };
  const a = find(lo);
  const b = lo + 1 < total ? find(lo + 1) : a;
  return a + (b - a) * (pos - lo);
}

export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values as ArrayLike<number>).sort();
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

// ---------------------------------------------------------------- signal maps

/** Raw (unnormalised) signal maps of one picture at codec resolution, restricted to what is displayed. */
export interface FrameSignals {
  type: FrameType;
  /** Compensated motion magnitude, pixels (per frame if motionPerFrame), per 4x4 block; 0 on intra blocks. */
  motion?: CellMap;
  /** |residual| per luma sample (abs) or squared-level energy per 4x4 block (coeff). */
  residual?: CellMap & { integer?: boolean };
  /** Bits per 8x8 block. */
  bits?: CellMap;
  /** The camera motion that was removed (px/frame at the picture centre) and the model. */
  camera?: CameraMotion;
}

export interface CameraMotion {
  model: Compensation;
  /** Model parameters: median/none [tx, ty]; similarity [a, b, tx, ty]; affine [a11, a12, tx, a21, a22, ty]. Coordinates centred on the display picture. */
  params: number[];
  /** Inter blocks the model was fitted on. */
  blocks: number;
}

interface Velocities {
  x: Float64Array;
  y: Float64Array;
  vx: Float64Array;
  vy: Float64Array;
  index: Int32Array;
  n: number;
}

function collectVelocities(p: CodecPicture, perFrame: boolean): Velocities {
  const mv = p.motion!;
  const cols = Math.ceil(p.width / 4);
  const rows = Math.ceil(p.height / 4);
  const total = cols * rows;
  const out: Velocities = {
    x: new Float64Array(total),
    y: new Float64Array(total),
    vx: new Float64Array(total),
    vy: new Float64Array(total),
    index: new Int32Array(total),
    n: 0,
  };
  const dispW = p.width - p.crop.left - p.crop.right;
  const dispH = p.height - p.crop.top - p.crop.bottom;
  const cx = p.crop.left + dispW / 2;
  const cy = p.crop.top + dispH / 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const o = i * 8;
      if (mv[o] === 0) continue; // intra
      const dir = mv[o + 1]!;
      let sx = 0;
      let sy = 0;
      let k = 0;
      for (let l = 0; l < 2; l++) {
        if (!(dir & (1 << l))) continue;
        let d = 1;
        if (perFrame) {
          const ref = mv[o + 6 + l]!;
          d = ref === -32768 ? 1 : p.poc - ref;
          if (d === 0) d = 1;
        } else {
          d = l === 0 ? 1 : -1; // list 1 usually points forward in time
        }
        // a block at x matches the reference at x + mv: content velocity is -mv / (poc - refpoc)
        sx += -mv[o + 2 + 2 * l]! / 4 / d;
        sy += -mv[o + 3 + 2 * l]! / 4 / d;
        k++;
      }
      if (k === 0) continue;
      const n = out.n++;
      out.x[n] = c * 4 + 2 - cx;
      out.y[n] = r * 4 + 2 - cy;
      out.vx[n] = sx / k;
      out.vy[n] = sy / k;
      out.index[n] = i;
    }
  }
  return out;
}

/** Solves A x = b (n <= 6) by Gaussian elimination with partial pivoting; null when singular. */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    if (Math.abs(M[piv]![c]!) < 1e-12) return null;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

function predict(model: Compensation, p: number[], x: number, y: number): [number, number] {
  switch (model) {
    case 'similarity':
      return [p[0]! * x - p[1]! * y + p[2]!, p[1]! * x + p[0]! * y + p[3]!];
    case 'affine':
      return [p[0]! * x + p[1]! * y + p[2]!, p[3]! * x + p[4]! * y + p[5]!];
    default:
      return [p[0]!, p[1]!];
  }
}

/** Weighted least squares for the model; weights w per block. */
function fitWeighted(model: 'similarity' | 'affine', v: Velocities, w: Float64Array): number[] | null {
  if (model === 'similarity') {
    // unknowns a, b, tx, ty; rows: vx = a x - b y + tx ; vy = b x + a y + ty
    const A = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    const B = new Array<number>(4).fill(0);
    for (let i = 0; i < v.n; i++) {
      const wi = w[i]!;
      if (wi === 0) continue;
      const x = v.x[i]!;
      const y = v.y[i]!;
      const r1 = [x, -y, 1, 0];
      const r2 = [y, x, 0, 1];
      for (let a = 0; a < 4; a++) {
        for (let b = 0; b < 4; b++) A[a]![b]! += wi * (r1[a]! * r1[b]! + r2[a]! * r2[b]!);
        B[a]! += wi * (r1[a]! * v.vx[i]! + r2[a]! * v.vy[i]!);
      }
    }
    return solve(A, B);
  }
  const A = Array.from({ length: 3 }, () => new Array<number>(3).fill(0));
  const Bx = new Array<number>(3).fill(0);
  const By = new Array<number>(3).fill(0);
  for (let i = 0; i < v.n; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    const r = [v.x[i]!, v.y[i]!, 1];
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) A[a]![b]! += wi * r[a]! * r[b]!;
      Bx[a]! += wi * r[a]! * v.vx[i]!;
      By[a]! += wi * r[a]! * v.vy[i]!;
    }
  }
  const px = solve(A, Bx);
  const py = solve(A, By);
  return px && py ? [...px, ...py] : null;
}

/** Estimates the camera motion of one picture from its inter blocks. Deterministic (no random sampling). */
export function estimateCameraMotion(v: Velocities, model: Compensation): CameraMotion {
  if (model === 'none' || v.n === 0) return { model, params: model === 'similarity' ? [0, 0, 0, 0] : model === 'affine' ? [0, 0, 0, 0, 0, 0] : [0, 0], blocks: v.n };
  const mx = median(v.vx.subarray(0, v.n));
  const my = median(v.vy.subarray(0, v.n));
  if (model === 'median') return { model, params: [mx, my], blocks: v.n };
  let params = model === 'similarity' ? [0, 0, mx, my] : [0, 0, mx, 0, 0, my];
  const w = new Float64Array(v.n);
  const res = new Float64Array(v.n);
  for (let iter = 0; iter < 10; iter++) {
    for (let i = 0; i < v.n; i++) {
      const [px, py] = predict(model, params, v.x[i]!, v.y[i]!);
      res[i] = Math.hypot(v.vx[i]! - px, v.vy[i]! - py);
    }
    const sigma = Math.max(0.25, 1.4826 * median(res));
    const c = 4.685 * sigma;
    for (let i = 0; i < v.n; i++) {
      const u = res[i]! / c;
      w[i] = u < 1 ? (1 - u * u) ** 2 : 0;
    }
    const next = fitWeighted(model, v, w);
    if (!next) break;
    const delta = next.reduce((s, x, k) => s + Math.abs(x - params[k]!), 0);
    params = next;
    if (delta < 1e-9) break;
  }
  return { model, params, blocks: v.n };
}

function motionMap(p: CodecPicture, o: ResolvedScoringOptions): { map: CellMap; camera: CameraMotion } {
  const cols = Math.ceil(p.width / 4);
  const rows = Math.ceil(p.height / 4);
  const values = new Float32Array(cols * rows);
  const v = collectVelocities(p, o.motionPerFrame);
  const camera = estimateCameraMotion(v, o.compensation);
  for (let i = 0; i < v.n; i++) {
    const [px, py] = predict(camera.model, camera.params, v.x[i]!, v.y[i]!);
    values[v.index[i]!] = Math.hypot(v.vx[i]! - px, v.vy[i]! - py);
  }
  return { map: { values, cols, rows, cell: 4 }, camera };
}

function absResidualMap(p: CodecPicture): CellMap & { integer: boolean } {
  const r = p.residual!;
  const values = new Uint16Array(r.length);
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    values[i] = x < 0 ? -x : x;
  }
  return { values, cols: p.width, rows: p.height, cell: 1, integer: true };
}

function coeffEnergyMap(p: CodecPicture): CellMap {
  const cols = Math.ceil(p.width / 4);
  const rows = Math.ceil(p.height / 4);
  const values = new Float32Array(cols * rows);
  const tu = p.tu!;
  const n = Math.floor(tu.length / 13);
  for (let i = 0; i < n; i++) {
    const o = i * 13;
    if (tu[o + 2] !== 0n) continue; // luma only
    if (Number(tu[o]) !== p.decodeIndex) continue;
    const x0 = Number(tu[o + 3]) >> 2;
    const y0 = Number(tu[o + 4]) >> 2;
    const s = Math.max(1, (1 << Number(tu[o + 5])) >> 2);
    const e = Number(tu[o + 9]) / (s * s);
    for (let y = y0; y < Math.min(rows, y0 + s); y++) for (let x = x0; x < Math.min(cols, x0 + s); x++) values[y * cols + x]! += e;
  }
  return { values, cols, rows, cell: 4 };
}

function requireField(p: CodecPicture, field: 'motion' | 'residual' | 'tu' | 'bits'): void {
  if (!p[field]) throw new ScoringError(`picture poc ${p.poc} has no ${field} data (decode it with the ${field === 'tu' ? 'tuStats' : field} option)`, 'ERR_MISSING_DATA');
}

/** Raw signal maps of one picture. */
export function frameSignals(p: CodecPicture, o: ResolvedScoringOptions): FrameSignals {
  const out: FrameSignals = { type: frameType(p) };
  if (o.weights.motion > 0) {
    requireField(p, 'motion');
    const m = motionMap(p, o);
    out.motion = m.map;
    out.camera = m.camera;
  }
  if (o.weights.residual > 0) {
    if (o.residualSource === 'abs') {
      requireField(p, 'residual');
      out.residual = absResidualMap(p);
    } else {
      requireField(p, 'tu');
      out.residual = coeffEnergyMap(p);
    }
  }
  if (o.weights.bits > 0) {
    requireField(p, 'bits');
    // A copy: the parser may recycle the picture's arrays once the next picture is read.
    out.bits = { values: p.bits!.slice(), cols: Math.ceil(p.width / 8), rows: Math.ceil(p.height / 8), cell: 8 };
  }
  return out;
}

// ---------------------------------------------------------------- normalisation and pooling

interface Crop {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Values of the cells that intersect the displayed window. */
function displayedCells(map: CellMap, crop: Crop): { c0: number; c1: number; r0: number; r1: number } {
  return {
    c0: Math.floor(crop.left / map.cell),
    c1: Math.min(map.cols, Math.ceil((crop.left + crop.width) / map.cell)),
    r0: Math.floor(crop.top / map.cell),
    r1: Math.min(map.rows, Math.ceil((crop.top + crop.height) / map.cell)),
  };
}

/** Collects what the percentile needs: a histogram for integer maps, the values otherwise. */
class PercentileAccumulator {
  private hist: Float64Array | null = null;
  private total = 0;
  private chunks: Float32Array[] = [];

  add(map: CellMap & { integer?: boolean }, crop: Crop): void {
    const { c0, c1, r0, r1 } = displayedCells(map, crop);
    if (map.integer) {
      this.hist ??= new Float64Array(65536);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) this.hist[map.values[r * map.cols + c]!]! += 1;
      this.total += (r1 - r0) * (c1 - c0);
      return;
    }
    const vals = new Float32Array(Math.max(0, (r1 - r0) * (c1 - c0)));
    let k = 0;
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) vals[k++] = map.values[r * map.cols + c]!;
    this.chunks.push(vals);
  }

  value(p: number): number {
    if (this.hist) return percentileHistogram(this.hist, this.total, p);
    const n = this.chunks.reduce((s, c) => s + c.length, 0);
    const all = new Float32Array(n);
    let o = 0;
    for (const c of this.chunks) {
      all.set(c, o);
      o += c.length;
    }
    all.sort();
    return percentileSorted(all, p);
  }
}

export type SignalName = keyof SignalWeights;
const SIGNALS: SignalName[] = ['motion', 'residual', 'bits'];

export interface FrameScores {
  /** Fused normalised score per patch, [gridH * gridW], in [0, 1]. */
  fused: Float32Array;
  /** Normalised per-signal patch scores. */
  signals: Partial<Record<SignalName, Float32Array>>;
  /** Raw (unnormalised) per-signal patch means: motion px/frame, |residual| per sample or energy per 4x4, bits per 8x8. */
  raw: Partial<Record<SignalName, Float32Array>>;
  /** Percentile level used for each signal. */
  levels: Partial<Record<SignalName, number>>;
}

/**
 * Scores frames on the patch grid. `frames[i]` are the raw maps of one frame; all share the same
 * coded size and crop. With `normalize: 'clip'` the percentile is taken over all frames given.
 */
export function scoreFrames(frames: FrameSignals[], crop: { left: number; top: number; right: number; bottom: number; width: number; height: number }, g: Geometry, o: ResolvedScoringOptions): FrameScores[] {
  const c: Crop = { left: crop.left, top: crop.top, width: crop.width - crop.left - crop.right, height: crop.height - crop.top - crop.bottom };
  const cropOffsets = { left: crop.left, top: crop.top };
  const clipLevels: Partial<Record<SignalName, number>> = {};
  if (o.normalize === 'clip') {
    for (const s of SIGNALS) {
      if (o.weights[s] <= 0) continue;
      const acc = new PercentileAccumulator();
      for (const f of frames) if (f[s]) acc.add(f[s]!, c);
      clipLevels[s] = Math.max(o.floors[s], acc.value(o.percentile));
    }
  }
  const wsum = o.weights.motion + o.weights.residual + o.weights.bits;
  return frames.map((f) => {
    const fused = new Float32Array(g.gridH * g.gridW);
    const out: FrameScores = { fused, signals: {}, raw: {}, levels: {} };
    for (const s of SIGNALS) {
      const w = o.weights[s];
      const map = f[s];
      if (w <= 0 || !map) continue;
      let level = clipLevels[s];
      if (level === undefined) {
        const acc = new PercentileAccumulator();
        acc.add(map, c);
        level = Math.max(o.floors[s], acc.value(o.percentile));
      }
      const { raw, norm } = poolToGridPair(map, level, cropOffsets, g);
      out.signals[s] = norm;
      out.raw[s] = raw;
      out.levels[s] = level;
      for (let i = 0; i < fused.length; i++) fused[i]! += (w * norm[i]!) / wsum;
    }
    return out;
  });
}

/** Mean raw compensated motion (px/frame) over the displayed area of a frame. */
export function meanMotion(f: FrameSignals, crop: { left: number; top: number; width: number; height: number }): number {
  if (!f.motion) return 0;
  const { c0, c1, r0, r1 } = displayedCells(f.motion, crop);
  let s = 0;
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) s += f.motion.values[r * f.motion.cols + c]!;
  const n = (r1 - r0) * (c1 - c0);
  return n ? s / n : 0;
}

export interface ActivityThresholds {
  /** Compensated motion above which a patch counts as moving, px/frame. Default 0.5. */
  motion: number;
  /** Mean |residual| per sample (abs) or squared-level energy per 4x4 block (coeff). Default 1. */
  residual: number;
  /** Bits per 8x8 block. Default 16. */
  bits: number;
}

export const DEFAULT_ACTIVITY: ActivityThresholds = { motion: 0.5, residual: 1, bits: 16 };

/**
 * Share of patches of the inter (P/B) frames that show any activity in absolute terms (before
 * normalisation). A clip whose share is tiny is static: nothing moves and nothing is corrected.
 * Intra frames measure texture, not change, so they are left out; a clip with no inter frame has
 * share 0.
 */
export function activeShare(scores: FrameScores[], types: FrameType[], t: ActivityThresholds = DEFAULT_ACTIVITY): number {
  let active = 0;
  let total = 0;
  scores.forEach((s, i) => {
    if (types[i] === 'I') return;
    const n = s.fused.length;
    total += n;
    for (let k = 0; k < n; k++) {
      if ((s.raw.motion && s.raw.motion[k]! > t.motion) || (s.raw.residual && s.raw.residual[k]! > t.residual) || (s.raw.bits && s.raw.bits[k]! > t.bits)) active++;
    }
  });
  return total ? active / total : 0;
}
