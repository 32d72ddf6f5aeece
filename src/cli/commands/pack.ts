// codectok pack DATASET_DIR --seq-len 10192 -o PACKED_DIR [--algorithm ffd|knapsack]
//
// Plans sequence packing for a dataset written by `codectok shard` (visual tokens
// after the encoder's spatial merge + text tokens estimated from the caption), reports
// the fill ratio, and writes the packed dataset in the same Energon layout.
import { Command, Option } from 'commander';

import { packDataset } from '../../pack/packed_writer.js';
import type { PackAlgorithm } from '../../pack/packing.js';
import { SPLIT_NAMES, type SplitName } from '../../shard/energon_meta.js';
import { int, num } from '../arguments.js';
import { addDatasetOptions, datasetYamlFrom, type DatasetCliOptions } from '../dataset_options.js';
import { writeOut } from '../output.js';

interface PackCliOptions extends DatasetCliOptions {
  out?: string;
  seqLen: number;
  algorithm: PackAlgorithm;
  spatialMerge: number;
  visualExtra: number;
  charsPerToken: number;
  textExtra: number;
  textTokensField?: string;
  oversize: 'drop' | 'single';
  splits?: string;
  binsPerShard: number;
  dryRun?: boolean;
  overwrite?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('pack')
    .description('pack a codectok dataset into fixed-length sequences (first-fit decreasing or knapsack) in the Energon layout')
    .argument('<dataset>', 'dataset folder written by codectok shard')
    .option('-o, --out <dir>', 'packed dataset folder (required unless --dry-run)')
    .requiredOption('--seq-len <n>', 'sequence length in tokens', int('--seq-len', 1))
    .addOption(new Option('--algorithm <name>', 'packing plan').choices(['ffd', 'knapsack']).default('ffd'))
    .option('--spatial-merge <m>', 'encoder spatial merge: visual tokens = ceil(patches / m^2)', int('--spatial-merge', 1), 2)
    .option('--visual-extra <n>', 'tokens added per sample around the visual tokens', int('--visual-extra', 0), 0)
    .option('--chars-per-token <c>', 'characters per text token for the caption/conversation estimate', num('--chars-per-token'), 4)
    .option('--text-extra <n>', 'tokens added per sample for the text template', int('--text-extra', 0), 0)
    .option('--text-tokens-field <name>', 'sample JSON field holding an exact text token count (used when present)')
    .addOption(new Option('--oversize <what>', 'samples longer than --seq-len: drop them (reported) or give each its own bin').choices(['drop', 'single']).default('drop'))
    .option('--splits <list>', `splits to pack (${SPLIT_NAMES.join(',')}; default: all non-empty)`)
    .option('--bins-per-shard <n>', 'packed samples per shard', int('--bins-per-shard', 1), 64)
    .option('--dry-run', 'plan and report only')
    .option('--overwrite', 'replace a packed dataset already in the output folder')
    .option('--json', 'print the report as JSON on stdout')
    .option('-q, --quiet', 'no report on stderr');
  addDatasetOptions(cmd);
  cmd.action(async (dataset: string, o: PackCliOptions) => {
    if (!o.out && !o.dryRun) throw new Error('-o/--out is required (or --dry-run)');
    const log = o.quiet ? () => {} : (m: string) => process.stderr.write(`codectok pack: ${m}\n`);
    let splits: SplitName[] | undefined;
    if (o.splits) {
      splits = o.splits.split(',').map((s) => s.trim()) as SplitName[];
      for (const s of splits) if (!SPLIT_NAMES.includes(s)) throw new Error(`unknown split ${s} (${SPLIT_NAMES.join(', ')})`);
    }
    const report = packDataset(dataset, o.out ?? '', {
      seqLen: o.seqLen,
      algorithm: o.algorithm,
      spatialMerge: o.spatialMerge,
      visualExtraTokens: o.visualExtra,
      charsPerToken: o.charsPerToken,
      textExtraTokens: o.textExtra,
      textTokensField: o.textTokensField,
      oversize: o.oversize,
      splits,
      binsPerShard: o.binsPerShard,
      dryRun: o.dryRun,
      overwrite: o.overwrite,
      energonVersion: o.energonVersion,
      dataset: datasetYamlFrom(o),
      sqlite: o.sqlite,
      log,
    });
    log(`${report.samples} samples in ${report.bins} bins of ${report.seq_len} tokens: fill ${(report.fill * 100).toFixed(2)}%` + (o.dryRun ? ' (dry run)' : ` -> ${o.out}`));
    if (o.json) await writeOut(JSON.stringify(report) + '\n');
  });
}
