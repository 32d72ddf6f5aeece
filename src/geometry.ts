/**
 * Output geometry of the tokenizer and the mapping of codec maps onto its patch grid.
 *
 * Coordinates: the *display* picture is the coded picture cropped by the conformance window
 * (what a decoder outputs). It is resized to `scaledWidth x scaledHeight` and placed at
 * (`padLeft`, `padTop`) inside an `outWidth x outHeight` canvas (the rest is black padding).
 * The canvas is cut into a `gridH x gridW` grid of `patch x patch` pixel patches.
 */
import { CodectokError } from './errors.js';

export type ResizeMode = 'letterbox' | 'qwen';

export interface Geometry {
  mode: ResizeMode;
  /** Displayed (cropped) source size in pixels. */
  srcWidth: number;
  srcHeight: number;
  /** Size of the resized picture inside the canvas. */
  scaledWidth: number;
  scaledHeight: number;
  /** Offset of the resized picture inside the canvas (letterbox padding on the left/top). */
  padLeft: number;
  padTop: number;
  /** Canvas size in pixels: gridW * patch by gridH * patch. */
  outWidth: number;
  outHeight: number;
  patch: number;
  gridH: number;
  gridW: number;
}

export interface LetterboxOptions {
  /** Side of the square canvas (rounded down to a multiple of the patch size). Default 576. */
  size?: number;
  /** Patch side in pixels. Default 16. */
  patch?: number;
}

export interface QwenResizeOptions {
  patch?: number;
  /** Spatial merge size: sides are multiples of patch * merge (Qwen2-VL: 14 * 2 = 28). Default 2. */
  merge?: number;
  /** Default 56 * 56 (Qwen2-VL's min_pixels with factor 28 is 4 * 28 * 28). */
  minPixels?: number;
  /** Default 576 * 576. */
  maxPixels?: number;
}

/** Impossible output geometry (code ERR_INVALID_OPTION). */
export class GeometryError extends CodectokError {
  constructor(message: string) {
    super('ERR_INVALID_OPTION', message);
    this.name = 'GeometryError';
  }
}

/** Python's round(): halves go to the even neighbour (so geometry matches numpy/Python pipelines). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

function checkSize(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new GeometryError(`${name} must be a positive integer, got ${v}`);
}

/**
 * Letterbox: scale so the longer side fills the square, keep the aspect ratio, centre, pad with black.
 * Rounding follows OneVision-Encoder: side = round_half_even(side * S / max(W, H)), pad = floor((S - side) / 2).
 */
export function letterboxGeometry(srcWidth: number, srcHeight: number, opts: LetterboxOptions = {}): Geometry {
  const patch = opts.patch ?? 16;
  const size = opts.size ?? 576;
  checkSize('source width', srcWidth);
  checkSize('source height', srcHeight);
  checkSize('patch', patch);
  checkSize('size', size);
  const grid = Math.floor(size / patch);
  if (grid < 1) throw new GeometryError(`size ${size} is smaller than the patch ${patch}`);
  const S = grid * patch;
  const scale = S / Math.max(srcWidth, srcHeight);
  const scaledWidth = Math.max(1, Math.min(S, roundHalfEven(srcWidth * scale)));
  const scaledHeight = Math.max(1, Math.min(S, roundHalfEven(srcHeight * scale)));
  return {
    mode: 'letterbox',
    srcWidth,
    srcHeight,
    scaledWidth,
    scaledHeight,
    padLeft: Math.floor((S - scaledWidth) / 2),
    padTop: Math.floor((S - scaledHeight) / 2),
    outWidth: S,
    outHeight: S,
    patch,
    gridH: grid,
    gridW: grid,
  };
}

/**
 * Qwen2-VL `smart_resize`: both sides become multiples of factor = patch * merge, the aspect ratio is
 * kept as well as possible and the pixel count is brought inside [minPixels, maxPixels]. No padding.
 */
