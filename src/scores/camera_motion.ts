// Camera motion of a picture from its inter blocks' motion vectors: median vector, or a robust
// (IRLS, Tukey) similarity / affine fit.
import type { CodecPicture } from './codec_picture.js';
import type { Compensation } from './options.js';
import { median } from './statistics.js';

export interface CameraMotion {
  model: Compensation;
  /** Model parameters: median/none [tx, ty]; similarity [a, b, tx, ty]; affine [a11, a12, tx, a21, a22, ty]. Coordinates centred on the display picture. */
  params: number[];
  /** Inter blocks the model was fitted on. */
  blocks: number;
}

export interface Velocities {
  x: Float64Array;
  y: Float64Array;
  vx: Float64Array;
  vy: Float64Array;
  index: Int32Array;
  n: number;
}

export function collectVelocities(p: CodecPicture, perFrame: boolean): Velocities {
  const mv = p.motion!;
  const cols = Math.ceil(p.width / 4);
  const rows = Math.ceil(p.height / 4);
  const total = cols * rows;
  const out: Velocities = {
    x: new Float64Array(total),
    y: new Float64Array(total),
    vx: new Float64Array(total),
    vy: new Float64Array(total),
    index: new Int32Array(total),
    n: 0,
  };
  const dispW = p.width - p.crop.left - p.crop.right;
  const dispH = p.height - p.crop.top - p.crop.bottom;
  const cx = p.crop.left + dispW / 2;
  const cy = p.crop.top + dispH / 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const o = i * 8;
      if (mv[o] === 0) continue; // intra
      const dir = mv[o + 1]!;
      let sx = 0;
      let sy = 0;
      let k = 0;
      for (let l = 0; l < 2; l++) {
        if (!(dir & (1 << l))) continue;
        let d = 1;
        if (perFrame) {
          const ref = mv[o + 6 + l]!;
          d = ref === -32768 ? 1 : p.poc - ref;
          if (d === 0) d = 1;
        } else {
          d = l === 0 ? 1 : -1; // list 1 usually points forward in time
        }
        // a block at x matches the reference at x + mv: content velocity is -mv / (poc - refpoc)
        sx += -mv[o + 2 + 2 * l]! / 4 / d;
        sy += -mv[o + 3 + 2 * l]! / 4 / d;
        k++;
      }
      if (k === 0) continue;
      const n = out.n++;
      out.x[n] = c * 4 + 2 - cx;
      out.y[n] = r * 4 + 2 - cy;
      out.vx[n] = sx / k;
      out.vy[n] = sy / k;
      out.index[n] = i;
    }
  }
  return out;
}

/** Solves A x = b (n <= 6) by Gaussian elimination with partial pivoting; null when singular. */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    if (Math.abs(M[piv]![c]!) < 1e-12) return null;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

export function predict(model: Compensation, p: number[], x: number, y: number): [number, number] {
  switch (model) {
    case 'similarity':
      return [p[0]! * x - p[1]! * y + p[2]!, p[1]! * x + p[0]! * y + p[3]!];
    case 'affine':
      return [p[0]! * x + p[1]! * y + p[2]!, p[3]! * x + p[4]! * y + p[5]!];
    default:
      return [p[0]!, p[1]!];
  }
}

/** Weighted least squares for the model; weights w per block. */
function fitWeighted(model: 'similarity' | 'affine', v: Velocities, w: Float64Array): number[] | null {
  if (model === 'similarity') {
    // unknowns a, b, tx, ty; rows: vx = a x - b y + tx ; vy = b x + a y + ty
    const A = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    const B = new Array<number>(4).fill(0);
    for (let i = 0; i < v.n; i++) {
      const wi = w[i]!;
      if (wi === 0) continue;
      const x = v.x[i]!;
      const y = v.y[i]!;
      const r1 = [x, -y, 1, 0];
      const r2 = [y, x, 0, 1];
      for (let a = 0; a < 4; a++) {
        for (let b = 0; b < 4; b++) A[a]![b]! += wi * (r1[a]! * r1[b]! + r2[a]! * r2[b]!);
        B[a]! += wi * (r1[a]! * v.vx[i]! + r2[a]! * v.vy[i]!);
      }
    }
    return solve(A, B);
  }
  const A = Array.from({ length: 3 }, () => new Array<number>(3).fill(0));
  const Bx = new Array<number>(3).fill(0);
  const By = new Array<number>(3).fill(0);
  for (let i = 0; i < v.n; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    const r = [v.x[i]!, v.y[i]!, 1];
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) A[a]![b]! += wi * r[a]! * r[b]!;
      Bx[a]! += wi * r[a]! * v.vx[i]!;
      By[a]! += wi * r[a]! * v.vy[i]!;
    }
  }
  const px = solve(A, Bx);
  const py = solve(A, By);
  return px && py ? [...px, ...py] : null;
}

/** Estimates the camera motion of one picture from its inter blocks. Deterministic (no random sampling). */
export function estimateCameraMotion(v: Velocities, model: Compensation): CameraMotion {
  if (model === 'none' || v.n === 0) return { model, params: model === 'similarity' ? [0, 0, 0, 0] : model === 'affine' ? [0, 0, 0, 0, 0, 0] : [0, 0], blocks: v.n };
  const mx = median(v.vx.subarray(0, v.n));
  const my = median(v.vy.subarray(0, v.n));
  if (model === 'median') return { model, params: [mx, my], blocks: v.n };
  let params = model === 'similarity' ? [0, 0, mx, my] : [0, 0, mx, 0, 0, my];
  const w = new Float64Array(v.n);
  const res = new Float64Array(v.n);
  for (let iter = 0; iter < 10; iter++) {
    for (let i = 0; i < v.n; i++) {
      const [px, py] = predict(model, params, v.x[i]!, v.y[i]!);
      res[i] = Math.hypot(v.vx[i]! - px, v.vy[i]! - py);
    }
    const sigma = Math.max(0.25, 1.4826 * median(res));
    const c = 4.685 * sigma;
    for (let i = 0; i < v.n; i++) {
      const u = res[i]! / c;
      w[i] = u < 1 ? (1 - u * u) ** 2 : 0;
    }
    const next = fitWeighted(model, v, w);
    if (!next) break;
    const delta = next.reduce((s, x, k) => s + Math.abs(x - params[k]!), 0);
    params = next;
    if (delta < 1e-9) break;
  }
  return { model, params, blocks: v.n };
}
