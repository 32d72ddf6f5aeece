// codectok bench budgets VIDEO... --budgets 256,512,1024,2048,4096 [--policies codec,grouped,adaptive,uniform] -o DIR
//
// For every video, policy and budget: tokenize on the same sampled frames and geometry, then
// measure temporal coverage, the quality of frames rebuilt from the kept patches (PSNR, SSIM),
// change recall and the cost. Writes DIR/results.json, DIR/results.md and DIR/plots/*.png
// (src/bench/). Exit code 1 when a video could not be benchmarked at all.
import { type Command, InvalidArgumentError, Option } from 'commander';

import { ALL_POLICIES, DEFAULT_BUDGETS, type BenchEvent, runBudgetBench } from '../../bench/budget_bench.js';
import { DEFAULT_CHANGE_THRESHOLD } from '../../bench/change_recall.js';
import { aggregateTable, comparisonSummary, writeReport } from '../../bench/report.js';
import { CodectokError } from '../../errors.js';
import type { PolicyName, TokenizeOptions } from '../../tokenize/options.js';
import { framesArg, int, num } from '../arguments.js';
import { writeOut } from '../output.js';
import { addGeometryOptions, addRefreshOptions, refreshOptionsFrom } from '../tokenize_options.js';

function budgetList(v: string): number[] {
  const b = v.split(',').map((x) => Number(x.trim()));
  if (!b.length || b.some((x) => !Number.isInteger(x) || x < 1)) throw new InvalidArgumentError('--budgets must be positive integers separated by commas, e.g. 256,512,1024');
  return [...new Set(b)].sort((x, y) => x - y);
}

function policyList(v: string): PolicyName[] {
  const p = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = p.filter((x) => !ALL_POLICIES.includes(x as PolicyName));
  if (!p.length || bad.length) throw new InvalidArgumentError(`unknown polic${bad.length > 1 ? 'ies' : 'y'} ${bad.join(', ')} (choose from ${ALL_POLICIES.join(', ')})`);
  return [...new Set(p)] as PolicyName[];
}


function groupArg(v: string): number | 'auto' {
  if (v === 'auto') return 'auto';
  return int('--group-size')(v);
}

/** Options as commander hands them over: tokenize()'s own names where they are tokenize's. */
type BenchBudgetsOptions = Pick<
  TokenizeOptions,
  'frames' | 'sampleFps' | 'resize' | 'size' | 'patch' | 'merge' | 'minPixels' | 'maxPixels' | 'fraction' | 'iframes' | 'compensation' | 'reencode' | 'inputFps' | 'refreshGroup' | 'refreshSeams'
> & {
  out: string;
  budgets?: number[];
  policies?: PolicyName[];
  groupSize?: number | 'auto';
  residual?: TokenizeOptions['residualSource'];
  changeThreshold?: number;
  perFrame: boolean;
  quiet?: boolean;
};

function progressLine(e: BenchEvent): string | null {
  switch (e.type) {
    case 'video':
      return `[${e.index + 1}/${e.total}] ${e.name}`;
    case 'prepared':
      return e.route === 'transcoded' ? `  transcoded to HEVC in ${(e.ms / 1000).toFixed(1)} s` : null;
    case 'video-error':
      return `  failed: ${e.error.message}`;
    case 'run': {
      const r = e.run;
      const head = `  ${r.policy.padEnd(8)} K=${String(r.budget).padEnd(5)}`;
      if (!r.ok) return `${head} skipped: ${r.error?.message}`;
      return `${head} ${String(r.tokens).padStart(5)} tokens, ${r.coverage!.framesWithTokens}/${r.coverage!.T} frames, PSNR ${r.reconstruction!.psnr.toFixed(2)} dB, SSIM ${r.reconstruction!.ssim.toFixed(3)}, recall ${Number.isFinite(r.changeRecall!.recall) ? `${(100 * r.changeRecall!.recall).toFixed(0)} %` : 'n/a'}, ${(r.timing!.totalMs / 1000).toFixed(2)} s`;
    }
  }
}

