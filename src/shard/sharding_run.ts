/**
 * `codectok shard`: manifest -> tokenizer -> Energon-ready shards, resumable and
 * splittable across machines.
 *
 * Layout of the work: the manifest's entries are cut into fixed *slots* of
 * `samplesPerShard` consecutive entries; slot s becomes `shards/shard_<s>.tar` (with
 * fewer samples when some of its videos fail). A slot is written to a temporary name
 * and renamed when complete, after its record (`.codectok/slots/slot_<s>.json`:
 * count, keys and failures) is saved. So:
 * - an interrupted run restarted with the same command skips finished slots and redoes
 *   unfinished ones from scratch (keys are derived from the manifest and each belongs to
 *   exactly one slot, so nothing is duplicated or lost);
 * - `--shard-index i --num-shards n` takes the slots s with s % n == i; shard names do
 *   not depend on n; `--merge` joins the metadata once every slot is done;
 * - dataset metadata (`failures.jsonl`, `encoders.json`, `.nv-meta/*`, `.info.json` last) is
 *   written only when all slots are done, and only when the slots do not mix transcoders
 *   (dataset_encoders.ts) unless that is forced.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readManifest, ManifestEntry, Manifest } from './manifest.js';
import { atomicWrite, idxPathFor, ShardFile, shardRelName, TMP_SUFFIX, ShardSample } from './shard_writer.js';
import { finalizeDataset, FinalizeResult, shardPath } from './dataset.js';
import { DatasetYamlOptions } from './energon_meta.js';
import { encodeNpy, type NpyTypedArray } from '../writers/npy.js';
import { readTarIdx } from './tar_reader.js';
import { type SlotEncoderRecord, EncoderTally, checkDatasetEncoders, datasetEncoders } from './dataset_encoders.js';
import type { EncoderIdentity } from '../input/ffmpeg/encoder_identity.js';
import { cOrder } from '../writers/ndarray_input.js';
import { type CodectokErrorCode, isErrorCode } from '../errors.js';

/** What `tokenize()` returns (structurally: src/tokenize/result.ts TokenizeResult fits it). */
export interface TokenizedVideo {
  /** Shape `[N, ...]`: a plain `{ data, shape, dtype }` in C order or an ndarray (tokenize() returns one). */
  patches: { data: Uint8Array | Float32Array; shape: number[]; dtype: 'uint8' | 'float32' | string; stride?: number[]; offset?: number };
  /** int32 [N, 3] (t, h, w), flat or as an ndarray; padding rows are (-1, -1, -1). */
  positions: Int32Array | { data: Int32Array; shape: number[]; stride?: number[]; offset?: number };
  meta: object;
}

/** The positions of a result as one flat C-order Int32Array [N * 3]. */
function flatPositions(res: TokenizedVideo): Int32Array {
  return res.positions instanceof Int32Array ? res.positions : cOrder(res.positions).data;
}

/** The tokenizer, injected: `tokenize` from src/tokenize/tokenize.ts, or a stand-in in tests. */
export type TokenizeFn = (input: string, options: Record<string, unknown>) => Promise<TokenizedVideo> | TokenizedVideo;

export const STATE_DIR = '.codectok';
export const DEFAULT_SAMPLES_PER_SHARD = 128;

export interface ShardRunOptions {
  manifest: string;
  out: string;
  tokenize: TokenizeFn;
  tokenizeOptions?: Record<string, unknown>;
  samplesPerShard?: number;
  /** Validation split: fraction (< 1) or number of shards (>= 1). Default 0. */
  val?: number;
  test?: number;
  /** Videos tokenized at once (the tokenizer must be asynchronous for this to help). Default 1. */
  jobs?: number;
  shardIndex?: number;
  numShards?: number;
  energonVersion?: string;
  dataset?: DatasetYamlOptions;
  sqlite?: boolean;
  /** Keep the tokenizer's per-token scores in each sample's JSON (large). Default false. */
  keepScores?: boolean;
  /** Accept a manifest that changed since the run started (finished slots are kept as they are). */
  force?: boolean;
  /** Write the dataset metadata even when its shards were transcoded by different encoders. */
  forceMixedEncoders?: boolean;
  fsync?: boolean;
  log?: (msg: string) => void;
  /** Called after each video (for progress bars). */
  onProgress?: (p: { done: number; total: number; failed: number; key: string }) => void;
}

export interface Failure {
  index: number;
  line: number;
  key: string;
  video: string;
  reason: string;
  /** The CodectokError code, when the failure is one (a bad manifest line has none). */
  code?: CodectokErrorCode;
  /** With code: byte offset in the stream the decoder read (-1 when unknown). */
  byteOffset?: number;
  /** With code: decode index of the picture being parsed, when known. */
  picture?: number;
}

