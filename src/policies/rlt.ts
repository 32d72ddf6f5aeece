/**
 * `rlt` policy: a pixel baseline in the manner of Run-Length Tokenization (Choudhury et al. 2024).
 * The first sampled frame is kept whole; a later patch is kept when the mean absolute difference
 * over its pixels and channels to the last kept patch at the same position exceeds a threshold.
 * Under a budget K the threshold is the smallest (bisected) whose kept patches fit in K; the tokens
 * left are the patches with the largest difference to the last kept patch before them, ties by
 * (t, h, w). Below one frame (K < H x W) the first K patches of the first frame in raster order.
 * It reads the decoded pixels of every sampled frame: it costs a full decode of the sampled frames.
 */
import { type Selection, checkBudget, flatSelection, PolicyError } from './types.js';

export interface PixelVolume {
  T: number;
  gridH: number;
  gridW: number;
  patch: number;
  /** Canvas width in pixels (gridW * patch or more). */
  width: number;
  /** Per slot, RGB bytes of the canvas (width x height x 3). */
  frames: Uint8Array[];
}

export interface RltPolicyOptions {
  budget: number;
}

export interface RltSelection extends Selection {
  /** The threshold (mean |difference|, 0..255) the budget allowed. */
  threshold: number;
  /** Per output row: mean |difference| to the last kept patch at its position (first frame: 0). */
  tokenDiff: Float32Array;
}

/** Mean |a - b| over the pixels and channels of patch (h, w) of two frames. */
function patchDiff(v: PixelVolume, a: Uint8Array, b: Uint8Array, h: number, w: number): number {
  const P = v.patch;
  let sum = 0;
  for (let y = 0; y < P; y++) {
    const o = ((h * P + y) * v.width + w * P) * 3;
    for (let x = 0; x < 3 * P; x++) {
      const d = a[o + x]! - b[o + x]!;
      sum += d < 0 ? -d : d;
    }
  }
  return sum / (3 * P * P);
}

/** Kept mask [T][S] at threshold tau (first frame whole). */
function keptAt(v: PixelVolume, tau: number, maxCount: number): { kept: Uint8Array; count: number } {
  const S = v.gridH * v.gridW;
  const kept = new Uint8Array(v.T * S);
  const last = new Int32Array(S);
  kept.fill(1, 0, S);
  let count = S;
  for (let t = 1; t < v.T; t++) {
    for (let s = 0; s < S; s++) {
      const h = Math.floor(s / v.gridW);
      const w = s - h * v.gridW;
      if (patchDiff(v, v.frames[t]!, v.frames[last[s]!]!, h, w) > tau) {
        kept[t * S + s] = 1;
        last[s] = t;
        if (++count > maxCount) return { kept, count };
      }
    }
  }
  return { kept, count };
}

export function selectRlt(v: PixelVolume, opts: RltPolicyOptions): RltSelection {
  checkBudget(opts.budget);
  const S = v.gridH * v.gridW;
  if (!(v.T >= 1 && S >= 1) || v.frames.length !== v.T) throw new PolicyError(`rlt needs the pixels of every one of the ${v.T} sampled frames, got ${v.frames.length}`);
  const K = Math.min(opts.budget, v.T * S);
  let kept: Uint8Array;
  let threshold = 255;
  if (K <= S) {
    kept = new Uint8Array(v.T * S);
    kept.fill(1, 0, K);
  } else {
    // smallest threshold whose kept patches fit in K (the count falls as the threshold rises)
    let lo = 0;
    let hi = 255;
    let best = keptAt(v, hi, K);
    const atZero = keptAt(v, 0, K);
    if (atZero.count <= K) {
      best = atZero;
      hi = 0;
    } else {
      for (let i = 0; i < 24; i++) {
        const mid = (lo + hi) / 2;
        const r = keptAt(v, mid, K);
        if (r.count > K) lo = mid;
        else {
          hi = mid;
          best = r;
        }
      }
    }
    threshold = hi;
    kept = best.kept;
    let count = best.count;
    if (count < K) {
      // the rest: largest difference to the last kept patch before it
      const diff = new Float64Array(v.T * S);
      const last = new Int32Array(S);
      const cand: number[] = [];
      for (let t = 1; t < v.T; t++) {
        for (let s = 0; s < S; s++) {
          const i = t * S + s;
          if (kept[i]) {
            last[s] = t;
            continue;
          }
          diff[i] = patchDiff(v, v.frames[t]!, v.frames[last[s]!]!, Math.floor(s / v.gridW), s % v.gridW);
          cand.push(i);
        }
      }
      cand.sort((a, b) => diff[b]! - diff[a]! || a - b);
      for (let k = 0; count < K && k < cand.length; k++, count++) kept[cand[k]!] = 1;
    }
  }
  const flat: number[] = [];
  for (let i = 0; i < kept.length; i++) if (kept[i]) flat.push(i);
  if (flat.length !== K) throw new PolicyError(`internal: rlt selected ${flat.length} of ${K}`);
  const tokenDiff = new Float32Array(K);
  const last = new Int32Array(S).fill(-1);
  flat.forEach((i, r) => {
    const t = Math.floor(i / S);
    const s = i - t * S;
    tokenDiff[r] = last[s]! < 0 ? 0 : patchDiff(v, v.frames[t]!, v.frames[last[s]!]!, Math.floor(s / v.gridW), s % v.gridW);
    last[s] = t;
  });
  return {
    ...flatSelection('rlt', flat, v.T, v.gridH, v.gridW, opts.budget),
    threshold,
    tokenDiff,
  };
}
