/**
 * What a selection kept, seen by the benchmark metrics: positions as rows of (slot, h, w) on a
 * T x gridH x gridW grid (t = sampled-slot index, what tokenize() returns with timeIndex 'slot'),
 * padding rows (-1, -1, -1) ignored.
 */
import type { GridPlacement } from '../geometry/content_mask.js';
import type { Geometry } from '../geometry/output_geometry.js';

export interface KeptGrid {
  T: number;
  gridH: number;
  gridW: number;
  /** Int32 [N * 3]: (slot, h, w) per row; (-1, -1, -1) rows are padding. */
  positions: Int32Array;
}

/** Flat index slot * S + h * gridW + w -> row in positions (-1 when not kept). */
export function rowIndex(k: KeptGrid): Int32Array {
  const S = k.gridH * k.gridW;
  const rows = new Int32Array(k.T * S).fill(-1);
  const n = Math.floor(k.positions.length / 3);
  for (let r = 0; r < n; r++) {
    const t = k.positions[3 * r]!;
    const h = k.positions[3 * r + 1]!;
    const w = k.positions[3 * r + 2]!;
    if (t < 0) continue;
    if (t >= k.T || h < 0 || h >= k.gridH || w < 0 || w >= k.gridW) throw new RangeError(`position (${t}, ${h}, ${w}) is outside the ${k.T}x${k.gridH}x${k.gridW} grid`);
    rows[t * S + h * k.gridW + w] = r;
  }
  return rows;
}

/** 1 where a patch was kept, [T * S]. */
export function keptMask(k: KeptGrid): Uint8Array {
  const rows = rowIndex(k);
  const m = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) m[i] = rows[i]! >= 0 ? 1 : 0;
  return m;
}

/** Output geometry as the metrics need it (a subset of tokenize's Geometry). */
export type GridGeometry = GridPlacement & Pick<Geometry, 'outWidth' | 'outHeight'>;

/** The picture's rectangle on the canvas (everything but letterbox padding). */
export function contentRect(g: GridGeometry): { x: number; y: number; width: number; height: number } {
  return { x: g.padLeft, y: g.padTop, width: g.scaledWidth, height: g.scaledHeight };
}
