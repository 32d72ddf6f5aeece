// The public streaming API: HEVC or H.264 video in, pictures (motion field, coding-unit
// map, bit costs, residual, transform-block statistics) out, in output order.
//
//   for await (const pic of parsePictures('clip.mp4')) { ... }
//
// Input: a file path (read in chunks: a long video is never held in memory), a
// Uint8Array holding the whole file, or an AsyncIterable of byte chunks (e.g. a
// Readable stream). The container is detected from the first bytes: an ISO-BMFF
// box (ftyp...) means MP4/MOV (demuxed by mp4_demux.ts), a start code means an
// Annex-B elementary stream; a path ending in .hevc/.h265/.265 or
// .h264/.264/.avc is taken as Annex-B in any case. The coding standard comes
// from the MP4 sample entry (hvc1/hev1: HEVC, avc1/avc3: H.264) or, for
// Annex-B, from the file extension else the NAL unit headers (annexBCodec);
// each picture's `codec` says which parser read it.
//
// Backpressure: the next chunk is read and decoded only when the consumer has
// pulled every picture produced by the previous one.
import { open, type FileHandle } from 'node:fs/promises';

import { CodectokError, toCodectokError } from '../errors.js';
import { checkBoolean, checkFunction, checkNumber, checkOneOf, checkOptions, invalidArgument } from '../validate.js';
import { concatBytes } from './bytes.js';
import { decideAnnexBCodec, decideContainer, HEAD_BYTES, notVideo, StartCodeScanner, type VideoCodec } from './container.js';
import { codecOfEntry, mp4ToAnnexB, type Mp4TrackInfo, type RandomAccessReader } from './mp4_demux.js';
import { checkLimits, mp4Limits, nativeLimits, type DecodeLimits } from './limits.js';
import type { DecodeOptions } from './decode_options.js';
import { decodeSegmented } from './segmented_decode.js';
import { loadNative, type NativeAddon, type NativeDecodeOptions, type NativeDecoder, type NativePicture } from './native.js';

export { CodectokError, type CodectokErrorCode } from '../errors.js';
export type { DecodeOptions } from './decode_options.js';
export type { VideoCodec } from './container.js';

export interface ParseOptions extends DecodeOptions {
  /** Bytes read (and decoded) per step; default 1 MiB. */
  chunkSize?: number;
  /** Skip detection: 'annexb' or 'mp4'. Default 'auto'. */
  container?: 'auto' | 'annexb' | 'mp4';
  /** Coding standard of an Annex-B stream: skip its detection. Default 'auto'. */
  codec?: 'auto' | VideoCodec;
  /** Called once the container is known (and, for MP4, the track). */
  onContainer?: (info: ContainerInfo) => void;
  /** Resource limits (see DecodeLimits); a file that exceeds one fails with ERR_LIMIT_EXCEEDED naming it. */
  limits?: DecodeLimits;
  /**
   * Decode one stream on this many threads (default 1): the stream is cut at its random-access
   * points (HEVC IDR/BLA and CRA pictures without RASL pictures, H.264 IDR pictures) and the
   * segments decode at once on the libuv thread pool (UV_THREADPOOL_SIZE, 4 by default). The
   * pictures are the same, in the same order, as with one thread. A stream with a single
   * random-access point decodes on one thread whatever this says.
   */
  threads?: number;
  /**
   * Stops the parse when aborted: the iteration throws the signal's reason (a CodectokError as it
   * is, anything else as ERR_CANCELLED), and a native call in progress stops at its next NAL unit.
   */
  signal?: AbortSignal;
}

export interface ContainerInfo {
  container: 'annexb' | 'mp4';
  track?: Mp4TrackInfo;
  /** The standard the stream is parsed as. */
  codec: VideoCodec;
}

export type { Slice } from './native.js';

