// What tokenize() returns: the patches, their (t, h, w) positions and the metadata that
// reproduces the choice.
import type { Geometry } from '../geometry/output_geometry.js';
import type { EncoderIdentity } from '../input/ffmpeg/encoder_identity.js';
import { invalidArgument } from '../validate.js';
import type { FfmpegInfo } from '../input/ffmpeg/locate.js';
import type { PreparedInput } from '../input/ffmpeg/prepare.js';
import type { Selection } from '../policies/types.js';
import type { CameraMotion } from '../scores/camera_motion.js';
import type { FrameType } from '../scores/codec_picture.js';
import type { ResolvedScoringOptions } from '../scores/options.js';
import type { PolicyName, TimeIndex } from './options.js';

import type { PatchTensor, PositionTensor, ScoreTensor } from './tensors.js';

export type { PatchTensor, PositionTensor, ScoreTensor } from './tensors.js';

/** Metadata of a tokenization; `count`, `padded`, `budget`, `effectiveBudget`, `denseSlots`, `staticFallback` are the selection's (see Selection). */
export interface TokenizeMeta extends Pick<Selection, 'count' | 'padded' | 'budget' | 'effectiveBudget' | 'denseSlots' | 'staticFallback'> {
  codectok: string;
  input: string;
  preset: string | null;
  timeIndex: TimeIndex;
  /** One sentence saying what t is, stored with the data. */
  tMeaning: string;
  frames: {
    /** Pictures in the HEVC stream. */
    total: number;
    /** Frame rate used for timestamps, and where it came from. */
    fps: number;
    fpsSource: 'option' | 'container' | 'default';
    /** Source frame index of every slot (t = slot), in slot order. */
    sampled: number[];
    /** Timestamp (s) of every slot: sampled[slot] / fps. */
    timestamps: number[];
    /** Picture type of every slot. */
    types: FrameType[];
    /** POC of every slot. */
    pocs: number[];
  };
  /** Score grid: T slots x H x W patches. */
  grid: { T: number; H: number; W: number };
  geometry: Geometry;
  activeShare: number;
  isStatic: boolean;
  policy: Record<string, unknown> & { name: PolicyName };
  scoring: ResolvedScoringOptions;
  scores: {
    /** Fused score of every output row (-1 for padding rows); refresh: the change accumulated at its position since the previous kept patch there; rlt: its mean |difference| to the last kept patch. */
    tokens: number[];
    /** Mean fused score of every slot; refresh: the mean change since the previous slot. */
    slotMean: number[];
    /** Percentile level of every signal per slot. */
    levels: Partial<Record<'motion' | 'residual' | 'bits', number>>[];
    /** Camera motion removed per slot. */
    camera: (CameraMotion | null)[];
  };
  patches: { layout: 'nhwc' | 'nchw'; dtype: 'uint8' | 'float32'; mean?: number[]; std?: number[] };
  /** SHA-256 (hex) of the HEVC stream that was parsed and decoded: the input itself when it was Annex-B, else the demuxed or transcoded stream. */
  hevcSha256: string;
  /** The encoder that made that stream: libx265 (FFmpeg version, libx265 version, exact settings) or `none` (read as it is). */
  encoder: EncoderIdentity;
  ffmpeg: {
    /** The FFmpeg that decoded the pixels (any FFmpeg: it is not part of the encoder identity). */
    decode: FfmpegInfo;
    /** How the input became Annex-B HEVC, and with which FFmpeg (path, where it was found, thread count). */
    input: Omit<PreparedInput, 'hevcPath' | 'encoder'>;
  };
  /** Grouped policy: the groups (slot ranges, anchor, first row, rows). */
  groups?: Selection['groups'];
  /** Adaptive policy: share of the total score held. */
  heldFraction?: number;
  options: Record<string, unknown>;
}

export interface TokenizeResult {
  /** Patches as an ndarray view (no copy): `data`, `shape`, `dtype` and `layout`. */
  patches: PatchTensor;
  /** ndarray int32 [N, 3]: (t, h, w); padding rows (grouped policy) are (-1, -1, -1). */
  positions: PositionTensor;
  /**
   * ndarray float32 [T, H, W]: the score volume the policy ranked, per sampled slot and patch
   * (`kind` 'fused' for codec, grouped, adaptive; 'change' for refresh); null for uniform and rlt,
   * which do not score. `positions` index it where `meta.timeIndex` is 'slot'.
   */
  scores: ScoreTensor | null;
  meta: TokenizeMeta;
}

/** Checks that `r` is a tokenization (what tokenize() returns) before a writer uses it: ERR_INVALID_OPTION otherwise. */
export function checkTokenizeResult(fn: string, r: unknown): asserts r is TokenizeResult {
  const t = r as Partial<TokenizeResult> | null;
  const ok =
    typeof t === 'object' && t !== null &&
    typeof t.patches === 'object' && t.patches !== null && (t.patches.data instanceof Uint8Array || t.patches.data instanceof Float32Array) && Array.isArray(t.patches.shape) &&
    typeof t.positions === 'object' && t.positions !== null && (t.positions as { data?: unknown }).data instanceof Int32Array &&
    typeof t.meta === 'object' && t.meta !== null && typeof t.meta.count === 'number';
  if (!ok) throw invalidArgument(fn, 'the tokenization', 'the result of tokenize() ({ patches, positions, meta })', r);
}