export function qwenGeometry(srcWidth: number, srcHeight: number, opts: QwenResizeOptions = {}): Geometry {
  const patch = opts.patch ?? 14;
  const merge = opts.merge ?? 2;
  checkSize('source width', srcWidth);
  checkSize('source height', srcHeight);
  checkSize('patch', patch);
  checkSize('merge', merge);
  const factor = patch * merge;
  const minPixels = opts.minPixels ?? 56 * 56;
  const maxPixels = opts.maxPixels ?? 576 * 576;
  if (!(minPixels > 0) || !(maxPixels >= minPixels)) {
    throw new GeometryError(`need 0 < minPixels <= maxPixels, got ${minPixels}, ${maxPixels}`);
  }
  if (maxPixels < factor * factor) throw new GeometryError(`maxPixels ${maxPixels} is below one ${factor}x${factor} unit`);
  if (Math.max(srcWidth, srcHeight) / Math.min(srcWidth, srcHeight) > 200) {
    throw new GeometryError(`aspect ratio of ${srcWidth}x${srcHeight} is above 200`);
  }
  let h = Math.max(factor, roundHalfEven(srcHeight / factor) * factor);
  let w = Math.max(factor, roundHalfEven(srcWidth / factor) * factor);
  if (h * w > maxPixels) {
    const beta = Math.sqrt((srcHeight * srcWidth) / maxPixels);
    h = Math.max(factor, Math.floor(srcHeight / beta / factor) * factor);
    w = Math.max(factor, Math.floor(srcWidth / beta / factor) * factor);
  } else if (h * w < minPixels) {
    const beta = Math.sqrt(minPixels / (srcHeight * srcWidth));
    h = Math.ceil((srcHeight * beta) / factor) * factor;
    w = Math.ceil((srcWidth * beta) / factor) * factor;
  }
  return {
    mode: 'qwen',
    srcWidth,
    srcHeight,
    scaledWidth: w,
    scaledHeight: h,
    padLeft: 0,
    padTop: 0,
    outWidth: w,
    outHeight: h,
    patch,
    gridH: h / patch,
    gridW: w / patch,
  };
}

/** 1 where the patch lies entirely inside the resized picture (no padding pixel), else 0. Row-major [gridH][gridW]. */
export function contentPatchMask(g: Geometry): Uint8Array {
  const mask = new Uint8Array(g.gridH * g.gridW);
  const x1 = g.padLeft + g.scaledWidth;
  const y1 = g.padTop + g.scaledHeight;
  for (let h = 0; h < g.gridH; h++) {
    const py0 = h * g.patch;
    if (py0 < g.padTop || py0 + g.patch > y1) continue;
    for (let w = 0; w < g.gridW; w++) {
      const px0 = w * g.patch;
      if (px0 >= g.padLeft && px0 + g.patch <= x1) mask[h * g.gridW + w] = 1;
    }
  }
  return mask;
}

/** A codec map: `cols x rows` cells of `cell x cell` luma samples of the coded picture, row-major. */
export interface CellMap {
  values: ArrayLike<number>;
  cols: number;
  rows: number;
  cell: number;
}

/** Conformance window offsets (luma samples) of the coded picture. */
export interface CropOffsets {
  left: number;
  top: number;
}

interface AxisOverlap {
  /** For cell i: overlaps start at entries[offsets[i]] up to offsets[i+1]. */
  offsets: Int32Array;
  patchIndex: Int32Array;
  weight: Float64Array;
}

/**
 * 1-D overlap of codec cells with patches along one axis, in output pixels.
 * Cell i spans coded [i*cell, (i+1)*cell) -> display [.. - crop) clipped to [0, src) -> output
 * [pad + x * scaled / src).
 */
function axisOverlap(count: number, cell: number, crop: number, src: number, scaled: number, pad: number, patch: number, grid: number): AxisOverlap {
  const k = scaled / src;
  const offsets = new Int32Array(count + 1);
  const idx: number[] = [];
  const wt: number[] = [];
  for (let i = 0; i < count; i++) {
    offsets[i] = idx.length;
    const d0 = Math.max(0, i * cell - crop);
    const d1 = Math.min(src, (i + 1) * cell - crop);
    if (d1 <= d0) continue;
    const o0 = pad + d0 * k;
    const o1 = pad + d1 * k;
    const p0 = Math.max(0, Math.floor(o0 / patch));
    const p1 = Math.min(grid - 1, Math.ceil(o1 / patch) - 1);
    for (let p = p0; p <= p1; p++) {
      const ov = Math.min(o1, (p + 1) * patch) - Math.max(o0, p * patch);
      if (ov > 0) {
        idx.push(p);
        wt.push(ov);
      }
    }
  }
  offsets[count] = idx.length;
  return { offsets, patchIndex: Int32Array.from(idx), weight: Float64Array.from(wt) };
}

