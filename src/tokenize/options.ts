// tokenize()'s options, the presets, and their validation.
import { CodectokError } from '../errors.js';
import { checkBoolean, checkFunction, checkNumber, checkOneOf, checkOptions, checkPath, invalidArgument } from '../validate.js';
import type { DecodeOptions } from '../input/decode_options.js';
import type { LocateOptions, TranscoderChoice } from '../input/ffmpeg/locate.js';
import type { ReencodeMode, TranscodeOptions } from '../input/ffmpeg/prepare.js';
import type { CodecPolicyOptions, IFramePolicy } from '../policies/codec.js';
import type { CodecPicture } from '../scores/codec_picture.js';
import type { ScoringOptions } from '../scores/options.js';
import { type Device, resolveDevice } from './device.js';
import { checkLimits, type DecodeLimits } from '../input/limits.js';
import { MAX_THREADS } from '../input/parser.js';

export type PolicyName = 'codec' | 'grouped' | 'uniform' | 'adaptive' | 'refresh' | 'rlt';

export const POLICY_NAMES: PolicyName[] = ['codec', 'grouped', 'uniform', 'adaptive', 'refresh', 'rlt'];

/**
 * The policy `tokenize` uses when none is named: `refresh`, the one the budget benchmark supports
 * (README, "refresh against uniform, measured": it does not lose to uniform frames on 54 of 60 real
 * (clip, budget) pairs, `codec` on 14). `--preset ovenc` names `codec`.
 */
export const DEFAULT_POLICY: PolicyName = 'refresh';

/**
 * What `t` (column 0 of positions) means.
 * - `frame` (default): the source frame index, i.e. the picture's position in output (display)
 *   order of the HEVC stream that was parsed, from 0. With a transcoded input this is also the
 *   frame index of the original video (transcoding keeps every frame, -vsync 0).
 * - `slot`: the index of the sampled frame, 0..T-1 (what OneVision-Encoder's visidx_thw files hold).
 * `meta.frames.sampled[slot]` maps slots to source frames in both cases.
 */
export type TimeIndex = 'frame' | 'slot';

/** Source of pictures (the parser by default): a seam for tests and other parsers (TokenizeSeams), not an option of the public tokenize(). */
export type PictureSource = (hevcPath: string, decode: DecodeOptions) => AsyncIterable<CodecPicture & { outIndex?: number }>;