/**
 * One picture, in output (display) order. Array layouts are those of the
 * reference corpus (test/fixtures/hevc-corpus/README.md), row-major, coded
 * (uncropped) size W x H = width x height:
 * - motion int16 [ceil(H/4)][ceil(W/4)][8]: pred_mode (0 intra, 1 inter,
 *   2 skip), inter_dir, mv0x, mv0y, mv1x, mv1y (quarter samples), refpoc0,
 *   refpoc1 (-32768 when unused);
 * - cu int16 [ceil(H/8)][ceil(W/8)][4]: log2 CU size, part_mode, QpY, pred_mode;
 * - bits float32 [ceil(H/8)][ceil(W/8)]: entropy-coded bits of the covering CU
 *   (HEVC: with the split flags before it), spread by area; HEVC CTB-level syntax
 *   (SAO, end of slice segment / substream) is spread over its CTB: the map sums
 *   to totalBits;
 * - residual int16 [H][W]: luma residual;
 * - tu int64 [n][13]: one row per coded transform block, decoding order.
 * The typed arrays view memory owned by the native decoder (no copy).
 */
export interface Picture extends NativePicture {
  /** Position in output order, from 0. */
  outIndex: number;
}

/** Shapes of a picture's arrays (the tu row count is that of the picture). */
export function pictureShapes(p: Pick<Picture, 'width' | 'height'> & { tu?: BigInt64Array }) {
  const h4 = Math.ceil(p.height / 4);
  const w4 = Math.ceil(p.width / 4);
  const h8 = Math.ceil(p.height / 8);
  const w8 = Math.ceil(p.width / 8);
  return {
    motion: [h4, w4, 8],
    cu: [h8, w8, 4],
    bits: [h8, w8],
    residual: [p.height, p.width],
    tu: [p.tu ? p.tu.length / TU_COLUMNS : 0, TU_COLUMNS],
  };
}

export const TU_COLUMNS = 13;

/** nal_unit_type names of the VCL types: HEVC Table 7-1, or H.264 Table 7-1 (IDR / non-IDR slices). */
export function nalTypeName(t: number, codec: VideoCodec = 'hevc'): string {
  if (codec === 'h264') return t === 5 ? 'IDR' : t === 1 ? 'NON_IDR' : `NAL_${t}`;
  const names: Record<number, string> = {
    0: 'TRAIL_N', 1: 'TRAIL_R', 2: 'TSA_N', 3: 'TSA_R', 4: 'STSA_N', 5: 'STSA_R',
    6: 'RADL_N', 7: 'RADL_R', 8: 'RASL_N', 9: 'RASL_R',
    16: 'BLA_W_LP', 17: 'BLA_W_RADL', 18: 'BLA_N_LP', 19: 'IDR_W_RADL', 20: 'IDR_N_LP', 21: 'CRA_NUT',
  };
  return names[t] ?? `NAL_${t}`;
}

export const DEFAULT_CHUNK_SIZE = 1 << 20;

export type ParseInput = string | Uint8Array | AsyncIterable<Uint8Array>;

/** Every option name of ParseOptions (the compiler checks the list is complete). */
const PARSE_OPTION_NAMES = Object.keys({
  motion: true, cu: true, bits: true, tuStats: true, residual: true, headersOnly: true, pictures: true, recycle: true,
  chunkSize: true, container: true, codec: true, onContainer: true, limits: true, signal: true, threads: true,
} satisfies Record<keyof ParseOptions, true>);

/** Most threads one stream decodes on. */
export const MAX_THREADS = 64;

/** Largest decode index the native decoder takes (int32). */
const MAX_PICTURE_INDEX = 0x7fffffff;

/** ParseOptions once checked: `pictures` as an array. */
type CheckedParseOptions = Omit<ParseOptions, 'pictures'> & { pictures?: number[] };

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
}

/**
 * Checks the arguments of a parser entry point (`fn` names it in the messages): the input's type,
 * option names, each option's type, the picture indices (integers 0..2^31-1). Throws
 * CodectokError ERR_INVALID_OPTION.
 */