/**
 * Maps a codec map onto the patch grid by area: each patch gets the area-weighted mean of the cell
 * values over its `patch x patch` output pixels, where padding counts as 0. A constant map c gives c
 * on every content patch, c * (covered fraction) on patches that straddle the padding, 0 on padding.
 * Works for any cell size (1: a plane, 4: motion, 8: CU/bits), any output size and any patch size.
 */
export function poolToGrid(map: CellMap, crop: CropOffsets, g: Geometry): Float32Array {
  return poolToGridPair(map, Infinity, crop, g).raw;
}

/**
 * poolToGrid of a map and, in the same pass, of the map normalised by `level`
 * (each cell min(1, value / level), rounded to float32): one traversal of the
 * cells instead of two, and no normalised copy of the map.
 */
export function poolToGridPair(map: CellMap, level: number, crop: CropOffsets, g: Geometry): { raw: Float32Array; norm: Float32Array } {
  const ax = axisOverlap(map.cols, map.cell, crop.left, g.srcWidth, g.scaledWidth, g.padLeft, g.patch, g.gridW);
  const ay = axisOverlap(map.rows, map.cell, crop.top, g.srcHeight, g.scaledHeight, g.padTop, g.patch, g.gridH);
  const wantNorm = Number.isFinite(level);
  const acc = new Float64Array(g.gridH * g.gridW);
  const accN = new Float64Array(wantNorm ? g.gridH * g.gridW : 0);
  const row = new Float64Array(g.gridW);
  const rowN = new Float64Array(g.gridW);
  const v = map.values;
  const gw = g.gridW;
  for (let r = 0; r < map.rows; r++) {
    const ys = ay.offsets[r]!;
    const ye = ay.offsets[r + 1]!;
    if (ye === ys) continue;
    let any = false;
    const base = r * map.cols;
    for (let c = 0; c < map.cols; c++) {
      const val = v[base + c]!;
      if (val === 0) continue;
      if (!any) {
        row.fill(0);
        if (wantNorm) rowN.fill(0);
        any = true;
      }
      const e0 = ax.offsets[c]!;
      const e1 = ax.offsets[c + 1]!;
      if (wantNorm) {
        const x = val / level;
        const n = Math.fround(x > 1 ? 1 : x);
        for (let e = e0; e < e1; e++) {
          const wgt = ax.weight[e]!;
          const k = ax.patchIndex[e]!;
          row[k]! += val * wgt;
          rowN[k]! += n * wgt;
        }
      } else {
        for (let e = e0; e < e1; e++) row[ax.patchIndex[e]!]! += val * ax.weight[e]!;
      }
    }
    if (!any) continue;
    for (let e = ys; e < ye; e++) {
      const wy = ay.weight[e]!;
      const o = ay.patchIndex[e]! * gw;
      for (let x = 0; x < gw; x++) acc[o + x]! += row[x]! * wy;
      if (wantNorm) for (let x = 0; x < gw; x++) accN[o + x]! += rowN[x]! * wy;
    }
  }
  const area = g.patch * g.patch;
  const raw = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) raw[i] = acc[i]! / area;
  const norm = new Float32Array(accN.length);
  for (let i = 0; i < accN.length; i++) norm[i] = accN[i]! / area;
  return { raw, norm };
}

/** Source (display) pixel rectangle [x0,x1) x [y0,y1) that patch (h, w) shows; empty for padding. */
export function patchSourceRect(g: Geometry, h: number, w: number): { x0: number; y0: number; x1: number; y1: number } {
  const kx = g.srcWidth / g.scaledWidth;
  const ky = g.srcHeight / g.scaledHeight;
  const clampX = (o: number) => Math.min(g.srcWidth, Math.max(0, (o - g.padLeft) * kx));
  const clampY = (o: number) => Math.min(g.srcHeight, Math.max(0, (o - g.padTop) * ky));
  return { x0: clampX(w * g.patch), x1: clampX((w + 1) * g.patch), y0: clampY(h * g.patch), y1: clampY((h + 1) * g.patch) };
}
