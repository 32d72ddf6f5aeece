// codectok tokenize INPUT... -o DIR [--budget K --policy codec --patch 16 --size 576 --frames 64 ...]
//
// Writes DIR/patches.npy, positions.npy, meta.json (and canvases with --canvas) for one input, or
// DIR/<name>/... per input for several. Failed inputs are reported one line each while the others
// finish; the exit code is 1 when any failed. --json prints one JSON document instead of text.
import { basename, extname, join } from 'node:path';

import { type Command, InvalidArgumentError, Option } from 'commander';

import { errorLine, writeOut } from '../cli_util.js';
import { CodectokError, toCodectokError } from '../errors.js';
import { createTokenizePool } from '../shard/tokenize_pool.js';
import { type TokenizeOptions, type TokenizeResult, tokenize } from '../tokenize.js';
import { writeCanvases } from '../writers/canvas.js';
import { writeNpyOutput } from '../writers/npy_output.js';
import { addGeometryOptions, framesArg, int, num } from './arguments.js';
import { register as registerViz } from './viz.js';



function triple(name: string) {
  return (v: string) => {
    const p = v.split(',').map(Number);
    if (p.length !== 3 || p.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError(`${name} must be three numbers: R,G,B`);
    return p as [number, number, number];
  };
}


/** The options shared by `tokenize` and `viz`. */
export function addTokenizeOptions(cmd: Command): Command {
  cmd
    .addOption(new Option('--preset <name>', 'defaults of a published pipeline (ovenc: OneVision-Encoder stage 1)').choices(['ovenc']))
    .addOption(new Option('--policy <name>', 'selection policy (default codec)').choices(['codec', 'grouped', 'uniform', 'adaptive']))
    .option('--budget <K>', 'tokens to keep (default 8 frames: 8 x grid; grouped: 2 frames per group)', int('--budget'))
    .option('--frames <T>', "frames sampled evenly over the clip, or 'all' (default 64)", framesArg)
    .option('--sample-fps <fps>', 'sample at this rate instead of --frames', num('--sample-fps'))
    .option('--start <frame>', 'first frame that may be sampled', int('--start', 0))
    .option('--input-fps <fps>', 'frame rate for timestamps (default: from the container, else 25)', num('--input-fps'));
  addGeometryOptions(cmd);
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
    .addOption(new Option('--reencode <mode>', 'transcode to HEVC: auto (non-HEVC only, default), always, never').choices(['auto', 'always', 'never']))
    .option('--x265-preset <preset>', 'libx265 preset (default fast)')
    .option('--crf <crf>', 'libx265 CRF (default 23)', num('--crf'))
    .option('--x265-params <params>', 'libx265 parameters (default keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1)')
    .addOption(new Option('--ffmpeg <which>', 'FFmpeg for pixels: auto (default), native or wasm').choices(['auto', 'native', 'wasm']));
}

/** Options as commander hands them over: tokenize()'s own names, plus the CLI's spellings. */
type CliTokenizeOptions = Pick<
  TokenizeOptions,
  | 'preset' | 'policy' | 'budget' | 'frames' | 'sampleFps' | 'inputFps' | 'resize' | 'size' | 'patch' | 'merge' | 'minPixels' | 'maxPixels'
  | 'iframes' | 'keepFirst' | 'padding' | 'staticFallback' | 'order' | 'groupSize' | 'fraction' | 'maxBudget' | 'minBudget'
  | 'compensation' | 'normalize' | 'percentile' | 'layout' | 'dtype' | 'mean' | 'std' | 'reencode' | 'ffmpeg'
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
    fraction: c.fraction,
    maxBudget: c.maxBudget,
    minBudget: c.minBudget,
    compensation: c.compensation,
    normalize: c.normalize,
    percentile: c.percentile,
    residualSource: c.residual,
    timeIndex: c.t,
    layout: c.layout,
    dtype: c.dtype,
    mean: c.mean,
    std: c.std,
    reencode: c.reencode,
    ffmpeg: c.ffmpeg,
  };
  if (Object.keys(weights).length) o.weights = weights;
  if (Object.keys(transcode).length) o.transcode = transcode;
  return o;
}

interface TokenizeCommandOptions extends CliTokenizeOptions {
  out: string;
  json?: boolean;
  jobs?: number;
  canvas?: 'png' | 'jpg' | 'none';
  progress?: boolean;
}

export interface FileOutcome {
  input: string;
  ok: boolean;
  out?: string;
  count?: number;
  grid?: { T: number; H: number; W: number };
  staticFallback?: boolean;
  ffmpeg?: string;
  seconds: number;
  error?: { code: string; message: string };
}

/** Output directory of each input: DIR for one input, DIR/<name> (made unique) for several. */
export function outputDirs(inputs: string[], dir: string): string[] {
  if (inputs.length === 1) return [dir];
  const used = new Map<string, number>();
  return inputs.map((f) => {
    const stem = basename(f, extname(f)) || 'video';
    const n = used.get(stem) ?? 0;
    used.set(stem, n + 1);
    return join(dir, n ? `${stem}_${n}` : stem);
  });
}

