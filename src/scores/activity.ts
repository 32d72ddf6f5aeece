// How much happens in a clip, in absolute terms (before normalisation): static-clip detection.
import type { FrameType } from './codec_picture.js';
import type { CellMap } from '../geometry/patch_grid.js';
import type { FrameScores } from './frame_scores.js';
import type { FrameSignals } from './signals.js';

/** Cells of a codec map that intersect the displayed window. */
function displayedCells(map: CellMap, crop: { left: number; top: number; width: number; height: number }): { c0: number; c1: number; r0: number; r1: number } {
  return {
    c0: Math.floor(crop.left / map.cell),
    c1: Math.min(map.cols, Math.ceil((crop.left + crop.width) / map.cell)),
    r0: Math.floor(crop.top / map.cell),
    r1: Math.min(map.rows, Math.ceil((crop.top + crop.height) / map.cell)),
  };
}

/** Mean raw compensated motion (px/frame) over the displayed area of a frame. */
export function meanMotion(f: FrameSignals, crop: { left: number; top: number; width: number; height: number }): number {
  if (!f.motion) return 0;
  const { c0, c1, r0, r1 } = displayedCells(f.motion, crop);
  let s = 0;
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) s += f.motion.values[r * f.motion.cols + c]!;
  const n = (r1 - r0) * (c1 - c0);
  return n ? s / n : 0;
}

export interface ActivityThresholds {
  /** Compensated motion above which a patch counts as moving, px/frame. Default 0.5. */
  motion: number;
  /** Mean |residual| per sample (abs) or squared-level energy per 4x4 block (coeff). Default 1. */
  residual: number;
  /** Bits per 8x8 block. Default 16. */
  bits: number;
}

export const DEFAULT_ACTIVITY: ActivityThresholds = { motion: 0.5, residual: 1, bits: 16 };

/**
 * Share of patches of the inter (P/B) frames that show any activity in absolute terms (before
 * normalisation). A clip whose share is tiny is static: nothing moves and nothing is corrected.
 * Intra frames measure texture, not change, so they are left out; a clip with no inter frame has
 * share 0.
 */
export function activeShare(scores: FrameScores[], types: FrameType[], t: ActivityThresholds = DEFAULT_ACTIVITY): number {
  let active = 0;
  let total = 0;
  scores.forEach((s, i) => {
    if (types[i] === 'I') return;
    const n = s.fused.length;
    total += n;
    for (let k = 0; k < n; k++) {
      if ((s.raw.motion && s.raw.motion[k]! > t.motion) || (s.raw.residual && s.raw.residual[k]! > t.residual) || (s.raw.bits && s.raw.bits[k]! > t.bits)) active++;
    }
  });
  return total ? active / total : 0;
}
