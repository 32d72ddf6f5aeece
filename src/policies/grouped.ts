/**
 * `grouped` policy (LLaVA-OneVision-2 style): the T slots are cut into groups of `groupSize`
 * consecutive slots. Group g gets floor(K/G) tokens (the first K mod G groups one more). Its first
 * slot is the anchor, kept whole (S patches, padding included); the rest of the group's tokens go to
 * 2x2 blocks of patches (h, w even) of the group's other slots, chosen by the sum of their four
 * scores (ties by (t, h, w)), so a 2x2 spatial merge never splits a block. Rows: the anchor in raster
 * order, then the chosen blocks by (t, h, w) of their top-left patch, each block as (h,w), (h,w+1),
 * (h+1,w), (h+1,w+1); slots left over (the group budget is not a multiple of 4, or there are fewer
 * blocks than slots) are padding rows (-1, -1, -1). The output has exactly K rows.
 */
import { type ScoreVolume, type Selection, checkBudget, checkVolume, PolicyError, rankIndices } from './types.js';

export interface GroupedPolicyOptions {
  budget: number;
  /** Slots per group (anchor + followers). Default 4. */
  groupSize?: number;
}

export function selectGrouped(vol: ScoreVolume, opts: GroupedPolicyOptions): Selection {
  checkVolume(vol);
  checkBudget(opts.budget);
  const G = opts.groupSize ?? 4;
  if (!Number.isInteger(G) || G < 1) throw new PolicyError(`group size must be a positive integer, got ${G}`);
  const S = vol.gridH * vol.gridW;
  const nGroups = Math.ceil(vol.T / G);
  const K = opts.budget;
  if (Math.floor(K / nGroups) < S) {
    throw new PolicyError(`budget ${K} is too small for the grouped policy: each of the ${nGroups} groups needs an anchor of ${S} patches (need K >= ${nGroups * S}; lower --frames or raise --budget)`);
  }
  const positions = new Int32Array(K * 3).fill(-1);
  let row = 0;
  let padded = 0;
  const groups: NonNullable<Selection['groups']> = [];
  const bh = Math.floor(vol.gridH / 2);
  const bw = Math.floor(vol.gridW / 2);
  const put = (t: number, h: number, w: number) => {
    positions[3 * row] = t;
    positions[3 * row + 1] = h;
    positions[3 * row + 2] = w;
    row++;
  };
  for (let g = 0; g < nGroups; g++) {
    const start = g * G;
    const end = Math.min(vol.T, start + G);
    const budget = Math.floor(K / nGroups) + (g < K % nGroups ? 1 : 0);
    const first = row;
    for (let s = 0; s < S; s++) put(start, Math.floor(s / vol.gridW), s % vol.gridW);
    const want = Math.floor((budget - S) / 4);
    // candidate blocks: flat index t * bh * bw + i * bw + j (orders like (t, h, w) of the top-left patch)
    const blocks: number[] = [];
    for (let t = start + 1; t < end; t++) for (let i = 0; i < bh; i++) for (let j = 0; j < bw; j++) blocks.push(t * bh * bw + i * bw + j);
    const key = (b: number) => {
      const t = Math.floor(b / (bh * bw));
      const r = b - t * bh * bw;
      const h = 2 * Math.floor(r / bw);
      const w = 2 * (r % bw);
      const o = t * S + h * vol.gridW + w;
      return vol.scores[o]! + vol.scores[o + 1]! + vol.scores[o + vol.gridW]! + vol.scores[o + vol.gridW + 1]!;
    };
    const chosen = Array.from(rankIndices(Int32Array.from(blocks), key).subarray(0, want)).sort((a, b) => a - b);
    for (const b of chosen) {
      const t = Math.floor(b / (bh * bw));
      const r = b - t * bh * bw;
      const h = 2 * Math.floor(r / bw);
      const w = 2 * (r % bw);
      put(t, h, w);
      put(t, h, w + 1);
      put(t, h + 1, w);
      put(t, h + 1, w + 1);
    }
    const pad = budget - (row - first);
    row += pad; // rows stay (-1, -1, -1)
    padded += pad;
    groups.push({ start, end, anchor: start, row: first, rows: budget });
  }
  if (row !== K) throw new PolicyError(`internal: packed ${row} of ${K}`);
  return {
    policy: 'grouped',
    positions,
    count: K,
    padded,
    budget: K,
    effectiveBudget: K,
    denseSlots: groups.map((g) => g.anchor),
    staticFallback: false,
    groups,
  };
}
