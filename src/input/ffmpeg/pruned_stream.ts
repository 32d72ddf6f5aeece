// The Annex-B stream FFmpeg decodes pixels from, without the pictures no wanted frame needs.
//
// FFmpeg decodes every picture up to the last frame asked for, yet a frame needs only itself and
// the pictures it is predicted from. needed_pictures.ts says which pictures those are (from the
// headers pass, pictureHeaders); the slice NAL units of the others are left out of what FFmpeg
// reads. Everything else passes byte for byte: parameter sets, SEI, AUD, end of sequence /
// bitstream, pictures the headers pass does not output (pic_output_flag 0, RASL pictures skipped
// at a CRA that starts decoding) and NAL unit types it does not read (a decoder ignores them,
// H.265 7.4.2.2). The frames keep their output order; their indices among the pictures that
// remain are what FFmpeg's `select` counts.
//
// Anything that does not fit (headers that are not those of this file, overlapping or
// out-of-range extents, no start code before a slice) gives no plan: the caller decodes the
// stream as it is.
import { open, type FileHandle } from 'node:fs/promises';
import type { PictureHeader } from '../picture_headers.js';
import { neededPictures } from './needed_pictures.js';

/** Bytes read from the file per chunk fed to FFmpeg. */
const CHUNK_BYTES = 1 << 20;
/** The start code prefix before every NAL unit (Annex B). */
const START_CODE_BYTES = 3;

export interface PrunedStream {
  /** Byte ranges [start, end) of the Annex-B file that FFmpeg reads, increasing, disjoint. */
  ranges: [number, number][];
  /** For each frame asked for (source indices), its index in the output order of the pruned stream. */
  frames: number[];
  /** Output pictures of the whole stream (the headers pass's count). */
  pictures: number;
  /** Output pictures left out: `pictures - dropped` are fed to FFmpeg. */
  dropped: number;
}

/**
 * Plans the pruned stream of an Annex-B file for these frames (output indices, increasing), from
 * the file's pictures as pictureHeaders read them. Undefined when nothing can be dropped or the
 * headers do not fit the file.
 */
export async function planPrunedStream(path: string, pictures: readonly PictureHeader[], frames: readonly number[]): Promise<PrunedStream | undefined> {
  if (frames.length === 0 || pictures.length === 0) return undefined;
  if (!pictures.every((p, i) => p.outIndex === i && p.sliceBytes.length > 0)) return undefined;
  if (frames.some((f) => !Number.isInteger(f) || f < 0 || f >= pictures.length)) return undefined;
  const needed = neededPictures(pictures, frames);
  const cut: [number, number][] = [];
  const newIndex = new Int32Array(pictures.length);
  let dropped = 0;
  for (const p of pictures) {
    newIndex[p.outIndex] = p.outIndex - dropped;
    if (needed[p.outIndex]) continue;
    dropped++;
    for (const s of p.sliceBytes) cut.push([s.offset - START_CODE_BYTES, s.offset + s.size]);
  }
  if (dropped === 0) return undefined;
  cut.sort((a, b) => a[0] - b[0]);
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const size = (await fh.stat()).size;
    if (cut[0]![0] < 0 || cut[cut.length - 1]![1] > size) return undefined;
    for (let i = 1; i < cut.length; i++) if (cut[i]![0] < cut[i - 1]![1]) return undefined;
    const prefix = Buffer.alloc(START_CODE_BYTES + 1);
    for (const [start] of cut) {
      // 00 00 01 and a NAL unit header with forbidden_zero_bit 0 and a slice type (HEVC 0-31: bit 6
      // clear; H.264 1 or 5)
      const { bytesRead } = await fh.read(prefix, 0, prefix.length, start);
      const header = prefix[3]!;
      const slice = pictures[0]!.codec === 'hevc' ? (header & 0xc0) === 0 : (header & 0x80) === 0 && ((header & 0x1f) === 1 || (header & 0x1f) === 5);
      if (bytesRead !== prefix.length || prefix[0] !== 0 || prefix[1] !== 0 || prefix[2] !== 1 || !slice) return undefined;
    }
    const ranges: [number, number][] = [];
    let at = 0;
    for (const [start, end] of cut) {
      if (start > at) ranges.push([at, start]);
      at = end;
    }
    if (at < size) ranges.push([at, size]);
    return { ranges, frames: frames.map((f) => newIndex[f]!), pictures: pictures.length, dropped };
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

/** The bytes of the pruned stream, in chunks of at most 1 MiB, read from the file as they are taken. */
export async function* prunedChunks(path: string, plan: PrunedStream): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    for (const [start, end] of plan.ranges) {
      for (let at = start; at < end; ) {
        const n = Math.min(CHUNK_BYTES, end - at);
        const buf = Buffer.alloc(n);
        const { bytesRead } = await fh.read(buf, 0, n, at);
        if (bytesRead === 0) return;  // the file shrank: FFmpeg reads what there is
        yield buf.subarray(0, bytesRead);
        at += bytesRead;
      }
    }
  } finally {
    await fh.close();
  }
}

/** The whole pruned stream in memory (the WebAssembly FFmpeg reads its input from a file system in memory). */
export async function prunedBytes(path: string, plan: PrunedStream): Promise<Uint8Array> {
  const total = plan.ranges.reduce((n, [s, e]) => n + e - s, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for await (const chunk of prunedChunks(path, plan)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return at === total ? out : out.subarray(0, at);
}