export function checkParseArguments(fn: string, input: unknown, options: unknown): CheckedParseOptions {
  if (!(typeof input === 'string' && input.length > 0) && !(input instanceof Uint8Array) && !isAsyncIterable(input)) {
    throw invalidArgument(fn, 'input', 'a file path, a Uint8Array or an AsyncIterable<Uint8Array>', input);
  }
  const o = checkOptions(fn, options, PARSE_OPTION_NAMES);
  for (const name of ['motion', 'cu', 'bits', 'tuStats', 'residual', 'headersOnly', 'recycle']) checkBoolean(fn, o, name);
  checkNumber(fn, o, 'chunkSize', 1);
  checkNumber(fn, o, 'threads', 1, true);
  if (typeof o.threads === 'number' && o.threads > MAX_THREADS) throw invalidArgument(fn, 'options.threads', `an integer from 1 to ${MAX_THREADS}`, o.threads);
  checkOneOf(fn, o, 'container', ['auto', 'annexb', 'mp4']);
  checkOneOf(fn, o, 'codec', ['auto', 'hevc', 'h264']);
  checkFunction(fn, o, 'onContainer');
  const limits = checkLimits(fn, o.limits);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw invalidArgument(fn, 'options.signal', 'an AbortSignal', o.signal);
  let pictures: number[] | undefined;
  if (o.pictures !== undefined) {
    const p = o.pictures;
    if (typeof p !== 'object' || p === null || typeof (p as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw invalidArgument(fn, 'options.pictures', 'an iterable of decode indices', p);
    }
    pictures = [];
    for (const i of p as Iterable<unknown>) {
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i > MAX_PICTURE_INDEX) {
        throw invalidArgument(fn, 'options.pictures', 'decode indices (integers 0..2^31-1)', i);
      }
      pictures.push(i);
    }
  }
  return { ...(o as ParseOptions), pictures, limits };
}

/**
 * Streams the pictures of an HEVC or H.264 video (Annex-B or MP4/MOV), in output order.
 *
 * The arguments are checked when it is called (before anything is read): a bad one throws
 * CodectokError `ERR_INVALID_OPTION` at once. Errors while reading and decoding are
 * CodectokError too (code, byteOffset, picture, file), thrown by the iteration.
 *
 * A `Uint8Array` input is read chunk by chunk while the iteration runs (each chunk is copied
 * when it is handed to the decoder): leave it unchanged until the loop has ended.
 */
export function parsePictures(input: ParseInput, options: ParseOptions = {}): AsyncGenerator<Picture> {
  return decodePictures(input, checkParseArguments('parsePictures', input, options), {});
}

/**
 * What tokenize and inspect ask of the decoder besides the codec maps: patch scores (`score`:
 * the scored pictures carry `scores` or `signalMaps`, `camera` and `change` instead of their
 * arrays) and motion summaries (`summary`: picture.summary; with motion false the field itself
 * is not handed out). Internal: parsePictures and parseFile refuse these names like any unknown
 * option; only parsePicturesAnalysed takes them.
 */
export type DecoderAnalysis = Pick<NativeDecodeOptions, 'score' | 'summary'>;

/**
 * parsePictures (the same checks, `fn` names the caller in their messages) with the decoder-side
 * analyses of tokenize and inspect. Internal: not exported by the package's entry points.
 */
export function parsePicturesAnalysed(fn: string, input: ParseInput, options: ParseOptions, analysis: DecoderAnalysis): AsyncGenerator<Picture> {
  return decodePictures(input, checkParseArguments(fn, input, options), analysis);
}

