import { describe, expect, it } from 'vitest';
import { selectCodec } from '../src/policies/codec.js';
import { selectUniform } from '../src/policies/uniform.js';
import { selectGrouped } from '../src/policies/grouped.js';
import { selectAdaptive } from '../src/policies/adaptive.js';
import { type ScoreVolume, type Selection, linspaceInt } from '../src/policies/types.js';
import { CodectokError } from '../src/errors.js';
import type { FrameType } from '../src/scores/codec_picture.js';

/** Deterministic pseudo-random volume. */
function volume(T: number, gridH: number, gridW: number, opts: { seed?: number; types?: FrameType[]; padCols?: number; zero?: boolean; static?: boolean } = {}): ScoreVolume {
  let s = opts.seed ?? 1;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const scores = new Float32Array(T * gridH * gridW);
  if (!opts.zero) for (let i = 0; i < scores.length; i++) scores[i] = Math.round(rnd() * 50) / 50; // many ties
  const content = new Uint8Array(gridH * gridW).fill(1);
  const pc = opts.padCols ?? 0;
  for (let h = 0; h < gridH; h++) for (let w = 0; w < gridW; w++) if (w < pc || w >= gridW - pc) content[h * gridW + w] = 0;
  return { T, gridH, gridW, scores, frameTypes: opts.types ?? Array.from({ length: T }, (_, t) => (t % 4 === 0 ? 'I' : 'P')), content, static: opts.static ?? false };
}

function rows(sel: Selection): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < sel.count; i++) out.push([sel.positions[3 * i]!, sel.positions[3 * i + 1]!, sel.positions[3 * i + 2]!]);
  return out;
}

function checkValid(sel: Selection, vol: ScoreVolume, K: number): void {
  expect(sel.count).toBe(K);
  expect(sel.positions.length).toBe(3 * K);
  const seen = new Set<string>();
  for (const [t, h, w] of rows(sel)) {
    if (t === -1) {
      expect([h, w]).toEqual([-1, -1]);
      continue;
    }
    expect(t).toBeGreaterThanOrEqual(0);
    expect(t).toBeLessThan(vol.T);
    expect(h).toBeGreaterThanOrEqual(0);
    expect(h).toBeLessThan(vol.gridH);
    expect(w).toBeGreaterThanOrEqual(0);
    expect(w).toBeLessThan(vol.gridW);
    const k = `${t},${h},${w}`;
    expect(seen.has(k)).toBe(false);
    seen.add(k);
  }
}

const frameSet = (sel: Selection, t: number) => rows(sel).filter((r) => r[0] === t).length;

