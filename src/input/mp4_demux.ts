// MP4/MOV demuxing: pulls the HEVC or H.264 video track out of an ISO-BMFF
// file with mp4box and turns it into an Annex-B byte stream for the decoder.
//
// - hvc1/hev1 (and the Dolby Vision HEVC entries dvh1/dvhe), avc1/avc3: the
//   parameter sets of the hvcC (VPS/SPS/PPS/SEI arrays) or avcC (SPS/PPS) box
//   are sent first, with start codes, then each sample's length-prefixed NAL
//   units (lengthSizeMinusOne + 1 bytes, big endian) are rewritten with 4-byte
//   start codes. The parameter sets are sent again only if the sample
//   description changes. Mp4TrackInfo.codec says which (see codecOfEntry).
// - Any other video codec raises ERR_UNSUPPORTED naming it (e.g. 'av01').
//
// Memory stays bounded for files: mp4box reads the moov box (at the start or
// at the end: it asks to seek) and then only the samples, chunk by chunk, in
// decoding order. From a plain byte stream (no seeking) a moov-at-end file
// keeps the whole mdat in memory until the moov arrives; faststart and
// fragmented files stream.
import type { ISOFile, Movie, Sample } from 'mp4box';

/** mp4box, loaded at the first MP4 demuxed: Annex-B input (and the CLI's start) never pays for it. */
type Mp4Box = typeof import('mp4box');
let mp4box: Mp4Box | undefined;
async function loadMp4box(): Promise<Mp4Box> {
  return (mp4box ??= await import('mp4box'));
}

import { CodectokError, type CodectokErrorCode } from '../errors.js';
import { checkFunction, checkNumber, checkOptions, invalidArgument } from '../validate.js';
import { concatBytes } from './bytes.js';
import { checkLimits } from './limits.js';
import { Mp4BoxLimits, type Mp4Limits } from './mp4_box_limits.js';

/** Random access to a file (positional reads). */
export interface RandomAccessReader {
  readonly size: number;
  /** Reads up to `length` bytes at `position` (fewer at the end of the file). */
  read(position: number, length: number): Promise<Uint8Array>;
}

export interface Mp4DemuxOptions {
  /** Target size of the Annex-B chunks yielded (default 1 MiB). */
  chunkSize?: number;
  /** File name used in error messages. */
  file?: string;
  /** Box size and count limits (the MP4 part of DecodeLimits): ERR_LIMIT_EXCEEDED naming the limit. */
  limits?: Mp4Limits;
}

/** What the demuxer found in the moov box. */
export interface Mp4TrackInfo {
  trackId: number;
  /** Sample entry type: hvc1, hev1... */
  codec: string;
  width: number;
  height: number;
  /** Number of samples the moov declares (0 for fragmented files). */
  samples: number;
  timescale: number;
  fragmented: boolean;
}

const HEVC_ENTRIES = new Set(['hvc1', 'hev1', 'dvh1', 'dvhe']);
const AVC_ENTRIES = new Set(['avc1', 'avc3']);

/** The coding standard of an MP4 sample entry type codectok reads, or undefined. */
export function codecOfEntry(type: string): 'hevc' | 'h264' | undefined {
  return HEVC_ENTRIES.has(type) ? 'hevc' : AVC_ENTRIES.has(type) ? 'h264' : undefined;
}
const CODEC_NAMES: Record<string, string> = {
  avc1: 'H.264/AVC',
  avc3: 'H.264/AVC',
  av01: 'AV1',
  vp08: 'VP8',
  vp09: 'VP9',
  mp4v: 'MPEG-4 Part 2',
  vvc1: 'H.266/VVC',
  vvi1: 'H.266/VVC',
  encv: 'encrypted video',
};
const START_CODE = Uint8Array.of(0, 0, 0, 1);
const DEFAULT_CHUNK = 1 << 20;

