// What an input holds, from its first bytes: an Annex-B elementary stream or an ISO-BMFF (MP4/MOV)
// file; anything else is named in the error (Matroska, MPEG-TS, RIFF...), and bytes that hold no
// video at all are ERR_NOT_VIDEO.
import { open } from 'node:fs/promises';
import path from 'node:path';

import { CodectokError } from '../errors.js';
import { looksLikeMp4 } from './mp4_demux.js';

export type Container = 'annexb' | 'mp4';

/** File extensions taken as Annex-B HEVC whatever the first bytes. */
const HEVC_EXTENSIONS = new Set(['.hevc', '.h265', '.265']);

/** Bytes of the head the detection looks at. */
export const HEAD_BYTES = 256;

/** Index of the byte after the first start code (two or more zero bytes, then 1), or -1. */
function afterStartCode(head: Uint8Array): number {
  let i = 0;
  while (i < head.length && head[i] === 0) i++;
  return i >= 2 && i < head.length && head[i] === 1 ? i + 1 : -1;
}

/** The container the first bytes announce: an ISO-BMFF box, an Annex-B start code, or neither. */
export function sniffContainer(head: Uint8Array): Container | 'unknown' {
  if (looksLikeMp4(head)) return 'mp4';
  return afterStartCode(head) >= 0 ? 'annexb' : 'unknown';
}

/** True when the bytes start like an Annex-B HEVC stream: a start code, then a VPS/SPS/PPS/AUD/SEI/slice NAL header. */
export function startsLikeAnnexBHevc(head: Uint8Array): boolean {
  const i = afterStartCode(head);
  if (i < 0 || i + 1 >= head.length) return false;
  const nalType = (head[i]! >> 1) & 0x3f;
  const forbidden = head[i]! & 0x80;
  return !forbidden && (nalType === 32 || nalType === 33 || nalType === 34 || nalType === 35 || nalType === 39 || nalType <= 21);
}

function unsupported(head: Uint8Array, file: string | undefined): CodectokError {
  const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  let what = 'neither an HEVC Annex-B stream (no start code) nor an MP4/MOV file';
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    what = 'a Matroska/WebM file, which codectok does not read (remux it to MP4)';
  } else if (head[0] === 0x47 && (head.length < 189 || head[188] === 0x47)) {
    what = 'an MPEG-TS stream, which codectok does not read (remux it to MP4)';
  } else if (String.fromCharCode(...head.subarray(0, 4)) === 'RIFF') {
    what = 'a RIFF (AVI/WAV) file, which codectok does not read';
  }
  return new CodectokError('ERR_UNSUPPORTED', `unrecognized input: ${what} (first bytes: ${hex})`, { file });
}

/**
 * The container to read: the one asked for, else the one the head announces, else Annex-B for a
 * file named .hevc/.h265/.265; ERR_UNSUPPORTED otherwise.
 */
export function decideContainer(head: Uint8Array, asked: 'auto' | Container | undefined, file: string | undefined): Container {
  if (asked === 'annexb' || asked === 'mp4') return asked;
  const kind = sniffContainer(head);
  if (kind !== 'unknown') return kind;
  if (file && HEVC_EXTENSIONS.has(path.extname(file).toLowerCase())) return 'annexb';
  throw unsupported(head, file);
}

/** The first bytes of a file (fewer when it is shorter; none when it cannot be read). */
export async function readHead(file: string, length = HEAD_BYTES): Promise<Uint8Array> {
  try {
    const fh = await open(file, 'r');
    try {
      const head = Buffer.alloc(length);
      const { bytesRead } = await fh.read(head, 0, length, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * Containers FFmpeg reads that have a fixed signature at the start of the file: what a
 * file must start with (or, for elementary streams, contain: a start code) for codectok
 * to hand it to FFmpeg at all.
 */
const CONTAINER_SIGNATURES: ReadonlyArray<{ name: string; matches: (b: Uint8Array) => boolean }> = [
  { name: 'ISO-BMFF (MP4/MOV)', matches: looksLikeMp4 },
  { name: 'Matroska/WebM', matches: (b) => startsWith(b, [0x1a, 0x45, 0xdf, 0xa3]) },
  { name: 'MPEG-TS', matches: (b) => b[0] === 0x47 && (b.length < 189 || b[188] === 0x47) },
  { name: 'RIFF (AVI)', matches: (b) => ascii(b, 0, 4) === 'RIFF' },
  { name: 'FLV', matches: (b) => ascii(b, 0, 3) === 'FLV' },
  { name: 'Ogg', matches: (b) => ascii(b, 0, 4) === 'OggS' },
  { name: 'ASF (WMV)', matches: (b) => startsWith(b, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11]) },
  { name: 'MXF', matches: (b) => startsWith(b, [0x06, 0x0e, 0x2b, 0x34]) },
  { name: 'YUV4MPEG2', matches: (b) => ascii(b, 0, 9) === 'YUV4MPEG2' },
  { name: 'NUT', matches: (b) => ascii(b, 0, 8) === 'nut/mult' },
  { name: 'GIF', matches: (b) => ascii(b, 0, 4) === 'GIF8' },
  { name: 'PNG', matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47]) },
  { name: 'JPEG', matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
];

function startsWith(b: Uint8Array, sig: number[]): boolean {
  return b.length >= sig.length && sig.every((v, i) => b[i] === v);
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return b.length >= to ? String.fromCharCode(...b.subarray(from, to)) : '';
}

/** Bytes searched for a start code before a file is called "not a video". */
export const VIDEO_SNIFF_BYTES = 1 << 20;

/** Finds the first Annex-B start code (00 00 01) across chunks. */
export class StartCodeScanner {
  found = false;
  /** Bytes scanned so far. */
  bytes = 0;
  private zeros = 0;
  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length && !this.found; i++) {
      const b = chunk[i]!;
      if (b === 1 && this.zeros >= 2) this.found = true;
      this.zeros = b === 0 ? this.zeros + 1 : 0;
    }
    this.bytes += chunk.length;
  }
}

/** The error for bytes that hold neither a start code nor a known container. */
export function notVideo(bytes: number, file?: string): CodectokError {
  return new CodectokError('ERR_NOT_VIDEO', `not a video: no HEVC/H.264 start code or known container in ${bytes} bytes`, { file });
}

/**
 * Says whether the first bytes of a file (up to VIDEO_SNIFF_BYTES) look like video: an
 * Annex-B start code anywhere in them, or a known container signature at the start.
 * Throws ERR_NOT_VIDEO (naming how many bytes were looked at) when they do not, so that
 * nothing (FFmpeg included) runs on an empty file or random bytes.
 */
export async function assertLooksLikeVideo(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, VIDEO_SNIFF_BYTES));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes.length > 0 && CONTAINER_SIGNATURES.some((c) => c.matches(bytes))) return;
    const scanner = new StartCodeScanner();
    scanner.push(bytes);
    if (!scanner.found) throw notVideo(bytes.length, path);
  } finally {
    await fh.close();
  }
}
