/**
 * `refresh` policy: spend each token where the picture a reader already holds is most out of date.
 *
 * Input: a change volume, per patch position s and slot t the content change between slot t-1 and
 * slot t (estimated from the bitstream, see scores/change.ts). A[s][t] is its running sum (A[s][0] = 0,
 * non-decreasing), so the change accumulated between slots a <= t is A[t] - A[a].
 *
 * A reader rebuilds every slot from the kept patches (the benchmark's rule): slot t shows the most
 * recent kept patch at its position, slots before the first kept patch show that first patch, a
 * position never kept shows nothing. The estimated distortion of showing slot a's patch at slot t is
 *   hold(a, t) = w_s * (sqrt(A[t] - A[a]) + eps * (t - a))            (a <= t)
 *   back(f, t) = w_s * (sqrt(A[f] - A[t]) + eps * (T + f - t))        (t < f, the first kept patch)
 *   never      = w_s * M per slot, M larger than any kept cost
 * with w_s the share of the patch that shows picture (0 on letterbox padding). The square root makes
 * the distortion concave in the change: the content of a patch can only become so different. The
 * time term eps (1e-6 per slot, far below any measured change) only orders allocations the change
 * cannot tell apart: with no change at all (a still picture) it spreads the kept copies of a position
 * evenly in time and prefers holding an older patch to showing a later one early, so a static clip
 * keeps its first frame and then evenly spaced frames.
 *
 * The K tokens minimise the total distortion over all slots and positions. Per position a dynamic
 * programme over the T slots gives the best kept set for a price lambda per token (Lagrange); one
 * lambda is shared by every position and bisected (in log scale) until the count is K. The last few
 * tokens (positions indifferent at the final lambda) are added one at a time by largest exact
 * distortion reduction, ties by (t, h, w). No slot is special: the first frame is kept whole only
 * when that is what the change says.
 *
 * Cost: per position, the segment sums that do not depend on lambda are computed once (O(T^2)); each
 * bisection step is a pruned DP (a candidate next slot is dropped as soon as the change held up to it
 * alone costs more than the best option found).
 */
import { type Selection, checkBudget, flatSelection, PolicyError } from './types.js';

/** Change of every patch position between consecutive slots. */
export interface ChangeVolume {
  T: number;
  gridH: number;
  gridW: number;
  /** [T][gridH][gridW]: change between slot t-1 and slot t (slot 0: ignored), >= 0, finite. */
  change: Float32Array;
  /** [gridH][gridW]: share of each patch that shows picture, in [0, 1]. Default 1 everywhere. */
  weight?: Float32Array;
}

export interface RefreshPolicyOptions {
  budget: number;
}

export interface RefreshSelection extends Selection {
  /** The Lagrange multiplier (distortion per token) the allocation settled on. */
  lambda: number;
  /** Bisection steps used. */
  steps: number;
  /** Tokens added one by one after the bisection (positions indifferent at lambda). */
  tieTokens: number;
  /** Per output row: change accumulated at its position since the previous kept patch there (the first kept patch: since slot 0). */
  tokenChange: Float32Array;
  /** Per slot: mean change over the positions since the previous slot (slot 0: 0). */
  slotChange: number[];
}

/** Time term per slot; see the module comment. */
export const REFRESH_EPS = 1e-6;

export function checkChangeVolume(v: ChangeVolume): void {
  const S = v.gridH * v.gridW;
  if (!(v.T >= 1 && S >= 1)) throw new PolicyError(`empty change volume (T=${v.T}, grid ${v.gridH}x${v.gridW})`);
  if (v.change.length !== v.T * S) throw new PolicyError(`change volume has ${v.change.length} values, expected ${v.T * S}`);
  for (let i = 0; i < v.change.length; i++) {
    const c = v.change[i]!;
    if (!(c >= 0 && Number.isFinite(c))) throw new PolicyError(`change volume value ${i} is ${c}: change must be finite and >= 0`);
  }
  if (v.weight) {
    if (v.weight.length !== S) throw new PolicyError(`weight has ${v.weight.length} values, expected ${S}`);
    for (const w of v.weight) if (!(w >= 0 && w <= 1)) throw new PolicyError(`patch weights must be in [0, 1], got ${w}`);
  }
}

