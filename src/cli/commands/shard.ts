// codectok shard MANIFEST.jsonl -o DIR [tokenizer options] [--samples-per-shard N]
//   [--val 0.01] [--test 0] [--jobs N] [--shard-index i --num-shards n]
// codectok shard --merge -o DIR [PART_DIR...]
//
// Tokenizes every video of a JSONL manifest and writes an Energon-ready WebDataset
// (shards/*.tar + .tar.idx + .nv-meta/), resumable and splittable across machines.
// See README.md, "Energon-ready shards".
import { Command } from 'commander';

import type { FinalizeResult } from '../../shard/dataset.js';
import { DEFAULT_SAMPLES_PER_SHARD, mergeRuns, runSharding, type TokenizeFn } from '../../shard/sharding_run.js';
import { createTokenizePool } from '../../tokenize/pool.js';
import { tokenize as tokenizeVideo } from '../../tokenize/tokenize.js';
import { int, num } from '../arguments.js';
import { addDatasetOptions, datasetYamlFrom, type DatasetCliOptions } from '../dataset_options.js';
import { writeOut } from '../output.js';
import { addTokenizeOptions, type CliTokenizeOptions, tokenizeOptionsFrom } from '../tokenize_options.js';

/**
 * The tokenizer options of `codectok tokenize` (same flags, same meaning), except its
 * `--merge <m>` (Qwen resize), which is `--qwen-merge <m>` here because `--merge`
 * joins split runs.
 */
function addTokenizerOptions(cmd: Command): Command {
  const shared = addTokenizeOptions(new Command());
  for (const opt of shared.options) if (opt.long !== '--merge') cmd.addOption(opt);
  return cmd
    .option('--qwen-merge <m>', 'qwen resize: sides are multiples of patch x merge (tokenize --merge)', int('--qwen-merge', 1))
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
  forceMixedEncoders?: boolean;
  keepScores?: boolean;
  failOnError?: boolean;
  json?: boolean;
  quiet?: boolean;
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
    .option('--samples-per-shard <n>', 'videos per shard (fixed for a dataset: resumes and split runs must use the same)', int('--samples-per-shard', 1), DEFAULT_SAMPLES_PER_SHARD)
    .option('--val <x>', 'validation split: fraction of shards (< 1, rounded down) or number of shards (>= 1)', num('--val'), 0)
    .option('--test <x>', 'test split: fraction of shards (< 1) or number of shards (>= 1)', num('--test'), 0)
    .option('--jobs <n>', 'videos tokenized at once, each on its own worker thread', int('--jobs', 1), 1)
    .option('--shard-index <i>', 'this machine\'s part of a split run (0-based)', int('--shard-index', 0))
    .option('--num-shards <n>', 'number of parts of a split run', int('--num-shards', 1))
    .option('--merge', 'write the metadata of a split run once all parts are done (moves shards in from the folders given)')
    .option('--force', 'continue a run whose manifest changed (finished shards are kept)')
    .option('--force-mixed-encoders', 'write the dataset metadata even when its shards were transcoded by different encoders (encoders.json records the mix)')
    .option('--keep-scores', 'keep the per-token scores in each sample\'s JSON')
    .option('--fail-on-error', 'exit with status 1 when any video failed (the dataset is still written)')
    .option('--json', 'print a JSON summary on stdout')
    .option('-q, --quiet', 'no progress on stderr');
  addDatasetOptions(cmd);
  addTokenizerOptions(cmd);
  cmd.action(async (inputs: string[], o: ShardCliOptions) => {
    const log = o.quiet ? () => {} : (m: string) => process.stderr.write(`codectok shard: ${m}\n`);
    const dataset = datasetYamlFrom(o);
    const common = { val: o.val, test: o.test, energonVersion: o.energonVersion, dataset, sqlite: o.sqlite, forceMixedEncoders: o.forceMixedEncoders, log };
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
    const tokenize: TokenizeFn = pool?.tokenize ?? tokenizeVideo;
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
