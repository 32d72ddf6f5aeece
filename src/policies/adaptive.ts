/**
 * `adaptive` policy: the budget follows the content. K is the smallest number of tokens (within
 * [minBudget, maxBudget]) such that the dense slots of the codec policy plus the best-ranked other
 * patches hold `fraction` of the clip's total fused score; the patches are then chosen exactly as
 * the codec policy does with that K. A static clip (total score 0 outside the dense slots) costs
 * only its dense slots.
 */
import { type CodecPolicyOptions, codecDenseSlots, codecRankKey, resolveCodecOptions, selectCodec } from './codec.js';
import { type ScoreVolume, type Selection, checkVolume, PolicyError, rankIndices } from './types.js';

export interface AdaptivePolicyOptions extends Omit<CodecPolicyOptions, 'budget'> {
  /** Share of the clip's total score to keep, in (0, 1]. Default 0.9. */
  fraction?: number;
  /** Upper bound of K. Default T * S. */
  maxBudget?: number;
  /** Lower bound of K. Default 1. */
  minBudget?: number;
}

export function selectAdaptive(vol: ScoreVolume, opts: AdaptivePolicyOptions = {}): Selection & { fraction: number; heldFraction: number } {
  checkVolume(vol);
  const fraction = opts.fraction ?? 0.9;
  if (!(fraction > 0 && fraction <= 1)) throw new PolicyError(`fraction must be in (0, 1], got ${fraction}`);
  const S = vol.gridH * vol.gridW;
  const maxBudget = Math.min(opts.maxBudget ?? vol.T * S, vol.T * S);
  const minBudget = opts.minBudget ?? 1;
  if (!Number.isInteger(maxBudget) || maxBudget < 1) throw new PolicyError(`maxBudget must be a positive integer, got ${opts.maxBudget}`);
  if (!Number.isInteger(minBudget) || minBudget < 1 || minBudget > maxBudget) throw new PolicyError(`minBudget must be an integer in [1, maxBudget], got ${opts.minBudget}`);
  const o = resolveCodecOptions({ ...opts, budget: 1, staticFallback: false });
  const dense = codecDenseSlots(vol, o);
  const taken = new Uint8Array(vol.T * S);
  for (const t of dense) taken.fill(1, t * S, (t + 1) * S);
  const key = codecRankKey(vol, o);
  const cand: number[] = [];
  let total = 0;
  for (let i = 0; i < taken.length; i++) {
    if (taken[i]) continue;
    cand.push(i);
    total += Math.max(0, key(i));
  }
  const ranked = rankIndices(Int32Array.from(cand), key);
  let k = 0;
  let held = 0;
  if (total > 0) {
    while (k < ranked.length && held < fraction * total - 1e-9) held += Math.max(0, key(ranked[k++]!));
  }
  const K = Math.max(minBudget, Math.min(maxBudget, dense.length * S + k));
  const sel = selectCodec(vol, { ...opts, budget: K, staticFallback: false }, 'adaptive');
  return { ...sel, fraction, heldFraction: total > 0 ? held / total : 1 };
}