/** Per-position tables that do not depend on lambda. */
interface Tables {
  T: number;
  S: number;
  /** [S][T] running sum of change. */
  A: Float64Array;
  w: Float64Array;
  /**
   * Hold costs: seg(j, k) = cost of slots j..k-1 shown from slot j, for 0 <= j < k <= T, row j at
   * rowStart[j] (k = j+1..T); [S][T(T+1)/2] when `full`, else one position's rows, filled on demand.
   */
  seg: Float64Array;
  rowStart: Int32Array;
  full: boolean;
  /** The position whose rows `seg` holds when not `full` (-1: none yet). */
  segOf: number;
  /** [S][T] back-fill cost of slots 0..f-1 from slot f. */
  pre: Float64Array;
  /** Never-kept cost per slot (before the weight). */
  M: number;
}

/** Largest hold-cost table kept for all positions at once (values); above it, rows are rebuilt per solve. */
const MAX_TABLE = 1 << 23;

function buildTables(v: ChangeVolume): Tables {
  const T = v.T;
  const S = v.gridH * v.gridW;
  const A = new Float64Array(S * T);
  let amax = 0;
  for (let s = 0; s < S; s++) {
    let acc = 0;
    for (let t = 1; t < T; t++) {
      acc += v.change[t * S + s]!;
      A[s * T + t] = acc;
    }
    if (acc > amax) amax = acc;
  }
  const w = new Float64Array(S);
  for (let s = 0; s < S; s++) w[s] = v.weight ? v.weight[s]! : 1;
  const rowStart = new Int32Array(T + 1);
  for (let j = 0; j < T; j++) rowStart[j + 1] = rowStart[j]! + (T - j);
  const per = rowStart[T]!;
  const full = per * S <= MAX_TABLE;
  const tb: Tables = { T, S, A, w, seg: new Float64Array(full ? per * S : per), rowStart, full, segOf: -1, pre: new Float64Array(S * T), M: Math.sqrt(amax) + REFRESH_EPS * 2 * T + 1 };
  for (let s = 0; s < S; s++) fillRows(tb, s, full ? s * per : 0, true);
  return tb;
}

/** Fills the hold-cost rows of position s at offset `base` of tb.seg; with `withPre`, its back-fill costs too. */
function fillRows(tb: Tables, s: number, base: number, withPre: boolean): void {
  const { T, A, seg, rowStart } = tb;
  const o = s * T;
  const ws = tb.w[s]!;
  const pre = tb.pre;
  if (withPre) pre.fill(0, o, o + T);
  for (let j = 0; j < T; j++) {
    const aj = A[o + j]!;
    const r = base + rowStart[j]! - j - 1; // seg(j, k) at r + k
    let sum = 0;
    for (let t = j; t < T; t++) {
      const d = Math.sqrt(A[o + t]! - aj);
      sum += ws * (d + REFRESH_EPS * (t - j));
      seg[r + t + 1] = sum;
      // slot j back-filled from a first kept slot t > j
      if (withPre && t > j) pre[o + t]! += ws * (d + REFRESH_EPS * (T + t - j));
    }
  }
  if (!tb.full) tb.segOf = s;
}

/** Scratch space of the per-position DP. */
interface Scratch {
  F: Float64Array;
  cnt: Int32Array;
  next: Int32Array;
}

/**
 * Best kept set of position s at price lambda: returns its count and cost; sc.next holds the next
 * kept slot after each j (T for none) and `first` is the first kept slot (-1: none).
 */
