// The refresh allocator on hand-made change volumes: answers derived by hand, and a brute force over
// every kept set for tiny volumes (an independent check of the DP + Lagrange multiplier + tie fill).
import { describe, expect, it } from 'vitest';
import { type ChangeVolume, selectRefresh } from '../src/policies/refresh.js';

const EPS = 1e-6;

function vol(T: number, gridH: number, gridW: number, change: number[], weight?: number[]): ChangeVolume {
  return { T, gridH, gridW, change: Float32Array.from(change), weight: weight ? Float32Array.from(weight) : undefined };
}

/** Kept slots per position, from the selection rows. */
function keptSlots(rows: Int32Array, gridW: number, S: number): number[][] {
  const out: number[][] = Array.from({ length: S }, () => []);
  for (let r = 0; r < rows.length / 3; r++) out[rows[3 * r + 1]! * gridW + rows[3 * r + 2]!]!.push(rows[3 * r]!);
  return out;
}

/** The distortion model written out independently: hold the last kept patch, back-fill before the first, never kept costs M per slot more than the best single kept slot. */
function cost(v: ChangeVolume, kept: boolean[][], units?: number[][]): number {
  const S = v.gridH * v.gridW;
  const A: number[][] = [];
  let amax = 0;
  for (let s = 0; s < S; s++) {
    const a = [0];
    for (let t = 1; t < v.T; t++) a.push(a[t - 1]! + Math.fround(v.change[t * S + s]!));
    A.push(a);
    amax = Math.max(amax, a[v.T - 1]!);
  }
  const M = Math.sqrt(amax) + EPS * 2 * v.T + 1;
  let total = 0;
  const shown = (s: number, w: number, a: number, t: number): number =>
    a <= t ? w * (Math.sqrt(A[s]![t]! - A[s]![a]!) + EPS * (t - a)) : w * (Math.sqrt(A[s]![a]! - A[s]![t]!) + EPS * (v.T + a - t));
  for (let s = 0; s < S; s++) {
    const w = v.weight ? v.weight[s]! : 1;
    const ks = kept[s]!.map((k, t) => (k ? t : -1)).filter((t) => t >= 0);
    if (ks.length === 0) {
      // blank: M per slot more than shown from the best single slot of its unit (all its members at that slot)
      const unit = units?.find((u) => u.includes(s)) ?? [s];
      const weightOf = (m: number): number => (v.weight ? v.weight[m]! : 1);
      let best = Infinity;
      let at = 0;
      for (let a = 0; a < v.T; a++) {
        let c = 0;
        for (const m of unit) for (let t = 0; t < v.T; t++) c += shown(m, weightOf(m), a, t);
        if (c < best) {
          best = c;
          at = a;
        }
      }
      total += w * M * v.T;
      for (let t = 0; t < v.T; t++) total += shown(s, w, at, t);
      continue;
    }
    for (let t = 0; t < v.T; t++) {
      {
        const past = ks.filter((k) => k <= t);
        if (past.length) {
          const a = past[past.length - 1]!;
          total += w * (Math.sqrt(A[s]![t]! - A[s]![a]!) + EPS * (t - a));
        } else {
          const f = ks[0]!;
          total += w * (Math.sqrt(A[s]![f]! - A[s]![t]!) + EPS * (v.T + f - t));
        }
      }
    }
  }
  return total;
}

function bruteForce(v: ChangeVolume, K: number): number {
  const S = v.gridH * v.gridW;
  const n = v.T * S;
  let best = Infinity;
  for (let m = 0; m < 1 << n; m++) {
    let bits = 0;
    for (let x = m; x; x &= x - 1) bits++;
    if (bits !== K) continue;
    const kept = Array.from({ length: S }, (_, s) => Array.from({ length: v.T }, (_, t) => ((m >> (t * S + s)) & 1) === 1));
    best = Math.min(best, cost(v, kept));
  }
  return best;
}

