// Loads the Node-API addon: the prebuilt binary shipped in the package
// (prebuilds/<platform>-<arch>/) or a source build (build/Release/codectok.node,
// cmake-js from bindings/ + cpp/), found with node-gyp-build (see resolveAddonPath).
// Loaded lazily, on first use, so that modules and CLI commands that never decode
// work without it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Geometry } from '../geometry/output_geometry.js';
import type { ResolvedScoringOptions } from '../scores/options.js';

import type { DecodeOptions } from './decode_options.js';
import type { NativeLimits } from './limits.js';

/**
 * Options of the native decoder (see cpp/analysis/picture_result.h): the parser's DecodeOptions
 * with the picture list as an array, without `recycle` (the parser's business), plus
 * `codec` and `maxPicturesPerCall`.
 */
export interface NativeDecodeOptions extends Omit<DecodeOptions, 'pictures' | 'recycle'> {
  /** The standard of the stream: 'hevc' (default) or 'h264'. */
  codec?: 'hevc' | 'h264';
  pictures?: number[];
  /** At most this many pictures come back from one push()/finish(). */
  maxPicturesPerCall?: number;
  /** Score pictures as they are decoded (cpp/score/): see NativeScoreRequest. */
  score?: NativeScoreRequest;
  /** Summarise each picture's motion field natively (picture.summary); the field itself is handed out only with motion. */
  summary?: boolean;
  /** The decoder's resource limits (DecodeLimits without the MP4 ones). */
  limits?: NativeLimits;
  /** The bytes start at a SegmentPlanner's cut point, with this decoder state (cpp/stream/segment_planner.h). */
  start?: NativeStreamStart;
}

/** DecodeOptions::start (cpp/analysis/picture_result.h): the state of a decoder at a cut point. */
export interface NativeStreamStart {
  decodeIndex: number;
  continuesSequence: boolean;
  prevTid0Poc: number;
}

/** A place where a fresh decoder can take over the stream (cpp/stream/segment_planner.h). */
export interface NativeCutPoint {
  /** Stream offset of the start code of the access unit's first NAL unit. */
  offset: number;
  /** Stream offset of the NAL unit header of the picture's first slice. */
  firstSliceOffset: number;
  start: NativeStreamStart;
  /** Annex-B parameter sets in force there: a segment's decoder is fed these first. */
  parameterSets: Uint8Array;
}

/** The cut points found so far; no cut point will be found before `planned` (Infinity once finished). */
export interface NativePlan {
  cuts: NativeCutPoint[];
  planned: number;
}

/** Synchronous: reads parameter sets and slice headers only. */
export interface NativeSegmentPlanner {
  push(data: Uint8Array): NativePlan;
  finish(): NativePlan;
}

/** Shares of intra, inter (not skip) and skip 4x4 blocks, and the mean vector length in luma samples. */
export interface NativeMotionSummary {
  intra: number;
  inter: number;
  skip: number;
  meanMv: number;
}

/**
 * Patch scores computed by the decoder, on its thread, for the pictures it decodes: their codec
 * maps are reduced to per-patch arrays there and not handed out (nor kept).
 */
export interface NativeScoreRequest {
  geometry: Geometry;
  options: ResolvedScoringOptions;
  /** Decode indices of the pictures to score (default: every picture decoded with arrays). */
  pictures?: number[];
  /** Keep each scored picture's signal maps natively (picture.signalMaps) instead of scoring it alone (normalize clip). */
  keepMaps?: boolean;
  /** Every picture decoded with arrays also gets its refresh change signals (picture.change, cpp/score/picture_change.h). */
  change?: NativeChangeRequest;
}

/** What the refresh change signals read and their noise floors (src/scores/change.ts changeRequest). */
export interface NativeChangeRequest {
  residualSource: 'coeff' | 'abs';
  floors: { motion: number; residual: number };
}

/** Per-patch arrays ([gridH * gridW], row-major) of one picture, computed natively. */
export interface NativeFrameScores {
  fused: Float32Array;
  signals: Partial<Record<'motion' | 'residual' | 'bits', Float32Array>>;
  raw: Partial<Record<'motion' | 'residual' | 'bits', Float32Array>>;
  levels: Partial<Record<'motion' | 'residual' | 'bits', number>>;
}

/** Camera motion removed from a picture's motion (see src/scores/camera_motion.ts). */
export interface NativeCameraMotion {
  model: 'none' | 'median' | 'similarity' | 'affine';
  params: number[];
  blocks: number;
}

/** One picture's change signals per patch ([gridH * gridW] each; src/scores/change.ts PictureChange). */
export interface NativeChangeSignals {
  motion: Float32Array;
  residual: Float32Array;
  bits: Float32Array;
  intra: Float32Array;
}