function solvePosition(tb: Tables, s: number, lambda: number, sc: Scratch): { count: number; cost: number; first: number } {
  const { T, seg, rowStart, pre } = tb;
  let base = 0;
  if (tb.full) base = s * rowStart[T]!;
  else if (tb.segOf !== s) fillRows(tb, s, 0, false);
  const o = s * T;
  const { F, cnt, next } = sc;
  for (let j = T - 1; j >= 0; j--) {
    const r = base + rowStart[j]! - j - 1;
    let best = seg[r + T]!;
    let bc = 0;
    let bk = T;
    if (lambda < best) {
      for (let k = j + 1; k < T; k++) {
        const sv = seg[r + k]!;
        if (sv + lambda >= best) break; // F[k] >= lambda and seg(j, k) only grows with k
        const c = sv + F[k]!;
        if (c < best) {
          best = c;
          bc = cnt[k]!;
          bk = k;
        }
      }
    }
    F[j] = best + lambda;
    cnt[j] = bc + 1;
    next[j] = bk;
  }
  let total = tb.w[s]! * tb.M * T;
  let count = 0;
  let first = -1;
  for (let f = 0; f < T; f++) {
    const p = pre[o + f]!;
    if (p >= total) break; // pre grows with f
    const c = p + F[f]!;
    if (c < total) {
      total = c;
      count = cnt[f]!;
      first = f;
    }
  }
  return { count, cost: total, first };
}

/**
 * Tokens at price lambda. Positions listed in `active` are solved (their counts written to
 * `perPos`); the others keep the count in `perPos` (frozen: equal at both ends of the bracket).
 */
function countAt(tb: Tables, lambda: number, sc: Scratch, perPos: Int32Array, active: Int32Array, nActive: number): number {
  for (let i = 0; i < nActive; i++) {
    const s = active[i]!;
    perPos[s] = solvePosition(tb, s, lambda, sc).count;
  }
  let n = 0;
  for (let s = 0; s < tb.S; s++) n += perPos[s]!;
  return n;
}

/** Kept slots of every position at price lambda, as a [S][T] 0/1 mask. */
function keptAt(tb: Tables, lambda: number, sc: Scratch): Uint8Array {
  const kept = new Uint8Array(tb.S * tb.T);
  for (let s = 0; s < tb.S; s++) {
    const { first } = solvePosition(tb, s, lambda, sc);
    for (let j = first; j >= 0 && j < tb.T; j = sc.next[j]!) kept[s * tb.T + j] = 1;
  }
  return kept;
}

/** Distortion of position s with the kept slots of `kept` (row s). */
function positionCost(tb: Tables, s: number, kept: Uint8Array): number {
  const { T, A } = tb;
  const o = s * T;
  const ws = tb.w[s]!;
  let first = -1;
  for (let t = 0; t < T; t++) if (kept[o + t]) {
    first = t;
    break;
  }
  if (first < 0) return ws * tb.M * T;
  let cost = tb.pre[o + first]!;
  let a = first;
  for (let t = first; t < T; t++) {
    if (kept[o + t]) a = t;
    cost += ws * (Math.sqrt(A[o + t]! - A[o + a]!) + REFRESH_EPS * (t - a));
  }
  return cost;
}

/** Best single slot to add to position s: its gain (distortion removed) and slot (-1: none left). */
function bestAddition(tb: Tables, s: number, kept: Uint8Array): { gain: number; t: number } {
  const o = s * tb.T;
  const base = positionCost(tb, s, kept);
  let gain = -Infinity;
  let slot = -1;
  for (let t = 0; t < tb.T; t++) {
    if (kept[o + t]) continue;
    kept[o + t] = 1;
    const g = base - positionCost(tb, s, kept);
    kept[o + t] = 0;
    if (g > gain) {
      gain = g;
      slot = t;
    }
  }
  return { gain, t: slot };
}

