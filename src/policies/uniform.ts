/**
 * `uniform` policy, the baseline: floor(K/S) full frames evenly spaced over the sampled slots
 * (numpy.linspace(0, T-1, n, dtype=int)), every patch in raster order, padding included. When K is
 * not a multiple of S, the remaining K mod S tokens are the first patches (raster order) of the slot
 * in the middle of the widest gap between the chosen slots. No score is read.
 */
import { type ScoreVolume, type Selection, checkBudget, checkVolume, linspaceInt, toPositions } from './types.js';

export interface UniformPolicyOptions {
  budget: number;
}

export function selectUniform(vol: ScoreVolume, opts: UniformPolicyOptions): Selection {
  checkVolume(vol);
  checkBudget(opts.budget);
  const S = vol.gridH * vol.gridW;
  const K = Math.min(opts.budget, vol.T * S);
  const n = Math.floor(K / S);
  const slots = linspaceInt(vol.T, n);
  const flat: number[] = [];
  for (const t of slots) for (let s = 0; s < S; s++) flat.push(t * S + s);
  const rem = K - flat.length;
  let extra = -1;
  if (rem > 0) {
    const used = new Set(slots);
    // widest run of unused slots; its middle slot gives the remainder
    let best = -1;
    let bestLen = 0;
    for (let t = 0; t < vol.T; ) {
      if (used.has(t)) {
        t++;
        continue;
      }
      let e = t;
      while (e < vol.T && !used.has(e)) e++;
      if (e - t > bestLen) {
        bestLen = e - t;
        best = t + Math.floor((e - t - 1) / 2);
      }
      t = e;
    }
    extra = best;
    for (let s = 0; s < rem; s++) flat.push(extra * S + s);
  }
  flat.sort((a, b) => a - b);
  return {
    policy: 'uniform',
    positions: toPositions(flat, vol.gridH, vol.gridW),
    count: K,
    padded: 0,
    budget: opts.budget,
    effectiveBudget: K,
    denseSlots: slots,
    staticFallback: false,
  };
}
