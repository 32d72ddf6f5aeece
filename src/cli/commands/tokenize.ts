// codectok tokenize INPUT... -o DIR [--budget K --policy codec --patch 16 --size 576 --frames 64 ...]
//
// Writes DIR/patches.npy, positions.npy, meta.json (and canvases with --canvas) for one input, or
// DIR/<name>/... per input for several. Failed inputs are reported one line each while the others
// finish; the exit code is 1 when any failed. --json prints one JSON document instead of text.
import { basename, extname, join } from 'node:path';

import { type Command, Option } from 'commander';

import { CodectokError, type CodectokErrorCode } from '../../errors.js';
import { createTokenizePool } from '../../tokenize/pool.js';
import type { TokenizeResult } from '../../tokenize/result.js';
import { tokenize } from '../../tokenize/tokenize.js';
import { writeCanvases } from '../../writers/canvas.js';
import { writeNpyOutput } from '../../writers/npy_output.js';
import { defaultTokenizeParseThreads, int } from '../arguments.js';
import { errorLine, writeOut } from '../output.js';
import { addTokenizeOptions, type CliTokenizeOptions, tokenizeOptionsFrom } from '../tokenize_options.js';

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
  error?: { code: CodectokErrorCode; message: string };
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
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, inputs.length));
  // One video at a time: its bitstream is parsed on the cores FFmpeg's pixel decode leaves (the
  // cores but one, up to 4); several at once: one thread each (the jobs share the cores).
  const base = tokenizeOptionsFrom(opts);
  base.threads ??= jobs === 1 ? defaultTokenizeParseThreads() : 1;
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
          ? await pool.tokenize(input, base as Record<string, unknown>)
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
        const code = e instanceof CodectokError ? e.code : 'ERR_INTERNAL';
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

export function register(program: Command): void {
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
