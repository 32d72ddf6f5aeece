/**
 * Sequence packing plans: group samples into bins whose token counts fit a sequence
 * length.
 *
 * - `ffd`: first-fit decreasing (items by length, longest first, each into the first
 *   bin with room; a max-segment tree finds that bin in O(log bins)). Never more than
 *   11/9 OPT + 6/9 bins.
 * - `knapsack`: bin by bin, the longest remaining item plus the subset of the others
 *   that fills the rest best (exact bounded subset-sum over the distinct lengths,
 *   O(distinct lengths x seq-len) per bin), as offline packers for LLaVA-OneVision do.
 *   Greedy per-bin filling can strand long items late in the plan, so the FFD plan is
 *   kept instead when it needs fewer bins (`PackPlan.chosen` says which one was used):
 *   `knapsack` is never worse than `ffd`, and is better on mixes FFD handles badly.
 *
 * Both are deterministic: ties are broken by the item's position.
 */
import { textOf } from '../shard/manifest.js';
export type PackAlgorithm = 'ffd' | 'knapsack';

export interface PackPlan {
  algorithm: PackAlgorithm;
  seqLen: number;
  /** Item indices per bin. */
  bins: number[][];
  /** Token total per bin. */
  binTokens: number[];
  /** Items longer than seqLen (left out, or alone in their own bin when `oversize: 'single'`). */
  oversize: number[];
  /** Tokens in bins / (bins * seqLen). */
  fill: number;
  /** The plan actually used (`knapsack` falls back to the FFD plan when that has fewer bins). */
  chosen: PackAlgorithm;
  packedItems: number;
  packedTokens: number;
}

function byLengthDesc(lengths: number[], idx: number[]): number[] {
  return idx.sort((a, b) => lengths[b] - lengths[a] || a - b);
}

/** First-fit decreasing. Every length must be in [0, seqLen]. */
export function firstFitDecreasing(lengths: number[], seqLen: number, items?: number[]): number[][] {
  const order = byLengthDesc(lengths, items ? [...items] : lengths.map((_, i) => i));
  const n = order.length;
  if (n === 0) return [];
  let size = 1;
  while (size < n) size <<= 1;
  const tree = new Float64Array(2 * size).fill(-1); // max remaining capacity; -1 = no bin yet
  const bins: number[][] = [];
  const set = (b: number, v: number) => {
    let i = b + size;
    tree[i] = v;
    for (i >>= 1; i >= 1; i >>= 1) tree[i] = Math.max(tree[2 * i], tree[2 * i + 1]);
  };
  for (const it of order) {
    const len = lengths[it];
    let b: number;
    if (tree[1] >= len) {
      let i = 1;
      while (i < size) i = tree[2 * i] >= len ? 2 * i : 2 * i + 1;
      b = i - size;
    } else {
      b = bins.length;
      bins.push([]);
      set(b, seqLen);
    }
    bins[b].push(it);
    set(b, tree[b + size] - len);
  }
  return bins;
}

/** Bin by bin: longest remaining item + the best-filling subset of the rest. */
export function knapsackPack(lengths: number[], seqLen: number, items?: number[]): number[][] {
  const order = byLengthDesc(lengths, items ? [...items] : lengths.map((_, i) => i));
  // buckets: distinct length -> item indices (ascending position)
  const buckets = new Map<number, number[]>();
  for (const it of [...order].sort((a, b) => a - b)) {
    const l = lengths[it];
    let q = buckets.get(l);
    if (!q) buckets.set(l, (q = []));
    q.push(it);
  }
  const heads = new Map<number, number>(); // consumed count per bucket
  const left = (l: number) => buckets.get(l)!.length - (heads.get(l) ?? 0);
  const take = (l: number) => {
    const h = heads.get(l) ?? 0;
    heads.set(l, h + 1);
    return buckets.get(l)![h];
  };
  let distinct = [...buckets.keys()].sort((a, b) => b - a);
  const bins: number[][] = [];
  const reach = new Uint8Array(seqLen + 1);
  const used = new Int32Array(seqLen + 1);
  const via = new Int32Array(seqLen + 1);
  for (;;) {
    distinct = distinct.filter((l) => left(l) > 0);
    if (distinct.length === 0) break;
    const first = take(distinct[0]);
    const bin = [first];
    const cap = seqLen - lengths[first];
    const cands = distinct.filter((l) => l <= cap && left(l) > 0);
    if (cap > 0 && cands.length) {
      reach.fill(0, 0, cap + 1);
      via.fill(0, 0, cap + 1);
      reach[0] = 1;
      let best = 0;
      for (const l of cands) {
        const k = left(l);
        if (l === 0) continue;
        used.fill(0, 0, cap + 1);
        for (let c = l; c <= cap; c++) {
          if (!reach[c] && reach[c - l] && used[c - l] < k) {
            reach[c] = 1;
            used[c] = used[c - l] + 1;
            via[c] = l;
            if (c > best) best = c;
          }
        }
        if (reach[cap]) break;
      }
      for (let c = best; c > 0; c -= via[c]) bin.push(take(via[c]));
    }
    // zero-length items cost nothing: they join the first bin
    if (buckets.has(0)) while (left(0) > 0) bin.push(take(0));
    bins.push(bin);
  }
  return bins;
}