/** The typed fields of a failure's error (a CodectokError, or its fields copied across a worker thread). */
function errorFields(err: Error): Pick<Failure, 'code' | 'byteOffset' | 'picture'> {
  const e = err as Error & { code?: unknown; byteOffset?: unknown; picture?: unknown };
  if (!isErrorCode(e.code)) return {};
  const f: Pick<Failure, 'code' | 'byteOffset' | 'picture'> = { code: e.code, byteOffset: typeof e.byteOffset === 'number' ? e.byteOffset : -1 };
  if (typeof e.picture === 'number' && e.picture >= 0) f.picture = e.picture;
  return f;
}

export interface SlotRecord extends SlotEncoderRecord {
  slot: number;
  shard: string | null;
  count: number;
  keys: string[];
  failures: Failure[];
}

export interface RunConfig {
  version: 1;
  manifest: string;
  manifest_sha256: string;
  entries: number;
  samples_per_shard: number;
  slots: number;
  tokenize_options?: Record<string, unknown>;
}

export interface ShardRunResult {
  slots: number;
  mySlots: number;
  skipped: number;
  written: number;
  samples: number;
  failures: Failure[];
  complete: boolean;
  finalized?: FinalizeResult;
}

function stateDir(out: string): string {
  return path.join(out, STATE_DIR);
}
function slotRecordPath(out: string, slot: number): string {
  return path.join(stateDir(out), 'slots', `slot_${String(slot).padStart(6, '0')}.json`);
}

export function readRunConfig(out: string): RunConfig | null {
  const p = path.join(stateDir(out), 'run.json');
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as RunConfig) : null;
}

function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // pid in the temporary name: machines of a split run may write the same file at once
  const tmp = `${file}.${process.pid}${TMP_SUFFIX}`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

export function readSlotRecord(out: string, slot: number): SlotRecord | null {
  const p = slotRecordPath(out, slot);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as SlotRecord) : null;
}

/**
 * Is slot `s` finished? Its record exists and either it has no samples or its shard
 * is in place with the recorded count; or (no record) its shard and index exist.
 */
export function slotDone(out: string, slot: number): boolean {
  const name = shardRelName(slot);
  const tar = shardPath(out, name);
  const rec = readSlotRecord(out, slot);
  if (rec) {
    if (rec.count === 0) return true;
    if (!fs.existsSync(tar) || !fs.existsSync(idxPathFor(tar))) return false;
    return readTarIdx(idxPathFor(tar)).length === rec.count + 1;
  }
  return fs.existsSync(tar) && fs.existsSync(idxPathFor(tar));
}

