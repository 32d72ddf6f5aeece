// Camera motion of a picture from its inter blocks' motion vectors: median vector, or a robust
// (IRLS, Tukey) similarity / affine fit. Computed by the C++ core (cpp/score/camera_motion.h).
import { loadNative } from '../input/native.js';
import type { Compensation } from './options.js';

export interface CameraMotion {
  model: Compensation;
  /** Model parameters: median/none [tx, ty]; similarity [a, b, tx, ty]; affine [a11, a12, tx, a21, a22, ty]. Coordinates centred on the display picture. */
  params: number[];
  /** Inter blocks the model was fitted on. */
  blocks: number;
}

/** Content velocities (px/frame) of inter blocks at (x, y), relative to the display centre; the first n entries count. */
export interface Velocities {
  x: Float64Array;
  y: Float64Array;
  vx: Float64Array;
  vy: Float64Array;
  n: number;
}

/** Estimates the camera motion of one picture from its inter blocks. Deterministic (no random sampling). */
export function estimateCameraMotion(v: Velocities, model: Compensation): CameraMotion {
  return loadNative().estimateCameraMotion(v, model);
}
