/**
 * `refresh` policy: spend each token where the picture a reader already holds is most out of date.
 *
 * Input: a change volume, per patch position s and slot t the content change between slot t-1 and
 * slot t (estimated from the bitstream, see scores/change.ts). A[s][t] is its running sum (A[s][0] = 0,
 * non-decreasing), so the change accumulated between slots a <= t is A[t] - A[a].
 *
 * A reader rebuilds every slot from the kept patches (the benchmark's rule): slot t shows the most
 * recent kept patch at its position, slots before the first kept patch show that first patch, a
 * position never kept shows nothing. The estimated distortion of showing slot a's patch at slot t is
 *   hold(a, t) = w_s * (sqrt(A[t] - A[a]) + eps * (t - a))            (a <= t)
 *   back(f, t) = w_s * (sqrt(A[f] - A[t]) + eps * (T + f - t))        (t < f, the first kept patch)
 *   never      = w_s * M per slot, M larger than any kept cost, plus the position's best single kept slot
 * with w_s the share of the patch that shows picture (0 on letterbox padding). The square root makes
 * the distortion concave in the change: the content of a patch can only become so different. The
 * time term eps (1e-6 per slot, far below any measured change) only orders allocations the change
 * cannot tell apart: with no change at all (a still picture) it spreads the kept copies of a position
 * evenly in time and prefers holding an older patch to showing a later one early, so a static clip
 * keeps its first frame and then evenly spaced frames.
 *
 * A blank patch is worse than any kept patch by an amount the codec cannot know (what the patch looks
 * like against the reader's blank), the same wherever it is: below one token per position, which
 * positions stay blank is not the change's to say; they are the last in (h, w) order (the largest
 * share of picture first). Ranking them by change (the most changing left blank) was measured: 7 of
 * the 12 real clips lost to uniform at K = 256, against 3 (README, Token budgets).
 *
 * The K tokens minimise the total distortion over all slots and positions (one Lagrange multiplier
 * shared by every position, a per-position dynamic programme over the T slots, exactly K tokens, ties
 * by (t, h, w)). The allocation is computed in the C++ core, cpp/score/refresh_allocator.{h,cpp},
 * which says how (an O(T log T) DP per position, the cost being Monge; Illinois root finding on the
 * multiplier). Then seams (`seams`, default on): two neighbouring positions that show different
 * moments make an edge that is in neither; the kept slots are moved (each position keeps its number
 * of tokens) where that lowers the distortion plus those seams. No slot is special: the first frame
 * is kept whole only when that is what the change says.
 */
import { loadNative } from '../input/native.js';
import { type Selection, checkBudget, flatSelection, PolicyError } from './types.js';

/** Change of every patch position between consecutive slots. */
export interface ChangeVolume {
  T: number;
  gridH: number;
  gridW: number;
  /** [T][gridH][gridW]: change between slot t-1 and slot t (slot 0: ignored), >= 0, finite. */
  change: Float32Array;
  /** [gridH][gridW]: share of each patch that shows picture, in [0, 1]. Default 1 everywhere. */
  weight?: Float32Array;
}

export interface RefreshPolicyOptions {
  budget: number;
  /** Side of the square groups of patch positions allocated together (kept at the same slots). Default 1. */
  group?: number;
  /** Move kept slots where that lowers the distortion plus the seams between neighbouring positions (cpp/score/refresh_allocator.h). Default true. */
  seams?: boolean;
}

export interface RefreshSelection extends Selection {
  /** The Lagrange multiplier (distortion per token) the allocation settled on. */
  lambda: number;
  /** Root-finding steps on the multiplier. */
  steps: number;
  /** Tokens added one by one after the root finding (positions indifferent at lambda). */
  tieTokens: number;
  /** Kept slots moved to lower the seams (0 with seams off). */
  seamMoves: number;
  /** Per output row: change accumulated at its position since the previous kept patch there (the first kept patch: since slot 0). */
  tokenChange: Float32Array;
  /** Per slot: mean change over the positions since the previous slot (slot 0: 0). */
  slotChange: number[];
}

export function checkChangeVolume(v: ChangeVolume): void {
  const S = v.gridH * v.gridW;
  if (!(v.T >= 1 && S >= 1)) throw new PolicyError(`empty change volume (T=${v.T}, grid ${v.gridH}x${v.gridW})`);
  if (v.change.length !== v.T * S) throw new PolicyError(`change volume has ${v.change.length} values, expected ${v.T * S}`);
  for (let i = 0; i < v.change.length; i++) {
    const c = v.change[i]!;
    if (!(c >= 0 && Number.isFinite(c))) throw new PolicyError(`change volume value ${i} is ${c}: change must be finite and >= 0`);
  }
  if (v.weight) {
    if (v.weight.length !== S) throw new PolicyError(`weight has ${v.weight.length} values, expected ${S}`);
    for (const w of v.weight) if (!(w >= 0 && w <= 1)) throw new PolicyError(`patch weights must be in [0, 1], got ${w}`);
  }
}

export function selectRefresh(v: ChangeVolume, opts: RefreshPolicyOptions): RefreshSelection {
  checkChangeVolume(v);
  checkBudget(opts.budget);
  const T = v.T;
  const S = v.gridH * v.gridW;
  const group = opts.group ?? 1;
  if (!(Number.isInteger(group) && group >= 1)) throw new PolicyError(`refresh group must be a positive integer, got ${group}`);
  const a = loadNative().allocateRefresh({ T, S, gridW: v.gridW, group, seams: opts.seams ?? true, change: v.change, weight: v.weight, budget: opts.budget });
  const slotChange: number[] = [];
  for (let t = 0; t < T; t++) {
    let sum = 0;
    if (t > 0) for (let s = 0; s < S; s++) sum += v.change[t * S + s]!;
    slotChange.push(sum / S);
  }
  return {
    ...flatSelection('refresh', Array.from(a.kept), T, v.gridH, v.gridW, opts.budget),
    lambda: a.lambda,
    steps: a.steps,
    tieTokens: a.tieTokens,
    seamMoves: a.seamMoves,
    tokenChange: a.tokenChange,
    slotChange,
  };
}
