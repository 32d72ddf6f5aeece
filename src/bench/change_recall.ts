/**
 * Change recall: the share of the patches that really changed that received a token.
 *
 * "Really changed" is Run-Length Tokenization's test (Choudhury et al., NeurIPS 2024, "Don't Look
 * Twice"; static_token_utils.batched_find_idxs_to_keep in their code): the mean absolute difference
 * over the patch's pixels and its three channels between the frame and the same patch of the
 * previous frame, here the previous *sampled* frame, above a threshold. codectok's threshold is
 * DEFAULT_CHANGE_THRESHOLD = 8 grey levels on the 0..255 RGB scale (about 3 % of the range): above
 * the flicker x265 leaves on still content at CRF 23 and below the change a moving edge makes.
 * The first sampled frame has no previous frame and is left out. Only patches lying entirely inside
 * the picture are tested (pass `picture`), so letterbox padding never counts.
 */
import type { GridGeometry, KeptGrid } from './selection.js';
import { keptMask } from './selection.js';

export const DEFAULT_CHANGE_THRESHOLD = 8;

export interface ChangeMap {
  T: number;
  S: number;
  threshold: number;
  /** Mean |difference| per patch against the previous slot ([T * S]; NaN for slot 0 and patches not tested). */
  diff: Float32Array;
  /** 1 where the patch changed. */
  changed: Uint8Array;
  /** Patches tested (slots 1..T-1 x picture patches). */
  tested: number;
}

/** The change map of the sampled frames (RGB24 at the output geometry, one per slot). */
export function changeMap(framesRgb: Uint8Array[], g: GridGeometry, threshold = DEFAULT_CHANGE_THRESHOLD, picture?: Uint8Array): ChangeMap {
  const T = framesRgb.length;
  const S = g.gridH * g.gridW;
  const P = g.patch;
  if (!(threshold >= 0)) throw new RangeError(`change threshold must be >= 0, got ${threshold}`);
  if (picture && picture.length !== S) throw new RangeError(`picture mask has ${picture.length} values, expected ${S}`);
  const diff = new Float32Array(T * S).fill(NaN);
  const changed = new Uint8Array(T * S);
  let tested = 0;
  for (let t = 1; t < T; t++) {
    const a = framesRgb[t - 1]!;
    const b = framesRgb[t]!;
    if (a.length !== g.outWidth * g.outHeight * 3 || b.length !== a.length) throw new RangeError(`frame ${t} is not ${g.outWidth}x${g.outHeight} RGB24`);
    for (let h = 0; h < g.gridH; h++) {
      for (let w = 0; w < g.gridW; w++) {
        const s = h * g.gridW + w;
        if (picture && !picture[s]) continue;
        let sum = 0;
        for (let y = 0; y < P; y++) {
          const o = ((h * P + y) * g.outWidth + w * P) * 3;
          for (let i = o; i < o + P * 3; i++) sum += Math.abs(b[i]! - a[i]!);
        }
        const d = sum / (P * P * 3);
        diff[t * S + s] = d;
        if (d > threshold) changed[t * S + s] = 1;
        tested++;
      }
    }
  }
  return { T, S, threshold, diff, changed, tested };
}

export interface ChangeRecall {
  threshold: number;
  /** Patches that changed (over slots 1..T-1). */
  changed: number;
  /** Of those, the ones that received a token. */
  hit: number;
  /** hit / changed (NaN when nothing changed: written as null in JSON). */
  recall: number;
  /** Share of the tested patches that changed. */
  changedShare: number;
  /** Tokens on tested patches of slots 1..T-1, and the share of them on changed patches. */
  tokens: number;
  precision: number;
}

export function changeRecall(map: ChangeMap, k: KeptGrid): ChangeRecall {
  const S = k.gridH * k.gridW;
  if (S !== map.S || k.T !== map.T) throw new RangeError(`selection grid ${k.T}x${S} does not match the change map ${map.T}x${map.S}`);
  const kept = keptMask(k);
  let changed = 0;
  let hit = 0;
  let tokens = 0;
  for (let i = S; i < map.T * S; i++) {
    const testedHere = !Number.isNaN(map.diff[i]!);
    if (!testedHere) continue;
    if (map.changed[i]) changed++;
    if (kept[i]) {
      tokens++;
      if (map.changed[i]) hit++;
    }
  }
  return {
    threshold: map.threshold,
    changed,
    hit,
    recall: changed ? hit / changed : NaN,
    changedShare: map.tested ? changed / map.tested : 0,
    tokens,
    precision: tokens ? hit / tokens : NaN,
  };
}