async function* decodePictures(input: ParseInput, options: CheckedParseOptions, analysis: DecoderAnalysis): AsyncGenerator<Picture> {
  const file = typeof input === 'string' ? input : undefined;
  const chunkSize = Math.max(4096, Math.floor(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
  const headersOnly = options.headersOnly ?? false;
  const perCall = headersOnly ? HEADER_PICTURES_PER_CALL : PICTURES_PER_CALL;
  const perPush = headersOnly ? HEADER_PICTURES_PER_PUSH : PICTURES_PER_PUSH;
  const decodeOptions: NativeDecodeOptions = {
    motion: options.motion ?? true,
    cu: options.cu ?? true,
    bits: options.bits ?? true,
    tuStats: options.tuStats ?? false,
    residual: options.residual ?? false,
    headersOnly,
    pictures: options.pictures,
    score: analysis.score,
    summary: analysis.summary ?? false,
    maxPicturesPerCall: perCall,
    limits: nativeLimits(options.limits),
  };
  let outIndex = 0;
  const finalize = (p: NativePicture): Picture => Object.assign(p, { outIndex: outIndex++ }) as Picture;
  let source: Source | undefined;
  let native: NativeAddon | undefined;
  let previous: NativePicture | undefined;
  // With recycle, each picture is released when the consumer asks for the next.
  const handOut = function* (p: NativePicture): Generator<Picture> {
    if (previous) native!.releasePicture(previous);
    previous = options.recycle ? p : undefined;
    yield finalize(p);
  };
  let batches: AsyncGenerator<NativePicture[]> | undefined;
  const signal = options.signal;
  // Aborted: the native call in progress stops at its next NAL unit (ERR_CANCELLED), then the
  // iteration throws the signal's reason.
  let decoder: NativeDecoder | undefined;
  const segmentDecoders: NativeDecoder[] = [];
  const onAbort = () => {
    decoder?.cancel();
    for (const d of segmentDecoders) d.cancel();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw signal.reason;
    source = await openSource(input, chunkSize, options, file);
    native = loadNative();
    const addon = native;
    const src = source;
    const sizer = new PushSizer(chunkSize, perPush);
    const chunks = source.chunks;
    // An Annex-B input without a single start code is not a video (random bytes, a
    // file of another kind with an HEVC extension): say so rather than "no pictures".
    const scanner = source.container === 'annexb' ? new StartCodeScanner() : undefined;
    const threads = options.threads ?? 1;
    // The native calls, in order; each resolves to the pictures it completed.
    // The decoder is made at the first chunk: an MP4's track (hence its codec) is known by then.
    // With threads > 1 the stream is cut at its random-access points and the segments decode at
    // once (decodeSegmented). The C++ core's frame threads (DecodeOptions::threads,
    // cpp/stream/hevc_picture_pipeline.h) are not used here: on the bench streams they were no
    // faster than segments and took more CPU (README, Speed).
    batches = threads > 1 ? decodeSegmented(addon, scanned(chunks, scanner, file), {
      threads,
      codec: () => src.codec(),
      decodeOptions,
      limits: decodeOptions.limits,
      picturesPerCall: perCall,
      signal,
      onDecoder: (d) => {
        segmentDecoders.push(d);
        if (signal?.aborted) d.cancel();
      },
    }) : (async function* () {
      for await (const chunk of chunks) {
        if (signal?.aborted) throw signal.reason;
        if (scanner && !scanner.found) scanner.push(chunk);
        decoder ??= new addon.NativeDecoder({ ...decodeOptions, codec: src.codec() });
        // Push about perPush pictures' worth of bytes at a time, so
        // that a low-bitrate stream never materializes thousands of pictures.
        for (let offset = 0; offset < chunk.length; ) {
          const n = Math.min(chunk.length - offset, sizer.next());
          let pictures = await decoder.push(chunk.subarray(offset, offset + n));
          offset += n;
          let made = pictures.length;
          yield pictures;
          // The decoder stops after perCall pictures: resume until it has no more.
          while (pictures.length >= perCall) {
            pictures = await decoder.push(EMPTY);
            made += pictures.length;
            yield pictures;
          }
          sizer.record(n, made);
        }
      }
      if (scanner && !scanner.found) throw notVideo(scanner.bytes, file);
      decoder ??= new addon.NativeDecoder({ ...decodeOptions, codec: src.codec() });
      yield await decoder.finish();
    })();
    // One batch of look-ahead: the decoder works on the next pictures (on the
    // thread pool) while the consumer handles these.
    let next = batches.next();
    for (;;) {
      const r = await next;
      if (r.done) break;
      next = batches.next();
      next.catch(() => {}); // awaited on the next turn; no unhandled rejection meanwhile
      for (const p of r.value) yield* handOut(p);
    }
  } catch (e) {
    throw signal?.aborted ? abortError(signal, file) : toCodectokError(e, file);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (previous) native?.releasePicture(previous);
    await batches?.return(undefined).catch(() => {});
    await source?.close();
  }
}

/** The chunks, watched for a start code: an Annex-B input without one is not a video. */
async function* scanned(chunks: AsyncIterable<Uint8Array>, scanner: StartCodeScanner | undefined, file: string | undefined): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    if (scanner && !scanner.found) scanner.push(chunk);
    yield chunk;
  }
  if (scanner && !scanner.found) throw notVideo(scanner.bytes, file);
}

