/**
 * `codectok pack`: read a codectok/Energon dataset, plan bins per split, and write a
 * packed dataset in the same Energon layout. Each packed sample (one per bin) holds
 * its members' parts renamed `<i>.<part>` (e.g. `0.patches.npy`, `0.positions.npy`,
 * `1.patches.npy`, ...; bytes copied unchanged) and a `json` part:
 *
 *   {"seq_len": 10192, "tokens": 9876, "algorithm": "ffd", "split": "train",
 *    "members": [{"key": ..., "shard": ..., "index": ..., "tokens": {visual, text, total},
 *                 "parts": {"patches.npy": "0.patches.npy", ...}, "json": <member's json>}, ...]}
 *
 * Packed shards are `shards/<split>_000000.tar`, ...; a split never shares a shard with
 * another, so split.yaml keeps the source's train/val/test assignment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readInfoJson, readSplits, SPLIT_NAMES, SplitName, Splits, DatasetYamlOptions } from '../shard/energon_meta.js';
import { finalizeDataset, FinalizeResult, shardPath } from '../shard/dataset.js';
import { scanShard, readBytes } from '../shard/tar_reader.js';
import { atomicWrite, ShardWriter, FinishedShard } from '../shard/shard_writer.js';
import { estimateTokens, planPacking, PackAlgorithm, TokenEstimate, TokenEstimateOptions } from './packing.js';

export interface PackDatasetOptions extends TokenEstimateOptions {
  seqLen: number;
  algorithm?: PackAlgorithm;
  oversize?: 'drop' | 'single';
  /** Splits to pack. Default: all non-empty ones. */
  splits?: SplitName[];
  /** Packed samples (bins) per shard. Default 64. */
  binsPerShard?: number;
  energonVersion?: string;
  dataset?: DatasetYamlOptions;
  sqlite?: boolean;
  /** Replace an existing packed dataset in the output folder. */
  overwrite?: boolean;
  /** Only plan and report; write nothing. */
  dryRun?: boolean;
  fsync?: boolean;
  log?: (msg: string) => void;
}

interface SourceSample {
  key: string;
  shard: string;
  index: number;
  parts: { name: string; dataOffset: number; size: number }[];
  /** Where the json part is (re-read when the bin is written, not kept in memory). */
  json: { dataOffset: number; size: number };
  tokens: TokenEstimate;
}

export interface SplitReport {
  split: SplitName;
  /** The plan used (knapsack falls back to FFD's plan when that has fewer bins). */
  chosen: PackAlgorithm;
  samples: number;
  bins: number;
  packedSamples: number;
  packedTokens: number;
  fill: number;
  meanPerBin: number;
  oversize: { key: string; tokens: number }[];
  shards: string[];
}

export interface PackReport {
  source: string;
  seq_len: number;
  algorithm: PackAlgorithm;
  token_estimate: Required<Omit<TokenEstimateOptions, 'textTokensField'>> & { textTokensField: string | null };
  splits: SplitReport[];
  /** Over all packed splits. */
  fill: number;
  bins: number;
  samples: number;
  finalized?: FinalizeResult;
}

class FdCache {
  private fds = new Map<string, number>();
  constructor(private readonly max = 64) {}
  get(p: string): number {
    let fd = this.fds.get(p);
    if (fd !== undefined) {
      this.fds.delete(p);
      this.fds.set(p, fd);
      return fd;
    }
    if (this.fds.size >= this.max) {
      const [old, ofd] = this.fds.entries().next().value as [string, number];
      fs.closeSync(ofd);
      this.fds.delete(old);
    }
    fd = fs.openSync(p, 'r');
    this.fds.set(p, fd);
    return fd;
  }
  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}

/** Read every sample's JSON (headers are scanned, only the json part's bytes are read). */
function readSources(root: string, shards: string[], opts: TokenEstimateOptions, fds: FdCache): SourceSample[] {
  const info = readInfoJson(root);
  const out: SourceSample[] = [];
  for (const shard of shards) {
    const tar = shardPath(root, shard);
    const scan = scanShard(tar);
    if (scan.samples.length !== info.shard_counts[shard]) {
      throw new Error(`${shard}: ${scan.samples.length} samples, .info.json says ${info.shard_counts[shard]}`);
    }
    const fd = fds.get(tar);
    for (const s of scan.samples) {
      const jp = s.parts.find((p) => p.name === 'json');
      if (!jp) throw new Error(`${shard}: sample ${s.key} has no json part`);
      const json = JSON.parse(readBytes(fd, jp.dataOffset, jp.size).toString('utf8')) as Record<string, unknown>;
      let tokens: TokenEstimate;
      try {
        tokens = estimateTokens(json, opts);
      } catch (e) {
        throw new Error(`${shard}: sample ${s.key}: ${(e as Error).message}`);
      }
      out.push({ key: s.key, shard, index: s.index, parts: s.parts, json: { dataOffset: jp.dataOffset, size: jp.size }, tokens });
    }
  }
  return out;
}