export interface TokenizeOptions extends ScoringOptions {
  /** A named set of defaults applied before the other options: `ovenc` reproduces OneVision-Encoder's stage-1 selection. */
  preset?: 'ovenc';
  /** Selection policy, default DEFAULT_POLICY (`refresh`). */
  policy?: PolicyName;
  /** Token budget K. Default 8 frames' worth (8 * gridH * gridW); grouped: 2 frames' worth per group. Not used by `adaptive` (see maxBudget). */
  budget?: number;
  /** Frames sampled evenly over the clip (T, default 64) or 'all'. */
  frames?: number | 'all';
  /** Sample at this many frames per second of video instead of a fixed T. */
  sampleFps?: number;
  /** First source frame that may be sampled. */
  sampleStart?: number;
  /** Frame rate of the input for timestamps (default: from the container, else 25). */
  inputFps?: number;
  resize?: 'letterbox' | 'qwen';
  /** Letterbox square side (default 576, rounded down to a multiple of the patch). */
  size?: number;
  /** Patch side in pixels. Default 16. */
  patch?: number;
  /** Qwen resize: merge size, min and max pixels. */
  merge?: number;
  minPixels?: number;
  maxPixels?: number;
  /** swscale algorithm for the pixel resize. Default bicubic. */
  scaler?: string;
  /** codec/adaptive: I-frames score 0 (default), are kept whole ('dense'), or are scored like the others. */
  iframes?: IFramePolicy;
  /** codec/adaptive: keep the first sampled frame whole, padding included. Default true. */
  keepFirst?: boolean;
  /** codec/adaptive: letterbox-padding patches are taken after every content patch (exclude, default) or ranked by score (include). */
  padding?: 'exclude' | 'include';
  /** codec: uniformly spaced full frames for a static clip. Default true. */
  staticFallback?: boolean;
  /** A clip is static when fewer than this share of inter-frame patches show activity. Default 0.01. */
  staticShare?: number;
  /** codec/adaptive row order: (t, h, w) (default) or kept-whole frames first, then by rank. */
  order?: 'thw' | 'score';
  /** grouped: sampled frames per group (anchor + followers). Default 4. */
  groupSize?: number;
  /** refresh: side of the square groups of patch positions allocated together (kept at the same slots). Default 1. */
  refreshGroup?: number;
  /** refresh: move kept slots where that lowers the seams between neighbouring patches showing different moments (group 1). Default true. */
  refreshSeams?: boolean;
  /** adaptive: share of the clip's total score to hold. Default 0.9. */
  fraction?: number;
  /** adaptive: bounds of K. Default 1 .. T * S. */
  maxBudget?: number;
  minBudget?: number;
  /** What t in positions means: source frame index (default) or sampled slot. See TimeIndex. */
  timeIndex?: TimeIndex;
  /** Patch layout: `nhwc` [N, P, P, 3] (default) or `nchw` [N, 3, P, P]. */
  layout?: 'nhwc' | 'nchw';
  /** `uint8` (default) or `float32` = (pixel / 255 - mean) / std per channel. */
  dtype?: 'uint8' | 'float32';
  mean?: [number, number, number];
  std?: [number, number, number];
  reencode?: ReencodeMode;
  transcode?: TranscodeOptions;
  /** Which FFmpeg transcodes: bundled (@ffmpeg-installer/ffmpeg), system (FFMPEG_PATH, the PATH, then bundled) or a path. Default: FFMPEG_PATH when set, else bundled. */
  transcoder?: TranscoderChoice;
  /** Which FFmpeg decodes pixels: auto (native, else WebAssembly), native or wasm. */
  ffmpeg?: LocateOptions['prefer'];
  /**
   * Directory for the intermediate files (a temporary one by default, removed afterwards): the
   * demuxed or transcoded stream, and the sampled frames FFmpeg decodes ahead (`frames.rgb`, the
   * scaled RGB of each, e.g. 64 x 576 x 324 x 3 bytes = 36 MB; removed when tokenize returns).
   */
  workDir?: string;
  /**
   * Seconds this video may take: ERR_TIMEOUT beyond. At the deadline FFmpeg (transcoding, probing,
   * decoding pixels) is killed and a native decode in progress stops at its next NAL unit.
   */
  timeout?: number;
  /** The parsers' resource limits (see DecodeLimits): ERR_LIMIT_EXCEEDED naming the limit. */
  limits?: DecodeLimits;
  /**
   * Threads this video's bitstream is parsed on (default 1): the stream is cut at its
   * random-access points and the segments decode at once (parsePictures' `threads`); the tokens
   * are the same whatever the count.
   */
  threads?: number;
  /** Where the data-parallel stages run: cpu (default), cuda (ERR_UNSUPPORTED: the addon is built without CUDA) or auto (cuda when available, else cpu). */
  device?: Device;
  onProgress?: (p: { stage: 'prepare' | 'parse' | 'select' | 'decode'; done: number; total: number }) => void;
}

/** What tests (and other parsers) may plug into a tokenization; not part of the public API. */
export interface TokenizeSeams {
  pictureSource?: PictureSource;
}

/** Every option name of TokenizeOptions (the compiler checks the list is complete). */
export const TOKENIZE_OPTION_NAMES: readonly string[] = Object.keys({
  preset: true, policy: true, budget: true, frames: true, sampleFps: true, sampleStart: true, inputFps: true,
  resize: true, size: true, patch: true, merge: true, minPixels: true, maxPixels: true, scaler: true,
  iframes: true, keepFirst: true, padding: true, staticFallback: true, staticShare: true, order: true,
  groupSize: true, refreshGroup: true, refreshSeams: true, fraction: true, maxBudget: true, minBudget: true, timeIndex: true, layout: true, dtype: true,
  mean: true, std: true, reencode: true, transcode: true, transcoder: true, ffmpeg: true, workDir: true, onProgress: true, timeout: true, limits: true, device: true, threads: true,
  weights: true, residualSource: true, compensation: true, normalize: true, percentile: true, floors: true, motionPerFrame: true, motionVector: true,
} satisfies Record<keyof TokenizeOptions, true>);

/**
 * Checks tokenize()'s arguments before anything runs: the input path, the option names (an
 * unknown one is refused) and the options' types; resolveOptions checks their values.
 */
export function checkTokenizeArguments(fn: string, input: unknown, options: unknown): void {
  checkPath(fn, 'input', input);
  const o = checkOptions(fn, options, TOKENIZE_OPTION_NAMES);
  for (const name of ['keepFirst', 'staticFallback', 'refreshSeams', 'motionPerFrame']) checkBoolean(fn, o, name);
  for (const name of ['budget', 'sampleStart', 'size', 'patch', 'merge', 'minPixels', 'maxPixels', 'groupSize', 'refreshGroup', 'maxBudget', 'minBudget']) checkNumber(fn, o, name, 0, true);
  for (const name of ['sampleFps', 'inputFps', 'staticShare', 'fraction', 'percentile', 'timeout']) checkNumber(fn, o, name, -Infinity);
  if (o.frames !== undefined && o.frames !== 'all') checkNumber(fn, o, 'frames', 1, true);
  checkFunction(fn, o, 'onProgress');
  for (const name of ['scaler', 'workDir', 'transcoder']) if (o[name] !== undefined && typeof o[name] !== 'string') throw invalidArgument(fn, `options.${name}`, 'a string', o[name]);
  for (const name of ['weights', 'floors', 'transcode']) if (o[name] !== undefined && (typeof o[name] !== 'object' || o[name] === null || Array.isArray(o[name]))) throw invalidArgument(fn, `options.${name}`, 'an object', o[name]);
  checkOneOf(fn, o, 'ffmpeg', ['auto', 'native', 'wasm']);
  checkOneOf(fn, o, 'reencode', ['auto', 'always', 'never']);
  checkLimits(fn, o.limits);
  checkNumber(fn, o, 'threads', 1, true);
  if (typeof o.threads === 'number' && o.threads > MAX_THREADS) throw invalidArgument(fn, 'options.threads', `an integer from 1 to ${MAX_THREADS}`, o.threads);
}