/** What an aborted parse throws: the signal's reason when it is a CodectokError (ERR_TIMEOUT...), else ERR_CANCELLED. */
function abortError(signal: AbortSignal, file: string | undefined): CodectokError {
  const reason: unknown = signal.reason;
  if (reason instanceof CodectokError) return reason;
  return new CodectokError('ERR_CANCELLED', `parsing cancelled${reason instanceof Error ? `: ${reason.message}` : ''}`, { file, cause: reason });
}

/**
 * Decodes a whole file (or buffer) into an array: convenient for short clips. `recycle` is
 * refused (ERR_INVALID_OPTION): it would hand back pictures whose arrays are already released.
 */
export async function parseFile(input: string | Uint8Array, options: ParseOptions = {}): Promise<Picture[]> {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) throw invalidArgument('parseFile', 'input', 'a file path or a Uint8Array', input);
  const checked = checkParseArguments('parseFile', input, options);
  if (checked.recycle) throw invalidArgument('parseFile', 'options.recycle', 'false (parseFile keeps every picture: use parsePictures to recycle)', true);
  const out: Picture[] = [];
  for await (const p of decodePictures(input, checked, {})) out.push(p);
  return out;
}

const PICTURES_PER_PUSH = 16;
/**
 * Headers only (no arrays: a picture is its header record, about a hundred bytes): far more
 * pictures per push and per native call, so that a headers pass is a few calls, not one per 8
 * pictures (each call a round trip through the thread pool and a copy of its bytes).
 */
const HEADER_PICTURES_PER_PUSH = 1024;
const HEADER_PICTURES_PER_CALL = 1024;
/** At most this many pictures come back from one native call (bounds memory at any bitrate). */
const PICTURES_PER_CALL = 8;
const EMPTY = new Uint8Array(0);
const FIRST_PUSH = 16 << 10;
const MIN_PUSH = 4 << 10;

/** Bytes to push next: about PICTURES_PER_PUSH pictures at the bitrate seen so far. */
class PushSizer {
  private bytes = 0;
  private pictures = 0;
  constructor(
    private readonly max: number,
    private readonly perPush: number,
  ) {}
  next(): number {
    if (this.pictures === 0) return Math.min(this.max, Math.max(FIRST_PUSH, this.bytes));
    const perPicture = this.bytes / this.pictures;
    return Math.min(this.max, Math.max(MIN_PUSH, Math.round(perPicture * this.perPush)));
  }
  record(bytes: number, pictures: number): void {
    this.bytes += bytes;
    this.pictures += pictures;
  }
}

interface Source {
  container: 'annexb' | 'mp4';
  chunks: AsyncIterable<Uint8Array>;
  close(): Promise<void>;
  /** The standard to parse the chunks as (for MP4, known once the first chunk came). */
  codec(): VideoCodec;
}

/** An MP4 source: the codec comes from the track the demuxer picks. */
function mp4Source(
  make: (onTrack: (t: Mp4TrackInfo) => void) => AsyncIterable<Uint8Array>,
  close: () => Promise<void>,
  announce: (container: 'mp4', codec: VideoCodec, track: Mp4TrackInfo) => void,
): Source {
  let codec: VideoCodec = 'hevc';
  const chunks = make((t) => {
    codec = codecOfEntry(t.codec) ?? 'hevc';
    announce('mp4', codec, t);
  });
  return { container: 'mp4', chunks, close, codec: () => codec };
}