export function selectRefresh(v: ChangeVolume, opts: RefreshPolicyOptions): RefreshSelection {
  checkChangeVolume(v);
  checkBudget(opts.budget);
  const T = v.T;
  const S = v.gridH * v.gridW;
  const K = Math.min(opts.budget, T * S);
  const tb = buildTables(v);
  const sc: Scratch = { F: new Float64Array(T), cnt: new Int32Array(T), next: new Int32Array(T) };

  // lambda bounds: at lamHi nothing is worth a token, at lamLo everything that lowers the distortion is.
  let wmax = 0;
  for (const x of tb.w) wmax = Math.max(wmax, x);
  let lamHi = Math.max(1e-300, wmax * tb.M * T * 2);
  let lamLo = lamHi * 1e-18;
  const all = Int32Array.from({ length: S }, (_, s) => s);
  const cntLo = new Int32Array(S);
  const cntHi = new Int32Array(S); // 0 at lamHi
  const cur = new Int32Array(S);
  let cHi = 0;
  let cLo = countAt(tb, lamLo, sc, cntLo, all, S);
  let steps = 0;
  if (cLo <= K) {
    lamHi = lamLo;
    cHi = cLo;
    cntHi.set(cntLo);
  } else {
    // Bisection in log scale. A position with the same count at both ends of the bracket keeps it
    // inside (the count falls with lambda): only the others are solved again.
    const active = new Int32Array(S);
    while (steps < 64) {
      let nActive = 0;
      for (let s = 0; s < S; s++) {
        if (cntLo[s] !== cntHi[s]) active[nActive++] = s;
        cur[s] = cntHi[s]!;
      }
      const mid = Math.sqrt(lamLo * lamHi);
      if (!(mid > lamLo && mid < lamHi) || lamHi / lamLo < 1 + 1e-12) break;
      steps++;
      const c = countAt(tb, mid, sc, cur, active, nActive);
      if (c > K) {
        lamLo = mid;
        cLo = c;
        cntLo.set(cur);
      } else {
        lamHi = mid;
        cHi = c;
        cntHi.set(cur);
        if (c === K) break;
      }
    }
  }
  const lambda = lamHi;
  const kept = keptAt(tb, lamHi, sc);
  let count = cHi;
  // Remaining tokens: positions whose count changes between lamHi and lamLo first, then any.
  const tieTokens = K - count;
  if (count < K) {
    const fill = (cands: number[]) => {
      const gains = new Float64Array(S).fill(-Infinity);
      const slots = new Int32Array(S).fill(-1);
      for (const s of cands) {
        const b = bestAddition(tb, s, kept);
        gains[s] = b.gain;
        slots[s] = b.t;
      }
      while (count < K) {
        let bs = -1;
        for (const s of cands) {
          if (slots[s]! < 0) continue;
          if (bs < 0 || gains[s]! > gains[bs]! || (gains[s] === gains[bs] && slots[s]! * S + s < slots[bs]! * S + bs)) bs = s;
        }
        if (bs < 0) return;
        kept[bs * T + slots[bs]!] = 1;
        count++;
        const b = bestAddition(tb, bs, kept);
        gains[bs] = b.gain;
        slots[bs] = b.t;
      }
    };
    const tied: number[] = [];
    if (lamLo < lamHi) for (let s = 0; s < S; s++) if (cntLo[s]! > cntHi[s]!) tied.push(s);
    fill(tied);
    if (count < K) fill(Array.from({ length: S }, (_, s) => s));
  }
  if (count !== K) throw new PolicyError(`internal: refresh selected ${count} of ${K}`);

  const flat: number[] = [];
  for (let t = 0; t < T; t++) for (let s = 0; s < S; s++) if (kept[s * T + t]) flat.push(t * S + s);
  const tokenChange = new Float32Array(flat.length);
  const lastKept = new Int32Array(S).fill(0);
  flat.forEach((i, r) => {
    const t = Math.floor(i / S);
    const s = i - t * S;
    tokenChange[r] = tb.A[s * T + t]! - tb.A[s * T + lastKept[s]!]!;
    lastKept[s] = t;
  });
  const slotChange: number[] = [];
  for (let t = 0; t < T; t++) {
    let sum = 0;
    if (t > 0) for (let s = 0; s < S; s++) sum += v.change[t * S + s]!;
    slotChange.push(sum / S);
  }
  return {
    ...flatSelection('refresh', flat, T, v.gridH, v.gridW, opts.budget),
    lambda,
    steps,
    tieTokens,
    tokenChange,
    slotChange,
  };
}
