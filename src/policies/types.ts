/** What every selection policy reads and returns. */
import { CodectokError } from '../errors.js';
import type { FrameType } from '../scores/codec_picture.js';

/** Fused patch scores of the T sampled frames ("slots") on a gridH x gridW grid. */
export interface ScoreVolume {
  T: number;
  gridH: number;
  gridW: number;
  /** [T][gridH][gridW] row-major, >= 0. */
  scores: Float32Array;
  /** Picture type of each slot. */
  frameTypes: FrameType[];
  /** [gridH][gridW]: 1 where the patch lies entirely inside the picture, 0 where it touches letterbox padding. */
  content: Uint8Array;
  /** True when the clip shows no activity (see scoring.activeShare); the codec policy then falls back to uniform frames. */
  static: boolean;
}

/** Chosen patches. Rows of `positions` are (slot, h, w); padding rows (grouped policy only) are (-1, -1, -1). */
export interface Selection {
  policy: string;
  /** Int32 [N][3]. */
  positions: Int32Array;
  /** N = number of rows, equal to the (effective) budget. */
  count: number;
  /** Rows that are padding. */
  padded: number;
  /** The budget asked for and the one applied (smaller only when the clip has fewer patches). */
  budget: number;
  effectiveBudget: number;
  /** Slots kept whole. */
  denseSlots: number[];
  /** The codec policy fell back to uniformly spaced full frames. */
  staticFallback: boolean;
  /** Grouped policy: slot range and anchor of each group, and the row where the group starts. */
  groups?: { start: number; end: number; anchor: number; row: number; rows: number }[];
}

/** Bad policy options or a budget the policy cannot meet (code ERR_INVALID_OPTION). */
export class PolicyError extends CodectokError {
  constructor(message: string) {
    super('ERR_INVALID_OPTION', message);
    this.name = 'PolicyError';
  }
}

export function checkBudget(budget: number): void {
  if (!Number.isInteger(budget) || budget < 1) throw new PolicyError(`budget must be a positive integer number of tokens, got ${budget}`);
}

/** n indices spread evenly over [0, count - 1] like numpy.linspace(0, count - 1, n, dtype=int). */
export function linspaceInt(count: number, n: number): number[] {
  if (n <= 0 || count <= 0) return [];
  if (n === 1) return [0];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.floor((i * (count - 1)) / (n - 1) + 1e-9));
  return out;
}

/**
 * Flat indices t*S + h*W + w ordered by score descending; ties (and equal scores) by index ascending,
 * i.e. by (t, h, w). `key` gives the score used for ranking.
 */
export function rankIndices(indices: Int32Array, key: (i: number) => number): Int32Array {
  const keys = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) keys[k] = key(indices[k]!);
  const order = new Int32Array(indices.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  order.sort((a, b) => keys[b]! - keys[a]! || indices[a]! - indices[b]!);
  return order.map((k) => indices[k]!);
}

/** Converts flat indices into (t, h, w) rows. */
export function toPositions(flat: ArrayLike<number>, gridH: number, gridW: number): Int32Array {
  const S = gridH * gridW;
  const out = new Int32Array(flat.length * 3);
  for (let k = 0; k < flat.length; k++) {
    const i = flat[k]!;
    const t = Math.floor(i / S);
    const s = i - t * S;
    out[3 * k] = t;
    out[3 * k + 1] = Math.floor(s / gridW);
    out[3 * k + 2] = s % gridW;
  }
  return out;
}

export function checkVolume(v: ScoreVolume): void {
  const S = v.gridH * v.gridW;
  if (v.T < 1 || S < 1) throw new PolicyError(`empty score volume (T=${v.T}, grid ${v.gridH}x${v.gridW})`);
  if (v.scores.length !== v.T * S) throw new PolicyError(`score volume has ${v.scores.length} values, expected ${v.T * S}`);
  if (v.frameTypes.length !== v.T) throw new PolicyError(`score volume has ${v.frameTypes.length} frame types, expected ${v.T}`);
  if (v.content.length !== S) throw new PolicyError(`content mask has ${v.content.length} values, expected ${S}`);
}

/**
 * The Selection of sorted flat indices t*S + h*W + w (no padding rows): positions, count, budget and
 * the slots kept whole.
 */
export function flatSelection(policy: string, flat: number[], T: number, gridH: number, gridW: number, budget: number): Selection {
  const S = gridH * gridW;
  const perSlot = new Int32Array(T);
  for (const i of flat) perSlot[Math.floor(i / S)]!++;
  const denseSlots: number[] = [];
  for (let t = 0; t < T; t++) if (perSlot[t] === S) denseSlots.push(t);
  return { policy, positions: toPositions(flat, gridH, gridW), count: flat.length, padded: 0, budget, effectiveBudget: flat.length, denseSlots, staticFallback: false };
}