async function openSource(
  input: ParseInput,
  chunkSize: number,
  options: CheckedParseOptions,
  file: string | undefined,
): Promise<Source> {
  const announce = (container: 'annexb' | 'mp4', codec: VideoCodec, track?: Mp4TrackInfo) =>
    options.onContainer?.(track ? { container, track, codec } : { container, codec });

  if (typeof input === 'string') {
    let fh: FileHandle;
    try {
      fh = await open(input, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot open: ${(e as Error).message}`;
      throw new CodectokError('ERR_IO', why, { file: input, cause: e });
    }
    try {
      const stat = await fh.stat();
      if (!stat.isFile()) throw new CodectokError('ERR_IO', 'not a regular file', { file: input });
      const size = stat.size;
      if (size === 0) throw notVideo(0, input);
      const head = await readAt(fh, 0, Math.min(HEAD_BYTES, size));
      const container = decideContainer(head, options.container, file);
      if (container === 'mp4') {
        const reader: RandomAccessReader = { size, read: (pos, len) => readAt(fh, pos, len) };
        return mp4Source((onTrack) => mp4ToAnnexB(reader, { chunkSize, file, onTrack, limits: mp4Limits(options.limits) }), () => fh.close(), announce);
      }
      const codec = decideAnnexBCodec(head, options.codec, file);
      announce('annexb', codec);
      return { container, chunks: fileChunks(fh, chunkSize), close: () => fh.close(), codec: () => codec };
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  if (input instanceof Uint8Array) {
    if (input.length === 0) throw notVideo(0);
    const container = decideContainer(input.subarray(0, HEAD_BYTES), options.container, file);
    if (container === 'mp4') {
      const reader: RandomAccessReader = {
        size: input.length,
        read: async (pos, len) => input.subarray(pos, pos + len),
      };
      return mp4Source((onTrack) => mp4ToAnnexB(reader, { chunkSize, onTrack, limits: mp4Limits(options.limits) }), async () => {}, announce);
    }
    const codec = decideAnnexBCodec(input.subarray(0, HEAD_BYTES), options.codec, file);
    announce('annexb', codec);
    return { container, chunks: arrayChunks(input, chunkSize), close: async () => {}, codec: () => codec };
  }

  if (input && typeof (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    const it = (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    // Read enough to sniff the container, then replay those chunks.
    const first: Uint8Array[] = [];
    let have = 0;
    let done = false;
    while (have < HEAD_BYTES) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      const chunk = toBytes(r.value);
      first.push(chunk);
      have += chunk.length;
    }
    const close = async () => {
      if (!done) await it.return?.();
    };
    if (have === 0) {
      await close();
      throw notVideo(0);
    }
    const head = concatBytes(first).subarray(0, HEAD_BYTES);
    let container: 'annexb' | 'mp4';
    try {
      container = decideContainer(head, options.container, file);
    } catch (e) {
      await close();
      throw e;
    }
    async function* replay(): AsyncGenerator<Uint8Array> {
      for (const c of first) yield c;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) {
          done = true;
          return;
        }
        yield toBytes(r.value);
      }
    }
    if (container === 'mp4') {
      return mp4Source((onTrack) => mp4ToAnnexB(replay(), { chunkSize, onTrack, limits: mp4Limits(options.limits) }), close, announce);
    }
    const codec = decideAnnexBCodec(head, options.codec, file);
    announce('annexb', codec);
    return { container, chunks: rechunk(replay(), chunkSize), close, codec: () => codec };
  }

  throw new TypeError('parsePictures: input must be a path, a Uint8Array or an AsyncIterable<Uint8Array>');
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

async function* fileChunks(fh: FileHandle, chunkSize: number): AsyncGenerator<Uint8Array> {
  // Reads until EOF (not the size seen at open: the file may still be growing).
  for (let pos = 0; ; ) {
    const chunk = await readAt(fh, pos, chunkSize);
    if (chunk.length === 0) break;
    pos += chunk.length;
    yield chunk;
  }
}

async function* arrayChunks(data: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let pos = 0; pos < data.length; pos += chunkSize) yield data.subarray(pos, pos + chunkSize);
}

/** Splits chunks larger than chunkSize (small ones pass as they are). */
async function* rechunk(chunks: AsyncIterable<Uint8Array>, chunkSize: number): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    if (c.length <= chunkSize) yield c;
    else for (let p = 0; p < c.length; p += chunkSize) yield c.subarray(p, p + chunkSize);
  }
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new TypeError('parsePictures: the input stream must yield Uint8Array chunks');
}
