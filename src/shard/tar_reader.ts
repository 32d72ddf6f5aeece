/**
 * Tar reading the way Energon does it: headers are parsed at byte offsets (from a
 * `.tar.idx` or a sequential scan), PAX `x` headers and GNU long names are applied to
 * the member that follows them, and members are grouped into samples by the part of
 * the name before the first dot (Energon's `split_name_re`).
 */
import * as fs from 'node:fs';
import { BLOCK } from './tar_writer.js';

// Energon: split_name_re = re.compile(r"^((?:.*/|)[^.]+)[.]([^/]*)$")
export const SPLIT_NAME_RE = /^((?:.*\/|)[^.]+)[.]([^/]*)$/s;
// Energon: skip_meta_re = re.compile(r"__[^/]*__($|/)"), used with re.match (anchored at the start).
export const SKIP_META_RE = /^__[^/]*__($|\/)/s;

export interface TarEntry {
  name: string;
  /** Offset of the first header of this member (PAX/GNU header included). */
  headerOffset: number;
  dataOffset: number;
  size: number;
  typeflag: string;
}

function readCString(buf: Buffer, start: number, len: number): string {
  let end = start;
  while (end < start + len && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}

function readOctal(buf: Buffer, start: number, len: number): number {
  if (buf[start] & 0x80) {
    // base-256 (GNU) encoding
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + buf[i];
    return v;
  }
  const s = readCString(buf, start, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function isZeroBlock(buf: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

function verifyChecksum(h: Buffer): boolean {
  const stored = readOctal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return stored === sum;
}

function readExact(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  if (got < length) throw new Error(`tar: unexpected end of file at ${position + got}`);
  return buf;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = parseInt(data.toString('ascii', pos, sp), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = data.toString('utf8', sp + 1, pos + len - 1); // without trailing \n
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/**
 * Parse the member whose first header starts at `offset`. Returns null at the
 * end-of-archive blocks (or end of file).
 */
export function readEntryAt(fd: number, offset: number, fileSize?: number): TarEntry | null {
  const size = fileSize ?? fs.fstatSync(fd).size;
  let pos = offset;
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  for (;;) {
    if (pos + BLOCK > size) return null;
    const h = readExact(fd, BLOCK, pos);
    if (isZeroBlock(h)) return null;
    if (!verifyChecksum(h)) throw new Error(`tar: bad header checksum at offset ${pos}`);
    const typeflag = h[156] === 0 ? '\0' : String.fromCharCode(h[156]);
    const msize = readOctal(h, 124, 12);
    const dataPos = pos + BLOCK;
    const next = dataPos + Math.ceil(msize / BLOCK) * BLOCK;
    if (typeflag === 'x' || typeflag === 'X') {
      pax = { ...pax, ...parsePax(readExact(fd, msize, dataPos)) };
      pos = next;
      continue;
    }
    if (typeflag === 'g') {
      pos = next; // global headers: ignored (Energon/tarfile apply them, we never write them)
      continue;
    }
    if (typeflag === 'L') {
      longName = readCString(readExact(fd, msize, dataPos), 0, msize);
      pos = next;
      continue;
    }
    let name = readCString(h, 0, 100);
    const magic = h.toString('ascii', 257, 262);
    if (magic === 'ustar') {
      const prefix = readCString(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (longName !== null) name = longName;
    if (pax.path !== undefined) name = pax.path;
    const realSize = pax.size !== undefined ? Number(pax.size) : msize;
    return { name, headerOffset: offset, dataOffset: dataPos, size: realSize, typeflag };
  }
}

/** Offset of the header that follows `entry`. */
export function nextOffset(entry: TarEntry): number {
  return entry.dataOffset + Math.ceil(entry.size / BLOCK) * BLOCK;
}

export interface ScannedTar {
  entries: TarEntry[];
  /** Offset of the end-of-archive blocks (Python's `TarFile.offset` after the last member). */
  endOffset: number;
}

/** Read all member headers of a tar file sequentially (data is skipped, not read). */
export function scanTar(path: string): ScannedTar {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const entries: TarEntry[] = [];
    let pos = 0;
    for (;;) {
      const e = readEntryAt(fd, pos, size);
      if (!e) break;
      entries.push(e);
      pos = nextOffset(e);
    }
    return { entries, endOffset: pos };
  } finally {
    fs.closeSync(fd);
  }
}

export interface SamplePart {
  /** Part name: the member name after the key and its dot, e.g. `patches.npy`. */
  name: string;
  dataOffset: number;
  size: number;
}

export interface ScannedSample {
  key: string;
  /** Index of the sample in its shard. */
  index: number;
  /** Offset of the sample's first header. */
  byteOffset: number;
  /** Bytes from the first header to the next sample's first header (or the end blocks). */
  byteSize: number;
  parts: SamplePart[];
}

export interface ScannedShard {
  samples: ScannedSample[];
  endOffset: number;
}

const REGULAR = new Set(['0', '\0', '7', 'S']);

/**
 * Group the members of a tar file into samples exactly like Energon's
 * `WebdatasetPreparator._preprocess_tar`: only regular files, names matching
 * `skip_meta_re` skipped, names not matching `split_name_re` skipped, a new sample
 * starts whenever the base name changes.
 */
export function scanShard(path: string): ScannedShard {
  const { entries, endOffset } = scanTar(path);
  const samples: ScannedSample[] = [];
  let last: string | null = null;
  for (const e of entries) {
    if (!REGULAR.has(e.typeflag)) continue;
    if (SKIP_META_RE.test(e.name)) continue;
    const m = SPLIT_NAME_RE.exec(e.name);
    if (!m) continue;
    if (m[1] !== last) {
      if (samples.length) {
        const prev = samples[samples.length - 1];
        prev.byteSize = e.headerOffset - prev.byteOffset;
      }
      samples.push({ key: m[1], index: samples.length, byteOffset: e.headerOffset, byteSize: 0, parts: [] });
      last = m[1];
    }
    samples[samples.length - 1].parts.push({ name: m[2], dataOffset: e.dataOffset, size: e.size });
  }
  if (samples.length) {
    const prev = samples[samples.length - 1];
    prev.byteSize = endOffset - prev.byteOffset;
  }
  return { samples, endOffset };
}

/** Read a `.tar.idx` file: unsigned 64-bit little-endian offsets. */
export function readTarIdx(path: string): number[] {
  const buf = fs.readFileSync(path);
  if (buf.length % 8 !== 0) throw new Error(`${path}: size ${buf.length} is not a multiple of 8`);
  const out: number[] = [];
  for (let i = 0; i < buf.length; i += 8) out.push(Number(buf.readBigUInt64LE(i)));
  return out;
}

/** Encode offsets as a `.tar.idx` file body. */
export function encodeTarIdx(offsets: number[]): Buffer {
  const buf = Buffer.alloc(offsets.length * 8);
  offsets.forEach((o, i) => buf.writeBigUInt64LE(BigInt(o), i * 8));
  return buf;
}

export interface ReadSample {
  key: string;
  parts: Map<string, Buffer>;
}

/**
 * Read one sample the way Energon's ITarReader does: start at `byteOffset`, parse
 * headers until `byteOffset + byteSize`, require one base name, return the parts.
 */
export function readSampleAt(fd: number, byteOffset: number, byteSize: number, fileSize?: number): ReadSample {
  const size = fileSize ?? fs.fstatSync(fd).size;
  let pos = byteOffset;
  let key: string | null = null;
  const parts = new Map<string, Buffer>();
  while (pos < byteOffset + byteSize) {
    const e = readEntryAt(fd, pos, size);
    if (!e) throw new Error(`tar: unexpected end of archive at offset ${pos}`);
    pos = nextOffset(e);
    if (!REGULAR.has(e.typeflag) || SKIP_META_RE.test(e.name)) continue;
    const m = SPLIT_NAME_RE.exec(e.name);
    if (!m) continue;
    if (key === null) key = m[1];
    else if (key !== m[1]) throw new Error(`tar: inconsistent sample base name: ${key} vs ${m[1]}`);
    parts.set(m[2], readExact(fd, e.size, e.dataOffset));
  }
  if (key === null) throw new Error(`tar: no valid files in sample at offset ${byteOffset}`);
  return { key, parts };
}

/** Read a part's bytes given its data offset and size. */
export function readBytes(fd: number, offset: number, length: number): Buffer {
  return readExact(fd, length, offset);
}
