/**
 * Canvases as LLaVA-OneVision-2 feeds them: the kept patches packed into frame-sized mosaics
 * (gridH x gridW patches each), written as `canvas_NNNN.png` (own encoder) or `.jpg` (FFmpeg), plus
 * `src_patch_position.npy`: int32 [C, gridH, gridW, 3] giving the (t, h, w) each canvas cell shows
 * (t as in positions.npy), -1 where the cell is padding.
 *
 * Packing:
 * - grouped policy: per group, the anchor frame is one canvas, each patch at its own place; the
 *   group's 2x2 blocks follow in new canvases, one block per 2x2 cell of the canvas in raster order
 *   (so a 2x2 merge on the canvas merges exactly one source block); a new group starts a new canvas.
 * - other policies: the rows of positions.npy in their order, one per cell in raster order,
 *   gridH * gridW per canvas; the last canvas is padded.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FfmpegInfo, locateFfmpeg } from '../input/ffmpeg/locate.js';
import { checkTokenizeResult, type TokenizeResult } from '../tokenize/result.js';
import { checkOneOf, checkOptions, checkPath } from '../validate.js';
import { writeJpeg } from './jpeg.js';
import { writeNpy } from './npy.js';
import { encodePng } from './png.js';

export interface Canvases {
  /** Canvas size in patches and pixels. */
  gridH: number;
  gridW: number;
  patch: number;
  /** RGB24 pixels of each canvas (gridH*P x gridW*P x 3). */
  images: Uint8Array[];
  /** Int32 [C, gridH, gridW, 3]. */
  srcPatchPosition: Int32Array;
  /** Row of positions.npy shown by each cell, -1 for padding: Int32 [C, gridH, gridW]. */
  rowIndex: Int32Array;
}

/** RGB24 pixels of output row r (de-normalised when the patches are float32). */
export function patchPixels(r: TokenizeResult, row: number): Uint8Array {
  const { data, shape, layout, dtype } = r.patches;
  const P = layout === 'nhwc' ? shape[1] : shape[2];
  const per = P * P * 3;
  const out = new Uint8Array(per);
  const mean = r.meta.patches.mean ?? [0, 0, 0];
  const std = r.meta.patches.std ?? [1, 1, 1];
  for (let y = 0; y < P; y++) {
    for (let x = 0; x < P; x++) {
      for (let c = 0; c < 3; c++) {
        const src = row * per + (layout === 'nhwc' ? (y * P + x) * 3 + c : c * P * P + y * P + x);
        const v = data[src]!;
        out[(y * P + x) * 3 + c] = dtype === 'uint8' ? v : Math.max(0, Math.min(255, Math.round((v * std[c]! + mean[c]!) * 255)));
      }
    }
  }
  return out;
}

/** Places rows onto canvases: returns, per canvas, the row index of each cell (-1 = padding). */
function layoutRows(r: TokenizeResult): Int32Array[] {
  const H = r.meta.grid.H;
  const W = r.meta.grid.W;
  const S = H * W;
  const canvases: Int32Array[] = [];
  const fresh = () => {
    const c = new Int32Array(S).fill(-1);
    canvases.push(c);
    return c;
  };
  if (r.meta.groups) {
    for (const g of r.meta.groups) {
      const anchor = fresh();
      for (let k = 0; k < S; k++) {
        const row = g.row + k;
        anchor[r.positions.data[3 * row + 1]! * W + r.positions.data[3 * row + 2]!] = row;
      }
      const cellsH = Math.floor(H / 2);
      const cellsW = Math.floor(W / 2);
      let canvas: Int32Array | null = null;
      let cell = 0;
      for (let row = g.row + S; row + 3 < g.row + g.rows; row += 4) {
        if (r.positions.data[3 * row]! < 0) break; // padding rows come last
        if (!canvas || cell === cellsH * cellsW) {
          canvas = fresh();
          cell = 0;
        }
        const ch = 2 * Math.floor(cell / cellsW);
        const cw = 2 * (cell % cellsW);
        canvas[ch * W + cw] = row;
        canvas[ch * W + cw + 1] = row + 1;
        canvas[(ch + 1) * W + cw] = row + 2;
        canvas[(ch + 1) * W + cw + 1] = row + 3;
        cell++;
      }
    }
    return canvases;
  }
  let canvas: Int32Array | null = null;
  let cell = 0;
  for (let row = 0; row < r.meta.count; row++) {
    if (r.positions.data[3 * row]! < 0) continue;
    if (!canvas || cell === S) {
      canvas = fresh();
      cell = 0;
    }
    canvas[cell++] = row;
  }
  return canvases;
}

export function buildCanvases(r: TokenizeResult): Canvases {
  const H = r.meta.grid.H;
  const W = r.meta.grid.W;
  const P = r.meta.geometry.patch;
  const layouts = layoutRows(r);
  const src = new Int32Array(layouts.length * H * W * 3).fill(-1);
  const rowIndex = new Int32Array(layouts.length * H * W).fill(-1);
  const images = layouts.map((cells, c) => {
    const img = new Uint8Array(H * P * W * P * 3);
    for (let k = 0; k < H * W; k++) {
      const row = cells[k]!;
      if (row < 0) continue;
      rowIndex[c * H * W + k] = row;
      for (let j = 0; j < 3; j++) src[(c * H * W + k) * 3 + j] = r.positions.data[3 * row + j]!;
      const px = patchPixels(r, row);
      const y0 = Math.floor(k / W) * P;
      const x0 = (k % W) * P;
      for (let y = 0; y < P; y++) img.set(px.subarray(y * P * 3, (y + 1) * P * 3), ((y0 + y) * W * P + x0) * 3);
    }
    return img;
  });
  return { gridH: H, gridW: W, patch: P, images, srcPatchPosition: src, rowIndex };
}

export interface CanvasWriteOptions {
  format?: 'png' | 'jpg';
  /** FFmpeg for JPEG (located when not given). */
  ffmpeg?: FfmpegInfo;
}

/**
 * Writes the canvases of a tokenization into `dir` (canvas_000.png... or .jpg, JPEG needs a native
 * FFmpeg) and `src_patch_position.npy`. Returns the files written.
 */
export async function writeCanvases(dir: string, r: TokenizeResult, o: CanvasWriteOptions = {}): Promise<string[]> {
  checkPath('writeCanvases', 'dir', dir);
  checkTokenizeResult('writeCanvases', r);
  const opts = checkOptions('writeCanvases', o, ['format', 'ffmpeg']);
  checkOneOf('writeCanvases', opts, 'format', ['png', 'jpg']);
  const format = o.format ?? 'png';
  await mkdir(dir, { recursive: true });
  const c = buildCanvases(r);
  const w = c.gridW * c.patch;
  const h = c.gridH * c.patch;
  const files: string[] = [];
  const ff = format === 'jpg' ? (o.ffmpeg ?? (await locateFfmpeg({ prefer: 'native' }))) : undefined;
  for (let k = 0; k < c.images.length; k++) {
    const f = join(dir, `canvas_${String(k).padStart(4, '0')}.${format}`);
    if (format === 'png') await writeFile(f, encodePng(c.images[k]!, w, h));
    else await writeJpeg(f, c.images[k]!, w, h, ff!);
    files.push(f);
  }
  const pos = join(dir, 'src_patch_position.npy');
  await writeNpy(pos, { shape: [c.images.length, c.gridH, c.gridW, 3], data: c.srcPatchPosition });
  files.push(pos);
  return files;
}
