// codectok shard MANIFEST.jsonl -o DIR [tokenizer options] [--samples-per-shard N]
//   [--val 0.01] [--test 0] [--jobs N] [--shard-index i --num-shards n]
// codectok shard --merge -o DIR [PART_DIR...]
//
// Tokenizes every video of a JSONL manifest and writes an Energon-ready WebDataset
// (shards/*.tar + .tar.idx + .nv-meta/), resumable and splittable across machines.
// See README.md, "Energon-ready shards".
import { Command } from 'commander';

import { addTokenizeOptions, tokenizeOptionsFrom } from './tokenize.js';

import { writeOut } from '../cli_util.js';
import { DEFAULT_ENERGON_VERSION, type DatasetYamlOptions } from '../shard/energon_meta.js';
import { DEFAULT_SAMPLES_PER_SHARD, mergeRuns, runSharding, type TokenizeFn } from '../shard/sharding_run.js';
import type { FinalizeResult } from '../shard/dataset.js';
import { createTokenizePool } from '../shard/tokenize_pool.js';

export function intArg(name: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
}

export function numArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${v}`);
    return n;
  };
}

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

function keyValues(list: string[] | undefined, what: string): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const item of list.flatMap((s) => s.split(','))) {
    const i = item.indexOf('=');
    if (i <= 0) throw new Error(`${what} takes key=value, got ${item}`);
    out[item.slice(0, i).trim()] = item.slice(i + 1).trim();
  }
  return out;
}

/** Options that describe the dataset's .nv-meta (shared by shard and pack). */
export function addDatasetOptions(cmd: Command): Command {
  return cmd
    .option('--energon-version <v>', 'energon_version written to .nv-meta/.info.json', DEFAULT_ENERGON_VERSION)
    .option('--sample-type <module:Class>', 'write dataset.yaml with this sample_type and a field_map instead of a CrudeWebdataset')
    .option('--field-map <field=part,...>', 'field_map for --sample-type (default patches=patches.npy,positions=positions.npy,meta=json)', collect)
    .option('--subflavor <key=value>', 'subflavor for the crude dataset.yaml (repeatable)', collect)
    .option('--no-sqlite', 'do not write .nv-meta/index.sqlite and index.uuid');
}

export interface DatasetCliOptions {
  energonVersion: string;
  sampleType?: string;
  fieldMap?: string[];
  subflavor?: string[];
  sqlite: boolean;
}

export function datasetYamlFrom(o: DatasetCliOptions): DatasetYamlOptions {
  const fieldMap = keyValues(o.fieldMap, '--field-map');
  if (fieldMap && !o.sampleType) throw new Error('--field-map needs --sample-type');
  return { sampleType: o.sampleType, fieldMap, subflavors: keyValues(o.subflavor, '--subflavor') };
}

type CliTokenizeOptions = Parameters<typeof tokenizeOptionsFrom>[0];

/**
 * The tokenizer options of `codectok tokenize` (same flags, same meaning), except its
 * `--merge <m>` (Qwen resize), which is `--qwen-merge <m>` here because `--merge`
 * joins split runs.
 */
function addTokenizerOptions(cmd: Command): Command {
  const shared = addTokenizeOptions(new Command());
  for (const opt of shared.options) if (opt.long !== '--merge') cmd.addOption(opt);
  return cmd
    .option('--qwen-merge <m>', 'qwen resize: sides are multiples of patch x merge (tokenize --merge)', intArg('--qwen-merge', 1))
    .option('--tokenize-options <json>', 'more tokenize() options as a JSON object (merged last)');
}

interface TokenizerCliOptions extends Omit<CliTokenizeOptions, 'merge'> {
  qwenMerge?: number;
  tokenizeOptions?: string;
}

function tokenizerOptionsFrom(o: TokenizerCliOptions): Record<string, unknown> {
  const t: Record<string, unknown> = { ...tokenizeOptionsFrom({ ...o, merge: o.qwenMerge }) };
  if (o.tokenizeOptions) {
    const extra = JSON.parse(o.tokenizeOptions) as unknown;
    if (!extra || typeof extra !== 'object' || Array.isArray(extra)) throw new Error('--tokenize-options must be a JSON object');
    Object.assign(t, extra);
  }
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
}

interface ShardCliOptions extends TokenizerCliOptions, DatasetCliOptions {
  out: string;
  samplesPerShard: number;
  val: number;
  test: number;
  jobs: number;
  shardIndex?: number;
  numShards?: number;
  merge?: boolean;
  force?: boolean;
  keepScores?: boolean;
  failOnError?: boolean;
  json?: boolean;
  quiet?: boolean;
}

async function loadTokenize(): Promise<TokenizeFn> {
  const mod = (await import('../tokenize.js')) as { tokenize: (input: string, options: object) => Promise<unknown> };
  return mod.tokenize as unknown as TokenizeFn;
}

function summary(f: FinalizeResult, out: string): string {
  const s = f.splits;
  return (
    `dataset ${out}: ${f.samples} samples in ${f.shards.length} shard(s); ` +
    `train ${s.train.length}, val ${s.val.length}, test ${s.test.length} shard(s)` +
    (f.sqlite ? '' : `; ${f.sqliteSkippedReason}`)
  );
}

export function register(program: Command): void {
  const cmd = program
    .command('shard')
    .description('tokenize the videos of a JSONL manifest into an Energon-ready WebDataset (resumable, splittable)')
    .argument('[inputs...]', 'MANIFEST.jsonl; with --merge: output folders of split runs to move into -o (optional)')
    .requiredOption('-o, --out <dir>', 'dataset folder')
    .option('--samples-per-shard <n>', 'videos per shard (fixed for a dataset: resumes and split runs must use the same)', intArg('--samples-per-shard', 1), DEFAULT_SAMPLES_PER_SHARD)
    .option('--val <x>', 'validation split: fraction of shards (< 1, rounded down) or number of shards (>= 1)', numArg('--val'), 0)
    .option('--test <x>', 'test split: fraction of shards (< 1) or number of shards (>= 1)', numArg('--test'), 0)
    .option('--jobs <n>', 'videos tokenized at once, each on its own worker thread', intArg('--jobs', 1), 1)
    .option('--shard-index <i>', 'this machine\'s part of a split run (0-based)', intArg('--shard-index', 0))
    .option('--num-shards <n>', 'number of parts of a split run', intArg('--num-shards', 1))
    .option('--merge', 'write the metadata of a split run once all parts are done (moves shards in from the folders given)')
    .option('--force', 'continue a run whose manifest changed (finished shards are kept)')
    .option('--keep-scores', 'keep the per-token scores in each sample\'s JSON')
    .option('--fail-on-error', 'exit with status 1 when any video failed (the dataset is still written)')
    .option('--json', 'print a JSON summary on stdout')
    .option('-q, --quiet', 'no progress on stderr');
  addDatasetOptions(cmd);
  addTokenizerOptions(cmd);
  cmd.action(async (inputs: string[], o: ShardCliOptions) => {
    const log = o.quiet ? () => {} : (m: string) => process.stderr.write(`codectok shard: ${m}\n`);
    const dataset = datasetYamlFrom(o);
    const common = { val: o.val, test: o.test, energonVersion: o.energonVersion, dataset, sqlite: o.sqlite, log };
    if (o.merge) {
      const fin = mergeRuns(o.out, { ...common, from: inputs });
      log(summary(fin, o.out));
      if (o.json) await writeOut(JSON.stringify({ merged: true, ...fin }) + '\n');
      return;
    }
    if (inputs.length !== 1) throw new Error('give exactly one manifest (JSONL), or --merge');
    if ((o.shardIndex === undefined) !== (o.numShards === undefined)) throw new Error('--shard-index and --num-shards go together');
    const pool = o.jobs > 1 ? createTokenizePool(o.jobs) : null;
    if (o.jobs > 1 && !pool) log('worker threads need the compiled package (dist/); tokenizing on one thread');
    const tokenize = pool?.tokenize ?? (await loadTokenize());
    let lastTick = 0;
    const res = await runSharding({
      ...common,
      manifest: inputs[0]!,
      out: o.out,
      tokenize,
      tokenizeOptions: tokenizerOptionsFrom(o),
      samplesPerShard: o.samplesPerShard,
      jobs: o.jobs,
      shardIndex: o.shardIndex,
      numShards: o.numShards,
      force: o.force,
      keepScores: o.keepScores,
      onProgress: (p) => {
        const now = Date.now();
        if (!o.quiet && process.stderr.isTTY && (now - lastTick > 200 || p.done === p.total)) {
          lastTick = now;
          process.stderr.write(`\r${p.done}/${p.total} videos${p.failed ? `, ${p.failed} failed` : ''}   ${p.done === p.total ? '\n' : ''}`);
        }
      },
    }).finally(() => pool?.close());
    if (res.finalized) log(summary(res.finalized, o.out));
    if (res.failures.length) log(`${res.failures.length} video(s) failed in this run; reasons in ${o.out}/failures.jsonl`);
    if (o.json) {
      await writeOut(JSON.stringify({ ...res, failures: res.failures.length }) + '\n');
    }
    if (o.failOnError && res.failures.length) process.exitCode = 1;
  });
}