export function packDataset(source: string, outDir: string, opts: PackDatasetOptions): PackReport {
  const log = opts.log ?? (() => {});
  source = path.resolve(source);
  outDir = path.resolve(outDir);
  if (!opts.dryRun && source === outDir) throw new Error('the packed dataset needs its own output folder');
  const srcSplits = readSplits(source);
  const info = readInfoJson(source);
  const wanted = opts.splits ?? SPLIT_NAMES.filter((s) => srcSplits[s].length > 0);
  const algorithm = opts.algorithm ?? 'ffd';
  const binsPerShard = opts.binsPerShard ?? 64;
  if (!opts.dryRun) {
    const existing = path.join(outDir, 'shards');
    if (fs.existsSync(existing) && fs.readdirSync(existing).length) {
      if (!opts.overwrite) throw new Error(`${outDir} already holds shards (use --overwrite to replace them)`);
      fs.rmSync(existing, { recursive: true, force: true });
      fs.rmSync(path.join(outDir, '.nv-meta'), { recursive: true, force: true });
    }
  }
  const fds = new FdCache();
  const report: PackReport = {
    source,
    seq_len: opts.seqLen,
    algorithm,
    token_estimate: {
      spatialMerge: opts.spatialMerge ?? 2,
      visualExtraTokens: opts.visualExtraTokens ?? 0,
      charsPerToken: opts.charsPerToken ?? 4,
      textExtraTokens: opts.textExtraTokens ?? 0,
      textTokensField: opts.textTokensField ?? null,
    },
    splits: [],
    fill: 0,
    bins: 0,
    samples: 0,
  };
  const outSplits: Splits = { train: [], val: [], test: [] };
  const allShards: FinishedShard[] = [];
  try {
    for (const split of wanted) {
      for (const s of srcSplits[split]) if (!(s in info.shard_counts)) throw new Error(`split ${split} lists ${s}, not in .info.json`);
      const excluded = new Set(srcSplits.exclude);
      const shards = srcSplits[split].filter((s) => !excluded.has(s));
      const samples = readSources(source, shards, opts, fds);
      const plan = planPacking(samples.map((s) => s.tokens.total), { seqLen: opts.seqLen, algorithm, oversize: opts.oversize });
      const rep: SplitReport = {
        split,
        chosen: plan.chosen,
        samples: samples.length,
        bins: plan.bins.length,
        packedSamples: plan.packedItems,
        packedTokens: plan.packedTokens,
        fill: plan.fill,
        meanPerBin: plan.bins.length ? plan.packedItems / plan.bins.length : 0,
        oversize: plan.oversize.map((i) => ({ key: samples[i].key, tokens: samples[i].tokens.total })),
        shards: [],
      };
      log(
        `${split}: ${samples.length} samples -> ${plan.bins.length} bins of ${opts.seqLen} tokens, fill ${(plan.fill * 100).toFixed(2)}%` +
          (plan.oversize.length ? `, ${plan.oversize.length} longer than --seq-len ${opts.oversize === 'single' ? '(alone in their bins)' : '(dropped)'}` : ''),
      );
      if (!opts.dryRun && plan.bins.length) {
        const w = new ShardWriter(outDir, { samplesPerShard: binsPerShard, prefix: `${split}_`, fsync: opts.fsync });
        plan.bins.forEach((bin, b) => {
          const parts = new Map<string, Uint8Array>();
          const members = bin.map((it, m) => {
            const s = samples[it];
            const fd = fds.get(shardPath(source, s.shard));
            const names: Record<string, string> = {};
            for (const p of s.parts) {
              if (p.name === 'json') continue;
              const name = `${m}.${p.name}`;
              parts.set(name, readBytes(fd, p.dataOffset, p.size));
              names[p.name] = name;
            }
            const json = JSON.parse(readBytes(fd, s.json.dataOffset, s.json.size).toString('utf8')) as unknown;
            return { key: s.key, shard: s.shard, index: s.index, tokens: s.tokens, parts: names, json };
          });
          w.add({
            key: `${split}_${String(b).padStart(8, '0')}`,
            json: { seq_len: opts.seqLen, tokens: plan.binTokens[b], algorithm, split, members },
            parts,
          });
        });
        const done = w.close();
        allShards.push(...done);
        rep.shards = done.map((d) => d.name);
        outSplits[split] = rep.shards;
      }
      report.splits.push(rep);
    }
  } finally {
    fds.close();
  }
  const bins = report.splits.reduce((a, s) => a + s.bins, 0);
  const tokens = report.splits.reduce((a, s) => a + s.packedTokens, 0);
  report.bins = bins;
  report.samples = report.splits.reduce((a, s) => a + s.packedSamples, 0);
  report.fill = bins ? tokens / (bins * opts.seqLen) : 0;
  if (!opts.dryRun) {
    fs.mkdirSync(outDir, { recursive: true });
    atomicWrite(path.join(outDir, 'pack_report.json'), JSON.stringify(report, null, 2) + '\n');
    report.finalized = finalizeDataset(outDir, {
      shards: allShards.map((s) => s.name),
      splits: outSplits,
      energonVersion: opts.energonVersion,
      dataset: opts.dataset,
      sqlite: opts.sqlite,
      log,
    });
  }
  return report;
}