export function register(program: Command): void {
  const bench = program.command('bench').description('benchmarks on your own videos');
  const budgets = bench.command('budgets');
  budgets
    .description('compare selection policies across token budgets: temporal coverage, PSNR/SSIM of frames rebuilt from the kept patches, change recall, cost')
    .argument('<video...>', 'videos (HEVC as it is, anything else transcoded to HEVC once)')
    .requiredOption('-o, --out <dir>', 'output directory: results.json, results.md, plots/')
    .option('--budgets <list>', `token budgets, comma-separated (default ${DEFAULT_BUDGETS.join(',')})`, budgetList)
    .option('--policies <list>', `policies, comma-separated (default ${ALL_POLICIES.join(',')})`, policyList)
    .option('--frames <T>', "frames sampled evenly over each clip, or 'all' (default 64, as tokenize)", framesArg)
    .option('--sample-fps <fps>', 'sample at this rate instead of --frames', num('--sample-fps', 1e-9));
  addRefreshOptions(addGeometryOptions(budgets))
    .option('--group-size <n|auto>', 'grouped: frames per group; auto (default): 4 when K allows, else the smallest that fits', groupArg)
    .option('--fraction <f>', 'adaptive: share of the total score to keep (default 0.9); its K is capped at each budget', num('--fraction', 1e-9))
    .addOption(new Option('--iframes <mode>', 'codec/adaptive I-frames: zero (default), dense, score').choices(['zero', 'dense', 'score']))
    .addOption(new Option('--compensation <model>', 'camera motion removal (default median)').choices(['none', 'median', 'similarity', 'affine']))
    .addOption(new Option('--residual <source>', 'abs (default) or coeff').choices(['abs', 'coeff']))
    .addOption(new Option('--reencode <mode>', 'transcode to HEVC: auto (only what the HEVC and H.264 parsers cannot read, default), always, never').choices(['auto', 'always', 'never']))
    .option('--input-fps <fps>', 'frame rate for timestamps (default: from the container, else 25)', num('--input-fps', 1e-9))
    .option('--change-threshold <t>', `change recall: mean |difference| (0..255) above which a patch changed (default ${DEFAULT_CHANGE_THRESHOLD})`, num('--change-threshold', 0))
    .option('--no-per-frame', 'leave per-frame PSNR/SSIM out of results.json')
    .option('-q, --quiet', 'no progress lines on stderr')
    .action(async (videos: string[], o: BenchBudgetsOptions) => {
      const tok: TokenizeOptions = {
        frames: o.frames,
        sampleFps: o.sampleFps,
        resize: o.resize,
        size: o.size,
        patch: o.patch,
        merge: o.merge,
        minPixels: o.minPixels,
        maxPixels: o.maxPixels,
        fraction: o.fraction,
        ...refreshOptionsFrom(o),
        iframes: o.iframes,
        compensation: o.compensation,
        residualSource: o.residual,
        reencode: o.reencode,
        inputFps: o.inputFps,
      };
      const tokenize = Object.fromEntries(Object.entries(tok).filter(([, v]) => v !== undefined)) as TokenizeOptions;
      const policies = o.policies ?? ALL_POLICIES;
      const res = await runBudgetBench(videos, {
        budgets: o.budgets ?? DEFAULT_BUDGETS,
        policies,
        tokenize,
        groupSize: o.groupSize ?? 'auto',
        changeThreshold: o.changeThreshold ?? DEFAULT_CHANGE_THRESHOLD,
        perFrame: o.perFrame,
        onEvent: (e) => {
          if (o.quiet) return;
          const line = progressLine(e);
          if (line !== null) process.stderr.write(`${line}\n`);
        },
      });
      const files = await writeReport(o.out, res);
      const ok = res.videos.filter((v) => v.ok);
      await writeOut(`${aggregateTable(res, ok)}\n\n`);
      for (const p of ['codec', 'refresh', 'rlt'] as const) if (policies.includes(p) && policies.includes('uniform')) await writeOut(`${p}: ${comparisonSummary(res, p)}\n\n`);
      await writeOut(`wrote ${files.length} files to ${o.out} (results.json, results.md, plots/summary.png)\n`);
      const failed = res.videos.filter((v) => !v.ok);
      if (failed.length) throw new CodectokError('ERR_FILES_FAILED', `${failed.length} of ${res.videos.length} video${res.videos.length > 1 ? 's' : ''} failed: ${failed.map((v) => `${v.input} (${v.error?.message})`).join('; ')}`);
    });
}
