/**
 * Which frames the tokenizer looks at: the sampled source frame indices (evenly over the clip, or
 * at a frame rate).
 */
import { CodectokError } from '../errors.js';

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