function selectionCost(v: ChangeVolume, K: number): number {
  const S = v.gridH * v.gridW;
  const sel = selectRefresh(v, { budget: K, seams: false });
  const slots = keptSlots(sel.positions, v.gridW, S);
  return cost(v, slots.map((ks) => Array.from({ length: v.T }, (_, t) => ks.includes(t))));
}

/** Deterministic pseudo-random numbers (a linear congruential generator). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('refresh allocator: answers derived by hand', () => {
  it('a jump in change at slot 2 is refreshed at slot 2', () => {
    // one position, change 100 between slots 1 and 2, nothing else: {0, 2} shows every slot exactly
    const sel = selectRefresh(vol(4, 1, 1, [0, 0, 100, 0]), { budget: 2 });
    expect(Array.from(sel.positions)).toEqual([0, 0, 0, 2, 0, 0]);
    expect(sel.tokenChange[1]).toBeCloseTo(100);
  });

  it('with no change at all: the first slot, then evenly spaced slots, the same for every position', () => {
    // 8 slots, 2 positions, 4 tokens: each position keeps 2 slots; holding is cheaper than back-filling
    // (slot 0 first), and equal hold lengths minimise the time term: {0, 4}
    const sel = selectRefresh(vol(8, 1, 2, new Array(16).fill(0)), { budget: 4 });
    expect(keptSlots(sel.positions, 2, 2)).toEqual([[0, 4], [0, 4]]);
    expect(sel.denseSlots).toEqual([0, 4]);
    const one = selectRefresh(vol(8, 1, 2, new Array(16).fill(0)), { budget: 2 });
    expect(keptSlots(one.positions, 2, 2)).toEqual([[0], [0]]);
  });

  it('below one frame: the first positions in (h, w) order get the tokens, whatever their change', () => {
    // 3 positions x 2 slots; position 1 changes (5) between the slots. A blank costs the same M more
    // than the best single kept patch everywhere, so which position stays blank is a tie: the last
    // one. Position 1 shows slot 0 at slot 1 (holding, cheaper than back-filling by the time term).
    const sel = selectRefresh(vol(2, 1, 3, [0, 0, 0, 0, 5, 0]), { budget: 2 });
    expect(Array.from(sel.positions)).toEqual([0, 0, 0, 0, 0, 1]);
    const still = selectRefresh(vol(2, 1, 3, new Array(6).fill(0)), { budget: 2 });
    expect(Array.from(still.positions)).toEqual([0, 0, 0, 0, 0, 1]);
    // a 2 x 3 grid, 4 tokens: the first row and the first position of the second, each at its own best slot
    const grid = selectRefresh(vol(2, 2, 3, [0, 0, 0, 0, 0, 0, 9, 9, 9, 0, 0, 0]), { budget: 4, seams: false });
    expect(keptSlots(grid.positions, 3, 6).map((k) => k.length)).toEqual([1, 1, 1, 1, 0, 0]);
  });

  it('a patch that shows no picture (weight 0) gets a token only when everything else has one', () => {
    const v = vol(3, 1, 2, [0, 0, 1, 1, 4, 4], [1, 0]);
    const sel = selectRefresh(v, { budget: 3 });
    expect(keptSlots(sel.positions, 2, 2)).toEqual([[0, 1, 2], []]);
    const all = selectRefresh(v, { budget: 4 });
    expect(keptSlots(all.positions, 2, 2)).toEqual([[0, 1, 2], [0]]);
  });

  it('spends a token on the position that changed most, at the slot after its change', () => {
    // position 0 changes 1 per slot, position 1 changes 9 at slot 3; 3 tokens: one each, the third at (3, pos 1)
    const T = 5;
    const change = new Array(T * 2).fill(0);
    for (let t = 1; t < T; t++) change[t * 2] = 1;
    change[3 * 2 + 1] = 9;
    const sel = selectRefresh(vol(T, 1, 2, change), { budget: 3 });
    const k = keptSlots(sel.positions, 2, 2);
    expect(k[1]).toEqual([0, 3]);
    expect(k[0]!.length).toBe(1);
  });

  it('seams: neighbours that change alike keep the same slots; a still neighbour is not moved', () => {
    // 1 x 2 positions, 3 slots, 2 tokens each. Position 0 changes 10 then 11, position 1 11 then 10.
    // Alone, each keeps slot 0 and the slot before its larger change: {0, 2} (sqrt 10 held at slot
    // 1) and {0, 1} (sqrt 10 held at slot 2), and the two then show different moments at slots 1 and
    // 2: two seams of min(sqrt 10, sqrt 11) / 2 each (3.16 in all). Moving position 0 to {0, 1}
    // costs it sqrt 11 - sqrt 10 = 0.15 and removes both seams.
    const v = vol(3, 1, 2, [0, 0, 10, 11, 11, 10]);
    expect(keptSlots(selectRefresh(v, { budget: 4, seams: false }).positions, 2, 2)).toEqual([[0, 2], [0, 1]]);
    const sel = selectRefresh(v, { budget: 4 });
    expect(keptSlots(sel.positions, 2, 2)).toEqual([[0, 1], [0, 1]]);
    expect(sel.seamMoves).toBe(1);
    // position 0 still, position 1 changes 9 at slot 2: no seam between them whatever position 0
    // shows (its content is the same at every moment), so it stays at slot 0
    const still = selectRefresh(vol(4, 1, 2, [0, 0, 0, 0, 0, 9, 0, 0]), { budget: 3 });
    expect(keptSlots(still.positions, 2, 2)).toEqual([[0], [0, 2]]);
    expect(still.seamMoves).toBe(0);
  });

  it('exactly K rows, sorted by (t, h, w), deterministic', () => {
    const rnd = lcg(7);
    const T = 12;
    const S = 20;
    const change = Array.from({ length: T * S }, () => (rnd() < 0.3 ? rnd() * 10 : 0));
    const v = vol(T, 4, 5, change);
    for (const K of [1, 7, 19, 20, 21, 55, 100, 239, 240, 500]) {
      const a = selectRefresh(v, { budget: K });
      const b = selectRefresh(v, { budget: K });
      const n = Math.min(K, T * S);
      expect(a.count).toBe(n);
      expect(a.positions.length).toBe(3 * n);
      expect(Array.from(a.positions)).toEqual(Array.from(b.positions));
      const flat = Array.from({ length: n }, (_, r) => a.positions[3 * r]! * S + a.positions[3 * r + 1]! * 5 + a.positions[3 * r + 2]!);
      expect(new Set(flat).size).toBe(n);
      expect([...flat].sort((x, y) => x - y)).toEqual(flat);
    }
  });

  it('rejects a change volume with negative or non-finite values', () => {
    expect(() => selectRefresh(vol(2, 1, 1, [0, -1]), { budget: 1 })).toThrow(/finite and >= 0/);
    expect(() => selectRefresh(vol(2, 1, 1, [0, NaN]), { budget: 1 })).toThrow(/finite and >= 0/);
    expect(() => selectRefresh(vol(2, 1, 1, [0]), { budget: 1 })).toThrow(/expected 2/);
    expect(() => selectRefresh(vol(2, 1, 1, [0, 0]), { budget: 0 })).toThrow(/budget/);
  });
});

describe('refresh allocator against a brute force over every kept set', () => {
  const cases: { T: number; H: number; W: number; seed: number }[] = [
    { T: 4, H: 1, W: 2, seed: 1 },
    { T: 5, H: 1, W: 2, seed: 2 },
    { T: 3, H: 1, W: 3, seed: 3 },
    { T: 4, H: 1, W: 3, seed: 4 },
    { T: 6, H: 1, W: 2, seed: 5 },
    { T: 4, H: 2, W: 2, seed: 6 },
    { T: 7, H: 1, W: 2, seed: 8 },
    { T: 3, H: 2, W: 2, seed: 9 },
  ];
  for (const c of cases) {
    it(`T=${c.T}, ${c.H * c.W} positions, seed ${c.seed}: every K exactly optimal`, () => {
      const rnd = lcg(c.seed);
      const S = c.H * c.W;
      const change = Array.from({ length: c.T * S }, () => (rnd() < 0.5 ? Math.round(rnd() * 50) : 0));
      const weight = Array.from({ length: S }, () => 0.5 + rnd() / 2);
      const v = vol(c.T, c.H, c.W, change, weight);
      let exact = 0;
      const n = c.T * S;
      for (let K = 1; K <= n; K++) {
        const got = selectionCost(v, K);
        const opt = bruteForce(v, K);
        expect(got).toBeGreaterThanOrEqual(opt - 1e-9);
        if (got <= opt + 1e-9) exact++;
      }
      expect(exact).toBe(n);
    });
  }
});

describe('refresh allocator in groups of positions', () => {
  /** Brute force over kept sets in which the members of each g x g group share their slots. */
  function bruteForceGroups(v: ChangeVolume, g: number, K: number): number {
    const units: number[][] = [];
    for (let y0 = 0; y0 < v.gridH; y0 += g) {
      for (let x0 = 0; x0 < v.gridW; x0 += g) {
        const u: number[] = [];
        for (let y = y0; y < Math.min(v.gridH, y0 + g); y++) for (let x = x0; x < Math.min(v.gridW, x0 + g); x++) u.push(y * v.gridW + x);
        units.push(u);
      }
    }
    const S = v.gridH * v.gridW;
    const n = v.T * units.length;
    let best = Infinity;
    for (let m = 0; m < 1 << n; m++) {
      const kept = Array.from({ length: S }, () => new Array<boolean>(v.T).fill(false));
      let tokens = 0;
      for (let b = 0; b < n; b++) {
        if (!((m >> b) & 1)) continue;
        const t = b % v.T;
        for (const s of units[Math.floor(b / v.T)]!) kept[s]![t] = true;
        tokens += units[Math.floor(b / v.T)]!.length;
      }
      if (tokens === K) best = Math.min(best, cost(v, kept, units));
    }
    return best;
  }

  it('members of a group share their slots, and the allocation is the best such one (K a multiple of the group size)', () => {
    for (const seed of [11, 12, 13]) {
      const rnd = lcg(seed);
      const T = 4;
      const v = vol(T, 2, 4, Array.from({ length: T * 8 }, () => (rnd() < 0.5 ? Math.round(rnd() * 40) : 0)));
      for (const K of [4, 8, 12, 16, 20, 28]) {
        const sel = selectRefresh(v, { budget: K, group: 2 });
        expect(sel.count).toBe(K);
        const k = keptSlots(sel.positions, 4, 8);
        // groups {0, 1, 4, 5} and {2, 3, 6, 7}
        for (const u of [[0, 1, 4, 5], [2, 3, 6, 7]]) for (const s of u) expect(k[s]).toEqual(k[u[0]!]);
        const got = cost(v, k.map((ks) => Array.from({ length: T }, (_, t) => ks.includes(t))), [[0, 1, 4, 5], [2, 3, 6, 7]]);
        expect(got, `seed ${seed} K ${K} steps ${sel.steps} ties ${sel.tieTokens} kept ${JSON.stringify(k)}`).toBeCloseTo(bruteForceGroups(v, 2, K), 9);
      }
    }
  });

  it('exactly K when K is not a multiple of the group size; groups at the edge are smaller', () => {
    const rnd = lcg(21);
    const v = vol(6, 3, 5, Array.from({ length: 6 * 15 }, () => rnd() * 5));
    for (const K of [1, 3, 5, 7, 30, 31, 89, 90]) {
      const sel = selectRefresh(v, { budget: K, group: 2 });
      expect(sel.count).toBe(K);
      const flat = Array.from({ length: K }, (_, r) => sel.positions[3 * r]! * 15 + sel.positions[3 * r + 1]! * 5 + sel.positions[3 * r + 2]!);
      expect(new Set(flat).size).toBe(K);
    }
    expect(() => selectRefresh(v, { budget: 4, group: 0 })).toThrow(/group/);
  });
});
