/**
 * Line charts as PNG, with no dependency: a small RGB rasteriser (anti-aliased thick lines by
 * distance to the segment, supersampled markers), the 5x8 bitmap font of font5x8.ts drawn at 2x,
 * and codectok's own PNG encoder (src/writers/png.ts).
 *
 * A chart has a title, axes with ticks and tick labels, axis labels (the y label written bottom to
 * top), light grid lines, one line per series with its own colour, marker and (optionally) dashes,
 * and a legend to the right of the plot. Points with a non-finite y are left out and break the line.
 */
import { encodePng } from '../writers/png.js';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel, textWidth } from './font5x8.js';

export type Rgb = readonly [number, number, number];
export type Marker = 'circle' | 'square' | 'triangle' | 'diamond';

export interface ChartSeries {
  name: string;
  points: { x: number; y: number }[];
  color?: Rgb;
  marker?: Marker;
  /** Marker size in pixels (default 10): a larger one stays visible under another series' marker. */
  markerSize?: number;
  dashed?: boolean;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** `log2` (default) suits budgets that double; `linear` otherwise. */
  xScale?: 'linear' | 'log2';
  /** Where the x ticks go (default: every x of the data). */
  xTicks?: number[];
  /** Fixed y range (default: the data's, widened to nice ticks). */
  yMin?: number;
  yMax?: number;
  /** Tick label formats. */
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** Pixel size of the whole chart. Default 760 x 440. */
  width?: number;
  height?: number;
}

/** Okabe-Ito colours (distinguishable with colour-blindness), then a few more. */
export const PALETTE: Rgb[] = [
  [0, 114, 178],
  [230, 159, 0],
  [0, 158, 115],
  [0, 0, 0],
  [204, 121, 167],
  [213, 94, 0],
  [86, 180, 233],
  [120, 120, 120],
];
const MARKERS: Marker[] = ['circle', 'square', 'triangle', 'diamond'];

const WHITE: Rgb = [255, 255, 255];
const AXIS: Rgb = [40, 40, 40];
const GRID: Rgb = [225, 225, 225];
const TEXT: Rgb = [20, 20, 20];
/** Font scale: the 5x8 glyphs are drawn 2x (10x16 pixels), readable at 100 %. */
const FS = 2;

/** An RGB24 picture with the drawing operations the charts need. */
export class Raster {
  readonly data: Uint8Array;
  constructor(readonly width: number, readonly height: number, background: Rgb = WHITE) {
    this.data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.data.set(background, i * 3);
  }

