// Decoding pixels: the sampled frames of an Annex-B HEVC or H.264 file to RGB24 at the output geometry,
// with a native FFmpeg or its WebAssembly build.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Geometry } from '../../geometry/output_geometry.js';
import type { PictureHeader } from '../picture_headers.js';
import type { FfmpegInfo } from './locate.js';
import { FfmpegError } from './process.js';
import { planPrunedStream, prunedBytes, prunedChunks, type PrunedStream } from './pruned_stream.js';

export interface DecodeFramesOptions {
  /** Source frame indices (output order of the HEVC stream), strictly increasing. */
  frames: number[];
  geometry: Geometry;
  /** swscale algorithm for the resize. Default bicubic. */
  scaler?: string;
  /** The standard of the Annex-B input. Default 'hevc'. */
  codec?: 'hevc' | 'h264';
  /** FFmpeg's decoding threads (`-threads`). Default: FFmpeg's own choice (frame threads on every core). */
  threads?: number;
  /** Aborting it kills FFmpeg and ends the iteration (native FFmpeg; the WebAssembly decode runs to its end). */
  signal?: AbortSignal;
  /**
   * The pictures of this Annex-B file as pictureHeaders read them: FFmpeg is then fed the stream
   * without the pictures none of the frames needs (pruned_stream.ts). Without it, or when they do
   * not fit the file, FFmpeg reads the whole file.
   */
  pictures?: readonly PictureHeader[];
}

/**
 * The filter graph that selects the frames and resizes them to the picture's part of the output
 * geometry (scaledWidth x scaledHeight). The letterbox padding is not sent: FrameLayout places the
 * picture in a zero-filled frame, the bytes FFmpeg's `pad=...:black` gives in RGB (black is 0 in
 * every channel, and the picture's pixels do not depend on the padding: test/decode_frames.test.ts
 * compares the two on odd offsets, letterbox and pillarbox).
 */
export function decodeFilter(o: DecodeFramesOptions): string {
  const g = o.geometry;
  const sel = o.frames.map((n) => `eq(n\\,${n})`).join('+');
  return `select=${sel},scale=${g.scaledWidth}:${g.scaledHeight}:flags=${o.scaler ?? 'bicubic'},format=rgb24`;
}

/** Where the bytes of FFmpeg's scaled picture go in an output frame (outHeight x outWidth x 3, the padding 0). */
export class FrameLayout {
  /** Bytes FFmpeg sends per frame, and per row of it. */
  readonly content: number;
  readonly row: number;
  readonly size: number;
  private readonly stride: number;
  private readonly origin: number;
  constructor(g: Geometry) {
    this.row = g.scaledWidth * 3;
    this.content = this.row * g.scaledHeight;
    this.stride = g.outWidth * 3;
    this.size = this.stride * g.outHeight;
    this.origin = (g.padTop * g.outWidth + g.padLeft) * 3;
  }

  /** The content of `frame` as one run of bytes when it is one (a full-width picture), else undefined. */
  contentRun(frame: Uint8Array): Uint8Array | undefined {
    return this.row === this.stride ? frame.subarray(this.origin, this.origin + this.content) : undefined;
  }

  /** Copies `src` (FFmpeg's bytes from content offset `at` of the current frame on) into `frame`; returns the bytes copied (to the end of the frame at most). */
  place(frame: Uint8Array, at: number, src: Uint8Array): number {
    const n = Math.min(src.length, this.content - at);
    if (this.row === this.stride) {
      // full-width picture (letterbox top and bottom, or none): one run
      frame.set(src.subarray(0, n), this.origin + at);
      return n;
    }
    for (let done = 0; done < n; ) {
      const y = Math.floor((at + done) / this.row);
      const x = (at + done) % this.row;
      const m = Math.min(this.row - x, n - done);
      frame.set(src.subarray(done, done + m), this.origin + y * this.stride + x);
      done += m;
    }
    return n;
  }
}

/** FFmpeg's arguments; `frames` counts the pictures of what FFmpeg reads (a pruned stream's indices). */
export function decodeArgs(input: string, output: string, o: DecodeFramesOptions, frames: number[]): string[] {
  return ['-hide_banner', '-nostdin', '-y', '-v', 'error', ...(o.threads ? ['-threads', String(o.threads)] : []), '-f', o.codec ?? 'hevc', '-i', input, '-vf', decodeFilter({ ...o, frames }), '-vsync', '0', '-frames:v', String(frames.length), '-pix_fmt', 'rgb24', '-f', 'rawvideo', output];
}

