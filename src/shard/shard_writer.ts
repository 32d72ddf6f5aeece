/**
 * WebDataset shard writing for Energon: `shards/shard_000000.tar` plus
 * `shards/shard_000000.tar.idx` (uint64 LE offset of each sample's first header, then
 * the offset of the end-of-archive blocks: count + 1 entries), as Energon's
 * `TarIndexWriter` writes them during `energon prepare`.
 *
 * A shard is written under `<name>.tmp` and renamed when complete (its index first,
 * then the tar), so a `.tar` that exists is always whole and indexed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TarWriter } from './tar_writer.js';
import { encodeTarIdx, scanShard, SKIP_META_RE, SPLIT_NAME_RE } from './tar_reader.js';

export const TMP_SUFFIX = '.tmp';

export interface ShardSample {
  /** Sample key: the member name up to the first dot. No dot, no slash, unique in the dataset. */
  key: string;
  /** Part name (e.g. `patches.npy`) to bytes. Written in insertion order. */
  parts?: Record<string, Uint8Array> | Map<string, Uint8Array>;
  /** Written as the `json` part (first member of the sample), UTF-8 JSON. */
  json?: unknown;
}

export interface FinishedShard {
  /** Path relative to the dataset root, with forward slashes (`shards/shard_000000.tar`). */
  name: string;
  /** Absolute path of the tar file. */
  path: string;
  /** Number of samples. */
  count: number;
  keys: string[];
  /** Offsets written to `.tar.idx` (count + 1 entries). */
  offsets: number[];
  /** Size of the tar file in bytes. */
  bytes: number;
}

/** Why a key is not usable, or null when it is. */
export function keyProblem(key: unknown): string | null {
  if (typeof key !== 'string' || key.length === 0) return 'key must be a non-empty string';
  if (key.includes('.')) return `key ${JSON.stringify(key)} contains a dot (the key is the member name up to the first dot)`;
  if (key.includes('/') || key.includes('\\')) return `key ${JSON.stringify(key)} contains a path separator`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(key)) return `key ${JSON.stringify(key)} contains a control character`;
  if (key.startsWith('__')) return `key ${JSON.stringify(key)} starts with "__" (reserved for webdataset meta entries like __key__)`;
  return null;
}

export function validateKey(key: unknown): asserts key is string {
  const p = keyProblem(key);
  if (p) throw new Error(p);
}

export function validatePartName(key: string, part: string): void {
  if (typeof part !== 'string' || part.length === 0) throw new Error(`sample ${key}: empty part name`);
  if (part.includes('/') || part.includes('\\')) throw new Error(`sample ${key}: part name ${JSON.stringify(part)} contains a path separator`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(part)) throw new Error(`sample ${key}: part name ${JSON.stringify(part)} contains a control character`);
  const member = `${key}.${part}`;
  const m = SPLIT_NAME_RE.exec(member);
  if (!m || m[1] !== key || m[2] !== part || SKIP_META_RE.test(member)) {
    throw new Error(`sample ${key}: member name ${JSON.stringify(member)} would not be read back as key ${JSON.stringify(key)} + part ${JSON.stringify(part)}`);
  }
}

/** `shards/shard_000000.tar` style relative names. */
export function shardRelName(index: number, dir = 'shards', prefix = 'shard_', digits = 6): string {
  const base = `${prefix}${String(index).padStart(digits, '0')}.tar`;
  return dir ? `${dir.replace(/\\/g, '/').replace(/\/+$/, '')}/${base}` : base;
}

/** Path of the `.tar.idx` next to a tar (Energon: `tar_path.with_suffix(".tar.idx")`). */
export function idxPathFor(tarPath: string): string {
  return tarPath.replace(/\.tar$/, '') + '.tar.idx';
}

