/**
 * Output of the token-budget benchmark: `results.json` (every number, per clip, run and frame),
 * `results.md` (the tables a person reads: mean over clips per policy and budget, codec against
 * uniform clip by clip, then every run of every clip) and PNG line charts (metric against budget,
 * one line per policy) under `plots/`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PolicyName } from '../tokenize/options.js';
import type { BenchResults, RunResult, VideoResult } from './budget_bench.js';
import { type ChartSeries, type ChartSpec, type Marker, type Rgb, panelPng, chartPng } from './plot_png.js';

export interface AggregateRow {
  policy: PolicyName;
  budget: number;
  /** Clips with a result, clips where the run failed or was skipped. */
  clips: number;
  skipped: number;
  tokens: number;
  framesWithTokens: number;
  frameShare: number;
  spanShare: number;
  psnr: number;
  ssim: number;
  /** Mean over the clips where something changed (NaN when none). */
  recall: number;
  precision: number;
  scoreSelectMs: number;
  totalMs: number;
}

/** results.json writes NaN as null: read it back as NaN. */
const num = (x: number | null | undefined): number => (typeof x === 'number' ? x : NaN);

const mean = (xs: (number | null)[]): number => {
  const f = xs.map(num).filter((x) => Number.isFinite(x));
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
};

/** Mean of every metric over the clips, per policy and budget (in the order of the options). */
export function aggregate(res: BenchResults, videos: VideoResult[] = res.videos): AggregateRow[] {
  const rows: AggregateRow[] = [];
  for (const policy of res.options.policies) {
    for (const budget of res.options.budgets) {
      const runs: RunResult[] = [];
      let skipped = 0;
      for (const v of videos) {
        const r = v.runs.find((x) => x.policy === policy && x.budget === budget);
        if (r?.ok) runs.push(r);
        else if (r) skipped++;
      }
      rows.push({
        policy,
        budget,
        clips: runs.length,
        skipped,
        tokens: mean(runs.map((r) => r.tokens!)),
        framesWithTokens: mean(runs.map((r) => r.coverage!.framesWithTokens)),
        frameShare: mean(runs.map((r) => r.coverage!.share)),
        spanShare: mean(runs.map((r) => r.coverage!.spanShare)),
        psnr: mean(runs.map((r) => r.reconstruction!.psnr)),
        ssim: mean(runs.map((r) => r.reconstruction!.ssim)),
        recall: mean(runs.map((r) => r.changeRecall!.recall)),
        precision: mean(runs.map((r) => r.changeRecall!.precision)),
        scoreSelectMs: mean(runs.map((r) => r.timing!.scoreSelectMs)),
        totalMs: mean(runs.map((r) => r.timing!.totalMs)),
      });
    }
  }
  return rows;
}

export interface Comparison {
  video: string;
  budget: number;
  /** PSNR of the policy and of uniform. */
  psnrA: number;
  psnrB: number;
  /** policy minus uniform. */
  dPsnr: number;
  dSsim: number;
  dRecall: number;
  dFrames: number;
}

