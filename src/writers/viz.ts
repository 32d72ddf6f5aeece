/**
 * A picture a person can check at a glance: every sampled frame (at output geometry, shrunk to
 * tiles) with the kept patches at full brightness and the dropped ones dimmed, a bar over each tile
 * (green: kept whole, red: I-frame, blue: other), then the kept-patch mosaic (the canvases).
 */
import type { TokenizeResult } from '../tokenize/result.js';
import { buildCanvases } from './canvas.js';

export interface VizOptions {
  /** Largest tile side in pixels (frames are shrunk by an integer factor to fit). Default 192. */
  tile?: number;
  /** Tiles per row. Default 8. */
  columns?: number;
  /** Brightness of dropped patches, 0..1. Default 0.25. */
  dim?: number;
}

export interface Image {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Box-filter shrink by an integer factor. */
export function shrink(rgb: Uint8Array, width: number, height: number, f: number): Image {
  const w = Math.ceil(width / f);
  const h = Math.ceil(height / f);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        let n = 0;
        for (let yy = y * f; yy < Math.min(height, (y + 1) * f); yy++) {
          for (let xx = x * f; xx < Math.min(width, (x + 1) * f); xx++) {
            s += rgb[(yy * width + xx) * 3 + c]!;
            n++;
          }
        }
        out[(y * w + x) * 3 + c] = Math.round(s / n);
      }
    }
  }
  return { rgb: out, width: w, height: h };
}

function blit(dst: Image, src: Image, x0: number, y0: number): void {
  for (let y = 0; y < src.height; y++) dst.rgb.set(src.rgb.subarray(y * src.width * 3, (y + 1) * src.width * 3), ((y0 + y) * dst.width + x0) * 3);
}

function fillRect(dst: Image, x0: number, y0: number, w: number, h: number, color: [number, number, number]): void {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) dst.rgb.set(color, (y * dst.width + x) * 3);
}

/**
 * Composes the picture from a tokenization and the RGB frames of its slots (outHeight x outWidth x 3
 * each, in slot order).
 */
export function composeViz(r: TokenizeResult, frames: Uint8Array[], o: VizOptions = {}): Image {
  const g = r.meta.geometry;
  const T = r.meta.grid.T;
  const cols = Math.max(1, Math.min(o.columns ?? 8, T));
  const dim = o.dim ?? 0.25;
  const f = Math.max(1, Math.ceil(Math.max(g.outWidth, g.outHeight) / (o.tile ?? 192)));
  const slotOf = new Map(r.meta.frames.sampled.map((fr, s) => [fr, s]));
  const kept = Array.from({ length: T }, () => new Uint8Array(g.gridH * g.gridW));
  for (let row = 0; row < r.meta.count; row++) {
    const t = r.positions.data[3 * row]!;
    if (t < 0) continue;
    const slot = r.meta.timeIndex === 'slot' ? t : slotOf.get(t)!;
    kept[slot]![r.positions.data[3 * row + 1]! * g.gridW + r.positions.data[3 * row + 2]!] = 1;
  }
  const tiles = frames.map((rgb, s) => {
    const lit = new Uint8Array(rgb.length);
    for (let y = 0; y < g.outHeight; y++) {
      const ph = Math.floor(y / g.patch);
      for (let x = 0; x < g.outWidth; x++) {
        const on = ph < g.gridH && kept[s]![ph * g.gridW + Math.floor(x / g.patch)];
        const i = (y * g.outWidth + x) * 3;
        for (let c = 0; c < 3; c++) lit[i + c] = on ? rgb[i + c]! : Math.round(rgb[i + c]! * dim);
      }
    }
    return shrink(lit, g.outWidth, g.outHeight, f);
  });
  const canv = buildCanvases(r);
  const mosaics = canv.images.map((img) => shrink(img, canv.gridW * canv.patch, canv.gridH * canv.patch, f));
  const gap = 4;
  const bar = 3;
  const tw = tiles[0]?.width ?? 1;
  const th = (tiles[0]?.height ?? 1) + bar;
  const mw = mosaics[0]?.width ?? 0;
  const mh = mosaics[0]?.height ?? 0;
  const frameRows = Math.ceil(T / cols);
  const mosaicRows = Math.ceil(mosaics.length / cols);
  const width = gap + cols * (Math.max(tw, mw) + gap);
  const height = gap + frameRows * (th + gap) + (mosaics.length ? gap * 3 + mosaicRows * (mh + gap) : 0);
  const out: Image = { rgb: new Uint8Array(width * height * 3).fill(24), width, height };
  const dense = new Set(r.meta.denseSlots);
  tiles.forEach((tile, s) => {
    const x0 = gap + (s % cols) * (Math.max(tw, mw) + gap);
    const y0 = gap + Math.floor(s / cols) * (th + gap);
    const color: [number, number, number] = dense.has(s) ? [40, 200, 60] : r.meta.frames.types[s] === 'I' ? [220, 50, 40] : [60, 110, 230];
    fillRect(out, x0, y0, tile.width, bar, color);
    blit(out, tile, x0, y0 + bar);
  });
  const my0 = gap + frameRows * (th + gap) + gap * 2;
  if (mosaics.length) fillRect(out, 0, my0 - gap, width, 1, [120, 120, 120]);
  mosaics.forEach((m, k) => blit(out, m, gap + (k % cols) * (Math.max(tw, mw) + gap), my0 + Math.floor(k / cols) * (mh + gap)));
  return out;
}
