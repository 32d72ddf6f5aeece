// Scoring options: which signals, their weights, camera compensation, normalisation; and which
// parser outputs they need.
import { CodectokError } from '../errors.js';
import type { DecodeOptions } from '../input/decode_options.js';

/** `abs`: sum of |luma residual| (needs the inverse transform); `coeff`: sum of squared coefficient levels of luma TUs (cheaper). */
export type ResidualSource = 'abs' | 'coeff';
/** Camera-motion removal: none, per-frame median vector, or a robust (IRLS, Tukey) similarity / affine fit. */
export type Compensation = 'none' | 'median' | 'similarity' | 'affine';
export type NormalizeScope = 'frame' | 'clip';
/**
 * Which vector of a 4x4 block the motion signal reads. `mean`: the mean of the block's lists
 * (quarter-sample precision; intra blocks have none). `list0-integer`: the list-0 vector in whole
 * samples rounded toward zero, 0 for intra and list-1-only blocks, every displayed block counted in
 * the camera motion and the percentile: what FFmpeg's exported motion vectors give (src - dst), the
 * signal OneVision-Encoder's reader took (the `ovenc` preset).
 */
export type MotionVectorSource = 'mean' | 'list0-integer';

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
  /** Which vector of a block the motion signal reads. Default `mean`. */
  motionVector?: MotionVectorSource;
}

export interface ResolvedScoringOptions {
  weights: SignalWeights;
  residualSource: ResidualSource;
  compensation: Compensation;
  normalize: NormalizeScope;
  percentile: number;
  floors: SignalWeights;
  motionPerFrame: boolean;
  motionVector: MotionVectorSource;
}

/** Bad scoring options (ERR_INVALID_OPTION) or a picture without the data a signal needs (ERR_MISSING_DATA). */
export class ScoringError extends CodectokError {
  constructor(message: string, code: 'ERR_INVALID_OPTION' | 'ERR_MISSING_DATA' = 'ERR_INVALID_OPTION') {
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
  const motionVector = o.motionVector ?? 'mean';
  if (motionVector !== 'mean' && motionVector !== 'list0-integer') throw new ScoringError(`unknown motion vector source ${String(motionVector)} (mean, list0-integer)`);
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
    motionVector,
  };
}

/** Which parser outputs the scoring options need. */
export function decodeOptionsFor(o: ResolvedScoringOptions): DecodeOptions {
  return {
    motion: o.weights.motion > 0,
    bits: o.weights.bits > 0,
    residual: o.weights.residual > 0 && o.residualSource === 'abs',
    tuStats: o.weights.residual > 0 && o.residualSource === 'coeff',
    cu: false,
  };
}

export type SignalName = keyof SignalWeights;
