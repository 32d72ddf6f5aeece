/**
 * Temporal coverage of a selection: how many sampled frames receive at least one token, and the
 * span from the first such frame to the last.
 *
 * A token counts when its patch shows some of the picture (a patch made only of letterbox padding
 * shows nothing; pass `picture` to say which patches show the picture, default all).
 */
import { type KeptGrid, keptMask } from './selection.js';

export interface Coverage {
  /** Sampled frames (slots). */
  T: number;
  /** Slots with at least one token. */
  framesWithTokens: number;
  /** framesWithTokens / T. */
  share: number;
  /** First and last slot with a token (-1 when there is none). */
  firstSlot: number;
  lastSlot: number;
  /** lastSlot - firstSlot + 1 (0 when no slot has a token). */
  spanSlots: number;
  /** Seconds from the first to the last slot with a token (needs timestamps; else NaN). */
  spanSeconds: number;
  /** spanSeconds over the time from the first to the last sampled frame (1 when T is 1 and it has a token). */
  spanShare: number;
  /** Slots whose every picture patch is kept. */
  fullSlots: number;
  /** Tokens (on picture patches) per slot. */
  tokensPerSlot: number[];
}

export function coverage(k: KeptGrid, opts: { timestamps?: number[]; picture?: Uint8Array } = {}): Coverage {
  const S = k.gridH * k.gridW;
  const picture = opts.picture ?? new Uint8Array(S).fill(1);
  if (picture.length !== S) throw new RangeError(`picture mask has ${picture.length} values, expected ${S}`);
  const pictureCount = picture.reduce((a, b) => a + b, 0);
  const kept = keptMask(k);
  const tokensPerSlot: number[] = [];
  let first = -1;
  let last = -1;
  let frames = 0;
  let full = 0;
  for (let t = 0; t < k.T; t++) {
    let n = 0;
    for (let s = 0; s < S; s++) if (kept[t * S + s] && picture[s]) n++;
    tokensPerSlot.push(n);
    if (n > 0) {
      frames++;
      if (first < 0) first = t;
      last = t;
    }
    if (pictureCount > 0 && n === pictureCount) full++;
  }
  const ts = opts.timestamps;
  if (ts && ts.length !== k.T) throw new RangeError(`${ts.length} timestamps for ${k.T} slots`);
  const spanSeconds = first < 0 ? 0 : ts ? ts[last]! - ts[first]! : NaN;
  const clip = ts && ts.length ? ts[ts.length - 1]! - ts[0]! : NaN;
  const spanShare = first < 0 ? 0 : ts ? (clip > 0 ? spanSeconds / clip : 1) : k.T > 1 ? (last - first) / (k.T - 1) : 1;
  return {
    T: k.T,
    framesWithTokens: frames,
    share: k.T ? frames / k.T : 0,
    firstSlot: first,
    lastSlot: last,
    spanSlots: first < 0 ? 0 : last - first + 1,
    spanSeconds,
    spanShare,
    fullSlots: full,
    tokensPerSlot,
  };
}
