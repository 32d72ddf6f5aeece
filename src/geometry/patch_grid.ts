// Codec maps (cells of the coded picture) onto the patch grid of the output geometry, by area.
import type { Geometry } from './output_geometry.js';

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
