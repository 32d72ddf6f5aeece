// Patch scores of frames: each signal normalised by a percentile (per frame or per clip),
// clipped to [0, 1] at the codec map's resolution, pooled onto the patch grid by area and fused
// by a weighted mean. Computed by the C++ core (cpp/score/frame_scores.h).
import type { Geometry } from '../geometry/output_geometry.js';
import { nativeCellMap } from '../geometry/patch_grid.js';
import { loadNative } from '../input/native.js';
import type { ResolvedScoringOptions, SignalName } from './options.js';
import type { FrameSignals } from './signals.js';

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
  const maps = frames.map((f) => f.nativeMaps ?? Object.fromEntries(SIGNALS.flatMap((s) => (f[s] ? [[s, nativeCellMap(f[s]!)]] : []))));
  return loadNative().scoreSignalMaps(maps, crop, g, o);
}
