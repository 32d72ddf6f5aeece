// The tokenizer options of the CLI (`tokenize`, `viz`, `shard`, `bench`): flags -> tokenize() options.
import { type Command, Option } from 'commander';

import { DEFAULT_POLICY, POLICY_NAMES, type TokenizeOptions } from '../tokenize/options.js';
import { framesArg, int, num, triple } from './arguments.js';

/** The output geometry options of tokenize (letterbox or Qwen2-VL resize, patch size). */
export function addGeometryOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--resize <mode>', 'letterbox to a square (default) or Qwen2-VL resize').choices(['letterbox', 'qwen']))
    .option('--size <S>', 'letterbox side in pixels (default 576)', int('--size'))
    .option('--patch <P>', 'patch side in pixels (default 16; 14 for --resize qwen)', int('--patch'))
    .option('--merge <m>', 'qwen: sides are multiples of patch x merge (default 2)', int('--merge'))
    .option('--min-pixels <n>', 'qwen: minimum pixels', int('--min-pixels'))
    .option('--max-pixels <n>', 'qwen: maximum pixels', int('--max-pixels'));
}

/** refresh's options, shared by `tokenize`/`viz` and `bench budgets`. */
export function addRefreshOptions(cmd: Command): Command {
  return cmd
    .option('--refresh-group <n>', 'refresh: side of the square groups of patches allocated together (default 1)', int('--refresh-group'))
    .option('--no-refresh-seams', 'refresh: keep the allocation as the per-patch model chose it (no seam refinement)');
}

/** refresh's options as tokenize() takes them (commander sets a negatable flag to true by default: only passed when turned off). */
export function refreshOptionsFrom(c: Pick<TokenizeOptions, 'refreshGroup' | 'refreshSeams'>): Pick<TokenizeOptions, 'refreshGroup' | 'refreshSeams'> {
  return { refreshGroup: c.refreshGroup, refreshSeams: c.refreshSeams === false ? false : undefined };
}

/** The options shared by `tokenize` and `viz`. */
export function addTokenizeOptions(cmd: Command): Command {
  cmd
    .addOption(new Option('--preset <name>', 'defaults of a published pipeline (ovenc: OneVision-Encoder stage 1)').choices(['ovenc']))
    .addOption(new Option('--policy <name>', `selection policy (default ${DEFAULT_POLICY})`).choices(POLICY_NAMES))
    .option('--budget <K>', 'tokens to keep (default 8 frames: 8 x grid; grouped: 2 frames per group)', int('--budget'))
    .option('--frames <T>', "frames sampled evenly over the clip, or 'all' (default 64)", framesArg)
    .option('--sample-fps <fps>', 'sample at this rate instead of --frames', num('--sample-fps'))
    .option('--start <frame>', 'first frame that may be sampled', int('--start', 0))
    .option('--input-fps <fps>', 'frame rate for timestamps (default: from the container, else 25)', num('--input-fps'));
  addGeometryOptions(cmd);
  addRefreshOptions(cmd);
  return cmd
    .addOption(new Option('--iframes <mode>', 'I-frames: zero (default): score 0; dense: keep whole; score: like the others').choices(['zero', 'dense', 'score']))
    .option('--no-keep-first', 'do not keep the first sampled frame whole')
    .addOption(new Option('--padding <mode>', 'letterbox padding patches: exclude (default, taken last) or include').choices(['exclude', 'include']))
    .option('--no-static-fallback', 'no uniform full frames for static clips')
    .addOption(new Option('--order <order>', 'row order: thw (default) or score').choices(['thw', 'score']))
    .option('--group-size <n>', 'grouped: frames per group (default 4)', int('--group-size'))
    .option('--fraction <f>', 'adaptive: share of the total score to keep (default 0.9)', num('--fraction'))
    .option('--max-budget <K>', 'adaptive: largest K', int('--max-budget'))
    .option('--min-budget <K>', 'adaptive: smallest K', int('--min-budget'))
    .addOption(new Option('--compensation <model>', 'camera motion removal (default median)').choices(['none', 'median', 'similarity', 'affine']))
    .addOption(new Option('--motion-vector <source>', "motion signal: mean of a block's lists (default) or list0-integer (list 0 in whole pixels rounded toward zero, as FFmpeg exports it; the ovenc preset)").choices(['mean', 'list0-integer']))
    .addOption(new Option('--normalize <scope>', 'percentile normalisation per frame (default) or per clip').choices(['frame', 'clip']))
    .option('--percentile <p>', 'normalisation percentile (default 95)', num('--percentile'))
    .option('--w-motion <w>', 'weight of motion (default 1)', num('--w-motion'))
    .option('--w-residual <w>', 'weight of the residual (default 1)', num('--w-residual'))
    .option('--w-bits <w>', 'weight of the bit cost (default 0)', num('--w-bits'))
    .addOption(new Option('--residual <source>', 'abs: sum |residual| (default); coeff: coefficient energy (cheaper)').choices(['abs', 'coeff']))
    .addOption(new Option('--t <meaning>', 't in positions: frame = source frame index (default), slot = sampled-slot index').choices(['frame', 'slot']))
    .addOption(new Option('--layout <layout>', 'patches [N,P,P,3] (nhwc, default) or [N,3,P,P] (nchw)').choices(['nhwc', 'nchw']))
    .addOption(new Option('--dtype <dtype>', 'uint8 (default) or float32 normalised with --mean/--std').choices(['uint8', 'float32']))
    .option('--mean <r,g,b>', 'float32: mean per channel on the 0..1 scale', triple('--mean'))
    .option('--std <r,g,b>', 'float32: std per channel on the 0..1 scale', triple('--std'))
    .addOption(new Option('--reencode <mode>', 'transcode to HEVC: auto (only what the HEVC and H.264 parsers cannot read, default), always, never').choices(['auto', 'always', 'never']))
    .option('--x265-preset <preset>', 'libx265 preset (default fast)')
    .option('--crf <crf>', 'libx265 CRF (default 23)', num('--crf'))
    .option('--x265-params <params>', 'libx265 parameters (default keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1; frame-threads=1:info=0 are always appended)')
    .option('--x265-threads <n>', "libx265's worker threads (default: the cores available; does not change the stream)", int('--x265-threads'))
    .option('--transcoder <which>', 'FFmpeg that transcodes: bundled (@ffmpeg-installer/ffmpeg, default unless FFMPEG_PATH is set), system (FFMPEG_PATH, the PATH, then bundled) or the path of an ffmpeg executable')
    .addOption(new Option('--ffmpeg <which>', 'FFmpeg for pixels: auto (default), native or wasm').choices(['auto', 'native', 'wasm']))
    .option('--timeout <seconds>', 'time bound per video: a slower one fails with ERR_TIMEOUT (default none)', num('--timeout'))
    .option('--threads <n>', 'threads one video\'s bitstream is parsed on, cut at its random-access points (tokenize with --jobs 1: the cores available but one, up to 4; otherwise 1)', int('--threads', 1))
    .addOption(new Option('--device <which>', 'cpu (default), cuda (needs an addon built with CUDA: ERR_UNSUPPORTED otherwise) or auto').choices(['cpu', 'cuda', 'auto']));
}