  /** Mixes `color` into pixel (x, y) with opacity `alpha` in [0, 1]. */
  blend(x: number, y: number, color: Rgb, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !(alpha > 0)) return;
    const a = Math.min(1, alpha);
    const o = (y * this.width + x) * 3;
    for (let c = 0; c < 3; c++) this.data[o + c] = Math.round(this.data[o + c]! * (1 - a) + color[c]! * a);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let yy = Math.max(0, Math.floor(y)); yy < Math.min(this.height, Math.floor(y + h)); yy++) {
      for (let xx = Math.max(0, Math.floor(x)); xx < Math.min(this.width, Math.floor(x + w)); xx++) this.blend(xx, yy, color);
    }
  }

  /** Anti-aliased line of the given width; `dash` = [on, off] in pixels, `phase` shifts the pattern. */
  line(x0: number, y0: number, x1: number, y1: number, width: number, color: Rgb, dash?: [number, number], phase = 0): void {
    const r = width / 2 + 1;
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    const len = Math.sqrt(len2);
    const minX = Math.floor(Math.min(x0, x1) - r);
    const maxX = Math.ceil(Math.max(x0, x1) + r);
    const minY = Math.floor(Math.min(y0, y1) - r);
    const maxY = Math.ceil(Math.max(y0, y1) + r);
    for (let y = minY; y <= maxY; y++) {
      for (let x = minX; x <= maxX; x++) {
        const px = x + 0.5 - x0;
        const py = y + 0.5 - y0;
        let u = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
        u = Math.max(0, Math.min(1, u));
        if (dash && len > 0) {
          const along = (phase + u * len) % (dash[0] + dash[1]);
          if (along > dash[0]) continue;
        }
        const ex = px - u * dx;
        const ey = py - u * dy;
        const d = Math.sqrt(ex * ex + ey * ey);
        const a = width / 2 + 0.5 - d;
        if (a > 0) this.blend(x, y, color, a);
      }
    }
  }

  /** A filled marker centred on (cx, cy), `size` pixels across, 4x4 supersampled, with a white rim. */
  marker(cx: number, cy: number, kind: Marker, size: number, color: Rgb): void {
    const inside = (dx: number, dy: number, s: number): boolean => {
      const h = s / 2;
      switch (kind) {
        case 'square':
          return Math.abs(dx) <= h * 0.85 && Math.abs(dy) <= h * 0.85;
        case 'diamond':
          return Math.abs(dx) + Math.abs(dy) <= h * 1.1;
        case 'triangle':
          return dy <= h * 0.75 && dy >= -h && Math.abs(dx) <= ((dy + h) / (1.75 * h)) * h;
        default:
          return dx * dx + dy * dy <= h * h;
      }
    };
    const R = Math.ceil(size / 2) + 2;
    for (const [s, col] of [[size + 3, WHITE], [size, color]] as const) {
      for (let y = Math.floor(cy - R); y <= Math.ceil(cy + R); y++) {
        for (let x = Math.floor(cx - R); x <= Math.ceil(cx + R); x++) {
          let n = 0;
          for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (inside(x + (sx + 0.5) / 4 - cx, y + (sy + 0.5) / 4 - cy, s)) n++;
          if (n) this.blend(x, y, col, n / 16);
        }
      }
    }
  }

  /** Text with its top-left corner at (x, y); `align` moves the anchor to the centre or right end. */
  text(x: number, y: number, text: string, color: Rgb = TEXT, opts: { scale?: number; align?: 'left' | 'center' | 'right'; bold?: boolean } = {}): void {
    const s = opts.scale ?? FS;
    const w = textWidth(text) * s;
    const x0 = Math.round(opts.align === 'center' ? x - w / 2 : opts.align === 'right' ? x - w : x);
    for (let i = 0; i < text.length; i++) {
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (!glyphPixel(text[i]!, gx, gy)) continue;
          this.fillRect(x0 + (i * GLYPH_ADVANCE + gx) * s, y + gy * s, s + (opts.bold ? 1 : 0), s, color);
        }
      }
    }
  }

  /** Text turned 90 degrees counter-clockwise (read bottom to top), centred vertically on cy, left edge at x. */
  textUp(x: number, cy: number, text: string, color: Rgb = TEXT, scale = FS): void {
    const w = textWidth(text) * scale;
    const y0 = Math.round(cy + w / 2);
    for (let i = 0; i < text.length; i++) {
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (!glyphPixel(text[i]!, gx, gy)) continue;
          // glyph column -> up, glyph row -> right
          this.fillRect(x + gy * scale, y0 - (i * GLYPH_ADVANCE + gx + 1) * scale, scale, scale, color);
        }
      }
    }
  }

  /** Copies another raster in at (x, y). */
  blit(src: Raster, x: number, y: number): void {
    for (let yy = 0; yy < src.height; yy++) {
      const ty = y + yy;
      if (ty < 0 || ty >= this.height) continue;
      for (let xx = 0; xx < src.width; xx++) {
        const tx = x + xx;
        if (tx < 0 || tx >= this.width) continue;
        const s = (yy * src.width + xx) * 3;
        this.data.set(src.data.subarray(s, s + 3), (ty * this.width + tx) * 3);
      }
    }
  }

  png(): Buffer {
    return encodePng(this.data, this.width, this.height);
  }
}

/** Ticks at 1, 2, 2.5 or 5 x 10^k covering [lo, hi], about `n` of them. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [0, 1];
  if (hi - lo < 1e-12) {
    const pad = Math.abs(lo) > 1e-9 ? Math.abs(lo) * 0.05 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * 0.999) ?? 10 * mag;
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step * 1e-6; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return ticks;
}

/** Shortest label that tells neighbouring ticks apart. */
function defaultFormat(ticks: number[]): (v: number) => string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9) + (String(step).includes('25') ? 1 : 0)));
  return (v) => v.toFixed(decimals);
}

