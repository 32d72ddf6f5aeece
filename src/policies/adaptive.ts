/**
 * `adaptive` policy: the budget follows the content. K is the smallest number of tokens (within
 * [minBudget, maxBudget]) such that the dense slots of the codec policy plus the best-ranked other
 * patches hold `fraction` of the clip's total fused score; the patches are then chosen exactly as
 * the codec policy does with that K. A static clip (total score 0 outside the dense slots) costs
 * only its dense slots.
 */
import { type CodecPolicyOptions, nativeTopK, resolveCodecOptions, selectCodec } from './codec.js';
import { type ScoreVolume, type Selection, checkVolume, PolicyError } from './types.js';

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
  // Every patch ranked as the codec policy ranks it (the C++ selection with the whole volume as
  // budget, order score: the dense slots' patches first, then the others best first), with the
  // rank keys; a patch's share of the total is its key, none for a negative one (padding).
  const N = vol.T * S;
  const all = nativeTopK(vol, resolveCodecOptions({ ...opts, budget: N, staticFallback: false, order: 'score' }), 'cpu', true);
  const credit = new Float64Array(N);
  for (let j = all.mandatory; j < N; j++) credit[all.flat[j]!] = Math.max(0, all.keys![j]!);
  let total = 0;
  for (let i = 0; i < N; i++) total += credit[i]!;  // in (t, h, w) order
  let k = 0;
  let held = 0;
  if (total > 0) {
    while (all.mandatory + k < N && held < fraction * total - 1e-9) held += credit[all.flat[all.mandatory + k++]!]!;
  }
  const K = Math.max(minBudget, Math.min(maxBudget, all.mandatory + k));
  const sel = selectCodec(vol, { ...opts, budget: K, staticFallback: false }, 'adaptive');
  return { ...sel, fraction, heldFraction: total > 0 ? held / total : 1 };
}