/** True when the bytes start like an ISO-BMFF file (ftyp or another top-level box). */
export function looksLikeMp4(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  const type = String.fromCharCode(head[4]!, head[5]!, head[6]!, head[7]!);
  return ['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'styp', 'pnot'].includes(type);
}

interface HvcCLike {
  lengthSizeMinusOne: number;
  nalu_arrays: Array<ArrayLike<{ data: Uint8Array }> & { nalu_type: number }>;
}
interface AvcCLike {
  lengthSizeMinusOne: number;
  SPS: ArrayLike<{ data: Uint8Array }>;
  PPS: ArrayLike<{ data: Uint8Array }>;
}
interface EntryLike {
  type: string;
  hvcC?: HvcCLike;
  avcC?: AvcCLike;
}

/** lengthSizeMinusOne and the parameter sets of a sample entry's hvcC / avcC box; undefined when it has none. */
function decoderConfig(e: EntryLike | undefined): { lengthSizeMinusOne: number; paramSets: Uint8Array[] } | undefined {
  if (!e) return undefined;
  const paramSets: Uint8Array[] = [];
  if (e.hvcC) {
    for (const array of e.hvcC.nalu_arrays) for (let i = 0; i < array.length; i++) paramSets.push(array[i]!.data);
    return { lengthSizeMinusOne: e.hvcC.lengthSizeMinusOne, paramSets };
  }
  if (e.avcC) {
    for (const list of [e.avcC.SPS, e.avcC.PPS]) for (let i = 0; i < list.length; i++) paramSets.push(list[i]!.data);
    return { lengthSizeMinusOne: e.avcC.lengthSizeMinusOne, paramSets };
  }
  return undefined;
}

/**
 * Wraps an mp4box ISOFile: feed it bytes with append(), collect the Annex-B
 * bytes of the samples extracted so far with take().
 */
class Mp4Demuxer {
  readonly file: ISOFile;
  track: Mp4TrackInfo | undefined;
  private error: CodectokError | undefined;
  private samples: Sample[] = [];
  private lengthSize = 4;
  private lastDescription = -1;
  private paramSets: Uint8Array[] = [];
  extracted = 0;
  private readonly boxLimits: Mp4BoxLimits;
  /** The track's samples (file offsets and sizes) when the caller reads them itself (extractSelf), once the moov is parsed. */
  sampleTable: readonly Sample[] | undefined;

  /**
   * `extractSelf`: a file that is not fragmented has every sample's offset and size in its moov;
   * then mp4box is not asked to extract samples (sampleTable lists them, the caller reads their
   * bytes and hands them to toAnnexB). Fragmented files are extracted by mp4box either way.
   */
  constructor(
    private readonly lib: Mp4Box,
    keepMdatData: boolean,
    private readonly fileName?: string,
    limits?: Mp4Limits,
    private readonly extractSelf = false,
  ) {
    this.boxLimits = new Mp4BoxLimits(limits, fileName);
    this.file = lib.createFile(keepMdatData);
    this.file.onError = (module: string, message: string) => {
      this.error ??= this.fail('ERR_INVALID_SYNTAX', `invalid MP4 (${module}): ${message}`);
    };
    this.file.onReady = (info: Movie) => {
      try {
        this.onReady(info);
      } catch (e) {
        this.error ??= e instanceof CodectokError ? e : this.fail('ERR_INTERNAL', String(e));
      }
    };
    this.file.onSamples = (_id: number, _user: unknown, samples: Sample[]) => {
      for (const s of samples) this.samples.push(s);
    };
  }

  get ready(): boolean {
    return this.track !== undefined;
  }

  fail(code: CodectokErrorCode, message: string): CodectokError {
    return new CodectokError(code, message, { file: this.fileName });
  }

  private onReady(info: Movie): void {
    this.boxLimits.checkMoov(this.file.moov as unknown as { boxes?: [] } | undefined);
    const videos = info.videoTracks ?? [];
    if (videos.length === 0) {
      const found = info.tracks.map((t) => t.codec.split('.')[0]).join(', ');
      throw this.fail('ERR_UNSUPPORTED', `MP4 has no video track${found ? ` (tracks: ${found})` : ''}`);
    }
    let chosen: (typeof videos)[number] | undefined;
    let entry: EntryLike | undefined;
    for (const t of videos) {
      const trak = this.file.getTrackById(t.id);
      const e = trak?.mdia?.minf?.stbl?.stsd?.entries?.[0] as EntryLike | undefined;
      if (e && codecOfEntry(e.type) && decoderConfig(e)) {
        chosen = t;
        entry = e;
        break;
      }
    }
    if (!chosen || !entry) {
      const t = videos[0]!;
      const trak = this.file.getTrackById(t.id);
      const e = trak?.mdia?.minf?.stbl?.stsd?.entries?.[0] as { type?: string } | undefined;
      const fourcc = e?.type ?? t.codec.split('.')[0] ?? '?';
      const name = CODEC_NAMES[fourcc];
      throw this.fail(
        'ERR_UNSUPPORTED',
        `MP4 video track is '${fourcc}'${name ? ` (${name})` : ''}: codectok reads HEVC (hvc1/hev1) and H.264 (avc1/avc3)`,
      );
    }
    const config = decoderConfig(entry)!;
    this.lengthSize = config.lengthSizeMinusOne + 1;
    if (![1, 2, 4].includes(this.lengthSize)) {
      throw this.fail('ERR_INVALID_SYNTAX', `invalid ${entry.hvcC ? 'hvcC' : 'avcC'} lengthSizeMinusOne ${config.lengthSizeMinusOne}`);
    }
    this.track = {
      trackId: chosen.id,
      codec: entry.type,
      width: chosen.video?.width ?? 0,
      height: chosen.video?.height ?? 0,
      samples: chosen.nb_samples,
      timescale: chosen.timescale,
      fragmented: info.isFragmented,
    };
    if (this.extractSelf && !info.isFragmented) {
      this.sampleTable = (this.file.getTrackById(chosen.id) as unknown as { samples: Sample[] }).samples;
      return;
    }
    // One sample per callback: every extracted sample is handed out at once.
    this.file.setExtractionOptions(chosen.id, undefined, { nbSamples: 1 });
    this.file.start();
  }

  /** Feeds bytes at file position `position`; returns the next position mp4box wants. */
  append(bytes: Uint8Array, position: number, last: boolean): number | undefined {
    this.boxLimits.feed(bytes, position); // before mp4box buffers anything of a box too large
    const buffer = new this.lib.MP4BoxBuffer(bytes.byteLength);
    new Uint8Array(buffer).set(bytes);
    buffer.fileStart = position;
    const next = this.quiet(() => this.file.appendBuffer(buffer, last));
    this.check();
    return next;
  }

  flush(): void {
    this.quiet(() => this.file.flush());
    this.check();
  }

  /** Converts the samples extracted so far to Annex-B; frees them in mp4box. */
  take(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.samples.length === 0) return out;
    const samples = this.samples;
    this.samples = [];
    for (const s of samples) {
      if (!s.data) throw this.fail('ERR_TRUNCATED', `MP4 sample ${s.number} has no data (truncated file?)`);
      this.toAnnexB(s, s.data, out);
    }
    const last = samples[samples.length - 1]!;
    this.file.releaseUsedSamples(last.track_id, last.number + 1);
    return out;
  }

  /**
   * Appends sample `s` (its bytes: `data`) to `out` as Annex-B: the parameter sets of its sample
   * description first when that changes, then its NAL units with start codes. `ownData`: `data`
   * is the caller's to rewrite (sampleToAnnexB).
   */
  toAnnexB(s: Sample, data: Uint8Array, out: Uint8Array[], ownData = false): void {
    if (s.description_index !== this.lastDescription) {
      this.lastDescription = s.description_index;
      const config = decoderConfig(s.description as unknown as EntryLike);
      if (!config) throw this.fail('ERR_INVALID_SYNTAX', `MP4 sample ${s.number} has no hvcC / avcC configuration`);
      this.lengthSize = config.lengthSizeMinusOne + 1;
      this.paramSets = config.paramSets;
      for (const nal of this.paramSets) out.push(START_CODE, nal);
    }
    this.sampleToAnnexB(s, data, out, ownData);
    this.extracted++;
  }

  /**
   * `ownData`: with 4-byte lengths and no empty NAL unit the lengths are overwritten by start codes
   * in place and the sample is one piece (readSamples packs the pieces read together into one).
   */
  private sampleToAnnexB(s: Sample, data: Uint8Array, out: Uint8Array[], ownData: boolean): void {
    const n = this.lengthSize;
    if (ownData && n === 4 && data.length > 0 && startCodesInPlace(data)) {
      out.push(data);
      return;
    }
    let p = 0;
    while (p < data.length) {
      if (p + n > data.length) {
        throw this.fail('ERR_TRUNCATED', `MP4 sample ${s.number} (file byte ${s.offset}): truncated NAL unit length`);
      }
      let len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + data[p + i]!;
      p += n;
      if (len === 0) continue;
      if (p + len > data.length) {
        throw this.fail(
          'ERR_TRUNCATED',
          `MP4 sample ${s.number} (file byte ${s.offset}): NAL unit of ${len} bytes overruns the ${data.length}-byte sample`,
        );
      }
      out.push(START_CODE, data.subarray(p, p + len));
      p += len;
    }
  }

  /** Runs an mp4box call with its console logging captured (errors come through onError). */
  private quiet<T>(fn: () => T): T {
    const saved = { error: console.error, warn: console.warn, info: console.info, log: console.log, debug: console.debug };
    const messages: string[] = [];
    const capture = (...args: unknown[]) => void messages.push(args.map(String).join(' '));
    console.error = console.warn = console.info = console.log = console.debug = capture;
    try {
      return fn();
    } catch (e) {
      this.error ??= this.fail(
        'ERR_INVALID_SYNTAX',
        `invalid MP4: ${e instanceof Error ? e.message : String(e)}${messages.length ? ` (${messages.at(-1)})` : ''}`,
      );
      return undefined as T;
    } finally {
      Object.assign(console, saved);
    }
  }

  private check(): void {
    if (this.error) throw this.error;
  }
}

