/**
 * `codec` policy (OneVision-Encoder): one global top-K over all sampled frames x patches.
 *
 * 1. Dense slots are kept whole, in slot order and raster order, padding patches included:
 *    the first slot (`keepFirst`, default true) and, with `iframes: 'dense'`, every I slot.
 * 2. The rest of the budget goes to the other patches by fused score, highest first. Patches that
 *    touch the letterbox padding rank after every content patch (`padding: 'exclude'`, default).
 *    With `iframes: 'zero'` (default) the patches of I slots score 0: an I-frame's residual measures
 *    texture, not change. `iframes: 'score'` ranks them with their own scores.
 * 3. A static clip (`vol.static`, nothing moves or is corrected) falls back to floor(K/S) full frames
 *    evenly spaced over the slots; the remaining K mod S tokens go to the other slots by score.
 * Ties are broken by (t, h, w) ascending. The output has exactly min(K, T*S) rows.
 */
import { type ScoreVolume, type Selection, checkBudget, checkVolume, linspaceInt, PolicyError, rankIndices, toPositions } from './types.js';

export type IFramePolicy = 'zero' | 'dense' | 'score';

export interface CodecPolicyOptions {
  budget: number;
  iframes?: IFramePolicy;
  keepFirst?: boolean;
  padding?: 'exclude' | 'include';
  staticFallback?: boolean;
  /** Row order of the result: (t, h, w) ascending (default), or dense slots first then by rank (OneVision-Encoder's files). */
  order?: 'thw' | 'score';
}

export function resolveCodecOptions(o: CodecPolicyOptions) {
  const iframes = o.iframes ?? 'zero';
  if (!['zero', 'dense', 'score'].includes(iframes)) throw new PolicyError(`iframes must be zero, dense or score, got ${String(iframes)}`);
  const padding = o.padding ?? 'exclude';
  if (padding !== 'exclude' && padding !== 'include') throw new PolicyError(`padding must be exclude or include, got ${String(padding)}`);
  const order = o.order ?? 'thw';
  if (order !== 'thw' && order !== 'score') throw new PolicyError(`order must be thw or score, got ${String(order)}`);
  return { budget: o.budget, iframes, keepFirst: o.keepFirst ?? true, padding, staticFallback: o.staticFallback ?? true, order };
}

/** Slots kept whole by the codec policy (not counting the static fallback). */
export function codecDenseSlots(vol: ScoreVolume, o: ReturnType<typeof resolveCodecOptions>): number[] {
  const dense: number[] = [];
  for (let t = 0; t < vol.T; t++) if ((t === 0 && o.keepFirst) || (o.iframes === 'dense' && vol.frameTypes[t] === 'I')) dense.push(t);
  return dense;
}

/** Ranking key of flat index i under the codec policy: content patches by score, then padding patches. */
export function codecRankKey(vol: ScoreVolume, o: ReturnType<typeof resolveCodecOptions>): (i: number) => number {
  const S = vol.gridH * vol.gridW;
  return (i: number) => {
    const t = Math.floor(i / S);
    const s = vol.frameTypes[t] === 'I' && o.iframes === 'zero' ? 0 : vol.scores[i]!;
    if (o.padding === 'exclude' && !vol.content[i - t * S]) return -1 - s * 1e-6; // after every content patch
    return s;
  };
}

export function selectCodec(vol: ScoreVolume, opts: CodecPolicyOptions, policy = 'codec'): Selection {
  checkVolume(vol);
  checkBudget(opts.budget);
  const o = resolveCodecOptions(opts);
  const S = vol.gridH * vol.gridW;
  const K = Math.min(o.budget, vol.T * S);
  const fallback = vol.static && o.staticFallback;
  const dense = fallback ? linspaceInt(vol.T, Math.min(vol.T, Math.floor(K / S))) : codecDenseSlots(vol, o);
  if (fallback && dense.length === 0 && o.keepFirst) {
    // budget below one frame: the first slot gets it, in raster order
    dense.push(0);
  }
  const taken = new Uint8Array(vol.T * S);
  const mandatory: number[] = [];
  for (const t of dense) {
    for (let s = 0; s < S && mandatory.length < K; s++) {
      mandatory.push(t * S + s);
      taken[t * S + s] = 1;
    }
  }
  const rest = K - mandatory.length;
  let chosen: number[] = [];
  if (rest > 0) {
    const cand = new Int32Array(vol.T * S - mandatory.length);
    let k = 0;
    for (let i = 0; i < taken.length; i++) if (!taken[i]) cand[k++] = i;
    chosen = Array.from(rankIndices(cand, codecRankKey(vol, o)).subarray(0, rest));
  }
  let flat = [...mandatory, ...chosen];
  if (o.order === 'thw') flat = flat.sort((a, b) => a - b);
  if (flat.length !== K) throw new PolicyError(`internal: selected ${flat.length} of ${K}`);
  return {
    policy,
    positions: toPositions(flat, vol.gridH, vol.gridW),
    count: K,
    padded: 0,
    budget: o.budget,
    effectiveBudget: K,
    // slots fill in order, S patches each: those that got any patch
    denseSlots: dense.slice(0, Math.ceil(mandatory.length / S)),
    staticFallback: fallback,
  };
}