describe('codec policy', () => {
  it('respects the budget exactly, positions in range and unique, for many budgets', () => {
    const vol = volume(16, 6, 8, { padCols: 1 });
    for (const K of [1, 7, 48, 49, 100, 333, 16 * 48]) {
      for (const iframes of ['zero', 'dense', 'score'] as const) {
        const sel = selectCodec(vol, { budget: K, iframes });
        checkValid(sel, vol, K);
      }
    }
  });

  it('keeps the first slot whole, then takes the best scores with (t,h,w) tie-breaks', () => {
    const vol = volume(8, 4, 4, { types: Array(8).fill('P') });
    const K = 16 + 20;
    const sel = selectCodec(vol, { budget: K });
    expect(frameSet(sel, 0)).toBe(16);
    // reference: sort every non-slot-0 patch by (-score, index)
    const S = 16;
    const idx = Array.from({ length: 7 * S }, (_, i) => i + S).sort((a, b) => vol.scores[b]! - vol.scores[a]! || a - b);
    const expected = [...Array.from({ length: S }, (_, i) => i), ...idx.slice(0, 20)].sort((a, b) => a - b);
    const got = rows(sel).map(([t, h, w]) => t * S + h * 4 + w);
    expect(got).toEqual(expected);
    // (t,h,w) order by default
    expect(got).toEqual([...got].sort((a, b) => a - b));
  });

  it('I-frames: zero ranks them last, dense keeps them whole, score ranks them by score', () => {
    const vol = volume(8, 4, 4); // I at 0 and 4
    const zero = selectCodec(vol, { budget: 16 + 40 });
    expect(frameSet(zero, 4)).toBe(0);
    const dense = selectCodec(vol, { budget: 16 * 2 + 10 });
    expect(frameSet(dense, 4)).toBe(0);
    const d = selectCodec(vol, { budget: 16 * 2 + 10, iframes: 'dense' });
    expect(frameSet(d, 0)).toBe(16);
    expect(frameSet(d, 4)).toBe(16);
    expect(d.denseSlots).toEqual([0, 4]);
    const sc = selectCodec(vol, { budget: 16 + 40, iframes: 'score' });
    expect(frameSet(sc, 4)).toBeGreaterThan(0);
    const noFirst = selectCodec(vol, { budget: 40, keepFirst: false, iframes: 'score' });
    expect(frameSet(noFirst, 0)).toBeLessThan(16);
  });

  it('padding patches are taken only after every content patch', () => {
    const vol = volume(4, 4, 6, { padCols: 1, types: Array(4).fill('P') });
    const contentPerFrame = 4 * 4;
    const sel = selectCodec(vol, { budget: 24 + 3 * contentPerFrame });
    const pads = rows(sel).filter(([t, , w]) => t > 0 && (w === 0 || w === 5));
    expect(pads.length).toBe(0);
    const more = selectCodec(vol, { budget: 24 + 3 * contentPerFrame + 2 });
    expect(rows(more).filter(([t, , w]) => t > 0 && (w === 0 || w === 5)).length).toBe(2);
  });

  it('static clips fall back to evenly spaced full frames, the rest by score', () => {
    const vol = volume(10, 3, 3, { static: true });
    const S = 9;
    const sel = selectCodec(vol, { budget: 3 * S + 4 });
    expect(sel.staticFallback).toBe(true);
    expect(sel.denseSlots).toEqual([0, 4, 9]);
    for (const t of [0, 4, 9]) expect(frameSet(sel, t)).toBe(S);
    checkValid(sel, vol, 3 * S + 4);
    const off = selectCodec(vol, { budget: 3 * S + 4, staticFallback: false });
    expect(off.staticFallback).toBe(false);
  });

  it('clamps a budget above T*S and says so', () => {
    const vol = volume(2, 2, 2);
    const sel = selectCodec(vol, { budget: 100 });
    expect(sel.effectiveBudget).toBe(8);
    expect(sel.budget).toBe(100);
    checkValid(sel, vol, 8);
  });

  it('is deterministic, takes the highest scores, and rejects bad options', () => {
    const vol = volume(6, 5, 5);
    const sel = selectCodec(vol, { budget: 60 });
    expect(rows(sel)).toEqual(rows(selectCodec(volume(6, 5, 5), { budget: 60 })));
    // Independently of the selection code: frame 0 whole (keepFirst, 25 patches), the other 35
    // are the 35 highest scores of the P frames (1, 2, 3, 5; the I frame 4 scores zero by
    // default): compared as score values, so ties may fall either way.
    const S = 25;
    expect(rows(sel).filter(([t]) => t === 0).length).toBe(S);
    const pScores = [1, 2, 3, 5].flatMap((t) => Array.from(vol.scores.subarray(t * S, (t + 1) * S)));
    const chosen = rows(sel).filter(([t]) => t !== 0).map(([t, h, w]) => vol.scores[t * S + h * 5 + w]!);
    const desc = (a: number, b: number) => b - a;
    expect(chosen.sort(desc)).toEqual(pScores.sort(desc).slice(0, 60 - S));
    expect(() => selectCodec(vol, { budget: 0 })).toThrow(CodectokError);
    expect(() => selectCodec(vol, { budget: 2.5 })).toThrow(CodectokError);
    expect(() => selectCodec(vol, { budget: 5, iframes: 'maybe' as never })).toThrow(CodectokError);
    expect(() => selectCodec({ ...vol, scores: new Float32Array(3) }, { budget: 5 })).toThrow(CodectokError);
  });
});

describe('uniform policy', () => {
  it('is K/S full frames evenly spaced', () => {
    const vol = volume(64, 6, 6);
    const S = 36;
    // floor(i * 63 / (n - 1)), worked out by hand
    const expected: Record<number, number[]> = {
      1: [0],
      2: [0, 63],
      8: [0, 9, 18, 27, 36, 45, 54, 63],
      16: [0, 4, 8, 12, 16, 21, 25, 29, 33, 37, 42, 46, 50, 54, 58, 63],
      64: Array.from({ length: 64 }, (_, i) => i),
    };
    for (const n of [1, 2, 8, 16, 64]) {
      const sel = selectUniform(vol, { budget: n * S });
      checkValid(sel, vol, n * S);
      const slots = [...new Set(rows(sel).map((r) => r[0]))];
      expect(slots).toEqual(expected[n]);
      for (const t of slots) expect(frameSet(sel, t)).toBe(S);
    }
    expect(linspaceInt(64, 8)).toEqual([0, 9, 18, 27, 36, 45, 54, 63]);
  });

  it('takes a remainder from the middle of the widest gap', () => {
    const vol = volume(9, 2, 2);
    const sel = selectUniform(vol, { budget: 2 * 4 + 3 });
    checkValid(sel, vol, 11);
    expect(frameSet(sel, 0)).toBe(4);
    expect(frameSet(sel, 8)).toBe(4);
    expect(frameSet(sel, 4)).toBe(3);
  });
});