/** Draws a chart into `r` with its top-left corner at (ox, oy). */
export function drawLineChart(r: Raster, ox: number, oy: number, spec: ChartSpec): void {
  const W = spec.width ?? 760;
  const H = spec.height ?? 440;
  const charH = GLYPH_HEIGHT * FS;
  const series = spec.series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length]!, marker: s.marker ?? MARKERS[i % MARKERS.length]! }));
  const finite = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y) && Number.isFinite(p.x)));
  const log = (spec.xScale ?? 'log2') === 'log2';
  const xs = spec.xTicks ?? [...new Set(finite.map((p) => p.x))].sort((a, b) => a - b);
  const tx = (x: number) => (log ? Math.log2(Math.max(x, 1e-12)) : x);
  const xAll = [...xs, ...finite.map((p) => p.x)].map(tx);
  let xLo = xAll.length ? Math.min(...xAll) : 0;
  let xHi = xAll.length ? Math.max(...xAll) : 1;
  if (xHi - xLo < 1e-9) {
    xLo -= 1;
    xHi += 1;
  }
  const ys = finite.map((p) => p.y);
  const yTicks = niceTicks(spec.yMin ?? (ys.length ? Math.min(...ys) : 0), spec.yMax ?? (ys.length ? Math.max(...ys) : 1));
  const yLo = spec.yMin ?? yTicks[0]!;
  const yHi = spec.yMax ?? yTicks[yTicks.length - 1]!;
  const yFmt = spec.yFormat ?? defaultFormat(yTicks);
  const xFmt = spec.xFormat ?? ((v: number) => String(Math.round(v * 100) / 100));

  // layout
  const legendW = Math.max(...series.map((s) => textWidth(s.name) * FS), 40) + 56;
  const yLabelW = Math.max(...yTicks.map((t) => textWidth(yFmt(t)) * FS));
  const left = ox + 12 + charH + 10 + yLabelW + 8;
  const top = oy + 14 + charH + 16;
  const right = ox + W - legendW - 16;
  const bottom = oy + H - (8 + charH + 10 + charH + 12);
  const inset = 18; // keeps the first and last markers off the axes
  const px = (x: number) => left + inset + ((tx(x) - xLo) / (xHi - xLo)) * (right - left - 2 * inset);
  const py = (y: number) => bottom - ((y - yLo) / (yHi - yLo || 1)) * (bottom - top);

  r.text(ox + W / 2, oy + 14, spec.title, TEXT, { align: 'center', bold: true });
  // grid and y ticks
  for (const t of yTicks) {
    if (t < yLo - 1e-9 || t > yHi + 1e-9) continue;
    const y = Math.round(py(t));
    r.line(left, y, right, y, 1, GRID);
    r.line(left - 6, y, left, y, 1.5, AXIS);
    r.text(left - 10, y - charH / 2, yFmt(t), TEXT, { align: 'right' });
  }
  for (const t of xs) {
    const x = Math.round(px(t));
    r.line(x, top, x, bottom, 1, GRID);
    r.line(x, bottom, x, bottom + 6, 1.5, AXIS);
    r.text(x, bottom + 10, xFmt(t), TEXT, { align: 'center' });
  }
  r.line(left, top, left, bottom, 2, AXIS);
  r.line(left, bottom, right, bottom, 2, AXIS);
  r.text((left + right) / 2, bottom + 10 + charH + 8, spec.xLabel, TEXT, { align: 'center' });
  r.textUp(ox + 10, (top + bottom) / 2, spec.yLabel);

  // series: lines first, then markers on top
  for (const s of series) {
    const pts = s.points.filter((p) => Number.isFinite(p.x)).sort((a, b) => a.x - b.x);
    let phase = 0;
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      if (!Number.isFinite(a.y) || !Number.isFinite(b.y)) continue;
      const [x0, y0, x1, y1] = [px(a.x), py(Math.min(yHi, Math.max(yLo, a.y))), px(b.x), py(Math.min(yHi, Math.max(yLo, b.y)))];
      r.line(x0, y0, x1, y1, 2.5, s.color, s.dashed ? [10, 6] : undefined, phase);
      phase += Math.hypot(x1 - x0, y1 - y0);
    }
  }
  for (const s of series) {
    for (const p of s.points) {
      if (!Number.isFinite(p.y) || !Number.isFinite(p.x)) continue;
      r.marker(px(p.x), py(Math.min(yHi, Math.max(yLo, p.y))), s.marker, s.markerSize ?? 10, s.color);
    }
  }

  // legend
  const lx = right + 20;
  let ly = top + 4;
  for (const s of series) {
    const cy = ly + charH / 2;
    r.line(lx, cy, lx + 34, cy, 2.5, s.color, s.dashed ? [10, 6] : undefined);
    r.marker(lx + 17, cy, s.marker, 10, s.color);
    r.text(lx + 44, ly, s.name);
    ly += charH + 12;
  }
}

export function renderChart(spec: ChartSpec): Raster {
  const r = new Raster(spec.width ?? 760, spec.height ?? 440);
  drawLineChart(r, 0, 0, spec);
  return r;
}

/** Several charts of the same size in a grid, `columns` per row, with an optional heading. */
export function renderPanel(specs: ChartSpec[], columns = 2, heading?: string): Raster {
  const w = specs[0]?.width ?? 760;
  const h = specs[0]?.height ?? 440;
  const cols = Math.max(1, Math.min(columns, specs.length));
  const rows = Math.ceil(specs.length / cols);
  const head = heading ? GLYPH_HEIGHT * FS + 24 : 0;
  const r = new Raster(cols * w, rows * h + head);
  if (heading) r.text((cols * w) / 2, 12, heading, TEXT, { align: 'center', bold: true });
  specs.forEach((s, i) => drawLineChart(r, (i % cols) * w, head + Math.floor(i / cols) * h, { ...s, width: w, height: h }));
  return r;
}

export function chartPng(spec: ChartSpec): Buffer {
  return renderChart(spec).png();
}

export function panelPng(specs: ChartSpec[], columns = 2, heading?: string): Buffer {
  return renderPanel(specs, columns, heading).png();
}
