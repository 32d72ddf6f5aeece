/**
 * Any video in, an Annex-B HEVC (or H.264) file out: raw HEVC / H.264 as it is, HEVC / H.264 in a
 * container demuxed, anything else (and H.264 codectok's parser refuses) transcoded with FFmpeg's libx265 — by default the bundled FFmpeg, with the settings that make
 * the stream the same on every machine pinned (pinned_x265.ts) — and the identity of the encoder
 * that made the stream (encoder_identity.ts).
 */
import { existsSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { annexBHeadCodec, assertLooksLikeVideo, readHead, sniffContainer, type VideoCodec } from '../container.js';
import { codecOfEntry, mp4ToAnnexB } from '../mp4_demux.js';
import { parsePictures } from '../parser.js';
import { type EncoderIdentity, type EncoderParams, asIsIdentity, parseX265Version, x265Identity } from './encoder_identity.js';
import { type FfmpegInfo, type LocateOptions, type TranscoderChoice, locateFfmpeg, transcoderLocation } from './locate.js';
import { PINNED_SWS_FLAGS, checkX265Threads, pinnedX265Params } from './pinned_x265.js';
import { FfmpegError, runFfmpeg } from './process.js';
import { mp4Limits, type DecodeLimits } from '../limits.js';

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

export async function probe(input: string, ff: FfmpegInfo, signal?: AbortSignal): Promise<ProbeResult> {
  if (ff.kind !== 'native') throw new FfmpegError('probing a container needs a native FFmpeg', 'ERR_NO_FFMPEG');
  const r = await runFfmpeg(ff.path, ['-hide_banner', '-nostdin', '-i', input], { signal });
  const p = parseProbe(r.stderr);
  if (!p) {
    const last = r.stderr.trim().split('\n').pop() ?? '';
    throw new FfmpegError(`no video stream found (${last})`, 'ERR_UNSUPPORTED', r.stderr, input);
  }
  return p;
}

// ---------------------------------------------------------------- transcoding

/** OneVision-Encoder's training recipe. */
export const OVENC_X265 = { preset: 'fast', crf: 23, x265Params: 'keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1' } as const;

export interface TranscodeOptions {
  preset?: string;
  crf?: number;
  /** The user's x265 parameters; codectok appends the pinned ones (frame-threads=1:info=0). */
  x265Params?: string;
  pixFmt?: string;
  /** Extra output arguments placed before the output path. */
  extraArgs?: string[];
  /** libx265's worker threads (its pool size). Default: the cores available, at most 64. Does not change the stream. */
  threads?: number;
}

/** The settings of a transcode, defaults filled in and pinned parameters appended. */
export type ResolvedTranscode = EncoderParams & { threads: number };

export function resolveTranscode(o: TranscodeOptions = {}): ResolvedTranscode {
  const threads = o.threads ?? Math.min(availableParallelism(), 64);
  checkX265Threads(threads);
  return {
    preset: o.preset ?? OVENC_X265.preset,
    crf: o.crf ?? OVENC_X265.crf,
    x265Params: pinnedX265Params(o.x265Params ?? OVENC_X265.x265Params),
    pixFmt: o.pixFmt ?? 'yuv420p',
    swsFlags: PINNED_SWS_FLAGS,
    extraArgs: [...(o.extraArgs ?? [])],
    threads,
  };
}

export function transcodeArgs(input: string, output: string, o: TranscodeOptions = {}): string[] {
  const t = resolveTranscode(o);
  return [
    '-hide_banner', '-nostdin', '-y', '-v', 'error',
    '-i', input,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vsync', '0',
    '-c:v', 'libx265',
    '-preset', t.preset,
    '-crf', String(t.crf),
    // the pool size and the log level (libx265 says its version at level info) change no byte of the stream
    '-x265-params', `${t.x265Params}:pools=${t.threads}:log-level=info`,
    '-sws_flags', t.swsFlags,
    '-pix_fmt', t.pixFmt,
    ...t.extraArgs,
    '-f', 'hevc', output,
  ];
}

/**
 * Re-encodes the first video stream of `input` into an Annex-B HEVC file, one output frame per input
 * frame. Returns libx265's version as it reported it (null when it did not).
 */
export async function transcodeToHevc(input: string, output: string, ff: FfmpegInfo, o: TranscodeOptions = {}, signal?: AbortSignal): Promise<{ x265Version: string | null }> {
  if (ff.kind !== 'native') throw new FfmpegError('transcoding needs a native FFmpeg with libx265 (the WebAssembly build only decodes here)', 'ERR_NO_FFMPEG');
  const r = await runFfmpeg(ff.path, transcodeArgs(input, output, o), { signal });
  if (r.code !== 0) {
    const errors = r.stderr.trim().split('\n').filter((l) => !/^x265 \[info\]/.test(l));
    throw new FfmpegError(`transcoding to HEVC failed: ${errors.slice(-3).join(' | ')}`, 'ERR_FFMPEG', r.stderr, input);
  }
  return { x265Version: parseX265Version(r.stderr) };
}

/** Copies the HEVC stream out of a container codectok does not demux itself (MKV, MPEG-TS...) as Annex-B (no re-encoding). */
export async function extractAnnexB(input: string, output: string, ff: FfmpegInfo, signal?: AbortSignal): Promise<void> {
  if (ff.kind !== 'native') throw new FfmpegError('demuxing a container needs a native FFmpeg', 'ERR_NO_FFMPEG');
  const r = await runFfmpeg(ff.path, ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', input, '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'hevc_mp4toannexb', '-f', 'hevc', output], { signal });
  if (r.code !== 0) throw new FfmpegError(`extracting the HEVC stream failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, 'ERR_FFMPEG', r.stderr, input);
}

export type ReencodeMode = 'auto' | 'always' | 'never';

/** Name of the intermediate Annex-B file prepareHevc writes into its work directory. */
export const HEVC_WORK_FILE = 'input.hevc';
/** The same for an H.264 track demuxed out of an MP4/MOV. */
export const H264_WORK_FILE = 'input.h264';

export interface PreparedInput {
  /** Annex-B file to parse and decode (HEVC, or H.264 when `codec` says so). */
  hevcPath: string;
  /** The standard of hevcPath, which the parser reads. */
  codec: VideoCodec;
  /** Why an H.264 input was transcoded under reencode 'auto' (what the H.264 parser refused). */
  fallback?: string;
  /** How it was obtained. */
  route: 'annexb' | 'demuxed' | 'transcoded';
  /** Codec of the input as FFmpeg names it ('hevc' for Annex-B files read directly). */
  sourceCodec: string;
  fps?: number;
  /** The FFmpeg that probed (the frame rate), demuxed or transcoded, if any. */
  ffmpeg?: FfmpegInfo;
  transcode?: ResolvedTranscode;
  /** The encoder that made the stream (`none` when it was read as it is). */
  encoder: EncoderIdentity;
}

export interface PrepareOptions {
  reencode?: ReencodeMode;
  transcode?: TranscodeOptions;
  /** Which FFmpeg probes, demuxes and transcodes (default: FFMPEG_PATH when set, else the bundled one). */
  transcoder?: TranscoderChoice;
  /** Overrides of the transcoder's LocateOptions (tests: `sources: []` for "no FFmpeg"). */
  ffmpeg?: LocateOptions;
  /** Aborting it kills FFmpeg and stops the parsers: prepareHevc rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The parsers' resource limits (the MP4 demuxer's and the H.264 check's). */
  limits?: DecodeLimits;
}

/**
 * Turns any input into an Annex-B HEVC or H.264 file: raw HEVC is used as it is; HEVC in MP4/MOV is demuxed
 * by codectok's own demuxer (mp4_demux.ts: the bytes `parsePictures` reads from the same file; no
 * FFmpeg needed), HEVC in another container (MKV, MPEG-TS...) by FFmpeg (`-c copy`); H.264 (raw or
 * in MP4/MOV) is read the same way unless codectok's H.264 parser refuses it (`fallback` says why);
 * anything else (or everything with `reencode: 'always'`) is transcoded with libx265. `workDir`
 * receives the intermediate file.
 */
export async function prepareHevc(input: string, workDir: string, o: PrepareOptions = {}): Promise<PreparedInput> {
  const mode = o.reencode ?? 'auto';
  if (!['auto', 'always', 'never'].includes(mode)) throw new FfmpegError(`reencode must be auto, always or never, got ${String(mode)}`, 'ERR_INVALID_OPTION');
  const transcode = resolveTranscode(o.transcode); // bad settings fail before any work
  if (!existsSync(input)) throw new FfmpegError('no such file', 'ERR_IO', '', input);
  await assertLooksLikeVideo(input); // ERR_NOT_VIDEO before FFmpeg ever sees random bytes
  const head = await readHead(input);
  const annexB = annexBHeadCodec(head);
  const raw = annexB === 'hevc';
  if (raw && mode !== 'always') return { hevcPath: input, codec: 'hevc', route: 'annexb', sourceCodec: 'hevc', encoder: asIsIdentity() };
  // H.264 is parsed directly unless the parser refuses the stream (interlaced, 4:2:2...): then it is transcoded.
  let fallback: string | undefined;
  if (annexB === 'h264' && mode !== 'always') {
    fallback = await h264Refusal(input, o);
    if (!fallback) return { hevcPath: input, codec: 'h264', route: 'annexb', sourceCodec: 'h264', encoder: asIsIdentity() };
  }
  const out = join(workDir, HEVC_WORK_FILE);
  // FFmpeg, when there is one, says an MP4's frame rate: found (it answers -version) and probed
  // while codectok demuxes the track (the probe stopped if the demux fails or it is not needed)
  const located = locateFfmpeg({ ...transcoderLocation(o.transcoder), ...o.ffmpeg, prefer: 'native' }).catch((e: unknown) => e as FfmpegError);
  const demuxed = sniffContainer(head) === 'mp4' && mode !== 'always';
  let probed: Promise<ProbeResult | undefined> | undefined;
  const stopProbe = new AbortController();
  if (demuxed) {
    probed = located.then((ff) => (ff instanceof Error || stopProbe.signal.aborted ? undefined : probe(input, ff, o.signal ? AbortSignal.any([o.signal, stopProbe.signal]) : stopProbe.signal)));
    probed.catch(() => undefined);
  }
  try {
    if (demuxed) {
      const codec = await demuxMp4(input, out, o).then(
        (c): VideoCodec | undefined => c,
        (d: unknown) => {
          if ((d as { code?: string }).code !== 'ERR_UNSUPPORTED') throw d;
          return undefined; // neither HEVC nor H.264: it needs transcoding, hence FFmpeg
        },
      );
      let path = out;
      if (codec === 'h264') {
        path = join(workDir, H264_WORK_FILE);
        await rename(out, path);
        fallback = await h264Refusal(path, o);
      }
      if (codec === 'hevc' || (codec === 'h264' && !fallback)) {
        const ff = await located;
        return ff instanceof Error
          ? { hevcPath: path, codec, route: 'demuxed', sourceCodec: codec, encoder: asIsIdentity() }
          : { hevcPath: path, codec, route: 'demuxed', sourceCodec: codec, fps: ((await probed) ?? (await probe(input, ff, o.signal))).fps, ffmpeg: ff, encoder: asIsIdentity() };
      }
    }
    const ff = await located;
    if (ff instanceof Error) {
      if (ff.code === 'ERR_NO_FFMPEG' && o.transcoder === undefined && !o.ffmpeg?.sources) {
        throw new FfmpegError(`${ff.message}. codectok transcodes with the FFmpeg of @ffmpeg-installer/ffmpeg (or FFMPEG_PATH) so that every machine makes the same stream; --transcoder system or --transcoder PATH allows another one`, 'ERR_NO_FFMPEG', '', input);
      }
      throw ff;
    }
    const info = raw ? ({ codec: 'hevc', width: 0, height: 0, container: 'hevc' } as ProbeResult) : ((await probed) ?? (await probe(input, ff, o.signal)));
    if (info.codec === 'hevc' && mode !== 'always') {
      await extractAnnexB(input, out, ff, o.signal);
      return { hevcPath: out, codec: 'hevc', route: 'demuxed', sourceCodec: 'hevc', fps: info.fps, ffmpeg: ff, encoder: asIsIdentity() };
    }
    if (mode === 'never') throw new FfmpegError(`the video is ${info.codec}, not HEVC, and --reencode never forbids transcoding it`, 'ERR_UNSUPPORTED', '', input);
    const { x265Version } = await transcodeToHevc(input, out, ff, o.transcode, o.signal);
    const { threads: _threads, ...params } = transcode;
    return {
      hevcPath: out,
      codec: 'hevc',
      ...(fallback ? { fallback } : {}),
      route: 'transcoded',
      sourceCodec: info.codec,
      fps: info.fps,
      ffmpeg: ff,
      transcode,
      encoder: x265Identity(ff.version, x265Version, params),
    };
  } finally {
    stopProbe.abort();
  }
}

/**
 * Why codectok's H.264 parser cannot read a stream (its ERR_UNSUPPORTED message: interlaced coding,
 * 4:2:2 / 4:4:4, SVC / MVC...), from the headers of its first pictures; undefined when it can.
 */
async function h264Refusal(path: string, o: Pick<PrepareOptions, 'signal' | 'limits'>): Promise<string | undefined> {
  try {
    let n = 0;
    for await (const _ of parsePictures(path, { headersOnly: true, codec: 'h264', container: 'annexb', signal: o.signal, limits: o.limits })) if (++n >= 2) break;
    return undefined;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_UNSUPPORTED') return (e as Error).message;
    throw e;
  }
}

/**
 * Writes the HEVC or H.264 track of an MP4/MOV as Annex-B with codectok's demuxer and returns its
 * standard (ERR_UNSUPPORTED when it is neither).
 */
async function demuxMp4(input: string, output: string, o: Pick<PrepareOptions, 'signal' | 'limits'>): Promise<VideoCodec> {
  let codec: VideoCodec = 'hevc';
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
    const onTrack = (t: { codec: string }) => void (codec = codecOfEntry(t.codec) ?? 'hevc');
    for await (const chunk of mp4ToAnnexB(reader, { file: input, onTrack, limits: mp4Limits(o.limits) })) {
      o.signal?.throwIfAborted();
      await out.write(chunk);
    }
  } finally {
    await out.close();
    await fh.close();
  }
  return codec;
}