describe('grouped policy', () => {
  it('anchors each group and spends the rest on intact 2x2 blocks, padding marked', () => {
    const vol = volume(8, 4, 6);
    const S = 24;
    const K = 2 * S + 2 * 4 * 5 + 2 * 3; // 2 groups of 4: anchor + 5 blocks + 3 unused slots each
    const sel = selectGrouped(vol, { budget: K, groupSize: 4 });
    checkValid(sel, vol, K);
    expect(sel.padded).toBe(6);
    expect(sel.groups!.map((g) => [g.start, g.end, g.anchor])).toEqual([[0, 4, 0], [4, 8, 4]]);
    const r = rows(sel);
    for (const g of sel.groups!) {
      const part = r.slice(g.row, g.row + g.rows);
      // anchor first, whole, raster order
      expect(part.slice(0, S)).toEqual(Array.from({ length: S }, (_, s) => [g.anchor, Math.floor(s / 6), s % 6]));
      const blocks = part.slice(S).filter((x) => x[0] >= 0);
      expect(blocks.length % 4).toBe(0);
      for (let b = 0; b < blocks.length; b += 4) {
        const [t, h, w] = blocks[b]!;
        expect(h % 2).toBe(0);
        expect(w % 2).toBe(0);
        expect(blocks.slice(b, b + 4)).toEqual([[t, h, w], [t, h, w + 1], [t, h + 1, w], [t, h + 1, w + 1]]);
        expect(t).toBeGreaterThan(g.anchor);
        expect(t).toBeLessThan(g.end);
      }
      // blocks ordered by (t, h, w), padding rows last
      const keys = blocks.filter((_, i) => i % 4 === 0).map(([t, h, w]) => t * 1000 + h * 10 + w);
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
      expect(part.slice(S + blocks.length).every((x) => x[0] === -1)).toBe(true);
    }
  });

  it('chooses the highest-scoring blocks', () => {
    const vol = volume(2, 4, 4, { zero: true });
    vol.scores[16 + 2 * 4 + 2] = 5; // slot 1, patch (2,2) -> block (2,2)
    const sel = selectGrouped(vol, { budget: 16 + 4, groupSize: 2 });
    expect(rows(sel).slice(16)).toEqual([[1, 2, 2], [1, 2, 3], [1, 3, 2], [1, 3, 3]]);
  });

  it('refuses a budget below one anchor per group', () => {
    expect(() => selectGrouped(volume(8, 4, 4), { budget: 16 })).toThrow(CodectokError);
  });
});

describe('adaptive policy', () => {
  it('spends few tokens on a static clip and more on an active one', () => {
    const still = selectAdaptive(volume(16, 6, 6, { zero: true }), { fraction: 0.9 });
    expect(still.count).toBe(36);
    const active = selectAdaptive(volume(16, 6, 6), { fraction: 0.9 });
    expect(active.count).toBeGreaterThan(200);
    expect(active.heldFraction).toBeGreaterThanOrEqual(0.9);
    checkValid(active, volume(16, 6, 6), active.count);
    const half = selectAdaptive(volume(16, 6, 6), { fraction: 0.5 });
    expect(half.count).toBeLessThan(active.count);
    const capped = selectAdaptive(volume(16, 6, 6), { fraction: 0.9, maxBudget: 100 });
    expect(capped.count).toBe(100);
    expect(() => selectAdaptive(volume(4, 2, 2), { fraction: 0 })).toThrow(CodectokError);
  });

  it('K is the dense slots plus the fewest best-ranked patches that hold the fraction (independent reference)', () => {
    // The documented rule written out here: a patch counts its fused score, 0 in an I slot with
    // iframes zero, nothing when it touches padding with padding exclude (it ranks last); patches
    // ranked by that value, ties by (t, h, w); dense slots (the first with keepFirst, every I
    // slot with iframes dense) are kept whole and count nothing.
    const cases: [ScoreVolume, Parameters<typeof selectAdaptive>[1]][] = [
      [volume(12, 5, 7, { seed: 3, padCols: 1 }), { fraction: 0.9 }],
      [volume(12, 5, 7, { seed: 4, padCols: 1 }), { fraction: 0.6, iframes: 'dense' }],
      [volume(12, 5, 7, { seed: 5, padCols: 2 }), { fraction: 0.75, iframes: 'score', padding: 'include', keepFirst: false }],
      [volume(9, 4, 4, { seed: 6 }), { fraction: 1 }],
    ];
    for (const [vol, opts] of cases) {
      const S = vol.gridH * vol.gridW;
      const dense = new Set<number>();
      for (let t = 0; t < vol.T; t++) if ((t === 0 && opts!.keepFirst !== false) || (opts!.iframes === 'dense' && vol.frameTypes[t] === 'I')) dense.add(t);
      const value = (i: number) => {
        const t = Math.floor(i / S);
        if (opts!.padding !== 'include' && !vol.content[i % S]) return -1;  // ranks after every content patch, counts nothing
        return vol.frameTypes[t] === 'I' && (opts!.iframes ?? 'zero') === 'zero' ? 0 : vol.scores[i]!;
      };
      const rest = Array.from({ length: vol.T * S }, (_, i) => i).filter((i) => !dense.has(Math.floor(i / S)));
      rest.sort((a, b) => value(b) - value(a) || a - b);
      const total = rest.reduce((n, i) => n + Math.max(0, value(i)), 0);
      let k = 0;
      let held = 0;
      while (k < rest.length && held < opts!.fraction! * total - 1e-9) held += Math.max(0, value(rest[k++]!));
      const got = selectAdaptive(vol, opts);
      expect(got.count).toBe(dense.size * S + k);
      expect(got.heldFraction).toBeCloseTo(held / total, 12);
    }
  });
});
