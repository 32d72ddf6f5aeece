// What an input holds, from its first bytes: an Annex-B elementary stream (HEVC or H.264) or an
// ISO-BMFF (MP4/MOV) file; anything else is named in the error (Matroska, MPEG-TS, RIFF...), and bytes that hold no
// video at all are ERR_NOT_VIDEO.
import { open } from 'node:fs/promises';
import path from 'node:path';

import { CodectokError } from '../errors.js';
import { looksLikeMp4 } from './mp4_demux.js';

export type Container = 'annexb' | 'mp4';

/** The coding standards codectok parses. */
export type VideoCodec = 'hevc' | 'h264';

/** File extensions taken as Annex-B HEVC whatever the first bytes. */
const HEVC_EXTENSIONS = new Set(['.hevc', '.h265', '.265']);
/** File extensions taken as Annex-B H.264 whatever the first bytes. */
const H264_EXTENSIONS = new Set(['.h264', '.264', '.avc', '.jsv', '.26l']);

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

const H264_PROFILES = new Set([66, 77, 88, 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/**
 * Which standard an Annex-B byte stream is coded in, from the NAL unit headers of its first bytes:
 * each NAL unit is read both as an HEVC header (2 bytes: type, nuh_layer_id 0, temporal id) and as
 * an H.264 one (1 byte: nal_ref_idc, type; an SPS followed by a known profile_idc), and the reading
 * under which more of them are plausible wins (HEVC on a tie). Undefined without a start code.
 */
export function annexBCodec(head: Uint8Array): VideoCodec | undefined {
  let hevc = 0;
  let h264 = 0;
  let nals = 0;
  for (let i = 0; i + 3 < head.length && nals < 16; i++) {
    if (head[i] !== 0 || head[i + 1] !== 0 || head[i + 2] !== 1) continue;
    const h0 = head[i + 3]!;
    const h1 = i + 4 < head.length ? head[i + 4]! : -1;
    i += 2;
    nals++;
    if (h0 & 0x80) continue;
    const ht = (h0 >> 1) & 0x3f;
    if (h1 >= 0 && (h0 & 1) === 0 && h1 >> 3 === 0 && (h1 & 7) >= 1 && (ht <= 9 || (ht >= 16 && ht <= 21) || (ht >= 32 && ht <= 40))) {
      hevc += ht >= 32 && ht <= 34 && h1 === 1 ? 2 : 1;
    }
    const at = h0 & 0x1f;
    const refIdc = h0 >> 5;
    if (at === 7 || at === 8) h264 += refIdc !== 0 && (at === 8 || H264_PROFILES.has(h1)) ? 2 : 0;
    else if (at === 6 || at === 9 || at === 12) h264 += refIdc === 0 ? 1 : 0;
    else if (at === 5) h264 += refIdc !== 0 ? 1 : 0;
    else if (at === 1) h264 += 1;
  }
  if (nals === 0) return undefined;
  return h264 > hevc ? 'h264' : 'hevc';
}

/** The standard of an Annex-B head (see annexBCodec), or undefined when it does not start with a start code. */
export function annexBHeadCodec(head: Uint8Array): VideoCodec | undefined {
  return afterStartCode(head) >= 0 ? annexBCodec(head) : undefined;
}

function unsupported(head: Uint8Array, file: string | undefined): CodectokError {
  const hex = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  let what = 'neither an HEVC / H.264 Annex-B stream (no start code) nor an MP4/MOV file';
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
 * file named .hevc/.h265/.265 or .h264/.264/.avc; ERR_UNSUPPORTED otherwise.
 */
export function decideContainer(head: Uint8Array, asked: 'auto' | Container | undefined, file: string | undefined): Container {
  if (asked === 'annexb' || asked === 'mp4') return asked;
  const kind = sniffContainer(head);
  if (kind !== 'unknown') return kind;
  const ext = file ? path.extname(file).toLowerCase() : '';
  if (HEVC_EXTENSIONS.has(ext) || H264_EXTENSIONS.has(ext)) return 'annexb';
  throw unsupported(head, file);
}

/** The standard of an Annex-B stream: the one asked for, else the file extension, else the NAL unit headers (HEVC when they do not tell). */
export function decideAnnexBCodec(head: Uint8Array, asked: 'auto' | VideoCodec | undefined, file: string | undefined): VideoCodec {
  if (asked === 'hevc' || asked === 'h264') return asked;
  const ext = file ? path.extname(file).toLowerCase() : '';
  if (HEVC_EXTENSIONS.has(ext)) return 'hevc';
  if (H264_EXTENSIONS.has(ext)) return 'h264';
  return annexBCodec(head) ?? 'hevc';
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
