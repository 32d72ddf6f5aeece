// Pixels decoded ahead: FFmpeg (a child process, decodeFrames) decodes a known set of frames while
// the caller does other work (tokenize: parsing and scoring the same stream), and the frames are
// taken later, in increasing order. Memory stays bounded: at most maxHeldBytes of frames are held
// (at least one frame); past that FFmpeg's output is not read, so FFmpeg waits on its pipe until
// frames are taken or dropped.
import { decodeFrames, type DecodeFramesOptions } from './decode_frames.js';
import type { FfmpegInfo } from './locate.js';
import { FfmpegError } from './process.js';

/** Default bound of the frames held: 256 MiB (e.g. 64 frames of 576x576 RGB take 64 MiB). */
export const DEFAULT_PREFETCH_BYTES = 256 << 20;

export class FramePrefetch {
  private readonly held = new Map<number, Uint8Array>();
  private heldBytes = 0;
  /** After keepOnly(): the frames still wanted; the others are dropped as they come. */
  private wanted: Set<number> | undefined;
  private ended = false;
  private error: unknown;
  private readonly abort = new AbortController();
  /** Wakes the pump (room was made) or a taker (a frame came, or the end). */
  private wakePump: (() => void) | undefined;
  private wakeTaker: (() => void) | undefined;
  private readonly pump: Promise<void>;

  constructor(
    hevcPath: string,
    private readonly o: DecodeFramesOptions,
    ff: FfmpegInfo,
    private readonly maxHeldBytes = DEFAULT_PREFETCH_BYTES,
  ) {
    this.pump = this.run(hevcPath, ff);
  }

  /** The frames this prefetch decodes (increasing source indices). */
  get frames(): readonly number[] {
    return this.o.frames;
  }

  private async run(hevcPath: string, ff: FfmpegInfo): Promise<void> {
    try {
      for await (const { index, rgb } of decodeFrames(hevcPath, { ...this.o, signal: this.o.signal ? AbortSignal.any([this.abort.signal, this.o.signal]) : this.abort.signal }, ff)) {
        if (this.abort.signal.aborted) break;
        if (this.wanted && !this.wanted.has(index)) continue;
        this.held.set(index, rgb);
        this.heldBytes += rgb.length;
        this.wake('taker');
        while (this.heldBytes >= this.maxHeldBytes && !this.abort.signal.aborted) await new Promise<void>((r) => (this.wakePump = r));
      }
    } catch (e) {
      this.error = e;
    } finally {
      this.ended = true;
      this.wake('taker');
    }
  }

  private wake(who: 'pump' | 'taker'): void {
    const f = who === 'pump' ? this.wakePump : this.wakeTaker;
    if (who === 'pump') this.wakePump = undefined;
    else this.wakeTaker = undefined;
    f?.();
  }

  private drop(index: number): void {
    const rgb = this.held.get(index);
    if (!rgb) return;
    this.held.delete(index);
    this.heldBytes -= rgb.length;
    this.wake('pump');
  }

  /** Only these frames will be taken: the others are dropped now and when they come. */
  keepOnly(frames: Iterable<number>): void {
    this.wanted = new Set(frames);
    for (const index of [...this.held.keys()]) if (!this.wanted.has(index)) this.drop(index);
  }

  /**
   * Waits for a frame and hands it over (it is no longer held). Frames are taken in increasing
   * order. Throws FFmpeg's error (ERR_DECODE...) when the decode ended without it.
   */
  async take(index: number): Promise<Uint8Array> {
    if (!this.o.frames.includes(index)) throw new FfmpegError(`frame ${index} is not among the frames decoded ahead`, 'ERR_INVALID_OPTION');
    for (;;) {
      const rgb = this.held.get(index);
      if (rgb) {
        this.drop(index);
        return rgb;
      }
      if (this.ended) throw this.error ?? new FfmpegError(`the decode ended without frame ${index}`, 'ERR_DECODE');
      await new Promise<void>((r) => (this.wakeTaker = r));
    }
  }

  /** Stops FFmpeg (if it still runs) and drops what is held. */
  async close(): Promise<void> {
    this.abort.abort();
    this.wake('pump');
    await this.pump;
    this.held.clear();
    this.heldBytes = 0;
  }
}
