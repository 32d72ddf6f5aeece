/**
 * Picture quality on luma: PSNR and SSIM.
 *
 * - Luma is BT.601 Y' = 0.299 R + 0.587 G + 0.114 B of the decoded RGB24 pixels, kept as a float
 *   (no rounding), on the 0..255 scale.
 * - PSNR = 10 log10(255^2 / MSE), **capped at 100 dB**: identical pictures (MSE 0) give exactly
 *   100 dB, never Infinity (JSON has no Infinity, and a cap keeps means finite). Any real error is
 *   far below the cap: one grey level wrong in one pixel of a 336x168 picture is 95.6 dB.
 *   The PSNR of a clip is computed from the mean MSE over its frames (what FFmpeg's psnr filter
 *   reports as "average"), not as a mean of per-frame dB values.
 * - SSIM is Wang, Bovik, Sheikh and Simoncelli (2004) with their reference settings: an 11x11
 *   Gaussian window with sigma 1.5 (normalised to sum 1), K1 = 0.01, K2 = 0.03, L = 255, mean of
 *   the SSIM map over the windows that lie entirely inside the picture ("valid"), no
 *   pre-downsampling. Pictures smaller than the window are compared in one window covering them.
 */

export const PSNR_CAP_DB = 100;
const PEAK = 255;
const C1 = (0.01 * PEAK) ** 2;
const C2 = (0.03 * PEAK) ** 2;
const WIN = 11;
const SIGMA = 1.5;

const GAUSS = (() => {
  const g = new Float64Array(WIN);
  let sum = 0;
  for (let i = 0; i < WIN; i++) {
    const d = i - (WIN - 1) / 2;
    g[i] = Math.exp(-(d * d) / (2 * SIGMA * SIGMA));
    sum += g[i]!;
  }
  for (let i = 0; i < WIN; i++) g[i]! /= sum;
  return g;
})();

/** A rectangle of a picture, in pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** BT.601 luma of the `rect` of an RGB24 picture `stride` pixels wide, row-major, rect-sized. */
export function lumaOf(rgb: Uint8Array, stride: number, rect: Rect): Float32Array {
  const out = new Float32Array(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) {
    let s = ((rect.y + y) * stride + rect.x) * 3;
    let d = y * rect.width;
    for (let x = 0; x < rect.width; x++, s += 3, d++) out[d] = 0.299 * rgb[s]! + 0.587 * rgb[s + 1]! + 0.114 * rgb[s + 2]!;
  }
  return out;
}

export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`mse: ${a.length} vs ${b.length} values`);
  if (a.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s / a.length;
}

/** PSNR in dB for 8-bit samples, capped at PSNR_CAP_DB (so MSE 0 gives 100, not Infinity). */
export function psnrFromMse(m: number): number {
  if (!(m > 0)) return PSNR_CAP_DB;
  return Math.min(PSNR_CAP_DB, 10 * Math.log10((PEAK * PEAK) / m));
}

export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return psnrFromMse(mse(a, b));
}

/** Separable Gaussian filter, "valid" output ((w-10) x (h-10)), into `out`. */
function filterValid(src: Float64Array, w: number, h: number, tmp: Float64Array, out: Float64Array): void {
  const ow = w - WIN + 1;
  const oh = h - WIN + 1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < WIN; k++) s += GAUSS[k]! * src[row + x + k]!;
      tmp[y * ow + x] = s;
    }
  }
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < WIN; k++) s += GAUSS[k]! * tmp[(y + k) * ow + x]!;
      out[y * ow + x] = s;
    }
  }
}

/**
 * The reference side of SSIM, computed once per reference picture: its local means and local
 * second moments. `against(b)` then costs three filtered maps instead of five.
 */
export class SsimReference {
  private readonly mu?: Float64Array;
  private readonly sq?: Float64Array;
  private readonly ref: Float64Array;
  constructor(readonly a: ArrayLike<number>, readonly width: number, readonly height: number) {
    if (a.length !== width * height) throw new RangeError(`ssim: ${a.length} values for ${width}x${height}`);
    this.ref = Float64Array.from(a);
    if (width >= WIN && height >= WIN) {
      const n = (width - WIN + 1) * (height - WIN + 1);
      const tmp = new Float64Array((width - WIN + 1) * height);
      this.mu = new Float64Array(n);
      this.sq = new Float64Array(n);
      filterValid(this.ref, width, height, tmp, this.mu);
      filterValid(this.ref.map((v) => v * v), width, height, tmp, this.sq);
    }
  }

  /** Mean SSIM of `b` against the reference. */
  against(b: ArrayLike<number>): number {
    const { width: w, height: h } = this;
    if (b.length !== w * h) throw new RangeError(`ssim: ${b.length} values for ${w}x${h}`);
    if (!this.mu || !this.sq) return globalSsim(this.ref, b);
    const ow = w - WIN + 1;
    const oh = h - WIN + 1;
    const n = ow * oh;
    const tmp = new Float64Array(ow * h);
    const mb = new Float64Array(n);
    const bb = new Float64Array(n);
    const ab = new Float64Array(n);
    const src = Float64Array.from(b);
    filterValid(src, w, h, tmp, mb);
    const prod = new Float64Array(w * h);
    for (let i = 0; i < w * h; i++) prod[i] = src[i]! * src[i]!;
    filterValid(prod, w, h, tmp, bb);
    for (let i = 0; i < w * h; i++) prod[i] = src[i]! * this.ref[i]!;
    filterValid(prod, w, h, tmp, ab);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const ma = this.mu[i]!;
      const m2 = mb[i]!;
      const va = this.sq[i]! - ma * ma;
      const vb = bb[i]! - m2 * m2;
      const cov = ab[i]! - ma * m2;
      sum += ((2 * ma * m2 + C1) * (2 * cov + C2)) / ((ma * ma + m2 * m2 + C1) * (va + vb + C2));
    }
    return sum / n;
  }
}

/** SSIM with one window covering the whole (small) picture, uniform weights. */
function globalSsim(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n === 0) return 1;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let va = 0;
  let vb = 0;
  let cov = 0;
  for (let i = 0; i < n; i++) {
    va += (a[i]! - ma) ** 2;
    vb += (b[i]! - mb) ** 2;
    cov += (a[i]! - ma) * (b[i]! - mb);
  }
  va /= n;
  vb /= n;
  cov /= n;
  return ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
}

/** Mean SSIM of two luma pictures of the same size (see the module comment for the settings). */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, width: number, height: number): number {
  return new SsimReference(a, width, height).against(b);
}
