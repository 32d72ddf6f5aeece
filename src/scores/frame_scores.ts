// Patch scores of frames: each signal normalised by a percentile (per frame or per clip),
// clipped to [0, 1] at the codec map's resolution, pooled onto the patch grid by area and fused
// by a weighted mean.
import type { Geometry } from '../geometry/output_geometry.js';
import { type CellMap, poolToGridPair } from '../geometry/patch_grid.js';
import type { ResolvedScoringOptions, SignalName } from './options.js';
import type { FrameSignals } from './signals.js';
import { percentileHistogram, percentileSorted } from './statistics.js';

export interface Crop {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Values of the cells that intersect the displayed window. */
export function displayedCells(map: CellMap, crop: Crop): { c0: number; c1: number; r0: number; r1: number } {
  return {
    c0: Math.floor(crop.left / map.cell),
    c1: Math.min(map.cols, Math.ceil((crop.left + crop.width) / map.cell)),
    r0: Math.floor(crop.top / map.cell),
    r1: Math.min(map.rows, Math.ceil((crop.top + crop.height) / map.cell)),
  };
}

/** Collects what the percentile needs: a histogram for integer maps, the values otherwise. */
class PercentileAccumulator {
  private hist: Float64Array | null = null;
  private total = 0;
  private chunks: Float32Array[] = [];

  add(map: CellMap & { integer?: boolean }, crop: Crop): void {
    const { c0, c1, r0, r1 } = displayedCells(map, crop);
    if (map.integer) {
      this.hist ??= new Float64Array(65536);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) this.hist[map.values[r * map.cols + c]!]! += 1;
      this.total += (r1 - r0) * (c1 - c0);
      return;
    }
    const vals = new Float32Array(Math.max(0, (r1 - r0) * (c1 - c0)));
    let k = 0;
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) vals[k++] = map.values[r * map.cols + c]!;
    this.chunks.push(vals);
  }

  value(p: number): number {
    if (this.hist) return percentileHistogram(this.hist, this.total, p);
    const n = this.chunks.reduce((s, c) => s + c.length, 0);
    const all = new Float32Array(n);
    let o = 0;
    for (const c of this.chunks) {
      all.set(c, o);
      o += c.length;
    }
    all.sort();
    return percentileSorted(all, p);
  }
}

const SIGNALS: SignalName[] = ['motion', 'residual', 'bits'];

export interface FrameScores {
  /** Fused normalised score per patch, [gridH * gridW], in [0, 1]. */
  fused: Float32Array;
  /** Normalised per-signal patch scores. */
  signals: Partial<Record<SignalName, Float32Array>>;
  /** Raw (unnormalised) per-signal patch means: motion px/frame, |residual| per sample or energy per 4x4, bits per 8x8. */
  raw: Partial<Record<SignalName, Float32Array>>;
  /** Percentile level used for each signal. */
  levels: Partial<Record<SignalName, number>>;
}

/**
 * Scores frames on the patch grid. `frames[i]` are the raw maps of one frame; all share the same
 * coded size and crop. With `normalize: 'clip'` the percentile is taken over all frames given.
 */
export function scoreFrames(frames: FrameSignals[], crop: { left: number; top: number; right: number; bottom: number; width: number; height: number }, g: Geometry, o: ResolvedScoringOptions): FrameScores[] {
  const c: Crop = { left: crop.left, top: crop.top, width: crop.width - crop.left - crop.right, height: crop.height - crop.top - crop.bottom };
  const cropOffsets = { left: crop.left, top: crop.top };
  const clipLevels: Partial<Record<SignalName, number>> = {};
  if (o.normalize === 'clip') {
    for (const s of SIGNALS) {
      if (o.weights[s] <= 0) continue;
      const acc = new PercentileAccumulator();
      for (const f of frames) if (f[s]) acc.add(f[s]!, c);
      clipLevels[s] = Math.max(o.floors[s], acc.value(o.percentile));
    }
  }
  const wsum = o.weights.motion + o.weights.residual + o.weights.bits;
  return frames.map((f) => {
    const fused = new Float32Array(g.gridH * g.gridW);
    const out: FrameScores = { fused, signals: {}, raw: {}, levels: {} };
    for (const s of SIGNALS) {
      const w = o.weights[s];
      const map = f[s];
      if (w <= 0 || !map) continue;
      let level = clipLevels[s];
      if (level === undefined) {
        const acc = new PercentileAccumulator();
        acc.add(map, c);
        level = Math.max(o.floors[s], acc.value(o.percentile));
      }
      const { raw, norm } = poolToGridPair(map, level, cropOffsets, g);
      out.signals[s] = norm;
      out.raw[s] = raw;
      out.levels[s] = level;
      for (let i = 0; i < fused.length; i++) fused[i]! += (w * norm[i]!) / wsum;
    }
    return out;
  });
}
