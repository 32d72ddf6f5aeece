/**
 * FFmpeg for what the HEVC parser does not do: container demuxing, transcoding non-HEVC input to
 * HEVC (libx265) and decoding pixels.
 *
 * Which FFmpeg: `FFMPEG_PATH`, else `ffmpeg` on the PATH, else the binary of the npm package
 * `@ffmpeg-installer/ffmpeg`; each candidate must answer `-version`. When none runs, decoding (never
 * encoding) falls back to the WebAssembly build `@ffmpeg/core`, loaded directly in Node.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodectokError } from './errors.js';
import type { Geometry } from './geometry.js';
import { looksLikeMp4, mp4ToAnnexB } from './mp4_demux.js';

export type FfmpegSource = 'env' | 'path' | 'npm' | 'wasm';

export interface FfmpegInfo {
  kind: 'native' | 'wasm';
  source: FfmpegSource;
  /** Executable path, or the @ffmpeg/core module path. */
  path: string;
  /** First line of `-version` (or the @ffmpeg/core package version). */
  version: string;
}

/**
 * Codes: ERR_NO_FFMPEG (none runs, or the WASM build was asked to encode), ERR_FFMPEG (FFmpeg
 * failed: transcode, demux, JPEG), ERR_DECODE (fewer frames than asked), ERR_UNSUPPORTED (no video
 * stream; not HEVC with --reencode never), ERR_IO (missing input), ERR_INVALID_OPTION.
 */
export class FfmpegError extends CodectokError {
  constructor(message: string, code = 'ERR_FFMPEG', readonly stderr = '', file?: string) {
    super(code, message, { file });
    this.name = 'FfmpegError';
  }
}

const require = createRequire(import.meta.url);

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(bin: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 1 << 20) err = err.slice(-(1 << 19));
    });
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
  });
}

async function versionOf(bin: string): Promise<string | null> {
  try {
    const r = await run(bin, ['-hide_banner', '-version'], { timeoutMs: 15000 });
    if (r.code !== 0) return null;
    return r.stdout.toString().split('\n')[0]!.trim();
  } catch {
    return null;
  }
}