/** One slice segment of a picture. */
export interface Slice {
  type: 'I' | 'P' | 'B';
  /** slice_segment_address */
  address: number;
  /** dependent_slice_segment_flag */
  dependent: boolean;
  /** slice_qp_delta (of the independent slice segment that owns it) */
  qpDelta: number;
  /** POC of each RefPicList0 / RefPicList1 entry */
  refL0: number[];
  refL1: number[];
  /**
   * Where the slice's NAL unit lies in the Annex-B stream the parser read (for MP4 input, the
   * stream demuxed from it): the offset of its NAL unit header and its size in bytes (header and
   * payload; the start code before it and zero bytes after it excluded).
   */
  byteOffset: number;
  byteSize: number;
}

/** A picture as the addon hands it out; typed arrays view C++ storage (no copy). */
export interface NativePicture {
  /** The standard the picture was read from. */
  codec: 'hevc' | 'h264';
  /**
   * Picture order count. H.264 frames count two per frame (one per field), HEVC
   * pictures one: scoring divides POC distances by 2 on H.264 (cpp/score, poc_per_frame).
   */
  poc: number;
  /** Position in decoding order in the whole stream. */
  decodeIndex: number;
  /** nal_unit_type of the picture's slices (HEVC Table 7-1; H.264: 5 IDR, 1 other). */
  nalType: number;
  /** HEVC TemporalId (nuh_temporal_id_plus1 - 1); 0 for H.264. */
  temporalId: number;
  /**
   * No later picture in decoding order can use this one for inter prediction: HEVC, a sub-layer
   * non-reference picture (TRAIL_N, TSA_N, STSA_N, RADL_N, RASL_N) of the highest sub-layer
   * (TemporalId = sps_max_sub_layers_minus1); H.264, nal_ref_idc 0.
   */
  disposable: boolean;
  /** HEVC MaxPicOrderCntLsb of the picture's SPS (POC derivation, clause 8.3.1); 0 for H.264. */
  maxPocLsb: number;
  /** HEVC: an IRAP picture (NAL types 16-23); H.264: an IDR picture. */
  irap: boolean;
  /** Starts a coded video sequence (HEVC: an IRAP picture with NoRaslOutputFlag 1, its POC derived from no earlier picture; H.264: an IDR picture). */
  newSequence: boolean;
  /** HEVC: a RASL picture; false for H.264. */
  rasl: boolean;
  /** HEVC: can be prevTid0Pic of later pictures (clause 8.3.1: TemporalId 0, not RASL, RADL or a sub-layer non-reference picture); false for H.264. */
  pocAnchor: boolean;
  /** Coded luma size (pic_width/height_in_luma_samples). */
  width: number;
  height: number;
  bitDepth: number;
  /** Conformance window in luma samples: displayed = [left, width-right) x [top, height-bottom). */
  crop: { left: number; right: number; top: number; bottom: number };
  slices: Slice[];
  /** Bits of the picture's entropy-coded slice data. */
  totalBits: number;
  motion?: Int16Array;
  cu?: Int16Array;
  bits?: Float32Array;
  residual?: Int16Array;
  tu?: BigInt64Array;
  /** With the score option: the picture's patch scores (per-frame normalisation). (tokenize()'s, internal) @internal */
  scores?: NativeFrameScores;
  /** With the score option: the camera motion removed. (tokenize()'s, internal) @internal */
  camera?: NativeCameraMotion;
  /** With score.keepMaps: the picture's signal maps, held natively (an opaque handle for scoreSignalMaps). (tokenize()'s, internal) @internal */
  signalMaps?: object;
  /** With score.change: the picture's change signals. (tokenize()'s, internal) @internal */
  change?: NativeChangeSignals;
  /** With summary: the motion field's summary. */
  summary?: NativeMotionSummary;
}

/** A codec map as the addon returns it. */
export interface NativeCellMap {
  values: Float32Array | Uint16Array;
  cols: number;
  rows: number;
  cell: number;
  integer?: boolean;
}

/**
 * One decoder per stream. push()/finish() run on the libuv thread pool; calls
 * made while a job runs are queued. They resolve to the pictures that became
 * ready, in output order, and reject with an Error carrying `code`,
 * `byteOffset` and `picture` (-1 when unknown).
 */
export interface NativeDecoder {
  push(data: Uint8Array): Promise<NativePicture[]>;
  finish(): Promise<NativePicture[]>;
  /** Stops the call in progress at its next NAL unit, and every later one: they reject with ERR_CANCELLED. */
  cancel(): void;
  /** Once the calls before it are done: decodes another stream (a planner's next segment) from `start`, with this decoder's memory. */
  restart(start: NativeStreamStart): Promise<NativePicture[]>;
}