/** Options as commander hands them over: tokenize()'s own names, plus the CLI's spellings. */
export type CliTokenizeOptions = Pick<
  TokenizeOptions,
  | 'preset' | 'policy' | 'budget' | 'frames' | 'sampleFps' | 'inputFps' | 'resize' | 'size' | 'patch' | 'merge' | 'minPixels' | 'maxPixels'
  | 'iframes' | 'keepFirst' | 'padding' | 'staticFallback' | 'order' | 'groupSize' | 'refreshGroup' | 'refreshSeams' | 'fraction' | 'maxBudget' | 'minBudget'
  | 'compensation' | 'motionVector' | 'normalize' | 'percentile' | 'layout' | 'dtype' | 'mean' | 'std' | 'reencode' | 'ffmpeg' | 'transcoder' | 'timeout' | 'device' | 'threads'
> & {
  start?: number;
  wMotion?: number;
  wResidual?: number;
  wBits?: number;
  residual?: TokenizeOptions['residualSource'];
  t?: TokenizeOptions['timeIndex'];
  x265Preset?: string;
  crf?: number;
  x265Params?: string;
  x265Threads?: number;
};

/** Commander's options -> tokenize() options (only what was given: presets fill the rest). */
export function tokenizeOptionsFrom(c: CliTokenizeOptions): TokenizeOptions {
  const weights: Record<string, number> = {};
  if (c.wMotion !== undefined) weights.motion = c.wMotion;
  if (c.wResidual !== undefined) weights.residual = c.wResidual;
  if (c.wBits !== undefined) weights.bits = c.wBits;
  const transcode: Record<string, unknown> = {};
  if (c.x265Preset !== undefined) transcode.preset = c.x265Preset;
  if (c.crf !== undefined) transcode.crf = c.crf;
  if (c.x265Params !== undefined) transcode.x265Params = c.x265Params;
  if (c.x265Threads !== undefined) transcode.threads = c.x265Threads;
  const o: TokenizeOptions = {
    preset: c.preset,
    policy: c.policy,
    budget: c.budget,
    frames: c.frames,
    sampleFps: c.sampleFps,
    sampleStart: c.start,
    inputFps: c.inputFps,
    resize: c.resize,
    size: c.size,
    patch: c.patch,
    merge: c.merge,
    minPixels: c.minPixels,
    maxPixels: c.maxPixels,
    iframes: c.iframes,
    // commander sets negatable flags to true by default: only pass them when turned off
    keepFirst: c.keepFirst === false ? false : undefined,
    staticFallback: c.staticFallback === false ? false : undefined,
    padding: c.padding,
    order: c.order,
    groupSize: c.groupSize,
    ...refreshOptionsFrom(c),
    fraction: c.fraction,
    maxBudget: c.maxBudget,
    minBudget: c.minBudget,
    compensation: c.compensation,
    motionVector: c.motionVector,
    normalize: c.normalize,
    percentile: c.percentile,
    residualSource: c.residual,
    timeIndex: c.t,
    layout: c.layout,
    dtype: c.dtype,
    mean: c.mean,
    std: c.std,
    reencode: c.reencode,
    transcoder: c.transcoder,
    ffmpeg: c.ffmpeg,
    timeout: c.timeout,
    device: c.device,
    threads: c.threads,
  };
  if (Object.keys(weights).length) o.weights = weights;
  if (Object.keys(transcode).length) o.transcode = transcode;
  return o;
}