function pick(meta: Record<string, unknown>, path: string[][]): unknown {
  for (const p of path) {
    let v: unknown = meta;
    for (const k of p) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * The sample's JSON: what a packer or cooker needs without opening the arrays
 * (`num_visual_tokens`, grid, frame ids, timestamps, fps, source, policy, budget,
 * caption/conversation), plus the tokenizer's metadata without the per-token score
 * list (`tokenizer`; pass keepScores to keep it).
 */
export function sampleJson(entry: ManifestEntry, res: TokenizedVideo, keepScores = false): Record<string, unknown> {
  const meta = (res.meta ?? {}) as Record<string, unknown>;
  const n = res.patches.shape[0];
  let padding = 0;
  const positions = flatPositions(res);
  for (let r = 0; r < n; r++) if (positions[3 * r]! < 0) padding++;
  const grid = pick(meta, [['grid']]);
  const g = grid && typeof grid === 'object' && !Array.isArray(grid) ? (grid as Record<string, number>) : null;
  const policy = pick(meta, [['policy']]);
  const j: Record<string, unknown> = {
    key: entry.key,
    id: entry.id ?? null,
    source: entry.video,
    video: entry.videoRaw,
    num_visual_tokens: n,
    num_padding_tokens: padding,
    patches_shape: res.patches.shape,
    patches_dtype: res.patches.dtype,
    patches_layout: pick(meta, [['patches', 'layout']]) ?? null,
    grid: g ? [g.T, g.H, g.W] : (grid ?? null),
    time_index: pick(meta, [['timeIndex']]) ?? null,
    frame_ids: pick(meta, [['frames', 'sampled'], ['frame_ids']]) ?? null,
    timestamps: pick(meta, [['frames', 'timestamps'], ['timestamps']]) ?? null,
    fps: pick(meta, [['frames', 'fps'], ['fps']]) ?? null,
    policy: policy && typeof policy === 'object' ? ((policy as Record<string, unknown>).name ?? null) : (policy ?? null),
    budget: pick(meta, [['budget']]) ?? null,
    encoder: pick(meta, [['encoder']]) ?? null,
    hevc_sha256: pick(meta, [['hevcSha256']]) ?? null,
  };
  if (entry.caption !== undefined) j.caption = entry.caption;
  if (entry.conversation !== undefined) j.conversation = entry.conversation;
  if (Object.keys(entry.extra).length) j.extra = entry.extra;
  let tok: Record<string, unknown> = meta;
  if (!keepScores && meta.scores && typeof meta.scores === 'object') {
    const { tokens: _tokens, ...rest } = meta.scores as Record<string, unknown>;
    tok = { ...meta, scores: rest };
  }
  j.tokenizer = tok;
  return j;
}

/** Turn a tokenizer result into a shard sample (`json`, `patches.npy`, `positions.npy`). */
export function toShardSample(entry: ManifestEntry, res: TokenizedVideo, keepScores = false): ShardSample {
  const { dtype } = res.patches;
  const { data, shape } = cOrder(res.patches);
  if (!shape.length) throw new Error('tokenizer returned patches without a shape');
  const n = shape[0]!;
  const positions = flatPositions(res);
  if (positions.length !== n * 3) {
    throw new Error(`tokenizer returned ${n} patches but ${positions.length / 3} positions`);
  }
  if ((dtype === 'uint8') !== data instanceof Uint8Array || (dtype === 'float32') !== data instanceof Float32Array) {
    throw new Error(`tokenizer returned ${dtype} patches in a ${data.constructor.name}`);
  }
  const patchesNpy = encodeNpy({ shape: [...shape], data: data as NpyTypedArray });
  const positionsNpy = encodeNpy({ shape: [n, 3], data: positions });
  return {
    key: entry.key,
    json: sampleJson(entry, res, keepScores),
    parts: { 'patches.npy': patchesNpy, 'positions.npy': positionsNpy },
  };
}

function slotsOf(entries: ManifestEntry[], per: number): number {
  return Math.ceil(entries.length / per);
}

function checkConfig(out: string, manifest: Manifest, per: number, opts: ShardRunOptions): RunConfig {
  const cfg: RunConfig = {
    version: 1,
    manifest: manifest.path,
    manifest_sha256: manifest.sha256,
    entries: manifest.entries.length,
    samples_per_shard: per,
    slots: slotsOf(manifest.entries, per),
    tokenize_options: opts.tokenizeOptions,
  };
  const prev = readRunConfig(out);
  if (prev) {
    if (prev.samples_per_shard !== per) {
      throw new Error(
        `${out} was started with --samples-per-shard ${prev.samples_per_shard}; rerun with that value (shards are cut by it) or use a new output folder`,
      );
    }
    if (prev.manifest_sha256 !== manifest.sha256 && !opts.force) {
      throw new Error(
        `${out} was started from a different manifest (${prev.manifest}, ${prev.entries} entries); use --force to continue anyway (finished shards are kept) or a new output folder`,
      );
    }
    if (prev.manifest_sha256 === manifest.sha256) return prev;
  }
  writeJsonAtomic(path.join(stateDir(out), 'run.json'), cfg);
  return cfg;
}

async function runSlot(
  out: string,
  slot: number,
  entries: ManifestEntry[],
  opts: ShardRunOptions,
  progress: () => void,
  failedAll: Failure[],
): Promise<SlotRecord> {
  const name = shardRelName(slot);
  const tar = shardPath(out, name);
  // leftovers of an interrupted attempt at this slot
  for (const f of [tar + TMP_SUFFIX, idxPathFor(tar) + TMP_SUFFIX, tar, idxPathFor(tar)]) fs.rmSync(f, { force: true });
  const file = new ShardFile(out, name, { fsync: opts.fsync });
  const failures: Failure[] = [];
  const fail = (e: ManifestEntry, why: string | Error) => {
    let reason = typeof why === 'string' ? why : why.message;
    // errors often start with the file name already
    for (const p of [e.video, e.videoRaw]) if (p && reason.startsWith(`${p}: `)) reason = reason.slice(p.length + 2);
    const f: Failure = { index: e.index, line: e.line, key: e.key, video: e.videoRaw, reason, ...(typeof why === 'string' ? {} : errorFields(why)) };
    failures.push(f);
    failedAll.push(f);
    opts.log?.(`failed: ${e.videoRaw || `line ${e.line}`}: ${reason}`);
  };
  const jobs = Math.max(1, opts.jobs ?? 1);
  const encoders = new EncoderTally();
  try {
    // up to `jobs` tokenizations in flight; samples are written in manifest order
    const pending: { entry: ManifestEntry; p: Promise<TokenizedVideo | Error> }[] = [];
    const start = (e: ManifestEntry) => {
      const p = (async () => {
        try {
          return await opts.tokenize(e.video, { ...(opts.tokenizeOptions ?? {}) });
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      })();
      pending.push({ entry: e, p });
    };
    let next = 0;
    const usable = entries;
    while (next < usable.length || pending.length) {
      while (next < usable.length && pending.length < jobs) {
        const e = usable[next++];
        if (e.error) {
          fail(e, e.error);
          progress();
          continue;
        }
        start(e);
      }
      const head = pending.shift();
      if (!head) continue;
      const res = await head.p;
      if (res instanceof Error) fail(head.entry, res);
      else {
        try {
          const sample = toShardSample(head.entry, res, opts.keepScores);
          file.add(sample);
          encoders.add(((sample.json as Record<string, unknown>).encoder ?? undefined) as EncoderIdentity | undefined);
        } catch (err) {
          fail(head.entry, err instanceof Error ? err : new Error(String(err)));
        }
      }
      progress();
    }
  } catch (e) {
    file.abort();
    throw e;
  }
  const rec: SlotRecord = {
    slot,
    shard: file.count ? name : null,
    count: file.count,
    keys: [...file.keys],
    failures,
    ...encoders.record(),
    made_by: { part: `${opts.shardIndex ?? 0}/${opts.numShards ?? 1}`, host: os.hostname() },
  };
  writeJsonAtomic(slotRecordPath(out, slot), rec);
  if (file.count) file.finish();
  else file.abort();
  return rec;
}

/** Run (or resume) sharding. Writes the dataset metadata when every slot is done and this is not a split run. */
export async function runSharding(opts: ShardRunOptions): Promise<ShardRunResult> {
  const out = path.resolve(opts.out);
  const per = opts.samplesPerShard ?? DEFAULT_SAMPLES_PER_SHARD;
  if (!Number.isInteger(per) || per < 1) throw new Error(`--samples-per-shard must be a positive integer, got ${per}`);
  const n = opts.numShards ?? 1;
  const i = opts.shardIndex ?? 0;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--num-shards must be a positive integer, got ${n}`);
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`--shard-index must be in [0, ${n - 1}], got ${i}`);
  const manifest = readManifest(opts.manifest);
  fs.mkdirSync(out, { recursive: true });
  checkConfig(out, manifest, per, opts);
  const entries = manifest.entries;
  const total = slotsOf(entries, per);
  const mine: number[] = [];
  for (let s = i; s < total; s += n) mine.push(s);
  const todo = mine.filter((s) => !slotDone(out, s));
  const log = opts.log ?? (() => {});
  log(`${entries.length} videos in ${total} shard(s) of up to ${per}; this run: ${mine.length} shard(s), ${mine.length - todo.length} already done`);

  const todoEntries = todo.reduce((a, s) => a + Math.min(per, entries.length - s * per), 0);
  let done = 0;
  const failures: Failure[] = [];
  let samples = 0;
  for (const s of todo) {
    const slice = entries.slice(s * per, (s + 1) * per);
    const rec = await runSlot(
      out,
      s,
      slice,
      opts,
      () => {
        done++;
        opts.onProgress?.({ done, total: todoEntries, failed: failures.length, key: '' });
      },
      failures,
    );
    samples += rec.count;
    log(`${shardRelName(s)}: ${rec.count} sample(s)${rec.failures.length ? `, ${rec.failures.length} failed` : ''}`);
  }
  const result: ShardRunResult = {
    slots: total,
    mySlots: mine.length,
    skipped: mine.length - todo.length,
    written: todo.length,
    samples,
    failures,
    complete: false,
  };
  if (n === 1) {
    result.finalized = finalizeRun(out, opts);
    result.complete = true;
  } else {
    const missing = missingSlots(out, total);
    result.complete = missing.length === 0;
    log(
      result.complete
        ? `all ${total} shard(s) are done: run \`codectok shard --merge -o ${opts.out}\` to write the dataset metadata`
        : `part ${i}/${n} done; ${missing.length} shard(s) of other parts still missing; run \`codectok shard --merge -o ${opts.out}\` when all parts finished`,
    );
  }
  return result;
}

export function missingSlots(out: string, total: number): number[] {
  const missing: number[] = [];
  for (let s = 0; s < total; s++) if (!slotDone(out, s)) missing.push(s);
  return missing;
}

/** Collect the failures of all slot records, in manifest order. */
export function collectFailures(out: string, total: number): Failure[] {
  const all: Failure[] = [];
  for (let s = 0; s < total; s++) all.push(...(readSlotRecord(out, s)?.failures ?? []));
  return all.sort((a, b) => a.index - b.index);
}

/** Write failures.jsonl and the Energon metadata (.info.json last) for a finished run. */
export function finalizeRun(out: string, opts: Omit<Partial<ShardRunOptions>, 'tokenize'> = {}): FinalizeResult {
  const cfg = readRunConfig(out);
  if (!cfg) throw new Error(`${out}: no ${STATE_DIR}/run.json (not a codectok shard output)`);
  const missing = missingSlots(out, cfg.slots);
  if (missing.length) {
    throw new Error(
      `${missing.length} of ${cfg.slots} shard(s) are not finished (${missing.slice(0, 10).map((s) => shardRelName(s)).join(', ')}${missing.length > 10 ? ', ...' : ''}); run the missing parts first`,
    );
  }
  const failures = collectFailures(out, cfg.slots);
  const names: string[] = [];
  const records: SlotEncoderRecord[] = [];
  for (let s = 0; s < cfg.slots; s++) {
    const rec = readSlotRecord(out, s);
    if (rec ? rec.count > 0 : fs.existsSync(shardPath(out, shardRelName(s)))) names.push(shardRelName(s));
    // a shard without a record (older runs): its encoder is not known
    const tar = shardPath(out, shardRelName(s));
    records.push(rec ?? { shard: shardRelName(s), count: fs.existsSync(idxPathFor(tar)) ? readTarIdx(idxPathFor(tar)).length - 1 : 0 });
  }
  const encoders = datasetEncoders(records, opts.forceMixedEncoders);
  checkDatasetEncoders(encoders);
  atomicWrite(path.join(out, 'failures.jsonl'), failures.map((f) => JSON.stringify(f)).join('\n') + (failures.length ? '\n' : ''));
  atomicWrite(path.join(out, 'encoders.json'), JSON.stringify(encoders, null, 2) + '\n');
  return finalizeDataset(out, {
    shards: names,
    val: opts.val,
    test: opts.test,
    energonVersion: opts.energonVersion,
    dataset: opts.dataset,
    sqlite: opts.sqlite,
    log: opts.log,
  });
}

function moveFile(src: string, dst: string): void {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  try {
    fs.renameSync(src, dst);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    fs.copyFileSync(src, dst + TMP_SUFFIX);
    fs.renameSync(dst + TMP_SUFFIX, dst);
    fs.rmSync(src);
  }
}

export interface MergeOptions extends Omit<Partial<ShardRunOptions>, 'tokenize' | 'manifest' | 'out'> {
  /** Output folders of split runs that did not write into `out` itself: their finished shards and records are moved in. */
  from?: string[];
}

/**
 * Join split runs: move the finished shards of `from` folders into `out` (when the
 * parts did not share a folder), check that every slot is done, and write the
 * metadata once for the whole dataset.
 */
export function mergeRuns(out: string, opts: MergeOptions = {}): FinalizeResult {
  out = path.resolve(out);
  fs.mkdirSync(out, { recursive: true });
  for (const src0 of opts.from ?? []) {
    const src = path.resolve(src0);
    if (src === out) continue;
    const cfg = readRunConfig(src);
    if (!cfg) throw new Error(`${src}: no ${STATE_DIR}/run.json (not a codectok shard output)`);
    const mine = readRunConfig(out);
    if (!mine) writeJsonAtomic(path.join(stateDir(out), 'run.json'), cfg);
    else if (mine.manifest_sha256 !== cfg.manifest_sha256 || mine.samples_per_shard !== cfg.samples_per_shard) {
      throw new Error(`${src} was made from another manifest or --samples-per-shard than ${out}`);
    }
    for (let s = 0; s < cfg.slots; s++) {
      if (!slotDone(src, s)) continue;
      const name = shardRelName(s);
      const srcTar = shardPath(src, name);
      const dstTar = shardPath(out, name);
      if (slotDone(out, s)) {
        if (fs.existsSync(srcTar) && fs.existsSync(dstTar) && fs.statSync(srcTar).size !== fs.statSync(dstTar).size) {
          throw new Error(`${name} exists in both ${src} and ${out} with different contents`);
        }
        continue;
      }
      const rec = readSlotRecord(src, s);
      if (rec) writeJsonAtomic(slotRecordPath(out, s), rec);
      if (fs.existsSync(srcTar)) {
        moveFile(idxPathFor(srcTar), idxPathFor(dstTar));
        moveFile(srcTar, dstTar);
      }
    }
  }
  return finalizeRun(out, opts);
}