class ProgressBar {
  private last = 0;
  private lines = new Map<number, string>();
  constructor(private readonly total: number, private readonly enabled: boolean) {}
  done = 0;
  update(k: number, text: string, force = false): void {
    if (!this.enabled) return;
    this.lines.set(k, text);
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    const current = [...this.lines.values()].slice(-2).join(' | ');
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${current}`;
    const cols = process.stderr.columns || 100;
    process.stderr.write(`\r\x1b[K${line.slice(0, cols - 1)}`);
  }
  finish(k: number): void {
    this.lines.delete(k);
    this.done++;
    this.update(k, '', true);
    this.lines.delete(k);
  }
  clear(): void {
    if (this.enabled) process.stderr.write('\r\x1b[K');
  }
}

export async function runTokenize(inputs: string[], opts: TokenizeCommandOptions): Promise<FileOutcome[]> {
  const dirs = outputDirs(inputs, opts.out);
  const base = tokenizeOptionsFrom(opts);
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, inputs.length));
  const bar = new ProgressBar(inputs.length, !opts.json && opts.progress !== false && Boolean(process.stderr.isTTY));
  const outcomes: FileOutcome[] = new Array(inputs.length);
  // tokenize() is CPU-bound on its thread: several jobs run in worker threads (from dist/; the
  // TypeScript sources fall back to the main thread, where the parser's thread pool still overlaps)
  const pool = createTokenizePool(jobs);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const k = next++;
      if (k >= inputs.length) return;
      const input = inputs[k]!;
      const t0 = Date.now();
      const name = basename(input);
      try {
        bar.update(k, `${name}: started`);
        const r: TokenizeResult = pool
          ? ((await Promise.resolve(pool.tokenize(input, base as Record<string, unknown>)).catch((e: { code?: string; message?: string }) => {
              // keep the worker's code (toCodectokError knows only the parser's)
              throw typeof e?.code === 'string' ? new CodectokError(e.code, e.message ?? String(e), { file: input }) : toCodectokError(e, input);
            })) as unknown as TokenizeResult)
          : await tokenize(input, {
              ...base,
              onProgress: (p) => bar.update(k, `${name}: ${p.stage} ${p.total ? Math.round((100 * p.done) / p.total) : 0}%`),
            });
        await writeNpyOutput(dirs[k]!, r);
        if (opts.canvas && opts.canvas !== 'none') await writeCanvases(dirs[k]!, r, { format: opts.canvas });
        outcomes[k] = { input, ok: true, out: dirs[k], count: r.meta.count, grid: r.meta.grid, staticFallback: r.meta.staticFallback, ffmpeg: `${r.meta.ffmpeg.decode.source}: ${r.meta.ffmpeg.decode.path}`, seconds: (Date.now() - t0) / 1000 };
        if (!opts.json) {
          bar.clear();
          await writeOut(`${input}: ${r.meta.count} tokens (${r.meta.policy.name}, grid ${r.meta.grid.T}x${r.meta.grid.H}x${r.meta.grid.W}${r.meta.staticFallback ? ', static clip: uniform fallback' : ''}) -> ${dirs[k]}\n`);
        }
      } catch (e) {
        const code = e instanceof CodectokError ? String(e.code) : 'ERR_INTERNAL';
        outcomes[k] = { input, ok: false, seconds: (Date.now() - t0) / 1000, error: { code, message: errorLine(e) } };
        if (!opts.json) {
          bar.clear();
          process.stderr.write(`codectok: error: ${errorLine(e)}\n`);
        }
      }
      bar.finish(k);
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    await pool?.close();
  }
  bar.clear();
  return outcomes;
}

/** Registers `tokenize` and its companion `viz` (src/commands/viz.ts). */
export function register(program: Command): void {
  registerViz(program);
  const cmd = program
    .command('tokenize')
    .description('select codec-aligned patches of videos under a token budget and write patches.npy, positions.npy, meta.json')
    .argument('<input...>', 'videos: HEVC as it is (Annex-B, MP4/MOV/MKV); anything else is transcoded to HEVC')
    .requiredOption('-o, --out <dir>', 'output directory (one sub-directory per input when there are several)')
    .option('--json', 'print one JSON document (per-file results) instead of text')
    .option('--jobs <n>', 'videos processed at the same time (default 1)', int('--jobs'))
    .addOption(new Option('--canvas <format>', 'also write LLaVA-OneVision-2 canvases and src_patch_position.npy').choices(['png', 'jpg', 'none']))
    .option('--no-progress', 'no progress bar');
  addTokenizeOptions(cmd).action(async (inputs: string[], opts: TokenizeCommandOptions) => {
    const outcomes = await runTokenize(inputs, opts);
    const failed = outcomes.filter((o) => !o.ok);
    if (opts.json) await writeOut(`${JSON.stringify({ ok: failed.length === 0, files: outcomes, failed: failed.map((f) => f.input) }, null, 1)}\n`);
    // the CLI prints this as the summary line and exits with 1
    if (failed.length) throw new CodectokError('ERR_FILES_FAILED', `${failed.length} of ${outcomes.length} file${outcomes.length > 1 ? 's' : ''} failed: ${failed.map((f) => f.input).join(', ')}`);
  });
}