function atomicWrite(file: string, data: string | Uint8Array, fsync = true): void {
  const tmp = file + TMP_SUFFIX;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
export { atomicWrite };

function entriesOf(parts: ShardSample['parts']): [string, Uint8Array][] {
  if (!parts) return [];
  return parts instanceof Map ? [...parts.entries()] : Object.entries(parts);
}

/** Encode a sample into (member name, bytes) pairs, validating key and part names. */
export function sampleMembers(sample: ShardSample): [string, Uint8Array][] {
  validateKey(sample.key);
  const members: [string, Uint8Array][] = [];
  const seen = new Set<string>();
  if (sample.json !== undefined) {
    members.push([`${sample.key}.json`, Buffer.from(JSON.stringify(sample.json), 'utf8')]);
    seen.add('json');
  }
  for (const [part, bytes] of entriesOf(sample.parts)) {
    validatePartName(sample.key, part);
    if (seen.has(part)) throw new Error(`sample ${sample.key}: duplicate part ${part}`);
    if (!(bytes instanceof Uint8Array)) throw new Error(`sample ${sample.key}: part ${part} is not a Uint8Array`);
    seen.add(part);
    members.push([`${sample.key}.${part}`, bytes]);
  }
  if (members.length === 0) throw new Error(`sample ${sample.key}: no parts`);
  return members;
}

export interface ShardFileOptions {
  mtime?: number;
  fsync?: boolean;
}

/** One shard, written to `<path>.tmp` and renamed to `<path>` by `finish()`. */
export class ShardFile {
  private tar: TarWriter;
  readonly offsets: number[] = [];
  readonly keys: string[] = [];
  private readonly doFsync: boolean;
  private done = false;

  constructor(readonly root: string, readonly name: string, options: ShardFileOptions = {}) {
    const full = this.path;
    fs.mkdirSync(path.dirname(full), { recursive: true });
    this.doFsync = options.fsync ?? true;
    this.tar = new TarWriter(full + TMP_SUFFIX, { mtime: options.mtime ?? 0, fsync: this.doFsync });
  }

  get path(): string {
    return path.join(this.root, ...this.name.split('/'));
  }

  get count(): number {
    return this.keys.length;
  }

  /** Bytes written so far (without end blocks). */
  get bytes(): number {
    return this.tar.offset;
  }

  add(sample: ShardSample): void {
    if (this.done) throw new Error(`${this.name}: already finished`);
    const members = sampleMembers(sample);
    this.offsets.push(this.tar.offset);
    this.keys.push(sample.key);
    for (const [name, bytes] of members) this.tar.addFile(name, bytes);
  }

  /** Write end blocks and index, rename into place. */
  finish(): FinishedShard {
    if (this.done) throw new Error(`${this.name}: already finished`);
    const end = this.tar.finish();
    const offsets = [...this.offsets, end];
    const full = this.path;
    atomicWrite(idxPathFor(full), encodeTarIdx(offsets), this.doFsync);
    fs.renameSync(full + TMP_SUFFIX, full);
    this.done = true;
    return { name: this.name, path: full, count: this.keys.length, keys: [...this.keys], offsets, bytes: end + 1024 };
  }

  /** Close and delete the temporary file. */
  abort(): void {
    if (this.done) return;
    this.tar.abort();
    fs.rmSync(this.path + TMP_SUFFIX, { force: true });
    this.done = true;
  }
}

export interface ShardWriterOptions extends ShardFileOptions {
  /** Start a new shard after this many samples. Default 1000. */
  samplesPerShard?: number;
  /** Also start a new shard when a shard reaches this many bytes (checked before adding a sample). */
  maxShardBytes?: number;
  /** Folder for shards, relative to the root. Default `shards`. */
  shardDir?: string;
  /** File name prefix. Default `shard_`. */
  prefix?: string;
  /** Index of the first shard written. Default 0. */
  startIndex?: number;
  /** Keys already in the dataset (e.g. from earlier runs); adding one again is an error. */
  existingKeys?: Iterable<string>;
  /** Overwrite a finished shard of the same name. Default false (error). */
  overwrite?: boolean;
  /** Called after each shard is renamed into place. */
  onShard?: (shard: FinishedShard) => void;
}

/**
 * Writes samples into consecutive shards, rolling every `samplesPerShard` samples.
 * Keys are validated and must be unique across everything this writer has seen.
 *
 * ```ts
 * const w = new ShardWriter('/data/ds', { samplesPerShard: 500 });
 * w.add({ key: 'clip0001', parts: { 'patches.npy': npyBytes, 'positions.npy': posBytes }, json: meta });
 * const shards = w.close();
 * writeDatasetMetadata('/data/ds', { shards }); // .nv-meta (see energon_meta.ts)
 * ```
 */
export class ShardWriter {
  private current: ShardFile | null = null;
  private nextIndex: number;
  private readonly keys = new Set<string>();
  readonly finished: FinishedShard[] = [];
  private closed = false;
  readonly samplesPerShard: number;

  constructor(readonly root: string, readonly options: ShardWriterOptions = {}) {
    this.samplesPerShard = options.samplesPerShard ?? 1000;
    if (!Number.isInteger(this.samplesPerShard) || this.samplesPerShard < 1) {
      throw new Error(`samplesPerShard must be a positive integer, got ${options.samplesPerShard}`);
    }
    this.nextIndex = options.startIndex ?? 0;
    for (const k of options.existingKeys ?? []) this.keys.add(k);
  }

  /**
   * A writer that continues a dataset: it starts after the highest-numbered finished
   * shard of the same prefix and knows every key already in those shards (leftover
   * temporary files of an interrupted writer are removed).
   */
  static appendTo(root: string, options: ShardWriterOptions = {}): ShardWriter {
    const dir = options.shardDir ?? 'shards';
    const prefix = options.prefix ?? 'shard_';
    const base = path.join(root, dir);
    const keys: string[] = [...(options.existingKeys ?? [])];
    let next = 0;
    const esc = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`^${esc}(\\d+)\\.tar$`);
    if (fs.existsSync(base)) {
      for (const f of fs.readdirSync(base)) {
        if (f.endsWith(TMP_SUFFIX)) {
          fs.rmSync(path.join(base, f), { force: true });
          continue;
        }
        const m = re.exec(f);
        if (!m) continue;
        next = Math.max(next, Number(m[1]) + 1);
        for (const smp of scanShard(path.join(base, f)).samples) keys.push(smp.key);
      }
    }
    return new ShardWriter(root, { ...options, startIndex: Math.max(next, options.startIndex ?? 0), existingKeys: keys });
  }

  private open(): ShardFile {
    const name = shardRelName(this.nextIndex++, this.options.shardDir ?? 'shards', this.options.prefix ?? 'shard_');
    const full = path.join(this.root, ...name.split('/'));
    if (!this.options.overwrite && fs.existsSync(full)) {
      throw new Error(`${full} already exists (pass overwrite or another startIndex)`);
    }
    return new ShardFile(this.root, name, this.options);
  }

  /** Add a sample; returns the shard name and the sample's index in it. */
  add(sample: ShardSample): { shard: string; index: number } {
    if (this.closed) throw new Error('ShardWriter is closed');
    validateKey(sample.key);
    if (this.keys.has(sample.key)) throw new Error(`duplicate key ${JSON.stringify(sample.key)}`);
    const members = sampleMembers(sample); // validates before anything is written
    void members;
    const max = this.options.maxShardBytes;
    if (this.current && (this.current.count >= this.samplesPerShard || (max !== undefined && this.current.count > 0 && this.current.bytes >= max))) {
      this.roll();
    }
    if (!this.current) this.current = this.open();
    const index = this.current.count;
    this.current.add(sample);
    this.keys.add(sample.key);
    return { shard: this.current.name, index };
  }

  private roll(): void {
    if (!this.current) return;
    const cur = this.current;
    this.current = null;
    if (cur.count === 0) {
      cur.abort();
      return;
    }
    const done = cur.finish();
    this.finished.push(done);
    this.options.onShard?.(done);
  }

  /** Finish the open shard. Returns all shards this writer finished. */
  close(): FinishedShard[] {
    if (!this.closed) {
      this.roll();
      this.closed = true;
    }
    return [...this.finished];
  }

  /** Drop the open shard (its temporary file is deleted); finished shards stay. */
  abort(): void {
    this.current?.abort();
    this.current = null;
    this.closed = true;
  }
}
