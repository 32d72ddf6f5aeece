// Which patches of the output grid show picture content (not letterbox padding).
import type { Geometry } from './output_geometry.js';

/** The fields of a Geometry that place the picture on the patch grid. */
export type GridPlacement = Pick<Geometry, 'patch' | 'gridH' | 'gridW' | 'padLeft' | 'padTop' | 'scaledWidth' | 'scaledHeight'>;

/** 1 where the patch lies entirely inside the resized picture (no padding pixel), else 0. Row-major [gridH][gridW]. */
export function contentPatchMask(g: GridPlacement): Uint8Array {
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

/** 1 where the patch shows at least one pixel of the picture (0: letterbox padding only). Row-major [gridH][gridW]. */
export function overlappingPatchMask(g: GridPlacement): Uint8Array {
  const mask = new Uint8Array(g.gridH * g.gridW);
  for (let h = 0; h < g.gridH; h++) {
    for (let w = 0; w < g.gridW; w++) {
      const x0 = w * g.patch;
      const y0 = h * g.patch;
      mask[h * g.gridW + w] = x0 < g.padLeft + g.scaledWidth && x0 + g.patch > g.padLeft && y0 < g.padTop + g.scaledHeight && y0 + g.patch > g.padTop ? 1 : 0;
    }
  }
  return mask;
}
