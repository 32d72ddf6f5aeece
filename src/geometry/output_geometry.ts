/**
 * Output geometry of the tokenizer: letterbox or Qwen2-VL resize, and its patch grid.
 *
 * Coordinates: the *display* picture is the coded picture cropped by the conformance window
 * (what a decoder outputs). It is resized to `scaledWidth x scaledHeight` and placed at
 * (`padLeft`, `padTop`) inside an `outWidth x outHeight` canvas (the rest is black padding).
 * The canvas is cut into a `gridH x gridW` grid of `patch x patch` pixel patches.
 */
import { CodectokError } from '../errors.js';

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
