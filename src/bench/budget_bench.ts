/**
 * The token-budget benchmark: for every video, policy and budget, run tokenize() on the same
 * sampled frames and geometry and measure what the selection keeps.
 *
 * Per video: the input is turned into Annex-B HEVC once (prepareHevc: as it is, demuxed or
 * transcoded; timed apart), so every run parses the same stream. Each run is a real tokenize() call
 * (t = sampled slot, uint8 nhwc patches) timed from its progress events:
 *   prepare     counting pictures and sampling (the HEVC is already prepared)
 *   parseScore  parsing the bitstream of the sampled frames and scoring their patches
 *   select      the selection policy
 *   decode      FFmpeg decoding the needed frames and cutting the patches
 *   total       the whole tokenize() call
 * `scoreSelectMs` = parseScore + select is the cost of choosing the tokens from the codec.
 * The real frames (all sampled frames at the output geometry) are decoded once per video with the
 * same FFmpeg filter as tokenize() and give the metrics: coverage.ts, reconstruction.ts,
 * change_recall.ts.
 *
 * Policies are run as tokenize() runs them, except:
 *   - `adaptive` gets maxBudget = K: it may use fewer tokens than K, never more, so it is compared
 *     at the same budget; the tokens it actually uses are reported.
 *   - `grouped` needs a whole anchor frame per group; with `groupSize: 'auto'` (default) it keeps
 *     LLaVA-OneVision-2's 4 frames per group when K allows it, else uses the smallest group size
 *     whose anchors fit in K (fewer, longer groups). Below one frame (K < H x W) it cannot run and
 *     the run is reported as skipped.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { CodectokError } from '../errors.js';
import { contentPatchMask, overlappingPatchMask } from '../geometry/content_mask.js';
import type { Geometry } from '../geometry/output_geometry.js';
import { decodeFrames } from '../input/ffmpeg/decode_frames.js';
import { locateFfmpeg } from '../input/ffmpeg/locate.js';
import { type PreparedInput, prepareHevc } from '../input/ffmpeg/prepare.js';
import type { FrameType } from '../scores/codec_picture.js';
import type { PolicyName, TokenizeOptions } from '../tokenize/options.js';
import type { TokenizeResult } from '../tokenize/result.js';
import { tokenize } from '../tokenize/tokenize.js';
import { type ChangeMap, type ChangeRecall, DEFAULT_CHANGE_THRESHOLD, changeMap, changeRecall } from './change_recall.js';
import { type Coverage, coverage } from './coverage.js';
import { type ReconstructionQuality, type ReferenceFrames, prepareReference, reconstructionQuality } from './reconstruction.js';
import type { KeptGrid } from './selection.js';

export const ALL_POLICIES: PolicyName[] = ['codec', 'grouped', 'adaptive', 'refresh', 'rlt', 'uniform'];
export const DEFAULT_BUDGETS = [256, 512, 1024, 2048, 4096];

export interface BudgetBenchOptions {
  budgets?: number[];
  policies?: PolicyName[];
  /**
   * tokenize() options shared by every run (frames, geometry, scoring, transcoding...). The bench
   * sets policy, budget, timeIndex ('slot'), layout ('nhwc'), dtype ('uint8'), maxBudget
   * (adaptive) and groupSize (grouped) itself.
   */
  tokenize?: TokenizeOptions;
  /** Grouped policy: frames per group, or 'auto' (see the module comment). Default 'auto'. */
  groupSize?: number | 'auto';
  /** Change threshold of change recall (mean |difference|, 0..255). Default 8. */
  changeThreshold?: number;
  /** Keep per-frame PSNR/SSIM and tokens per slot in the results. Default true. */
  perFrame?: boolean;
  /** Directory for intermediate files (a temporary one by default, removed afterwards). */
  workDir?: string;
  onEvent?: (e: BenchEvent) => void;
}

export type BenchEvent =
  | { type: 'video'; index: number; total: number; name: string }
  | { type: 'prepared'; name: string; ms: number; route: string }
  | { type: 'run'; name: string; run: RunResult; done: number; total: number }
  | { type: 'video-error'; name: string; error: { code: string; message: string } };

export interface RunTiming {
  prepareMs: number;
  parseScoreMs: number;
  selectMs: number;
  scoreSelectMs: number;
  decodeMs: number;
  totalMs: number;
}

