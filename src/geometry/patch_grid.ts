// Codec maps (cells of the coded picture) onto the patch grid of the output geometry, by area.
import { loadNative } from '../input/native.js';
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

/**
 * Maps a codec map onto the patch grid by area: each patch gets the area-weighted mean of the cell
 * values over its `patch x patch` output pixels, where padding counts as 0. A constant map c gives c
 * on every content patch, c * (covered fraction) on patches that straddle the padding, 0 on padding.
 * Works for any cell size (1: a plane, 4: motion, 8: CU/bits), any output size and any patch size.
 * Computed by the C++ core (cpp/score/patch_pooling.h); values are read as float32 (uint16 with
 * `integer`).
 */
export function poolToGrid(map: CellMap & { integer?: boolean }, crop: CropOffsets, g: Geometry): Float32Array {
  return loadNative().poolToGrid(nativeCellMap(map), crop, g);
}

/** A cell map as the core reads it: float32 values, or uint16 ones for an integer map. */
export function nativeCellMap(map: CellMap & { integer?: boolean }): CellMap & { integer: boolean } {
  const integer = map.integer === true && map.values instanceof Uint16Array;
  const values = integer || map.values instanceof Float32Array ? map.values : Float32Array.from(map.values);
  return { cols: map.cols, rows: map.rows, cell: map.cell, values, integer };
}

/** Source (display) pixel rectangle [x0,x1) x [y0,y1) that patch (h, w) shows; empty for padding. */
export function patchSourceRect(g: Geometry, h: number, w: number): { x0: number; y0: number; x1: number; y1: number } {
  const kx = g.srcWidth / g.scaledWidth;
  const ky = g.srcHeight / g.scaledHeight;
  const clampX = (o: number) => Math.min(g.srcWidth, Math.max(0, (o - g.padLeft) * kx));
  const clampY = (o: number) => Math.min(g.srcHeight, Math.max(0, (o - g.padTop) * ky));
  return { x0: clampX(w * g.patch), x1: clampX((w + 1) * g.patch), y0: clampY(h * g.patch), y1: clampY((h + 1) * g.patch) };
}