export interface NativeAddon {
  NativeDecoder: new (options?: NativeDecodeOptions) => NativeDecoder;
  SegmentPlanner: new (options: { codec: 'hevc' | 'h264'; limits?: NativeLimits }) => NativeSegmentPlanner;
  /** Detaches a picture's typed arrays and hands their memory back to the decoder now. */
  releasePicture(picture: NativePicture): void;
  /** HEVC PicOrderCntVal of a picture of POC `poc` derived from a prevTid0Pic of POC `prevTid0Poc` (clause 8.3.1; cpp/hevc/picture_order_count.h). */
  derivePoc(poc: number, prevTid0Poc: number, maxPocLsb: number): number;
  /** Signal maps of a picture's arrays at codec resolution (cpp/score/signal_maps.h). */
  signalMaps(picture: object, options: ResolvedScoringOptions): Partial<Record<'motion' | 'residual' | 'bits', NativeCellMap>> & { camera?: NativeCameraMotion };
  /** Patch scores of frames (signal maps or handles), per frame or over the clip as options.normalize says. */
  scoreSignalMaps(frames: object[], crop: { left: number; right: number; top: number; bottom: number; width: number; height: number }, geometry: Geometry, options: ResolvedScoringOptions): NativeFrameScores[];
  poolToGrid(map: object, crop: { left: number; top: number }, geometry: Geometry): Float32Array;
  estimateCameraMotion(v: { x: Float64Array; y: Float64Array; vx: Float64Array; vy: Float64Array; n: number }, model: string): NativeCameraMotion;
  /** The codec policy's top-K (cpp/score/select_top_k.h) on the CPU, or on the GPU with device 'cuda' (order thw; order score runs on the CPU). */
  selectTopK(
    scores: Float32Array,
    intra: Uint8Array,
    content: Uint8Array,
    o: { T: number; gridH: number; gridW: number; static: boolean; budget: number; iframes: string; keepFirst: boolean; padding: string; staticFallback: boolean; order: string; keys?: boolean },
    device?: 'cpu' | 'cuda',
  ): {
    flat: Int32Array; denseSlots: Int32Array; mandatory: number; staticFallback: boolean; device: 'cpu' | 'cuda';
    /** With keys: the rank key of each patch of flat (cpp/score/select_top_k.h codec_rank_key). */
    keys?: Float64Array;
  };
  /** Cuts patches (row, h, w triples) out of an RGB24 frame into out (cpp/tensors/patch_gather.h). */
  gatherPatches(
    rgb: Uint8Array,
    o: { frameWidth: number; frameHeight: number; patch: number; layout: 'nhwc' | 'nchw'; dtype: 'uint8' | 'float32'; mean: number[]; std: number[] },
    rows: Int32Array,
    out: Uint8Array | Float32Array,
  ): void;
  /** Whether this addon was built with CUDA and how many devices it can use (0 without a driver). */
  cudaInfo(): { built: boolean; devices: number; reason: string };
  /** Summary of a motion field (int16 [blocks][8]). */
  motionSummary(motion: Int16Array): NativeMotionSummary;
  /** A picture's change signals on the patch grid (cpp/score/picture_change.h). */
  pictureChange(picture: object, geometry: Geometry, request: NativeChangeRequest): NativeChangeSignals;
  /** Share of each patch that shows picture (cpp/score/picture_change.h picture_share). */
  pictureShare(picture: { width: number; height: number; crop: { left: number; right: number; top: number; bottom: number } }, geometry: Geometry): Float32Array;
  /** The refresh policy's allocation (cpp/score/refresh_allocator.h): kept tokens as flat indices t*S+s, ascending. */
  allocateRefresh(request: { T: number; S: number; gridW: number; group: number; seams?: boolean; change: Float32Array; weight?: Float32Array; budget: number }): { kept: Int32Array; tokenChange: Float32Array; lambda: number; steps: number; tieTokens: number; seamMoves: number };
  napiVersion: number;
}

/** The package root (holds package.json, build/ and prebuilds/); this file is src/input/ or dist/input/. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Where the addon is loaded from: $CODECTOK_NATIVE when set, else what node-gyp-build picks in
 * the package root: a source build (build/Release/codectok.node, made by `npm install` in a git
 * clone or when no prebuilt binary fits) first, then the prebuilt Node-API binary that matches
 * this platform, architecture and libc (prebuilds/<platform>-<arch>/codectok.napi[.glibc].node,
 * shipped in the npm package). Throws when there is neither.
 */
export function resolveAddonPath(): string {
  if (process.env.CODECTOK_NATIVE) return path.resolve(process.env.CODECTOK_NATIVE);
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
  return nodeGypBuild.path(packageRoot);
}

let cached: NativeAddon | undefined;

export function loadNative(): NativeAddon {
  if (cached) return cached;
  let file: string;
  try {
    file = resolveAddonPath();
  } catch (e) {
    throw new Error(
      `codectok native addon not found (${(e as Error).message.split('\n')[0]}): no prebuilt binary fits this platform; ` +
        'build it from source with `npm rebuild codectok` (needs a C++17 compiler and CMake) or, in a clone, `npm run build:native`',
    );
  }
  if (!existsSync(file)) throw new Error(`codectok native addon not found at ${file} (CODECTOK_NATIVE)`);
  const require = createRequire(import.meta.url);
  cached = require(file) as NativeAddon;
  return cached;
}