function npmFfmpegPath(): string | null {
  try {
    const p = (require('@ffmpeg-installer/ffmpeg') as { path?: string }).path;
    return p && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** The ES module build of @ffmpeg/core and its version (its exports map hides package.json). */
function wasmCore(): { path: string; version: string } | null {
  try {
    const dist = dirname(dirname(require.resolve('@ffmpeg/core'))); // .../dist/umd/ffmpeg-core.js
    const p = join(dist, 'esm', 'ffmpeg-core.js');
    if (!existsSync(p) || !existsSync(join(dist, 'esm', 'ffmpeg-core.wasm'))) return null;
    const { version } = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')) as { version: string };
    return { path: p, version };
  } catch {
    return null;
  }
}

export interface LocateOptions {
  /** `auto` (default): first native candidate that runs, else WASM. `native`: never WASM. `wasm`: WASM only. */
  prefer?: 'auto' | 'native' | 'wasm';
  env?: NodeJS.ProcessEnv;
  /** Native candidates to try, in this order. Default ['env', 'path', 'npm']. */
  sources?: Exclude<FfmpegSource, 'wasm'>[];
}

const cache = new Map<string, Promise<FfmpegInfo>>();

/** Candidates in order, each with where it came from. */
function nativeCandidates(env: NodeJS.ProcessEnv, sources: LocateOptions['sources'] = ['env', 'path', 'npm']): { source: FfmpegSource; path: string }[] {
  const out: { source: FfmpegSource; path: string }[] = [];
  if (env.FFMPEG_PATH && sources.includes('env')) out.push({ source: 'env', path: env.FFMPEG_PATH });
  for (const dir of sources.includes('path') ? (env.PATH ?? '').split(delimiter) : []) {
    if (!dir) continue;
    const p = join(dir, process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
    if (isExecutable(p)) {
      out.push({ source: 'path', path: p });
      break;
    }
  }
  const npm = sources.includes('npm') ? npmFfmpegPath() : null;
  if (npm) out.push({ source: 'npm', path: npm });
  return out;
}

/** Finds the FFmpeg to use (cached per option set). Throws FfmpegError ERR_NO_FFMPEG when none can run. */
export function locateFfmpeg(opts: LocateOptions = {}): Promise<FfmpegInfo> {
  const env = opts.env ?? process.env;
  const prefer = opts.prefer ?? 'auto';
  const key = `${prefer}|${env.FFMPEG_PATH ?? ''}|${env.PATH ?? ''}|${opts.sources?.join(',') ?? '*'}`;
  let p = cache.get(key);
  if (!p) {
    p = (async (): Promise<FfmpegInfo> => {
      const tried: string[] = [];
      if (prefer !== 'wasm') {
        for (const c of nativeCandidates(env, opts.sources)) {
          const v = await versionOf(c.path);
          if (v) return { kind: 'native', source: c.source, path: c.path, version: v };
          tried.push(`${c.source}: ${c.path} (does not run)`);
        }
      }
      if (prefer !== 'native') {
        const core = wasmCore();
        if (core) return { kind: 'wasm', source: 'wasm', path: core.path, version: `@ffmpeg/core ${core.version}` };
        tried.push('@ffmpeg/core (not installed)');
      }
      throw new FfmpegError(`no usable FFmpeg: set FFMPEG_PATH, put ffmpeg on the PATH or install @ffmpeg-installer/ffmpeg (tried: ${tried.join('; ') || 'nothing'})`, 'ERR_NO_FFMPEG');
    })();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

// ---------------------------------------------------------------- probing

export interface ProbeResult {
  /** FFmpeg's codec name of the first video stream (h264, hevc, mpeg4, vp9, av1...). */
  codec: string;
  width: number;
  height: number;
  /** Frame rate (fps, else tbr); undefined when FFmpeg does not say. */
  fps?: number;
  durationS?: number;
  /** Container format name(s) from the "Input #0, ..." line. */
  container: string;
}

/** Parses the banner FFmpeg prints for `ffmpeg -i INPUT`. */
export function parseProbe(stderr: string): ProbeResult | null {
  const stream = /Stream #\d+:\d+[^:]*: Video: ([A-Za-z0-9_]+)([^\n]*)/.exec(stderr);
  if (!stream) return null;
  const rest = stream[2]!;
  const size = /,\s*(\d{1,5})x(\d{1,5})/.exec(rest);
  const fps = /,\s*([\d.]+)(k?) fps/.exec(rest) ?? /,\s*([\d.]+)(k?) tbr/.exec(rest);
  const dur = /Duration: (\d+):(\d+):([\d.]+)/.exec(stderr);
  const container = /Input #0, ([^\n]*?), from/.exec(stderr);
  return {
    codec: stream[1]!,
    width: size ? Number(size[1]) : 0,
    height: size ? Number(size[2]) : 0,
    fps: fps ? Number(fps[1]) * (fps[2] === 'k' ? 1000 : 1) : undefined,
    durationS: dur ? Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) : undefined,
    container: container ? container[1]! : '',
  };
}

export async function probe(input: string, ff: FfmpegInfo): Promise<ProbeResult> {
  if (ff.kind !== 'native') throw new FfmpegError('probing a container needs a native FFmpeg', 'ERR_NO_FFMPEG');
  const r = await run(ff.path, ['-hide_banner', '-nostdin', '-i', input]);
  const p = parseProbe(r.stderr);
  if (!p) {
    const last = r.stderr.trim().split('\n').pop() ?? '';
    throw new FfmpegError(`no video stream found (${last})`, 'ERR_UNSUPPORTED', r.stderr, input);
  }
  return p;
}

/** True when the file starts like an Annex-B HEVC byte stream (start code, then a VPS/SPS/PPS/AUD/SEI/slice NAL). */
export function looksLikeAnnexBHevc(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(64);
    const n = readSync(fd, b, 0, 64, 0);
    let i = 0;
    while (i < n && b[i] === 0) i++;
    if (i < 2 || i >= n || b[i] !== 1 || i + 2 >= n) return false;
    const nalType = (b[i + 1]! >> 1) & 0x3f;
    const forbidden = b[i + 1]! & 0x80;
    return !forbidden && (nalType === 32 || nalType === 33 || nalType === 34 || nalType === 35 || nalType === 39 || nalType <= 21);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// ---------------------------------------------------------------- transcoding

/** OneVision-Encoder's training recipe. */
export const OVENC_X265 = { preset: 'fast', crf: 23, x265Params: 'keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1' } as const;

export interface TranscodeOptions {
  preset?: string;
  crf?: number;
  x265Params?: string;
  pixFmt?: string;
  /** Extra output arguments placed before the output path. */
  extraArgs?: string[];
}

export function transcodeArgs(input: string, output: string, o: TranscodeOptions = {}): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-v', 'error',
    '-i', input,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vsync', '0',
    '-c:v', 'libx265',
    '-preset', o.preset ?? OVENC_X265.preset,
    '-crf', String(o.crf ?? OVENC_X265.crf),
    '-x265-params', `${o.x265Params ?? OVENC_X265.x265Params}:log-level=error`,
    '-pix_fmt', o.pixFmt ?? 'yuv420p',
    ...(o.extraArgs ?? []),
    '-f', 'hevc', output,
  ];
}

/** Re-encodes the first video stream of `input` into an Annex-B HEVC file, one output frame per input frame. */
export async function transcodeToHevc(input: string, output: string, ff: FfmpegInfo, o: TranscodeOptions = {}): Promise<void> {
  if (ff.kind !== 'native') throw new FfmpegError('transcoding needs a native FFmpeg with libx265 (the WebAssembly build only decodes here)', 'ERR_NO_FFMPEG');
  const r = await run(ff.path, transcodeArgs(input, output, o));
  if (r.code !== 0) throw new FfmpegError(`transcoding to HEVC failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, 'ERR_FFMPEG', r.stderr, input);
}

/** Copies the HEVC stream out of a container as Annex-B (no re-encoding). */
export async function extractAnnexB(input: string, output: string, ff: FfmpegInfo): Promise<void> {
  if (ff.kind !== 'native') throw new FfmpegError('demuxing a container needs a native FFmpeg', 'ERR_NO_FFMPEG');
  const r = await run(ff.path, ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', input, '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'hevc_mp4toannexb', '-f', 'hevc', output]);
  if (r.code !== 0) throw new FfmpegError(`extracting the HEVC stream failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, 'ERR_FFMPEG', r.stderr, input);
}

export type ReencodeMode = 'auto' | 'always' | 'never';

/** Name of the intermediate Annex-B file prepareHevc writes into its work directory. */
export const HEVC_WORK_FILE = 'input.hevc';

export interface PreparedInput {
  /** Annex-B HEVC file to parse and decode. */
  hevcPath: string;
  /** How it was obtained. */
  route: 'annexb' | 'demuxed' | 'transcoded';
  /** Codec of the input as FFmpeg names it ('hevc' for Annex-B files read directly). */
  sourceCodec: string;
  fps?: number;
  /** The FFmpeg that demuxed or transcoded, if any. */
  ffmpeg?: FfmpegInfo;
  transcode?: Required<Omit<TranscodeOptions, 'extraArgs'>> & { extraArgs: string[] };
}

/**
 * Turns any input into an Annex-B HEVC file: raw HEVC is used as it is, HEVC in a container is
 * demuxed, anything else (or everything with `reencode: 'always'`) is transcoded with libx265.
 * `workDir` receives the intermediate file.
 */
export async function prepareHevc(input: string, workDir: string, o: { reencode?: ReencodeMode; transcode?: TranscodeOptions; ffmpeg?: LocateOptions } = {}): Promise<PreparedInput> {
  const mode = o.reencode ?? 'auto';
  if (!['auto', 'always', 'never'].includes(mode)) throw new FfmpegError(`reencode must be auto, always or never, got ${String(mode)}`, 'ERR_INVALID_OPTION');
  if (!existsSync(input)) throw new FfmpegError('no such file', 'ERR_IO', '', input);
  const raw = looksLikeAnnexBHevc(input);
  if (raw && mode !== 'always') return { hevcPath: input, route: 'annexb', sourceCodec: 'hevc' };
  let ff: FfmpegInfo;
  try {
    ff = await locateFfmpeg({ ...o.ffmpeg, prefer: 'native' });
  } catch (e) {
    // no native FFmpeg: HEVC in MP4/MOV can still be demuxed by codectok's own demuxer
    if (mode !== 'always' && (await isMp4(input))) {
      const out = join(workDir, HEVC_WORK_FILE);
      const ok = await demuxMp4(input, out).then(
        () => true,
        (d: unknown) => {
          if ((d as { code?: string }).code !== 'ERR_UNSUPPORTED') throw d;
          return false; // not HEVC: it needs transcoding, hence FFmpeg
        },
      );
      if (ok) return { hevcPath: out, route: 'demuxed', sourceCodec: 'hevc' };
    }
    throw e;
  }
  const info = raw ? { codec: 'hevc', width: 0, height: 0, container: 'hevc' } as ProbeResult : await probe(input, ff);
  const out = join(workDir, HEVC_WORK_FILE);
  if (info.codec === 'hevc' && mode !== 'always') {
    await extractAnnexB(input, out, ff);
    return { hevcPath: out, route: 'demuxed', sourceCodec: 'hevc', fps: info.fps, ffmpeg: ff };
  }
  if (mode === 'never') throw new FfmpegError(`the video is ${info.codec}, not HEVC, and --reencode never forbids transcoding it`, 'ERR_UNSUPPORTED', '', input);
  const t = o.transcode ?? {};
  await transcodeToHevc(input, out, ff, t);
  return {
    hevcPath: out,
    route: 'transcoded',
    sourceCodec: info.codec,
    fps: info.fps,
    ffmpeg: ff,
    transcode: { preset: t.preset ?? OVENC_X265.preset, crf: t.crf ?? OVENC_X265.crf, x265Params: t.x265Params ?? OVENC_X265.x265Params, pixFmt: t.pixFmt ?? 'yuv420p', extraArgs: t.extraArgs ?? [] },
  };
}

async function isMp4(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await fh.read(head, 0, 16, 0);
    return looksLikeMp4(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Writes the HEVC track of an MP4/MOV as Annex-B with codectok's demuxer (ERR_UNSUPPORTED when it is not HEVC). */
async function demuxMp4(input: string, output: string): Promise<void> {
  const fh = await open(input, 'r');
  const out = await open(output, 'w');
  try {
    const { size } = await fh.stat();
    const reader = {
      size,
      read: async (position: number, length: number) => {
        const b = Buffer.alloc(length);
        const { bytesRead } = await fh.read(b, 0, length, position);
        return b.subarray(0, bytesRead);
      },
    };
    for await (const chunk of mp4ToAnnexB(reader, { file: input })) await out.write(chunk);
  } finally {
    await out.close();
    await fh.close();
  }
}

// ---------------------------------------------------------------- decoding pixels

export interface DecodeFramesOptions {
  /** Source frame indices (output order of the HEVC stream), strictly increasing. */
  frames: number[];
  geometry: Geometry;
  /** swscale algorithm for the resize. Default bicubic. */
  scaler?: string;
}

/** The filter graph that selects the frames and resizes them to the output geometry. */
export function decodeFilter(o: DecodeFramesOptions): string {
  const g = o.geometry;
  const sel = o.frames.map((n) => `eq(n\\,${n})`).join('+');
  return `select=${sel},scale=${g.scaledWidth}:${g.scaledHeight}:flags=${o.scaler ?? 'bicubic'},pad=${g.outWidth}:${g.outHeight}:${g.padLeft}:${g.padTop}:black,format=rgb24`;
}

function decodeArgs(input: string, output: string, o: DecodeFramesOptions): string[] {
  return ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'hevc', '-i', input, '-vf', decodeFilter(o), '-vsync', '0', '-frames:v', String(o.frames.length), '-pix_fmt', 'rgb24', '-f', 'rawvideo', output];
}

function checkFrames(frames: number[]): void {
  for (let i = 0; i < frames.length; i++) {
    if (!Number.isInteger(frames[i]) || frames[i]! < 0 || (i > 0 && frames[i]! <= frames[i - 1]!)) throw new FfmpegError('frames to decode must be increasing non-negative integers', 'ERR_INVALID_OPTION');
  }
}

/**
 * Decodes the given frames of an Annex-B HEVC file to RGB24 at the output geometry (outHeight x
 * outWidth x 3, letterbox padding black). FFmpeg stops after the last needed frame.
 */
export async function* decodeFrames(hevcPath: string, o: DecodeFramesOptions, ff: FfmpegInfo): AsyncGenerator<{ index: number; rgb: Uint8Array }> {
  checkFrames(o.frames);
  if (o.frames.length === 0) return;
  const size = o.geometry.outWidth * o.geometry.outHeight * 3;
  if (ff.kind === 'wasm') {
    const data = await decodeWithWasm(hevcPath, o, ff);
    const n = Math.floor(data.length / size);
    for (let k = 0; k < o.frames.length; k++) {
      if (k >= n) throw new FfmpegError(`decoding returned ${n} of ${o.frames.length} frames (the stream has no frame ${o.frames[k]})`, 'ERR_DECODE');
      yield { index: o.frames[k]!, rgb: data.subarray(k * size, (k + 1) * size) };
    }
    return;
  }
  const child = spawn(ff.path, decodeArgs(hevcPath, 'pipe:1', o), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 1 << 16) stderr = stderr.slice(-(1 << 15));
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const failed = new Promise<never>((_, reject) => child.on('error', (e) => reject(new FfmpegError(`cannot run ${ff.path}: ${e.message}`, 'ERR_NO_FFMPEG'))));
  failed.catch(() => undefined);
  let k = 0;
  let buf: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= size && k < o.frames.length) {
        const frame = new Uint8Array(size);
        frame.set(buf.subarray(0, size));
        buf = buf.subarray(size);
        yield { index: o.frames[k++]!, rgb: frame };
      }
    }
    const code = await Promise.race([closed, failed]);
    if (k < o.frames.length) {
      throw new FfmpegError(`decoding ${hevcPath} returned ${k} of ${o.frames.length} frames${code ? ` (ffmpeg exit ${code}: ${stderr.trim().split('\n').pop()})` : ` (the stream has no frame ${o.frames[k]})`}`, 'ERR_DECODE', stderr);
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

interface WasmCore {
  FS: { writeFile(p: string, d: Uint8Array): void; readFile(p: string): Uint8Array };
  exec(...args: string[]): number;
  setLogger(f: (m: { type: string; message: string }) => void): void;
}

/** Runs the decode in @ffmpeg/core (WebAssembly, single thread). The core module is meant for a browser worker; Node needs `self` and the wasm bytes handed in. */
async function decodeWithWasm(hevcPath: string, o: DecodeFramesOptions, ff: FfmpegInfo): Promise<Uint8Array> {
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
  core.FS.writeFile('/input.hevc', readFileSync(hevcPath));
  const rc = core.exec(...decodeArgs('/input.hevc', '/frames.rgb', o));
  if (rc !== 0) throw new FfmpegError(`@ffmpeg/core decode failed (${rc}): ${log.filter((l) => !/^(frame=|\s)/.test(l)).slice(-3).join(' | ')}`, 'ERR_DECODE', log.join('\n'));
  try {
    return core.FS.readFile('/frames.rgb');
  } catch {
    throw new FfmpegError('@ffmpeg/core produced no frames', 'ERR_DECODE', log.join('\n'));
  }
}

/** Encodes RGB24 pixels to a JPEG file with a native FFmpeg. */
export async function writeJpeg(path: string, rgb: Uint8Array, width: number, height: number, ff: FfmpegInfo, quality = 2): Promise<void> {
  if (ff.kind !== 'native') throw new FfmpegError('JPEG output needs a native FFmpeg (use PNG instead)', 'ERR_NO_FFMPEG');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(ff.path, ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', 'pipe:0', '-frames:v', '1', '-q:v', String(quality), '-pix_fmt', 'yuvj444p', path], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new FfmpegError(`JPEG encoding of ${path} failed: ${err.trim()}`, 'ERR_FFMPEG', err))));
    child.stdin.end(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength));
  });
}
