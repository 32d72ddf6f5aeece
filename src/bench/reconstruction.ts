/**
 * Information retained by a selection: rebuild every sampled frame from the kept patches only and
 * compare it with the real frame.
 *
 * Fill rule, per patch position (h, w) and slot t:
 *   1. the patch kept at (t, h, w) itself, if any;
 *   2. else the most recent kept patch at (h, w) before t;
 *   3. else the nearest kept patch at (h, w) after t (the earliest one);
 *   4. else (the position is never kept) mid-grey, luma 128, counted in `neverKept`.
 * Pixels are the patches the tokenizer returned (uint8 RGB, nhwc), so the comparison measures what
 * an encoder would see. Quality is luma PSNR and SSIM (quality.ts) over the picture's rectangle only
 * (letterbox padding left out), per frame and for the clip.
 */
import { type Rect, PSNR_CAP_DB, SsimReference, lumaOf, mse, psnrFromMse } from './quality.js';
import { type GridGeometry, type KeptGrid, contentRect, rowIndex } from './selection.js';

export const NEVER_KEPT_LUMA = 128;

/**
 * Source slot of every (t, s) under the fill rule ([T * S], -1 where position s is never kept).
 * `kept` is a [T * S] 0/1 mask.
 */
export function fillSources(kept: Uint8Array, T: number, S: number): Int32Array {
  if (kept.length !== T * S) throw new RangeError(`kept mask has ${kept.length} values, expected ${T * S}`);
  const src = new Int32Array(T * S).fill(-1);
  for (let s = 0; s < S; s++) {
    let last = -1;
    for (let t = 0; t < T; t++) {
      if (kept[t * S + s]) last = t;
      src[t * S + s] = last;
    }
    // before the first kept slot: the first kept slot (the nearest one in time)
    let next = -1;
    for (let t = T - 1; t >= 0; t--) {
      if (kept[t * S + s]) next = t;
      if (src[t * S + s]! < 0) src[t * S + s] = next;
    }
  }
  return src;
}

/** Luma of the real sampled frames, prepared once per clip for every selection compared with it. */
export interface ReferenceFrames {
  rect: Rect;
  luma: Float32Array[];
  ssim: SsimReference[];
}

export function prepareReference(framesRgb: Uint8Array[], g: GridGeometry): ReferenceFrames {
  const rect = contentRect(g);
  const luma = framesRgb.map((f) => {
    if (f.length !== g.outWidth * g.outHeight * 3) throw new RangeError(`reference frame has ${f.length} bytes, expected ${g.outWidth}x${g.outHeight}x3`);
    return lumaOf(f, g.outWidth, rect);
  });
  return { rect, luma, ssim: luma.map((l) => new SsimReference(l, rect.width, rect.height)) };
}

export interface Rebuilt {
  /** Luma of every slot over the picture rectangle. */
  luma: Float32Array[];
  /** Patches (over all slots) filled from an earlier slot, from a later slot, or grey. */
  filledFromPast: number;
  filledFromFuture: number;
  neverKept: number;
}

/**
 * Rebuilds the luma of every slot from the kept patches (`pixels`: uint8 [N, P, P, 3] in the row
 * order of `k.positions`).
 */
