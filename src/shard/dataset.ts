/**
 * Dataset-level operations on an Energon WebDataset folder: finalize the metadata
 * from the shards on disk (what `energon prepare` would do, without the separate
 * Python step) and read samples back the way Energon's loader does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  assignSplits,
  DatasetYamlOptions,
  DEFAULT_ENERGON_VERSION,
  readInfoJson,
  Splits,
  writeDatasetYaml,
  writeInfoJson,
  writeSplitYaml,
} from './energon_meta.js';
import { SqliteIndexWriter, sqliteUnavailableReason } from './sqlite_index.js';
import { encodeTarIdx, readSampleAt, readTarIdx, ReadSample, scanShard, ScannedShard } from './tar_reader.js';
import { atomicWrite, idxPathFor, TMP_SUFFIX } from './shard_writer.js';

export interface FinalizeOptions {
  /** Shard names relative to the root; default: every `*.tar` under `shardDir`. */
  shards?: string[];
  /** Folder searched when `shards` is not given. Default `shards`. */
  shardDir?: string;
  /** Fraction (< 1) or number of shards (>= 1) for validation. Default 0. */
  val?: number;
  /** Fraction (< 1) or number of shards (>= 1) for test. Default 0. */
  test?: number;
  /** Explicit split assignment (overrides val/test). */
  splits?: Splits;
  energonVersion?: string;
  dataset?: DatasetYamlOptions;
  /** Write index.sqlite + index.uuid. Default true (skipped with a message when no SQLite binding loads: sqlite_binding.ts). */
  sqlite?: boolean;
  /** Rewrite a `.tar.idx` that is missing or disagrees with the tar. Default true. */
  repairIdx?: boolean;
  log?: (msg: string) => void;
}

export interface FinalizeResult {
  shards: { name: string; count: number }[];
  splits: Splits;
  samples: number;
  sqlite: boolean;
  sqliteSkippedReason?: string;
}

/** All finished `*.tar` files under `root/shardDir`, as sorted relative names. */
export function listShards(root: string, shardDir = 'shards'): string[] {
  const out: string[] = [];
  const base = path.join(root, shardDir);
  if (!fs.existsSync(base)) return out;
  const walk = (dir: string, rel: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(path.join(dir, ent.name), r);
      else if (ent.isFile() && ent.name.endsWith('.tar')) out.push(r);
    }
  };
  walk(base, shardDir.replace(/\\/g, '/').replace(/\/+$/, ''));
  return out.sort();
}

export function shardPath(root: string, name: string): string {
  return path.join(root, ...name.split('/'));
}

/** Check (and optionally repair) a shard's `.tar.idx` against a scan of the tar. */
export function checkIdx(root: string, name: string, scan: ScannedShard, repair: boolean): void {
  const tar = shardPath(root, name);
  const expected = [...scan.samples.map((s) => s.byteOffset), scan.endOffset];
  const idx = idxPathFor(tar);
  let ok = false;
  if (fs.existsSync(idx)) {
    const got = readTarIdx(idx);
    ok = got.length === expected.length && got.every((v, i) => v === expected[i]);
  }
  if (!ok) {
    if (!repair) throw new Error(`${idx} is missing or does not match ${name}`);
    atomicWrite(idx, encodeTarIdx(expected));
  }
}

/**
 * Write `.nv-meta/` for the shards in `root`: index.sqlite + index.uuid, dataset.yaml,
 * split.yaml and, last, .info.json (Energon treats a folder with `.info.json` as a
 * prepared dataset). Keys must be unique across all shards. Empty shards are left out.
 */
export function finalizeDataset(root: string, opts: FinalizeOptions = {}): FinalizeResult {
  const log = opts.log ?? (() => {});
  const names = opts.shards ?? listShards(root, opts.shardDir ?? 'shards');
  // one pass over the shards (headers only), streaming rows into index.sqlite
  const sql = opts.sqlite ?? true ? SqliteIndexWriter.open(root) : null;
  let sqliteSkippedReason: string | undefined;
  if (!sql) {
    // no index this time: never leave one describing other shards behind
    for (const f of ['index.sqlite', 'index.uuid']) fs.rmSync(path.join(root, '.nv-meta', f), { force: true });
  }
  if ((opts.sqlite ?? true) && !sql) {
    sqliteSkippedReason = `index.sqlite was not written (${sqliteUnavailableReason()}); \`energon prepare\` can add it later`;
    log(sqliteSkippedReason);
  }
  const shardCounts: { name: string; count: number }[] = [];
  const seen = new Map<string, number>(); // key -> index in shardCounts
  try {
    for (const name of names) {
      const scan = scanShard(shardPath(root, name));
      if (scan.samples.length === 0) {
        log(`${name}: no samples, left out of the metadata`);
        continue;
      }
      checkIdx(root, name, scan, opts.repairIdx ?? true);
      for (const s of scan.samples) {
        const prev = seen.get(s.key);
        if (prev !== undefined) throw new Error(`duplicate key ${JSON.stringify(s.key)} in ${shardCounts[prev]?.name ?? name} and ${name}`);
        seen.set(s.key, shardCounts.length);
      }
      sql?.addShard(scan);
      shardCounts.push({ name, count: scan.samples.length });
    }
  } catch (e) {
    sql?.abort();
    throw e;
  }
  const splits = opts.splits ?? assignSplits(shardCounts.map((s) => s.name), { val: opts.val, test: opts.test });
  const known = new Set(shardCounts.map((s) => s.name));
  for (const list of Object.values(splits)) {
    for (const n of list) {
      if (!known.has(n)) {
        sql?.abort();
        throw new Error(`split lists ${n}, which is not a shard with samples`);
      }
    }
  }
  sql?.close();
  writeDatasetYaml(root, opts.dataset ?? {});
  writeSplitYaml(root, splits);
  writeInfoJson(root, shardCounts, opts.energonVersion ?? DEFAULT_ENERGON_VERSION);
  return { shards: shardCounts, splits, samples: seen.size, sqlite: sql !== null, sqliteSkippedReason };
}

export interface DatasetSample extends ReadSample {
  shard: string;
  index: number;
}

/**
 * Iterate the samples of a prepared dataset the way Energon's loader does:
 * shards from `.info.json` (in order), each sample located by its `.tar.idx` entry
 * (offset, next offset) and read by parsing the tar headers in that byte range.
 * The count in `.info.json` must match the index.
 */
export function* iterateDataset(root: string, shards?: string[]): Generator<DatasetSample> {
  const info = readInfoJson(root);
  const names = shards ?? Object.keys(info.shard_counts);
  for (const name of names) {
    const count = info.shard_counts[name];
    if (count === undefined) throw new Error(`${name} is not in .info.json`);
    const tar = shardPath(root, name);
    const offsets = readTarIdx(idxPathFor(tar));
    if (offsets.length !== count + 1) throw new Error(`${name}: .tar.idx has ${offsets.length} entries, expected ${count + 1}`);
    const fd = fs.openSync(tar, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      for (let i = 0; i < count; i++) {
        const s = readSampleAt(fd, offsets[i], offsets[i + 1] - offsets[i], size);
        yield { ...s, shard: name, index: i };
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** Remove leftovers of interrupted writes (`*.tmp`) under the shard folder. */
export function removeTempFiles(root: string, shardDir = 'shards'): string[] {
  const removed: string[] = [];
  const base = path.join(root, shardDir);
  if (!fs.existsSync(base)) return removed;
  const walk = (dir: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith(TMP_SUFFIX)) {
        fs.rmSync(p, { force: true });
        removed.push(p);
      }
    }
  };
  walk(base);
  return removed;
}