export interface RunResult {
  policy: PolicyName;
  budget: number;
  ok: boolean;
  /** Why the run failed or was skipped. */
  error?: { code: string; message: string };
  /** Tokens that hold a patch (output rows minus padding rows). */
  tokens?: number;
  /** Output rows (= K; grouped pads unused slots). */
  rows?: number;
  padded?: number;
  groupSize?: number;
  heldFraction?: number;
  staticFallback?: boolean;
  /** Slots kept whole by the policy. */
  denseSlots?: number;
  coverage?: Coverage;
  reconstruction?: ReconstructionQuality;
  changeRecall?: ChangeRecall;
  timing?: RunTiming;
  /** Time spent computing the metrics of this run (not part of tokenize). */
  metricsMs?: number;
}

export interface VideoResult {
  name: string;
  input: string;
  ok: boolean;
  error?: { code: string; message: string };
  prepare?: { route: PreparedInput['route']; sourceCodec: string; ms: number };
  frames?: { total: number; fps: number; sampled: number[]; timestamps: number[]; types: FrameType[] };
  grid?: { T: number; H: number; W: number };
  geometry?: Geometry;
  /** Decoding the real sampled frames once, for the metrics. */
  referenceDecodeMs?: number;
  /** Share of the tested patches that changed (change_recall.ts), a measure of how busy the clip is. */
  changedShare?: number;
  runs: RunResult[];
}

export interface BenchResults {
  kind: 'codectok-bench-budgets';
  version: 1;
  codectok: string;
  createdAt: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  options: {
    budgets: number[];
    policies: PolicyName[];
    tokenize: Record<string, unknown>;
    groupSize: number | 'auto';
    changeThreshold: number;
    adaptive: string;
  };
  /** How each metric is computed, stored with the numbers. */
  definitions: Record<string, string>;
  videos: VideoResult[];
}

export const DEFINITIONS: Record<string, string> = {
  coverage: 'sampled frames with at least one token on a patch that shows picture; span = first to last such frame (slots, seconds, share of the sampled time range)',
  reconstruction: 'every sampled frame rebuilt from the kept patches only: a missing patch takes the most recent kept patch at the same position, else the nearest later one, else grey 128; compared on BT.601 luma over the picture (no letterbox padding)',
  psnr: 'clip PSNR in dB from the mean MSE over the sampled frames (FFmpeg psnr "average" convention); per-frame PSNR capped at 100 dB (identical frames give 100, never Infinity)',
  ssim: 'mean over frames of SSIM (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03, L 255, valid windows, no downsampling) on luma',
  changeRecall: 'share of patches whose mean |RGB difference| to the same patch of the previous sampled frame exceeds the threshold (Run-Length Tokenization test; 0..255 scale; patches entirely inside the picture; slot 0 excluded) that received a token; precision = share of tokens (slots >= 1) on such patches',
  timing: 'wall time of one tokenize() call on the prepared HEVC: prepare (count, sample), parseScore (bitstream parse + patch scores), select, decode (pixels), total; scoreSelect = parseScore + select',
  adaptive: 'adaptive runs with maxBudget = K (it may use fewer tokens, never more); tokens = the tokens it used',
  grouped: 'grouped with groupSize auto: 4 frames per group when K holds one anchor frame per group, else the smallest group size that fits; skipped when K is below one frame',
};

const VERSION = '0.1.0';

