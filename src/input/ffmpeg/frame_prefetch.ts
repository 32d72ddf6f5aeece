// Pixels decoded ahead: FFmpeg (a child process) decodes a known set of frames while the caller
// does other work (tokenize: parsing and scoring the same stream), and the frames are taken later.
//
// FFmpeg writes the frames to a file (the content of each, scaledWidth x scaledHeight x 3, one
// after the other) instead of a pipe: nothing is held in this process's memory while the stream is
// parsed, whatever the number of frames (the page cache holds the file, on disk when it must), and
// a frame taken is read straight into the caller's buffer. Through a pipe every frame crossed
// into JavaScript in 64 KiB chunks and was copied into a fresh buffer: on the 2-core development
// machine that was about a quarter of the page faults of a whole tokenize (README, Speed).
import { open, rm, type FileHandle } from 'node:fs/promises';
import { checkFrames, FrameLayout, missingFramesError, startDecode, type DecodeFramesOptions, type DecodeProcess } from './decode_frames.js';
import type { FfmpegInfo } from './locate.js';
import { FfmpegError } from './process.js';

/** Name of the file a FramePrefetch writes into tokenize's work directory. */
export const FRAMES_WORK_FILE = 'frames.rgb';

/** How often a taker looks at the file while FFmpeg still writes it (ms). */
const POLL_MS = 10;

export class FramePrefetch {
  private readonly layout: FrameLayout;
  private readonly started: Promise<DecodeProcess>;
  private exitCode: number | null | undefined;
  private error: unknown;
  private closed = false;
  private fh: Promise<FileHandle | undefined> | undefined;
  private finalSize: number | undefined;

  /**
   * Starts FFmpeg (native) decoding `o.frames` (increasing source indices) into `file`, which
   * this prefetch owns: close() removes it.
   */
  constructor(
    private readonly hevcPath: string,
    private readonly o: DecodeFramesOptions,
    ff: FfmpegInfo,
    private readonly file: string,
  ) {
    checkFrames(o.frames);
    if (ff.kind !== 'native') throw new FfmpegError('decoding ahead needs a native FFmpeg', 'ERR_NO_FFMPEG');
    this.layout = new FrameLayout(o.geometry);
    this.started = startDecode(hevcPath, o, ff, file);
    this.started.then(
      (p) =>
        p.exited.then(
          (code) => void (this.exitCode = code),
          (e: unknown) => void ((this.error = e), (this.exitCode = null)),
        ),
      (e: unknown) => void ((this.error = e), (this.exitCode = null)),
    );
  }

  /** The frames this prefetch decodes (increasing source indices). */
  get frames(): readonly number[] {
    return this.o.frames;
  }

  /**
   * Waits until frame `index` is decoded and returns it (outHeight x outWidth x 3, the padding 0),
   * written into `into` when given (its padding must be 0: a buffer this method filled before is).
   * Throws FFmpeg's error (ERR_DECODE...) when the decode ended without it.
   */
  async take(index: number, into?: Uint8Array): Promise<Uint8Array> {
    const k = this.o.frames.indexOf(index);
    if (k < 0) throw new FfmpegError(`frame ${index} is not among the frames decoded ahead`, 'ERR_INVALID_OPTION');
    if (into && into.length !== this.layout.size) throw new FfmpegError(`a frame buffer of ${into.length} bytes for frames of ${this.layout.size}`, 'ERR_INVALID_OPTION');
    const end = (k + 1) * this.layout.content;
    for (;;) {
      if (this.closed) throw new FfmpegError('the frames decoded ahead were closed', 'ERR_DECODE');
      const done = this.exitCode !== undefined;
      // once FFmpeg has exited the file's size is final: looked at once
      const size = this.finalSize ?? (await this.fileSize());
      if (done) this.finalSize = size;
      if (size >= end) break;
      if (done) {
        if (this.error) throw this.error;
        const p = await this.started;
        throw missingFramesError(this.hevcPath, this.o.frames, Math.floor(size / this.layout.content), this.exitCode ?? null, p.stderr());
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const frame = into ?? new Uint8Array(this.layout.size);
    const run = this.layout.contentRun(frame);
    const content = run ?? new Uint8Array(this.layout.content);
    const fh = (await this.fh)!;
    const { bytesRead } = await fh.read(content, 0, content.length, k * this.layout.content);
    if (bytesRead !== content.length) throw new FfmpegError(`frame ${index}: ${bytesRead} of ${content.length} bytes in ${this.file}`, 'ERR_DECODE');
    if (!run) this.layout.place(frame, 0, content);
    return frame;
  }

  /** The bytes FFmpeg has written so far (0 before the file exists). */
  private async fileSize(): Promise<number> {
    this.fh ??= open(this.file, 'r').catch(() => undefined);
    const fh = await this.fh;
    if (!fh) {
      this.fh = undefined; // not there yet
      return 0;
    }
    return (await fh.stat()).size;
  }

  /** Stops FFmpeg (if it still runs) and removes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      const p = await this.started;
      p.kill();
      await p.exited.catch(() => undefined);
      await p.fed;
    } catch {
      // it never started: nothing runs
    }
    await (await this.fh)?.close();
    this.fh = undefined;
    await rm(this.file, { force: true });
  }
}