export interface PlanOptions {
  seqLen: number;
  algorithm?: PackAlgorithm;
  /** Items longer than seqLen: 'drop' (default, reported) or 'single' (one bin each, over length). */
  oversize?: 'drop' | 'single';
}

export function planPacking(lengths: number[], opts: PlanOptions): PackPlan {
  const { seqLen } = opts;
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`--seq-len must be a positive integer, got ${seqLen}`);
  const algorithm = opts.algorithm ?? 'ffd';
  lengths.forEach((l, i) => {
    if (!Number.isFinite(l) || l < 0) throw new Error(`item ${i}: bad length ${l}`);
  });
  if (algorithm !== 'ffd' && algorithm !== 'knapsack') throw new Error(`unknown packing algorithm ${algorithm}`);
  const fits: number[] = [];
  const oversize: number[] = [];
  lengths.forEach((l, i) => (l <= seqLen ? fits : oversize).push(i));
  let bins = firstFitDecreasing(lengths, seqLen, fits);
  let chosen: PackAlgorithm = 'ffd';
  if (algorithm === 'knapsack') {
    const ks = knapsackPack(lengths, seqLen, fits);
    if (ks.length <= bins.length) {
      bins = ks;
      chosen = 'knapsack';
    }
  }
  if (opts.oversize === 'single') bins = [...bins, ...oversize.map((i) => [i])];
  const binTokens = bins.map((b) => b.reduce((a, i) => a + lengths[i], 0));
  const packedTokens = binTokens.reduce((a, b) => a + b, 0);
  const packedItems = bins.reduce((a, b) => a + b.length, 0);
  const fill = bins.length ? packedTokens / (bins.length * seqLen) : 0;
  return { algorithm, chosen, seqLen, bins, binTokens, oversize, fill, packedItems, packedTokens };
}

export interface TokenEstimateOptions {
  /** Side of the encoder's spatial merge: visual tokens = ceil(patches / merge^2). Default 2. */
  spatialMerge?: number;
  /** Tokens added per sample around the visual tokens (e.g. vision start/end). Default 0. */
  visualExtraTokens?: number;
  /** Characters per text token for the estimate from caption/conversation. Default 4. */
  charsPerToken?: number;
  /** Tokens added per sample for the text (template, BOS/EOS). Default 0. */
  textExtraTokens?: number;
  /** JSON field with an exact text token count; used instead of the estimate when present. */
  textTokensField?: string;
}

export interface TokenEstimate {
  visual: number;
  text: number;
  total: number;
}

/** Sequence length of a sample from its JSON (`num_visual_tokens`, caption/conversation). */
export function estimateTokens(j: Record<string, unknown>, opts: TokenEstimateOptions = {}): TokenEstimate {
  const merge = opts.spatialMerge ?? 2;
  if (!Number.isInteger(merge) || merge < 1) throw new Error(`spatial merge must be a positive integer, got ${merge}`);
  let patches = j.num_visual_tokens;
  if (typeof patches !== 'number') {
    const shape = j.patches_shape;
    patches = Array.isArray(shape) && typeof shape[0] === 'number' ? shape[0] : undefined;
  }
  if (typeof patches !== 'number') throw new Error('sample JSON has no num_visual_tokens');
  const visual = Math.ceil(patches / (merge * merge)) + (opts.visualExtraTokens ?? 0);
  let text: number;
  const field = opts.textTokensField;
  if (field && typeof j[field] === 'number') text = j[field] as number;
  else {
    const cpt = opts.charsPerToken ?? 4;
    if (!(cpt > 0)) throw new Error(`chars per token must be > 0, got ${cpt}`);
    const chars = [...textOf(j.caption, j.conversation)].length;
    text = Math.ceil(chars / cpt) + (opts.textExtraTokens ?? 0);
  }
  return { visual, text, total: visual + text };
}