export function rebuildFrames(k: KeptGrid, pixels: Uint8Array, g: GridGeometry): Rebuilt {
  const P = g.patch;
  const S = k.gridH * k.gridW;
  const n = Math.floor(k.positions.length / 3);
  if (pixels.length !== n * P * P * 3) throw new RangeError(`${pixels.length} pixel bytes for ${n} patches of ${P}x${P}x3`);
  const rows = rowIndex(k);
  const kept = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) kept[i] = rows[i]! >= 0 ? 1 : 0;
  const src = fillSources(kept, k.T, S);
  const rect = contentRect(g);
  const lumaCache = new Map<number, Float32Array>();
  const patchLuma = (row: number): Float32Array => {
    let l = lumaCache.get(row);
    if (!l) lumaCache.set(row, (l = lumaOf(pixels.subarray(row * P * P * 3, (row + 1) * P * P * 3), P, { x: 0, y: 0, width: P, height: P })));
    return l;
  };
  let past = 0;
  let future = 0;
  let never = 0;
  const luma: Float32Array[] = [];
  for (let t = 0; t < k.T; t++) {
    const out = new Float32Array(rect.width * rect.height);
    for (let h = 0; h < k.gridH; h++) {
      for (let w = 0; w < k.gridW; w++) {
        // the patch's pixels inside the picture rectangle
        const x0 = Math.max(w * P, rect.x);
        const x1 = Math.min((w + 1) * P, rect.x + rect.width);
        const y0 = Math.max(h * P, rect.y);
        const y1 = Math.min((h + 1) * P, rect.y + rect.height);
        if (x0 >= x1 || y0 >= y1) continue;
        const s = h * k.gridW + w;
        const u = src[t * S + s]!;
        if (u < 0) {
          never++;
          for (let y = y0; y < y1; y++) out.fill(NEVER_KEPT_LUMA, (y - rect.y) * rect.width + (x0 - rect.x), (y - rect.y) * rect.width + (x1 - rect.x));
          continue;
        }
        if (u < t) past++;
        else if (u > t) future++;
        const l = patchLuma(rows[u * S + s]!);
        for (let y = y0; y < y1; y++) {
          const py = y - h * P;
          const o = (y - rect.y) * rect.width - rect.x;
          for (let x = x0; x < x1; x++) out[o + x] = l[py * P + (x - w * P)]!;
        }
      }
    }
    luma.push(out);
  }
  return { luma, filledFromPast: past, filledFromFuture: future, neverKept: never };
}

export interface ReconstructionQuality {
  /** Clip PSNR (dB) from the mean MSE over the frames, capped at 100 dB. */
  psnr: number;
  /** Mean of the per-frame SSIM. */
  ssim: number;
  /** Mean of the per-frame PSNR (each capped at 100 dB; frames kept whole count 100). */
  meanFramePsnr: number;
  perFrame: { psnr: number[]; ssim: number[]; mse: number[] };
  filledFromPast: number;
  filledFromFuture: number;
  neverKept: number;
}

/** Compares rebuilt frames with the reference frames, frame by frame. */
export function compareFrames(rebuilt: Float32Array[], ref: ReferenceFrames): Pick<ReconstructionQuality, 'psnr' | 'ssim' | 'meanFramePsnr' | 'perFrame'> {
  if (rebuilt.length !== ref.luma.length) throw new RangeError(`${rebuilt.length} rebuilt frames for ${ref.luma.length} reference frames`);
  const perFrame = { psnr: [] as number[], ssim: [] as number[], mse: [] as number[] };
  for (let t = 0; t < rebuilt.length; t++) {
    const m = mse(rebuilt[t]!, ref.luma[t]!);
    perFrame.mse.push(m);
    perFrame.psnr.push(psnrFromMse(m));
    // SSIM(x, x) is exactly 1; skip the filtering when the frame is rebuilt exactly
    perFrame.ssim.push(m === 0 ? 1 : ref.ssim[t]!.against(rebuilt[t]!));
  }
  const T = Math.max(1, rebuilt.length);
  const meanMse = perFrame.mse.reduce((a, b) => a + b, 0) / T;
  return {
    psnr: rebuilt.length ? psnrFromMse(meanMse) : PSNR_CAP_DB,
    ssim: perFrame.ssim.reduce((a, b) => a + b, 0) / T,
    meanFramePsnr: perFrame.psnr.reduce((a, b) => a + b, 0) / T,
    perFrame,
  };
}

/** Rebuilds every slot from the kept patches and measures it against the real frames. */
export function reconstructionQuality(k: KeptGrid, pixels: Uint8Array, g: GridGeometry, ref: ReferenceFrames): ReconstructionQuality {
  const r = rebuildFrames(k, pixels, g);
  return { ...compareFrames(r.luma, ref), filledFromPast: r.filledFromPast, filledFromFuture: r.filledFromFuture, neverKept: r.neverKept };
}
