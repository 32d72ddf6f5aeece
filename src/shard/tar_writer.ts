/**
 * Minimal POSIX tar writer (ustar headers, PAX extended headers where ustar cannot
 * hold a value), written for WebDataset/Energon shards.
 *
 * - 512-byte blocks; every member's data is zero-padded to a block boundary.
 * - A member whose name is longer than 100 bytes (or not ASCII), or whose size does
 *   not fit the 11 octal digits of the ustar size field, gets a PAX `x` header first.
 *   The offset recorded for such a member is the offset of its PAX header, which is
 *   what Python's tarfile reports as `TarInfo.offset` (and what Energon's
 *   `energon prepare` stores in `.tar.idx`).
 * - `finish()` writes the two zero blocks that end the archive and returns the
 *   offset where they start (Python's `TarFile.offset` after the last member).
 *
 * Writes are synchronous on a file descriptor so that the byte offsets are exact and a
 * killed process leaves at worst a truncated temporary file behind.
 */
import * as fs from 'node:fs';

export const BLOCK = 512;
const USTAR_NAME_MAX = 100;
const USTAR_SIZE_MAX = 0o77777777777; // 11 octal digits

export interface TarMemberRecord {
  /** Member name as stored (full name, also when a PAX header carries it). */
  name: string;
  /** Offset of the member's first header (its PAX header when it has one). */
  headerOffset: number;
  /** Offset of the member's data. */
  dataOffset: number;
  /** Size of the data in bytes. */
  size: number;
}

export interface TarWriterOptions {
  /** Modification time written into headers, seconds since the epoch. Default 0 (reproducible output). */
  mtime?: number;
  /** File mode. Default 0o644. */
  mode?: number;
  /** Call fsync before close in finish(). Default true. */
  fsync?: boolean;
}

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  bytes.copy(buf, offset, 0, Math.min(bytes.length, length));
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  // length-1 octal digits, zero padded, NUL terminated
  const s = Math.floor(value).toString(8).padStart(length - 1, '0');
  if (s.length > length - 1) throw new Error(`tar: value ${value} does not fit a ${length}-byte octal field`);
  buf.write(s, offset, length - 1, 'ascii');
  buf[offset + length - 1] = 0;
}

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x7e]*$/.test(s);
}

/** Build one ustar header block. */
export function ustarHeader(
  name: string,
  size: number,
  typeflag: string,
  mtime: number,
  mode: number,
): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  writeString(h, 0, USTAR_NAME_MAX, name);
  writeOctal(h, 100, 8, mode);
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h.write(typeflag, 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  writeOctal(h, 329, 8, 0); // devmajor
  writeOctal(h, 337, 8, 0); // devminor
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i];
  // 6 octal digits, NUL, space (the form GNU tar and Python write)
  h.write(sum.toString(8).padStart(6, '0'), 148, 6, 'ascii');
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

/** Encode PAX records: "<len> <key>=<value>\n" where len counts the whole record. */
export function paxRecords(records: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    const bodyLen = Buffer.byteLength(body, 'utf8');
    let len = bodyLen + 1;
    while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
    parts.push(Buffer.from(`${len}${body}`, 'utf8'));
  }
  return Buffer.concat(parts);
}

function padding(size: number): number {
  const r = size % BLOCK;
  return r === 0 ? 0 : BLOCK - r;
}

/** Does this member need a PAX header? */
export function needsPax(name: string, size: number): boolean {
  return Buffer.byteLength(name, 'utf8') > USTAR_NAME_MAX || !isAscii(name) || size > USTAR_SIZE_MAX;
}

/** Header bytes (PAX header + ustar header) for a member, without its data. */
export function memberHeaderBytes(name: string, size: number, mtime = 0, mode = 0o644): Buffer {
  const blocks: Buffer[] = [];
  if (needsPax(name, size)) {
    const rec: Record<string, string> = {};
    if (Buffer.byteLength(name, 'utf8') > USTAR_NAME_MAX || !isAscii(name)) rec.path = name;
    if (size > USTAR_SIZE_MAX) rec.size = String(size);
    const data = paxRecords(rec);
    blocks.push(ustarHeader('././@PaxHeader', data.length, 'x', mtime, mode));
    blocks.push(data);
    const pad = padding(data.length);
    if (pad) blocks.push(Buffer.alloc(pad, 0));
  }
  // The ustar name field gets an ASCII-safe truncation when PAX carries the real one.
  let ustarName = name;
  if (Buffer.byteLength(name, 'utf8') > USTAR_NAME_MAX || !isAscii(name)) {
    ustarName = name.replace(/[^\x20-\x7e]/g, '_').slice(0, USTAR_NAME_MAX);
  }
  blocks.push(ustarHeader(ustarName, size > USTAR_SIZE_MAX ? 0 : size, '0', mtime, mode));
  return Buffer.concat(blocks);
}

export class TarWriter {
  private fd: number | null;
  private pos = 0;
  private readonly mtime: number;
  private readonly mode: number;
  private readonly doFsync: boolean;
  readonly members: TarMemberRecord[] = [];

  /** Open `path` for writing (truncating it). */
  constructor(readonly path: string, options: TarWriterOptions = {}) {
    this.fd = fs.openSync(path, 'w');
    this.mtime = options.mtime ?? 0;
    this.mode = options.mode ?? 0o644;
    this.doFsync = options.fsync ?? true;
  }

  /** Current byte offset: where the next member's first header will start. */
  get offset(): number {
    return this.pos;
  }

  private write(buffers: Uint8Array[]): void {
    if (this.fd === null) throw new Error('tar: writer is closed');
    let total = 0;
    for (const b of buffers) total += b.byteLength;
    let written = fs.writevSync(this.fd, buffers);
    // writev may be partial on some file systems: finish the rest
    if (written < total) {
      const all = Buffer.concat(buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
      while (written < total) written += fs.writeSync(this.fd, all, written, total - written);
    }
    this.pos += total;
  }

  /** Append a regular file. Returns where its header(s) and data were written. */
  addFile(name: string, data: Uint8Array): TarMemberRecord {
    if (!name) throw new Error('tar: empty member name');
    const headerOffset = this.pos;
    const header = memberHeaderBytes(name, data.byteLength, this.mtime, this.mode);
    const pad = padding(data.byteLength);
    const bufs: Uint8Array[] = [header];
    if (data.byteLength) bufs.push(data);
    if (pad) bufs.push(Buffer.alloc(pad, 0));
    this.write(bufs);
    const rec = { name, headerOffset, dataOffset: headerOffset + header.length, size: data.byteLength };
    this.members.push(rec);
    return rec;
  }

  /** Write the two zero end blocks, flush and close. Returns the offset of the end blocks. */
  finish(): number {
    const end = this.pos;
    this.write([Buffer.alloc(2 * BLOCK, 0)]);
    if (this.fd !== null) {
      if (this.doFsync) fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = null;
    }
    return end;
  }

  /** Close without finishing (the file stays incomplete). */
  abort(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}
