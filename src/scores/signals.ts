// Raw (unnormalised) signal maps of one picture at codec resolution: compensated motion,
// |residual| or coefficient energy, bit cost. Computed by the C++ core (cpp/score/signal_maps.h).
import type { CellMap } from '../geometry/patch_grid.js';
import { loadNative } from '../input/native.js';
import type { CameraMotion } from './camera_motion.js';
import { type CodecPicture, type FrameType, frameType } from './codec_picture.js';
import { type ResolvedScoringOptions, ScoringError } from './options.js';

/** Raw (unnormalised) signal maps of one picture at codec resolution, restricted to what is displayed. */
export interface FrameSignals {
  type: FrameType;
  /** Compensated motion magnitude, pixels (per frame if motionPerFrame), per 4x4 block; 0 on intra blocks. */
  motion?: CellMap;
  /** |residual| per luma sample (abs, integer) or squared-level energy per 4x4 block (coeff). */
  residual?: CellMap & { integer?: boolean };
  /** Bits per 8x8 block. */
  bits?: CellMap;
  /** The camera motion that was removed (px/frame at the picture centre) and the model. */
  camera?: CameraMotion;
  /** The same maps held by the native decoder (tokenize's clip normalisation); scoreFrames reads it instead of the arrays. */
  nativeMaps?: object;
}

/** Raw signal maps of one picture. ERR_MISSING_DATA when the picture lacks an array the options need. */
export function frameSignals(p: CodecPicture, o: ResolvedScoringOptions): FrameSignals {
  let maps: ReturnType<ReturnType<typeof loadNative>['signalMaps']>;
  try {
    maps = loadNative().signalMaps(p, o);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MISSING_DATA' || code === 'ERR_INVALID_OPTION') throw new ScoringError((e as Error).message, code);
    throw e;
  }
  return { type: frameType(p), ...maps };
}
