/**
 * Which frames the tokenizer looks at: the picture count of an Annex-B HEVC stream (a byte scan,
 * no decoding) and the sampled source frame indices.
 */
import { open } from 'node:fs/promises';
import { CodectokError } from './errors.js';

/**
 * Counts the pictures a decoder outputs from an Annex-B HEVC file: slice segments with
 * first_slice_segment_in_pic_flag set, less the RASL pictures of a CRA/BLA that starts the
 * stream (decoders drop them). pic_output_flag = 0 is not looked at (libx265 never sets it).
 */
export async function countPictures(path: string): Promise<number> {
  const fh = await open(path, 'r').catch((e: Error) => {
    throw new CodectokError('ERR_IO', `${path}: ${e.message}`, { file: path });
  });
  try {
    const chunk = Buffer.alloc(1 << 20);
    let zeros = 0;
    let state = 0; // 0: scanning; 1: next byte is NAL header byte 0; 2: header byte 1; 3: first slice byte
    let nalType = -1;
    let count = 0;
    let seenIrap = false;
    let skippingRasl = false;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const b = chunk[i]!;
        if (state === 1) {
          nalType = (b >> 1) & 0x3f;
          state = 2;
        } else if (state === 2) {
          state = nalType <= 31 ? 3 : 0;
        } else if (state === 3) {
          state = 0;
          if (b & 0x80) {
            // first slice segment of a picture
            if (nalType >= 16 && nalType <= 23) {
              skippingRasl = !seenIrap && (nalType === 21 || (nalType >= 16 && nalType <= 18));
              if (seenIrap) skippingRasl = false;
              seenIrap = true;
              count++;
            } else if (nalType === 8 || nalType === 9) {
              if (!skippingRasl && seenIrap) count++;
            } else if (seenIrap) {
              count++;
            }
          }
        }
        if (b === 0) {
          zeros++;
        } else {
          if (b === 1 && zeros >= 2) state = 1;
          zeros = 0;
        }
      }
    }
    return count;
  } finally {
    await fh.close();
  }
}

export interface SamplingOptions {
  /** Number of frames spread evenly over the clip (numpy.linspace(start, N-1, T, dtype=int)), or 'all'. Default 64. */
  frames?: number | 'all';
  /** Sample at this rate (frames per second of video) instead; needs the input frame rate. */
  sampleFps?: number;
  /** First frame that may be sampled. Default 0. */
  start?: number;
}

/**
 * Source frame indices to sample, strictly increasing. With `frames: T` and T >= the frames
 * available, every frame is taken once (no repeats).
 */
export function sampleFrames(total: number, o: SamplingOptions = {}, inputFps?: number): number[] {
  if (!Number.isInteger(total) || total < 1) throw new CodectokError('ERR_INVALID_OPTION', `the video has no frames to sample (${total})`);
  const start = o.start ?? 0;
  if (!Number.isInteger(start) || start < 0) throw new CodectokError('ERR_INVALID_OPTION', `sampling start must be a non-negative integer, got ${start}`);
  const s = start >= total ? 0 : start;
  const avail = total - s;
  if (o.sampleFps !== undefined) {
    if (!(o.sampleFps > 0)) throw new CodectokError('ERR_INVALID_OPTION', `sampling rate must be > 0 fps, got ${o.sampleFps}`);
    if (!(inputFps && inputFps > 0)) throw new CodectokError('ERR_INVALID_OPTION', 'sampling by frame rate needs the input frame rate (give it with inputFps)');
    const step = inputFps / o.sampleFps;
    const out: number[] = [];
    for (let k = 0; ; k++) {
      const i = s + Math.floor(k * step + 1e-9);
      if (i >= total) break;
      if (out.length === 0 || i > out[out.length - 1]!) out.push(i);
    }
    return out;
  }
  const T = o.frames ?? 64;
  if (T === 'all') return Array.from({ length: avail }, (_, i) => s + i);
  if (!Number.isInteger(T) || T < 1) throw new CodectokError('ERR_INVALID_OPTION', `frames must be a positive integer or 'all', got ${T}`);
  if (T >= avail) return Array.from({ length: avail }, (_, i) => s + i);
  if (T === 1) return [s];
  // exactly numpy.linspace(s, total - 1, T).astype(int): k * step + start, the last one = stop
  const step = (total - 1 - s) / (T - 1);
  const out: number[] = [];
  for (let k = 0; k < T - 1; k++) out.push(Math.floor(k * step + s));
  out.push(total - 1);
  return out;
}