function errInfo(e: unknown): { code: string; message: string } {
  if (e instanceof CodectokError) return { code: String(e.code), message: e.message };
  return { code: 'ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

/** Unique display names (file stem, then _1, _2 for repeats). */
export function videoNames(inputs: string[]): string[] {
  const used = new Map<string, number>();
  return inputs.map((f) => {
    const stem = basename(f, extname(f)) || 'video';
    const n = used.get(stem) ?? 0;
    used.set(stem, n + 1);
    return n ? `${stem}_${n}` : stem;
  });
}

/**
 * Group size for the grouped policy at budget K on T slots of S patches: 4 when it fits, else the
 * smallest that fits, null when K < S.
 */
export function autoGroupSize(K: number, T: number, S: number, preferred = 4): number | null {
  const fits = (g: number) => Math.floor(K / Math.ceil(T / g)) >= S;
  if (fits(preferred)) return preferred;
  const n = Math.floor(K / S);
  if (n < 1) return null;
  let g = Math.ceil(T / n);
  while (!fits(g) && g < T) g++;
  return fits(g) ? g : null;
}

interface Stamps {
  prepEnd?: number;
  selStart?: number;
  selEnd?: number;
}

async function timedTokenize(hevc: string, o: TokenizeOptions): Promise<{ r: TokenizeResult; timing: RunTiming }> {
  const st: Stamps = {};
  const t0 = performance.now();
  const r = await tokenize(hevc, {
    ...o,
    onProgress: (p) => {
      const now = performance.now();
      if (p.stage === 'prepare' && p.done === p.total) st.prepEnd ??= now;
      if (p.stage === 'select' && p.done === 0) st.selStart ??= now;
      if (p.stage === 'select' && p.done === p.total) st.selEnd ??= now;
    },
  });
  const t1 = performance.now();
  const prepEnd = st.prepEnd ?? t0;
  const selStart = st.selStart ?? prepEnd;
  const selEnd = st.selEnd ?? selStart;
  const timing: RunTiming = {
    prepareMs: prepEnd - t0,
    parseScoreMs: selStart - prepEnd,
    selectMs: selEnd - selStart,
    scoreSelectMs: selEnd - prepEnd,
    decodeMs: t1 - selEnd,
    totalMs: t1 - t0,
  };
  return { r, timing };
}

function sameGeometry(a: Geometry, b: Geometry): boolean {
  return (['outWidth', 'outHeight', 'patch', 'gridH', 'gridW', 'padLeft', 'padTop', 'scaledWidth', 'scaledHeight'] as const).every((k) => a[k] === b[k]);
}

interface VideoState {
  hevc: string;
  codec: 'hevc' | 'h264';
  fps?: number;
  sampled?: number[];
  geometry?: Geometry;
  ref?: ReferenceFrames;
  change?: ChangeMap;
  overlap?: Uint8Array;
}

/** Runs every policy x budget on one video. */
export async function benchVideo(input: string, name: string, opts: BudgetBenchOptions = {}): Promise<VideoResult> {
  const budgets = opts.budgets ?? DEFAULT_BUDGETS;
  const policies = opts.policies ?? ALL_POLICIES;
  const base: TokenizeOptions = { ...(opts.tokenize ?? {}) };
  const threshold = opts.changeThreshold ?? DEFAULT_CHANGE_THRESHOLD;
  const perFrame = opts.perFrame ?? true;
  const result: VideoResult = { name, input, ok: true, runs: [] };
  const ownWork = opts.workDir === undefined;
  const work = opts.workDir ?? (await mkdtemp(join(tmpdir(), 'codectok-bench-')));
  try {
    if (!ownWork) await mkdir(work, { recursive: true });
    const p0 = performance.now();
    const prepared = await prepareHevc(input, work, { reencode: base.reencode, transcode: base.transcode, ffmpeg: { prefer: base.ffmpeg === 'wasm' ? 'native' : base.ffmpeg } });
    const prepMs = performance.now() - p0;
    result.prepare = { route: prepared.route, sourceCodec: prepared.sourceCodec, ms: prepMs };
    opts.onEvent?.({ type: 'prepared', name, ms: prepMs, route: prepared.route });
    const st: VideoState = { hevc: prepared.hevcPath, codec: prepared.codec, fps: base.inputFps ?? prepared.fps };
    const common: TokenizeOptions = { ...base, inputFps: st.fps, reencode: 'auto', timeIndex: 'slot', layout: 'nhwc', dtype: 'uint8' };
    delete common.transcode;

    const adopt = async (r: TokenizeResult): Promise<void> => {
      if (st.sampled && st.geometry) {
        if (r.meta.frames.sampled.join(',') !== st.sampled.join(',') || !sameGeometry(r.meta.geometry, st.geometry)) {
          throw new CodectokError('ERR_INTERNAL', 'a run sampled other frames or used another geometry than the first run');
        }
        return;
      }
      st.sampled = r.meta.frames.sampled;
      st.geometry = r.meta.geometry;
      result.frames = { total: r.meta.frames.total, fps: r.meta.frames.fps, sampled: r.meta.frames.sampled, timestamps: r.meta.frames.timestamps, types: r.meta.frames.types };
      result.grid = r.meta.grid;
      result.geometry = r.meta.geometry;
      const d0 = performance.now();
      const ff = await locateFfmpeg({ prefer: base.ffmpeg ?? 'auto' });
      const frames: Uint8Array[] = [];
      for await (const f of decodeFrames(st.hevc, { frames: st.sampled, geometry: st.geometry, scaler: base.scaler, codec: st.codec }, ff)) frames.push(f.rgb);
      result.referenceDecodeMs = performance.now() - d0;
      st.ref = prepareReference(frames, st.geometry);
      st.change = changeMap(frames, st.geometry, threshold, contentPatchMask(st.geometry));
      st.overlap = overlappingPatchMask(st.geometry);
      result.changedShare = st.change.tested ? st.change.changed.reduce((a, b) => a + b, 0) / st.change.tested : 0;
    };

    const total = policies.length * budgets.length;
    let done = 0;
    for (const policy of policies) {
      for (const budget of budgets) {
        const run: RunResult = { policy, budget, ok: false };
        try {
          const o: TokenizeOptions = { ...common, policy, budget };
          if (policy === 'adaptive') o.maxBudget = Math.min(budget, base.maxBudget ?? budget);
          if (policy === 'grouped') {
            if (opts.groupSize !== undefined && opts.groupSize !== 'auto') o.groupSize = opts.groupSize;
            else {
              if (!result.grid) {
                // learn T and the grid from the cheapest run there is
                const probe = await tokenize(st.hevc, { ...common, policy: 'uniform', budget: 1 });
                await adopt(probe);
              }
              const g = autoGroupSize(budget, result.grid!.T, result.grid!.H * result.grid!.W, base.groupSize ?? 4);
              if (g === null) {
                const S = result.grid!.H * result.grid!.W;
                throw new CodectokError('ERR_BUDGET_TOO_SMALL', `grouped needs one whole anchor frame per group: K=${budget} is below one frame (${S} patches)`);
              }
              o.groupSize = g;
            }
            run.groupSize = o.groupSize ?? 4;
          }
          const { r, timing } = await timedTokenize(st.hevc, o);
          await adopt(r);
          const m0 = performance.now();
          const k: KeptGrid = { T: r.meta.grid.T, gridH: r.meta.grid.H, gridW: r.meta.grid.W, positions: r.positions.data };
          const cov = coverage(k, { timestamps: r.meta.frames.timestamps, picture: st.overlap });
          const rec = reconstructionQuality(k, r.patches.data as Uint8Array, r.meta.geometry, st.ref!);
          const chg = changeRecall(st.change!, k);
          Object.assign(run, {
            ok: true,
            tokens: r.meta.count - r.meta.padded,
            rows: r.meta.count,
            padded: r.meta.padded,
            heldFraction: r.meta.heldFraction,
            staticFallback: r.meta.staticFallback,
            denseSlots: r.meta.denseSlots.length,
            coverage: perFrame ? cov : { ...cov, tokensPerSlot: [] },
            reconstruction: perFrame ? rec : { ...rec, perFrame: { psnr: [], ssim: [], mse: [] } },
            changeRecall: chg,
            timing,
            metricsMs: performance.now() - m0,
          } satisfies Partial<RunResult>);
        } catch (e) {
          run.ok = false;
          run.error = errInfo(e);
        }
        result.runs.push(run);
        opts.onEvent?.({ type: 'run', name, run, done: ++done, total });
      }
    }
  } catch (e) {
    result.ok = false;
    result.error = errInfo(e);
    opts.onEvent?.({ type: 'video-error', name, error: result.error });
  } finally {
    if (ownWork) await rm(work, { recursive: true, force: true });
  }
  return result;
}

function plainOptions(o: TokenizeOptions): Record<string, unknown> {
  const { onProgress: _p, ...rest } = o;
  return rest as Record<string, unknown>;
}

/** Runs the benchmark on every input (one after the other, so timings are not disturbed). */
export async function runBudgetBench(inputs: string[], opts: BudgetBenchOptions = {}): Promise<BenchResults> {
  const budgets = opts.budgets ?? DEFAULT_BUDGETS;
  const policies = opts.policies ?? ALL_POLICIES;
  for (const b of budgets) if (!Number.isInteger(b) || b < 1) throw new CodectokError('ERR_INVALID_OPTION', `budgets must be positive integers, got ${b}`);
  for (const p of policies) if (!ALL_POLICIES.includes(p)) throw new CodectokError('ERR_INVALID_OPTION', `unknown policy ${String(p)} (${ALL_POLICIES.join(', ')})`);
  if (opts.groupSize !== undefined && opts.groupSize !== 'auto' && !(Number.isInteger(opts.groupSize) && opts.groupSize >= 1)) throw new CodectokError('ERR_INVALID_OPTION', `group size must be a positive integer or auto, got ${opts.groupSize}`);
  const names = videoNames(inputs);
  const videos: VideoResult[] = [];
  for (let i = 0; i < inputs.length; i++) {
    opts.onEvent?.({ type: 'video', index: i, total: inputs.length, name: names[i]! });
    videos.push(await benchVideo(inputs[i]!, names[i]!, { ...opts, workDir: opts.workDir ? join(opts.workDir, String(i)) : undefined }));
  }
  const c = cpus();
  return {
    kind: 'codectok-bench-budgets',
    version: 1,
    codectok: VERSION,
    createdAt: new Date().toISOString(),
    machine: { cpus: c.length, cpuModel: c[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` },
    options: {
      budgets,
      policies,
      tokenize: plainOptions(opts.tokenize ?? {}),
      groupSize: opts.groupSize ?? 'auto',
      changeThreshold: opts.changeThreshold ?? DEFAULT_CHANGE_THRESHOLD,
      adaptive: 'maxBudget = K',
    },
    definitions: DEFINITIONS,
    videos,
  };
}