export const PRESETS: Record<'ovenc', Partial<TokenizeOptions>> = {
  /**
   * OneVision-Encoder stage 1: 64 frames by linspace over all frames, longer side to 576 and
   * letterbox to 576x576, 16-px patches, K = 8 x 1296, first sampled frame whole (padding
   * included), padding patches excluded elsewhere, median camera compensation, 95th percentile per
   * frame, 1:1 motion and |residual|, t = sampled slot, rows in their order (first frame, then by
   * score). I-frames are scored like the others, as that pipeline did. Motion is the list-0 vector
   * in whole pixels rounded toward zero (0 without one), as its reader got it from FFmpeg.
   */
  ovenc: {
    policy: 'codec',
    frames: 64,
    resize: 'letterbox',
    size: 576,
    patch: 16,
    budget: 8 * 1296,
    keepFirst: true,
    iframes: 'score',
    padding: 'exclude',
    staticFallback: false,
    order: 'score',
    compensation: 'median',
    normalize: 'frame',
    percentile: 95,
    weights: { motion: 1, residual: 1, bits: 0 },
    residualSource: 'abs',
    floors: { motion: 1e-6, residual: 1, bits: 1 },
    motionPerFrame: false,
    motionVector: 'list0-integer',
    timeIndex: 'slot',
  },
};

function optionError(message: string): CodectokError {
  return new CodectokError('ERR_INVALID_OPTION', message);
}

export function resolveOptions(options: TokenizeOptions): TokenizeOptions {
  if (options.preset !== undefined && !(options.preset in PRESETS)) throw optionError(`unknown preset ${String(options.preset)} (known: ${Object.keys(PRESETS).join(', ')})`);
  const base = options.preset ? PRESETS[options.preset] : {};
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TokenizeOptions;
  const o: TokenizeOptions = { ...base, ...defined };
  if (base.weights && defined.weights) o.weights = { ...base.weights, ...defined.weights };
  if (base.floors && defined.floors) o.floors = { ...base.floors, ...defined.floors };
  const policy = o.policy ?? DEFAULT_POLICY;
  if (!POLICY_NAMES.includes(policy)) throw optionError(`unknown policy ${String(policy)} (${POLICY_NAMES.join(', ')})`);
  if (o.timeIndex !== undefined && o.timeIndex !== 'frame' && o.timeIndex !== 'slot') throw optionError(`timeIndex must be frame or slot, got ${String(o.timeIndex)}`);
  if (o.layout !== undefined && o.layout !== 'nhwc' && o.layout !== 'nchw') throw optionError(`layout must be nhwc or nchw, got ${String(o.layout)}`);
  if (o.dtype !== undefined && o.dtype !== 'uint8' && o.dtype !== 'float32') throw optionError(`dtype must be uint8 or float32, got ${String(o.dtype)}`);
  if (o.resize !== undefined && o.resize !== 'letterbox' && o.resize !== 'qwen') throw optionError(`resize must be letterbox or qwen, got ${String(o.resize)}`);
  for (const k of ['mean', 'std'] as const) {
    const v = o[k];
    if (v !== undefined && !(Array.isArray(v) && v.length === 3 && v.every((x) => Number.isFinite(x)) && (k === 'mean' || v.every((x) => x > 0)))) throw optionError(`${k} must be three numbers${k === 'std' ? ' > 0' : ''}`);
  }
  if (o.staticShare !== undefined && !(o.staticShare >= 0 && o.staticShare <= 1)) throw optionError(`staticShare must be in [0, 1], got ${o.staticShare}`);
  if (o.inputFps !== undefined && !(o.inputFps > 0)) throw optionError(`inputFps must be > 0, got ${o.inputFps}`);
  if (o.timeout !== undefined && !(o.timeout > 0)) throw optionError(`timeout must be > 0 seconds, got ${o.timeout}`);
  resolveDevice(o.device);
  return { ...o, policy };
}