/** Writes the pruned stream to FFmpeg's stdin; stops quietly when FFmpeg closes it (it has its frames, or it was killed). */
async function feed(stdin: NodeJS.WritableStream & { destroyed: boolean }, chunks: AsyncGenerator<Uint8Array>): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    stdin.once('close', resolve);
    stdin.on('error', () => resolve());  // EPIPE once FFmpeg is done
  });
  try {
    for await (const chunk of chunks) {
      if (stdin.destroyed) break;
      if (!stdin.write(chunk)) await Promise.race([new Promise<void>((r) => stdin.once('drain', r)), closed]);
    }
  } catch {
    // unreadable now: FFmpeg sees the stream end, and says which frames it lacks
  } finally {
    await chunks.return(undefined);
    if (!stdin.destroyed) stdin.end();
  }
}

export function checkFrames(frames: number[]): void {
  for (let i = 0; i < frames.length; i++) {
    if (!Number.isInteger(frames[i]) || frames[i]! < 0 || (i > 0 && frames[i]! <= frames[i - 1]!)) throw new FfmpegError('frames to decode must be increasing non-negative integers', 'ERR_INVALID_OPTION');
  }
}

/** A native FFmpeg decoding frames (startDecode): the child, its input feed and the tail of its stderr. */
export interface DecodeProcess {
  readonly child: ChildProcess;
  /** The frames asked for, as indices of what FFmpeg reads (a pruned stream's). */
  readonly frames: number[];
  /** Resolves when the input is fed (or FFmpeg stopped reading it). */
  readonly fed: Promise<void> | undefined;
  /** FFmpeg's exit code; rejects with ERR_NO_FFMPEG when it cannot run. */
  readonly exited: Promise<number | null>;
  /** The last 32-64 KiB of FFmpeg's stderr so far. */
  stderr(): string;
  /** Kills FFmpeg if it still runs. */
  kill(): void;
}

/**
 * Starts a native FFmpeg decoding the frames `o.frames` of an Annex-B file to RGB24 content frames
 * (scaledWidth x scaledHeight x 3, no padding) written to `output` ('pipe:1' or a file path), fed
 * the pruned stream when `o.pictures` allows one. Aborting `o.signal` kills it.
 */
export async function startDecode(hevcPath: string, o: DecodeFramesOptions, ff: FfmpegInfo, output: string): Promise<DecodeProcess> {
  const plan = o.pictures ? await planPrunedStream(hevcPath, o.pictures, o.frames) : undefined;
  const frames = plan?.frames ?? o.frames;
  const child = spawn(ff.path, decodeArgs(plan ? 'pipe:0' : hevcPath, output, o, frames), { stdio: [plan ? 'pipe' : 'ignore', output === 'pipe:1' ? 'pipe' : 'ignore', 'pipe'] });
  const fed = plan ? feed(child.stdin!, prunedChunks(hevcPath, plan)) : undefined;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 1 << 16) stderr = stderr.slice(-(1 << 15));
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('close', resolve);
    child.on('error', (e) => reject(new FfmpegError(`cannot run ${ff.path}: ${e.message}`, 'ERR_NO_FFMPEG')));
  });
  exited.catch(() => undefined);
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  if (o.signal?.aborted) kill();
  else o.signal?.addEventListener('abort', kill, { once: true });
  void exited.finally(() => o.signal?.removeEventListener('abort', kill)).catch(() => undefined);
  return { child, frames, fed, exited, stderr: () => stderr, kill };
}

/** The ERR_DECODE of a decode that gave `got` of the frames asked for. */
export function missingFramesError(hevcPath: string, frames: readonly number[], got: number, code: number | null, stderr: string): FfmpegError {
  return new FfmpegError(`decoding ${hevcPath} returned ${got} of ${frames.length} frames${code ? ` (ffmpeg exit ${code}: ${stderr.trim().split('\n').pop()})` : ` (the stream has no frame ${frames[got]})`}`, 'ERR_DECODE', stderr);
}

