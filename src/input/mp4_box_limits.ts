// The MP4 limits (DecodeLimits.maxMp4BoxSize / maxMp4BoxCount), checked from the box headers
// as the bytes reach the demuxer, before mp4box buffers a box whole: a hostile file cannot make
// codectok hold a moov of gigabytes or parse millions of boxes.
import type { CodectokError } from '../errors.js';
import { limitExceeded, MP4_LIMIT_DEFAULTS } from './limits.js';

export interface Mp4Limits {
  maxMp4BoxSize?: number;
  maxMp4BoxCount?: number;
}

/** A parsed box as mp4box holds it: children in `boxes`. */
interface BoxTree {
  boxes?: BoxTree[];
}

/**
 * Walks the top-level boxes of a file from their headers (ISO/IEC 14496-12 clause 4.2: 32-bit
 * size, type, 64-bit largesize when size is 1, to the end of the file when 0), fed the bytes the
 * demuxer reads at their file positions, in any order (a seek past a box skips its body).
 */
export class Mp4BoxLimits {
  private readonly maxSize: number;
  private readonly maxCount: number;
  /** File position of the next top-level box header. */
  private next = 0;
  /** The bytes of that header seen so far (a header may straddle two reads). */
  private header: number[] = [];
  /** The last box runs to the end of the file, or its header is not one: nothing more to walk. */
  private ended = false;
  private topLevel = 0;

  constructor(
    limits: Mp4Limits = {},
    private readonly file?: string,
  ) {
    this.maxSize = limits.maxMp4BoxSize ?? MP4_LIMIT_DEFAULTS.maxMp4BoxSize;
    this.maxCount = limits.maxMp4BoxCount ?? MP4_LIMIT_DEFAULTS.maxMp4BoxCount;
  }

  /** The bytes at file position `position`; throws ERR_LIMIT_EXCEEDED when a box header breaks a limit. */
  feed(bytes: Uint8Array, position: number): void {
    while (!this.ended) {
      const at = this.next + this.header.length;
      if (at < position || at >= position + bytes.length) return;
      let i = at - position;
      while (this.header.length < 8 && i < bytes.length) this.header.push(bytes[i++]!);
      if (this.header.length < 8) return;
      const size32 = ((this.header[0]! << 24) | (this.header[1]! << 16) | (this.header[2]! << 8) | this.header[3]!) >>> 0;
      if (size32 === 1) {
        while (this.header.length < 16 && i < bytes.length) this.header.push(bytes[i++]!);
        if (this.header.length < 16) return;
      }
      const type = String.fromCharCode(...this.header.slice(4, 8));
      let size = size32;
      if (size32 === 1) {
        size = 0;
        for (let k = 8; k < 16; k++) size = size * 256 + this.header[k]!;
      }
      this.header = [];
      if (++this.topLevel > this.maxCount) throw this.exceeded(`${this.topLevel} boxes`, 'maxMp4BoxCount', this.maxCount);
      // mdat is read by samples, never whole; size 0 (to the end of the file) is bounded by the file.
      if (type !== 'mdat' && size32 !== 0 && size > this.maxSize) {
        throw this.exceeded(`the '${type}' box of ${size} bytes at byte ${this.next}`, 'maxMp4BoxSize', this.maxSize);
      }
      if (size32 === 0 || size < (size32 === 1 ? 16 : 8)) {
        this.ended = true; // to the end of the file, or an invalid size mp4box reports itself
        return;
      }
      this.next += size;
    }
  }

  /** Counts the boxes inside a parsed moov (mp4box's tree) with the top-level ones. */
  checkMoov(moov: BoxTree | undefined): void {
    const count = (b: BoxTree): number => 1 + (b.boxes ?? []).reduce((n, c) => n + count(c), 0);
    const total = this.topLevel + (moov ? count(moov) - 1 : 0);
    if (total > this.maxCount) throw this.exceeded(`${total} boxes (top-level and inside moov)`, 'maxMp4BoxCount', this.maxCount);
  }

  private exceeded(what: string, limit: 'maxMp4BoxSize' | 'maxMp4BoxCount', value: number): CodectokError {
    return limitExceeded(`MP4: ${what}`, limit, value, this.file);
  }
}