/**
 * Rewrites the 4-byte NAL unit lengths of a sample to start codes when every length is non-zero and
 * the units fill the sample exactly; false (nothing written) otherwise, for the general path to
 * convert (and report what is wrong).
 */
function startCodesInPlace(data: Uint8Array): boolean {
  const length = (p: number) => data[p]! * 0x1000000 + (data[p + 1]! << 16) + (data[p + 2]! << 8) + data[p + 3]!;
  let p = 0;
  while (p < data.length) {
    if (p + 4 > data.length) return false;
    const len = length(p);
    if (len === 0 || p + 4 + len > data.length) return false;
    p += 4 + len;
  }
  for (p = 0; p < data.length; ) {
    const len = length(p);
    data.set(START_CODE, p);
    p += 4 + len;
  }
  return true;
}

/** Groups small pieces into chunks of about `chunkSize` bytes (a piece of half that or more is passed on as it is). */
class Batcher {
  private parts: Uint8Array[] = [];
  private size = 0;
  constructor(private readonly chunkSize: number) {}
  add(pieces: Uint8Array[]): Uint8Array[] {
    const ready: Uint8Array[] = [];
    for (const p of pieces) {
      if (p.length >= this.chunkSize / 2) {
        // large enough alone: not copied
        if (this.size > 0) ready.push(this.drain()!);
        ready.push(p);
        continue;
      }
      this.parts.push(p);
      this.size += p.length;
      if (this.size >= this.chunkSize) ready.push(this.drain()!);
    }
    return ready;
  }
  drain(): Uint8Array | undefined {
    if (this.size === 0) return undefined;
    const out = concatBytes(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return out;
  }
}

function isReader(x: unknown): x is RandomAccessReader {
  return typeof (x as RandomAccessReader).read === 'function' && typeof (x as RandomAccessReader).size === 'number';
}

/**
 * Yields the Annex-B byte stream of the first HEVC video track, in chunks of
 * about `chunkSize` bytes, reading the next input chunk only when the consumer
 * asks for more. `onTrack` is called once the moov box is parsed.
 */
export function mp4ToAnnexB(
  source: RandomAccessReader | AsyncIterable<Uint8Array>,
  options: Mp4DemuxOptions & { onTrack?: (track: Mp4TrackInfo) => void } = {},
): AsyncGenerator<Uint8Array> {
  const fn = 'mp4ToAnnexB';
  const isStream = typeof source === 'object' && source !== null && typeof (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
  if (!isStream && !(typeof source === 'object' && source !== null && isReader(source))) {
    throw invalidArgument(fn, 'source', 'a RandomAccessReader ({ size, read }) or an AsyncIterable<Uint8Array>', source);
  }
  const o = checkOptions(fn, options, ['chunkSize', 'file', 'onTrack', 'limits']);
  checkNumber(fn, o, 'chunkSize', 1);
  checkFunction(fn, o, 'onTrack');
  const limits = checkLimits(fn, o.limits);
  if (limits && Object.keys(limits).some((k) => k !== 'maxMp4BoxSize' && k !== 'maxMp4BoxCount')) {
    throw invalidArgument(fn, 'options.limits', 'MP4 limits only (maxMp4BoxSize, maxMp4BoxCount)', limits);
  }
  return demuxToAnnexB(source, options);
}

async function* demuxToAnnexB(
  source: RandomAccessReader | AsyncIterable<Uint8Array>,
  options: Mp4DemuxOptions & { onTrack?: (track: Mp4TrackInfo) => void },
): AsyncGenerator<Uint8Array> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const batcher = new Batcher(chunkSize);
  let announced = false;
  const announce = (d: Mp4Demuxer) => {
    if (!announced && d.track) {
      announced = true;
      options.onTrack?.(d.track);
    }
  };

  if (isReader(source)) {
    const demuxer = new Mp4Demuxer(await loadMp4box(), false, options.file, options.limits, true);
    const size = source.size;
    let pos = 0;
    let bytesRead = 0;
    const readLimit = 4 * size + 64 * chunkSize;
    let lastPos = -1;
    let stalls = 0;
    while (pos < size) {
      const bytes = await source.read(pos, Math.min(chunkSize, size - pos));
      if (bytes.length === 0) break;
      bytesRead += bytes.length;
      const end = pos + bytes.length;
      const next = demuxer.append(bytes, pos, end >= size);
      announce(demuxer);
      if (demuxer.sampleTable) {
        // not fragmented: the samples are read straight from the file (mp4box has its moov only)
        for await (const pieces of readSamples(source, demuxer, demuxer.sampleTable, chunkSize)) for (const chunk of batcher.add(pieces)) yield chunk;
        break;
      }
      const before = demuxer.extracted;
      for (const chunk of batcher.add(demuxer.take())) yield chunk;
      const progressed = demuxer.extracted > before;
      let target = next ?? end;
      if (target === pos && !progressed) target = end; // mp4box wants what it has: move on
      stalls = target === lastPos && !progressed ? stalls + 1 : 0;
      if (stalls > 4 || bytesRead > readLimit) {
        throw demuxer.fail('ERR_INVALID_SYNTAX', `invalid MP4: parsing makes no progress at byte ${target}`);
      }
      lastPos = pos;
      pos = target;
    }
    demuxer.flush();
    announce(demuxer);
    for (const chunk of batcher.add(demuxer.take())) yield chunk;
    finishCheck(demuxer);
  } else {
    const demuxer = new Mp4Demuxer(await loadMp4box(), true, options.file, options.limits);
    let pos = 0;
    for await (const bytes of source) {
      if (bytes.length === 0) continue;
      demuxer.append(bytes, pos, false);
      pos += bytes.length;
      announce(demuxer);
      for (const chunk of batcher.add(demuxer.take())) yield chunk;
    }
    demuxer.flush();
    announce(demuxer);
    for (const chunk of batcher.add(demuxer.take())) yield chunk;
    finishCheck(demuxer);
  }
  const rest = batcher.drain();
  if (rest) yield rest;
}

/**
 * The Annex-B pieces of a track's samples read from the file by their offsets and sizes, in
 * decoding order: the samples that lie in order within `chunkSize` bytes of the file are read with
 * one read (the bytes of other tracks between them included; one sample at least). Stops at the
 * first sample the file does not hold whole (finishCheck then says the track is truncated).
 */
async function* readSamples(source: RandomAccessReader, d: Mp4Demuxer, samples: readonly Sample[], chunkSize: number): AsyncGenerator<Uint8Array[]> {
  for (let i = 0; i < samples.length; ) {
    const start = samples[i]!.offset;
    let end = start + samples[i]!.size;
    let j = i + 1;
    while (j < samples.length && samples[j]!.offset >= end && samples[j]!.offset + samples[j]!.size - start <= chunkSize) end = samples[j]!.offset + samples[j++]!.size;
    if (!(Number.isSafeInteger(start) && start >= 0)) return;
    // a copy (new Uint8Array: Buffer's slice() would not copy): the start codes are written into
    // it, and the reader's bytes may be the caller's own
    const bytes = end > start ? new Uint8Array(await source.read(start, end - start)) : new Uint8Array(0);
    const out: Uint8Array[] = [];
    for (; i < j; i++) {
      const s = samples[i]!;
      const at = s.offset - start;
      if (at + s.size > bytes.length) break;
      d.toAnnexB(s, bytes.subarray(at, at + s.size), out, true);
    }
    yield packed(out, bytes);
    if (i < j) return;
  }
}

/**
 * The pieces with those that are parts of `buf` moved to its front, one after the other (they are
 * in increasing order: no byte is overwritten before it is moved), so that what lay between them
 * (other tracks' samples) is gone and they make one piece; a piece from elsewhere (a start code, a
 * parameter set) ends such a run.
 */
function packed(pieces: Uint8Array[], buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let runStart = 0;
  let w = 0;
  const endRun = () => {
    if (w > runStart) out.push(buf.subarray(runStart, w));
    runStart = w;
  };
  for (const p of pieces) {
    const at = p.byteOffset - buf.byteOffset;
    if (p.buffer === buf.buffer && at >= w) {
      if (at !== w) buf.copyWithin(w, at, at + p.length);
      w += p.length;
    } else {
      endRun();
      out.push(p);
    }
  }
  endRun();
  return out;
}

function finishCheck(d: Mp4Demuxer): void {
  if (!d.track) {
    throw d.fail('ERR_TRUNCATED', 'MP4 has no complete moov box (truncated or not an MP4 file)');
  }
  if (!d.track.fragmented && d.extracted < d.track.samples) {
    throw d.fail(
      'ERR_TRUNCATED',
      `MP4 track ${d.track.trackId} is truncated: ${d.extracted} of ${d.track.samples} samples present`,
    );
  }
}
