// Raw (unnormalised) signal maps of one picture at codec resolution: compensated motion,
// |residual| or coefficient energy, bit cost.
import type { CellMap } from '../geometry/patch_grid.js';
import { type CameraMotion, collectVelocities, estimateCameraMotion, predict } from './camera_motion.js';
import { type CodecPicture, type FrameType, frameType } from './codec_picture.js';
import { type ResolvedScoringOptions, ScoringError } from './options.js';

/** Raw (unnormalised) signal maps of one picture at codec resolution, restricted to what is displayed. */
export interface FrameSignals {
  type: FrameType;
  /** Compensated motion magnitude, pixels (per frame if motionPerFrame), per 4x4 block; 0 on intra blocks. */
  motion?: CellMap;
  /** |residual| per luma sample (abs) or squared-level energy per 4x4 block (coeff). */
  residual?: CellMap & { integer?: boolean };
  /** Bits per 8x8 block. */
  bits?: CellMap;
  /** The camera motion that was removed (px/frame at the picture centre) and the model. */
  camera?: CameraMotion;
}

function motionMap(p: CodecPicture, o: ResolvedScoringOptions): { map: CellMap; camera: CameraMotion } {
  const cols = Math.ceil(p.width / 4);
  const rows = Math.ceil(p.height / 4);
  const values = new Float32Array(cols * rows);
  const v = collectVelocities(p, o.motionPerFrame);
  const camera = estimateCameraMotion(v, o.compensation);
  for (let i = 0; i < v.n; i++) {
    const [px, py] = predict(camera.model, camera.params, v.x[i]!, v.y[i]!);
    values[v.index[i]!] = Math.hypot(v.vx[i]! - px, v.vy[i]! - py);
  }
  return { map: { values, cols, rows, cell: 4 }, camera };
}

function absResidualMap(p: CodecPicture): CellMap & { integer: boolean } {
  const r = p.residual!;
  const values = new Uint16Array(r.length);
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    values[i] = x < 0 ? -x : x;
  }
  return { values, cols: p.width, rows: p.height, cell: 1, integer: true };
}

function coeffEnergyMap(p: CodecPicture): CellMap {
  const cols = Math.ceil(p.width / 4);
  const rows = Math.ceil(p.height / 4);
  const values = new Float32Array(cols * rows);
  const tu = p.tu!;
  const n = Math.floor(tu.length / 13);
  for (let i = 0; i < n; i++) {
    const o = i * 13;
    if (tu[o + 2] !== 0n) continue; // luma only
    if (Number(tu[o]) !== p.decodeIndex) continue;
    const x0 = Number(tu[o + 3]) >> 2;
    const y0 = Number(tu[o + 4]) >> 2;
    const s = Math.max(1, (1 << Number(tu[o + 5])) >> 2);
    const e = Number(tu[o + 9]) / (s * s);
    for (let y = y0; y < Math.min(rows, y0 + s); y++) for (let x = x0; x < Math.min(cols, x0 + s); x++) values[y * cols + x]! += e;
  }
  return { values, cols, rows, cell: 4 };
}

function requireField(p: CodecPicture, field: 'motion' | 'residual' | 'tu' | 'bits'): void {
  if (!p[field]) throw new ScoringError(`picture poc ${p.poc} has no ${field} data (decode it with the ${field === 'tu' ? 'tuStats' : field} option)`, 'ERR_MISSING_DATA');
}

/** Raw signal maps of one picture. */
export function frameSignals(p: CodecPicture, o: ResolvedScoringOptions): FrameSignals {
  const out: FrameSignals = { type: frameType(p) };
  if (o.weights.motion > 0) {
    requireField(p, 'motion');
    const m = motionMap(p, o);
    out.motion = m.map;
    out.camera = m.camera;
  }
  if (o.weights.residual > 0) {
    if (o.residualSource === 'abs') {
      requireField(p, 'residual');
      out.residual = absResidualMap(p);
    } else {
      requireField(p, 'tu');
      out.residual = coeffEnergyMap(p);
    }
  }
  if (o.weights.bits > 0) {
    requireField(p, 'bits');
    // A copy: the parser may recycle the picture's arrays once the next picture is read.
    out.bits = { values: p.bits!.slice(), cols: Math.ceil(p.width / 8), rows: Math.ceil(p.height / 8), cell: 8 };
  }
  return out;
}