/**
 * Decodes the given frames of an Annex-B HEVC file to RGB24 at the output geometry (outHeight x
 * outWidth x 3, letterbox padding black). FFmpeg stops after the last needed frame.
 */
export async function* decodeFrames(hevcPath: string, o: DecodeFramesOptions, ff: FfmpegInfo): AsyncGenerator<{ index: number; rgb: Uint8Array }> {
  checkFrames(o.frames);
  if (o.frames.length === 0) return;
  const layout = new FrameLayout(o.geometry);
  if (ff.kind === 'wasm') {
    const plan = o.pictures ? await planPrunedStream(hevcPath, o.pictures, o.frames) : undefined;
    const data = await decodeWithWasm(hevcPath, o, ff, plan?.frames ?? o.frames, plan);
    const n = Math.floor(data.length / layout.content);
    for (let k = 0; k < o.frames.length; k++) {
      if (k >= n) throw new FfmpegError(`decoding returned ${n} of ${o.frames.length} frames (the stream has no frame ${o.frames[k]})`, 'ERR_DECODE');
      const rgb = new Uint8Array(layout.size);
      layout.place(rgb, 0, data.subarray(k * layout.content, (k + 1) * layout.content));
      yield { index: o.frames[k]!, rgb };
    }
    return;
  }
  const p = await startDecode(hevcPath, o, ff, 'pipe:1');
  let k = 0;
  // Each frame is filled in place from FFmpeg's output chunks (no concatenation of chunks).
  let frame: Uint8Array | undefined;
  let filled = 0;
  try {
    for await (const chunk of p.child.stdout! as AsyncIterable<Buffer>) {
      for (let at = 0; at < chunk.length && k < o.frames.length; ) {
        frame ??= new Uint8Array(layout.size);
        const n = layout.place(frame, filled, chunk.subarray(at));
        filled += n;
        at += n;
        if (filled === layout.content) {
          const done = frame;
          frame = undefined;
          filled = 0;
          yield { index: o.frames[k++]!, rgb: done };
        }
      }
      if (o.signal?.aborted) return;
    }
    const code = await p.exited;
    if (o.signal?.aborted) return;
    if (k < o.frames.length) throw missingFramesError(hevcPath, o.frames, k, code, p.stderr());
  } finally {
    p.kill();
    await p.fed;
  }
}

interface WasmCore {
  FS: { writeFile(p: string, d: Uint8Array): void; readFile(p: string): Uint8Array };
  exec(...args: string[]): number;
  setLogger(f: (m: { type: string; message: string }) => void): void;
}

/** Runs the decode in @ffmpeg/core (WebAssembly, single thread). The core module is meant for a browser worker; Node needs `self` and the wasm bytes handed in. */
async function decodeWithWasm(hevcPath: string, o: DecodeFramesOptions, ff: FfmpegInfo, frames: number[], plan: PrunedStream | undefined): Promise<Uint8Array> {
  const g = globalThis as unknown as { self?: unknown };
  g.self ??= { location: { href: pathToFileURL(ff.path).href } };
  const mod = (await import(pathToFileURL(ff.path).href)) as { default: (opts: object) => Promise<WasmCore> };
  const wasmBinary = readFileSync(join(dirname(ff.path), 'ffmpeg-core.wasm'));
  const core = await mod.default({ wasmBinary, print: () => undefined, printErr: () => undefined });
  const log: string[] = [];
  core.setLogger((m) => {
    log.push(m.message);
    if (log.length > 200) log.shift();
  });
  core.FS.writeFile('/input.hevc', plan ? await prunedBytes(hevcPath, plan) : readFileSync(hevcPath));
  const rc = core.exec(...decodeArgs('/input.hevc', '/frames.rgb', o, frames));
  if (rc !== 0) throw new FfmpegError(`@ffmpeg/core decode failed (${rc}): ${log.filter((l) => !/^(frame=|\s)/.test(l)).slice(-3).join(' | ')}`, 'ERR_DECODE', log.join('\n'));
  try {
    return core.FS.readFile('/frames.rgb');
  } catch {
    throw new FfmpegError('@ffmpeg/core produced no frames', 'ERR_DECODE', log.join('\n'));
  }
}