/** `policy` minus `uniform` for every clip and budget where both ran. */
export function compareWithUniform(res: BenchResults, policy: PolicyName = 'codec'): Comparison[] {
  const out: Comparison[] = [];
  for (const v of res.videos) {
    for (const budget of res.options.budgets) {
      const a = v.runs.find((r) => r.policy === policy && r.budget === budget && r.ok);
      const u = v.runs.find((r) => r.policy === 'uniform' && r.budget === budget && r.ok);
      if (!a || !u) continue;
      out.push({
        video: v.name,
        budget,
        psnrA: num(a.reconstruction!.psnr),
        psnrB: num(u.reconstruction!.psnr),
        dPsnr: num(a.reconstruction!.psnr) - num(u.reconstruction!.psnr),
        dSsim: num(a.reconstruction!.ssim) - num(u.reconstruction!.ssim),
        dRecall: num(a.changeRecall!.recall) - num(u.changeRecall!.recall),
        dFrames: a.coverage!.framesWithTokens - u.coverage!.framesWithTokens,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- formatting

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : 'n/a');
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const signed = (x: number, d: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}` : 'n/a');

function table(head: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const a = align ?? head.map((_, i) => (i === 0 ? 'l' : 'r'));
  return [`| ${head.join(' | ')} |`, `| ${a.map((x) => (x === 'l' ? ':--' : '--:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The aggregate table (mean over clips) as Markdown. */
export function aggregateTable(res: BenchResults, videos: VideoResult[] = res.videos): string {
  const T = videos.find((v) => v.grid)?.grid?.T;
  return table(
    ['policy', 'K', 'tokens used', `frames with tokens${T ? ` (of ${T})` : ''}`, 'span', 'PSNR (dB)', 'SSIM', 'change recall', 'precision', 'score+select (ms)', 'tokenize (ms)', 'clips'],
    aggregate(res, videos).map((r) => [
      r.policy,
      String(r.budget),
      r.clips ? f1(r.tokens) : '—',
      r.clips ? f1(r.framesWithTokens) : '—',
      r.clips ? pct(r.spanShare) : '—',
      r.clips ? f2(r.psnr) : '—',
      r.clips ? f3(r.ssim) : '—',
      r.clips ? pct(r.recall) : '—',
      r.clips ? pct(r.precision) : '—',
      r.clips ? ms(r.scoreSelectMs) : '—',
      r.clips ? ms(r.totalMs) : '—',
      r.skipped ? `${r.clips} (${r.skipped} skipped)` : String(r.clips),
    ]),
  );
}

/**
 * Differences smaller than this count as ties, not as wins or losses. The PSNR tolerance is small
 * on purpose (0.1 dB at 25 dB is a real difference); two PSNRs both above 40 dB also count as a tie
 * (45 against 47 dB is no visible difference).
 */
export const TIE = { psnrDb: 0.1, ssim: 0.002, recall: 0.005, /** both PSNRs above this: a tie (no visible difference) */ psnrAboveDb: 40 };

/** PSNR difference, 0 when both sides are above TIE.psnrAboveDb. */
function psnrDelta(c: Comparison): number {
  return c.psnrA >= TIE.psnrAboveDb && c.psnrB >= TIE.psnrAboveDb ? 0 : c.dPsnr;
}

/** Whether `policy` loses to uniform on this comparison (PSNR or SSIM lower beyond the tie tolerance). */
export function loses(c: Comparison): boolean {
  return psnrDelta(c) < -TIE.psnrDb || c.dSsim < -TIE.ssim;
}

/** `policy` minus uniform per clip and budget: PSNR dB / SSIM, with a mark where it loses. */
export function comparisonTable(res: BenchResults, policy: PolicyName = 'codec'): string {
  const cmp = compareWithUniform(res, policy);
  const budgets = res.options.budgets;
  const rows = res.videos
    .filter((v) => cmp.some((c) => c.video === v.name))
    .map((v) => [
      v.name,
      ...budgets.map((b) => {
        const c = cmp.find((x) => x.video === v.name && x.budget === b);
        if (!c) return '—';
        return `${signed(c.dPsnr, 1)} dB / ${signed(c.dSsim, 3)}${loses(c) ? ' **loses**' : ''}`;
      }),
    ]);
  return table(['clip', ...budgets.map((b) => `K=${b}`)], rows);
}

/** One line per metric: in how many (clip, budget) pairs `policy` beats uniform, ties apart. */
export function comparisonSummary(res: BenchResults, policy: PolicyName = 'codec', videos?: string[]): string {
  const cmp = compareWithUniform(res, policy).filter((c) => !videos || videos.includes(c.video));
  const count = (f: (c: Comparison) => number, tie: number) => {
    const valid = cmp.filter((c) => Number.isFinite(f(c)));
    const better = valid.filter((c) => f(c) > tie).length;
    const worse = valid.filter((c) => f(c) < -tie).length;
    return { better, worse, ties: valid.length - better - worse, n: valid.length };
  };
  const line = (name: string, x: ReturnType<typeof count>, unit: string) => `- ${name}: ${policy} higher in ${x.better}, lower in ${x.worse}, within ${unit} in ${x.ties}${x.n < cmp.length ? ` (of ${x.n} pairs where it is defined)` : ''}`;
  return [
    `${policy} against uniform over ${cmp.length} (clip, budget) pairs; ${cmp.filter(loses).length} where ${policy} loses on PSNR or SSIM:`,
    line('PSNR', count(psnrDelta, TIE.psnrDb), `${TIE.psnrDb} dB (or both above ${TIE.psnrAboveDb} dB)`),
    line('SSIM', count((c) => c.dSsim, TIE.ssim), String(TIE.ssim)),
    line('change recall', count((c) => c.dRecall, TIE.recall), `${100 * TIE.recall} points`),
    line('frames with tokens', count((c) => c.dFrames, 0), '0 frames'),
  ].join('\n');
}

function videoTable(res: BenchResults, v: VideoResult): string {
  return table(
    ['policy', 'K', 'tokens', 'frames', 'span', 'PSNR', 'SSIM', 'recall', 'parse+score ms', 'select ms', 'decode ms', 'total ms', 'note'],
    v.runs.map((r) =>
      r.ok
        ? [
            r.policy,
            String(r.budget),
            String(r.tokens),
            String(r.coverage!.framesWithTokens),
            pct(r.coverage!.spanShare),
            f2(r.reconstruction!.psnr),
            f3(r.reconstruction!.ssim),
            pct(r.changeRecall!.recall),
            ms(r.timing!.parseScoreMs),
            ms(r.timing!.selectMs),
            ms(r.timing!.decodeMs),
            ms(r.timing!.totalMs),
            [r.groupSize !== undefined ? `groups of ${r.groupSize}` : '', r.staticFallback ? 'static fallback' : '', r.heldFraction !== undefined ? `holds ${pct(r.heldFraction)} of score` : ''].filter(Boolean).join(', '),
          ]
        : [r.policy, String(r.budget), '—', '—', '—', '—', '—', '—', '—', '—', '—', '—', `skipped: ${r.error?.message ?? 'failed'}`],
    ),
  );
}

/** The whole Markdown report. */
export function markdownReport(res: BenchResults): string {
  const ok = res.videos.filter((v) => v.ok);
  const v0 = ok.find((v) => v.geometry);
  const g = v0?.geometry;
  const out: string[] = [];
  out.push('# codectok bench budgets');
  out.push('');
  out.push(`${res.createdAt}, codectok ${res.codectok}, ${res.machine.cpus} x ${res.machine.cpuModel}, Node ${res.machine.node}.`);
  out.push(`Budgets ${res.options.budgets.join(', ')}; policies ${res.options.policies.join(', ')}; change threshold ${res.options.changeThreshold}; tokenize options ${JSON.stringify(res.options.tokenize)}.`);
  if (g && v0?.grid) out.push(`Geometry of the first clip: ${g.mode} ${g.outWidth}x${g.outHeight} (picture ${g.scaledWidth}x${g.scaledHeight}), ${g.patch}-px patches, grid ${v0.grid.T} frames x ${v0.grid.H} x ${v0.grid.W} = ${v0.grid.H * v0.grid.W} patches per frame.`);
  out.push('');
  out.push(`## Mean over ${ok.length} clip${ok.length === 1 ? '' : 's'}`);
  out.push('');
  out.push(aggregateTable(res, ok));
  out.push('');
  for (const p of ['codec', 'refresh', 'rlt'] as const) {
    if (!res.options.policies.includes('uniform') || !res.options.policies.includes(p)) continue;
    out.push(`## ${p} against uniform, clip by clip (${p} − uniform: PSNR dB / SSIM)`);
    out.push('');
    out.push(comparisonSummary(res, p));
    out.push('');
    out.push(comparisonTable(res, p));
    out.push('');
  }
  out.push('## Definitions');
  out.push('');
  for (const [k, d] of Object.entries(res.definitions)) out.push(`- **${k}**: ${d}`);
  out.push('');
  out.push('## Every clip');
  for (const v of res.videos) {
    out.push('');
    out.push(`### ${v.name}`);
    out.push('');
    if (!v.ok) {
      out.push(`failed: ${v.error?.code}: ${v.error?.message}`);
      continue;
    }
    const fr = v.frames;
    out.push(`${v.input} (${v.prepare?.route}, ${v.prepare?.sourceCodec}${v.prepare?.route === 'transcoded' ? `, transcoded in ${ms(v.prepare.ms)} ms` : ''}); ${fr?.total} frames at ${fr?.fps} fps, ${v.grid?.T} sampled; grid ${v.grid?.H}x${v.grid?.W}; ${pct(v.changedShare ?? NaN)} of the patches change between sampled frames.`);
    out.push('');
    out.push(videoTable(res, v));
  }
  out.push('');
  return out.join('\n');
}

// ---------------------------------------------------------------- charts

export const POLICY_STYLE: Record<PolicyName, { color: Rgb; marker: Marker; dashed?: boolean; markerSize?: number }> = {
  codec: { color: [0, 114, 178], marker: 'circle', markerSize: 14 },
  grouped: { color: [230, 159, 0], marker: 'square' },
  adaptive: { color: [0, 158, 115], marker: 'triangle' },
  uniform: { color: [0, 0, 0], marker: 'diamond', dashed: true },
  refresh: { color: [213, 94, 0], marker: 'circle', markerSize: 12 },
  rlt: { color: [204, 121, 167], marker: 'square', dashed: true },
};

export type ChartMetric = 'psnr' | 'ssim' | 'recall' | 'frames' | 'tokens' | 'time';

const METRICS: Record<ChartMetric, { title: string; yLabel: string; get: (r: AggregateRow) => number; yMin?: number; yMax?: number; yFormat?: (v: number) => string }> = {
  psnr: { title: 'Frames rebuilt from kept patches: PSNR', yLabel: 'luma PSNR (dB)', get: (r) => r.psnr },
  ssim: { title: 'Frames rebuilt from kept patches: SSIM', yLabel: 'luma SSIM', get: (r) => r.ssim },
  recall: { title: 'Changed patches that got a token', yLabel: 'change recall (%)', get: (r) => 100 * r.recall, yMin: 0, yMax: 100 },
  frames: { title: 'Sampled frames with at least one token', yLabel: 'frames covered (%)', get: (r) => 100 * r.frameShare, yMin: 0, yMax: 100 },
  tokens: { title: 'Tokens actually used', yLabel: 'tokens', get: (r) => r.tokens },
  time: { title: 'tokenize() wall time per clip', yLabel: 'milliseconds', get: (r) => r.totalMs },
};

/** A chart of one metric against the budget, one line per policy, for the mean over `videos`. */
export function chartSpec(res: BenchResults, metric: ChartMetric, videos: VideoResult[] = res.videos, subtitle = ''): ChartSpec {
  const m = METRICS[metric];
  const rows = aggregate(res, videos);
  const series: ChartSeries[] = res.options.policies.map((p) => ({
    name: p === 'adaptive' ? 'adaptive (<=K)' : p,
    ...POLICY_STYLE[p],
    points: rows.filter((r) => r.policy === p).map((r) => ({ x: r.budget, y: r.clips ? m.get(r) : NaN })),
  }));
  return { title: subtitle ? `${m.title} (${subtitle})` : m.title, xLabel: 'token budget K', yLabel: m.yLabel, series, xTicks: res.options.budgets, xScale: 'log2', yMin: m.yMin, yMax: m.yMax, yFormat: m.yFormat };
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** JSON with floats rounded to 6 significant digits (NaN and Infinity become null). */
export function resultsJson(res: BenchResults): string {
  return `${JSON.stringify(res, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(6)) : v), 1)}\n`;
}

/**
 * Writes results.json, results.md and plots/: summary.png (PSNR, SSIM, change recall, frames
 * covered; mean over clips), one PNG per metric, and clips/<name>.png (the same four per clip).
 */
export async function writeReport(dir: string, res: BenchResults): Promise<string[]> {
  const plots = join(dir, 'plots');
  await mkdir(join(plots, 'clips'), { recursive: true });
  const files: string[] = [];
  const put = async (path: string, data: string | Buffer) => {
    await writeFile(path, data);
    files.push(path);
  };
  await put(join(dir, 'results.json'), resultsJson(res));
  await put(join(dir, 'results.md'), markdownReport(res));
  const ok = res.videos.filter((v) => v.ok && v.runs.some((r) => r.ok));
  if (ok.length) {
    const who = `mean of ${ok.length} clip${ok.length === 1 ? '' : 's'}`;
    const four: ChartMetric[] = ['psnr', 'ssim', 'recall', 'frames'];
    await put(join(plots, 'summary.png'), panelPng(four.map((m) => chartSpec(res, m, ok)), 2, `codectok bench budgets: ${who}, ${ok[0]!.grid?.T ?? '?'} sampled frames, ${ok[0]!.grid ? ok[0]!.grid.H * ok[0]!.grid.W : '?'} patches per frame`));
    for (const m of Object.keys(METRICS) as ChartMetric[]) await put(join(plots, `${m}.png`), chartPng({ ...chartSpec(res, m, ok), title: `${METRICS[m].title} (${who})` }));
    for (const v of ok) await put(join(plots, 'clips', `${safeName(v.name)}.png`), panelPng(four.map((m) => chartSpec(res, m, [v])), 2, `${v.name}: ${v.grid?.T} sampled frames, ${v.grid ? v.grid.H * v.grid.W : '?'} patches per frame`));
  }
  return files;
}
