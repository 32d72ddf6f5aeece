// One long stream decoded on several threads (issue 9: "one long file on several cores").
//
// The native SegmentPlanner (cpp/stream/segment_planner.h) reads the parameter sets and slice
// headers as the bytes arrive and finds the cut points where a fresh decoder can take over the
// stream: HEVC IDR/BLA pictures and CRA pictures without RASL pictures, H.264 IDR pictures. Each
// segment between two cut points is decoded from the decoder state at its cut point, fed the
// parameter sets in force there, then its bytes. Up to `threads` segments decode at once on the
// libuv thread pool, each on one of `threads` NativeDecoders that are restarted from segment to
// segment (a fresh decoder per segment would fault in its picture memory anew: 2-3x the CPU); their pictures are handed out in segment
// order, which is the stream's output order, with the same POC, decode indices and maps as one
// decoder of the whole stream (cpp/tests/test_segment_planner.cpp, test/segmented_decode.test.ts).
//
// Memory stays bounded: a segment that is not first stops decoding once its pictures waiting for
// the segments before it hold MAX_WAITING_BYTES of arrays (or number MAX_WAITING_PICTURES: pictures
// without arrays, as tokenize's and inspect's, are small), and input is read ahead for the
// segments after the first only while less than MAX_BYTES_AHEAD bytes wait to be decoded.
//
// Errors: a segment's error is thrown once every picture before it was handed out, with its
// byteOffset in the whole stream (so are the slices' byteOffset). Cancelling cancels every segment's decoder.
import { concatBytes } from './bytes.js';
import type { VideoCodec } from './container.js';
import type { NativeLimits } from './limits.js';
import type {
  NativeAddon, NativeCutPoint, NativeDecodeOptions, NativeDecoder, NativePicture, NativePlan, NativeSegmentPlanner,
  NativeStreamStart,
} from './native.js';

/** Bytes of picture arrays a segment may have decoded ahead of the segments before it. */
const MAX_WAITING_BYTES = 64 << 20;
/** Pictures a segment may have decoded ahead of the segments before it. */
const MAX_WAITING_PICTURES = 4096;
/** Bytes read ahead for the segments after the first. */
const MAX_BYTES_AHEAD = 64 << 20;
const EMPTY = new Uint8Array(0);

export interface SegmentedDecodeOptions {
  /** Segments decoded at once (>= 2; the libuv thread pool runs them). */
  threads: number;
  /** The standard of the chunks (for MP4, known once the first chunk came). */
  codec: () => VideoCodec;
  /** The decoder options of every segment (without codec and start). */
  decodeOptions: NativeDecodeOptions;
  limits?: NativeLimits;
  /** A native call returns at most this many pictures (maxPicturesPerCall). */
  picturesPerCall: number;
  /** Called with each decoder made, so that a cancel reaches all of them. */
  onDecoder: (decoder: NativeDecoder) => void;
  /** Once aborted, no more pictures are handed out: the iteration throws the signal's reason. */
  signal?: AbortSignal;
}

interface Segment {
  /** Stream offset of the segment's first byte. */
  offset: number;
  /** The decoder state at its cut point (none for the first segment). */
  start?: NativeStreamStart;
  /** Bytes of parameter sets pushed before the segment's own (error offsets are mapped back). */
  prefixLength: number;
  /**
   * The next segment's first slice: an error the decoder meets at the segment's end (a picture
   * left incomplete) is one a single decoder meets there.
   */
  endSlice?: number;
  /** Given when the segment first has work. */
  decoder?: NativeDecoder;
  /** Bytes not pushed yet. */
  input: Uint8Array[];
  inputBytes: number;
  /** Every byte of the segment is in `input` or pushed. */
  complete: boolean;
  /** The last call returned a full batch: the decoder has more pictures for an empty push. */
  resume: boolean;
  finished: boolean;
  running: boolean;
  /** Batches of pictures decoded and not handed out yet. */
  out: NativePicture[][];
  waiting: number;
  waitingBytes: number;
  error?: unknown;
}

/** The decoded pictures of `chunks`, in batches, in output order: see the top of this file. */
export async function* decodeSegmented(
  addon: NativeAddon,
  chunks: AsyncIterable<Uint8Array>,
  o: SegmentedDecodeOptions,
): AsyncGenerator<NativePicture[]> {
  const source = chunks[Symbol.asyncIterator]();
  let planner: NativeSegmentPlanner | undefined;
  const segments: Segment[] = [];  // not yet handed out completely, stream order
  const cuts: NativeCutPoint[] = [];  // found, not reached by the dispatched bytes yet
  let held: Uint8Array[] = [];  // bytes read and not yet given to a segment, from heldStart
  let heldStart = 0;
  let heldBytes = 0;
  let inputDone = false;
  let reading: Promise<void> | undefined;
  let calls = new Set<Promise<void>>();

  const idle: NativeDecoder[] = [];  // decoders whose segment finished, to restart for the next ones

  const newSegment = (offset: number, cut?: NativeCutPoint): void => {
    const prefix = cut?.parameterSets ?? EMPTY;
    const last = segments[segments.length - 1];
    if (last) {
      last.complete = true;
      last.endSlice = cut?.firstSliceOffset;
    }
    segments.push({
      offset, start: cut?.start, prefixLength: prefix.length, input: prefix.length ? [prefix] : [], inputBytes: prefix.length,
      complete: false, resume: false, finished: false, running: false, out: [], waiting: 0, waitingBytes: 0,
    });
  };

  // A decoder for a segment about to start: a finished one restarted, or a new one.
  const decoderFor = (s: Segment): { decoder: NativeDecoder; ready: Promise<unknown> } => {
    const start = s.start ?? { decodeIndex: 0, continuesSequence: false, prevTid0Poc: 0 };
    const reused = idle.pop();
    if (reused) return { decoder: reused, ready: reused.restart(start) };
    const options: NativeDecodeOptions = { ...o.decodeOptions, codec: o.codec() };
    if (s.start) options.start = s.start;
    const decoder = new addon.NativeDecoder(options);
    o.onDecoder(decoder);
    return { decoder, ready: Promise.resolve() };
  };

  // Hands the bytes before plan.planned to their segments, starting a segment at each cut point.
  const dispatch = (plan: NativePlan): void => {
    cuts.push(...plan.cuts);
    const upTo = Math.min(plan.planned, heldStart + heldBytes);
    while (heldStart < upTo) {
      if (cuts.length > 0 && cuts[0].offset <= heldStart) {
        const cut = cuts.shift()!;
        newSegment(cut.offset, cut);
        continue;
      }
      const end = Math.min(upTo, cuts.length > 0 ? cuts[0].offset : Infinity);
      const segment = segments[segments.length - 1];
      while (heldStart < end) {
        const chunk = held[0];
        const n = Math.min(chunk.length, end - heldStart);
        segment.input.push(chunk.subarray(0, n));
        segment.inputBytes += n;
        if (n === chunk.length) held.shift();
        else held[0] = chunk.subarray(n);
        heldStart += n;
        heldBytes -= n;
      }
    }
    if (plan.planned === Infinity) {
      for (const cut of cuts.splice(0)) newSegment(cut.offset, cut);  // cut points at the very end
      const last = segments[segments.length - 1];
      if (last) last.complete = true;
    }
  };

  const read = async (): Promise<void> => {
    const r = await source.next();
    if (r.done) {
      inputDone = true;
      if (segments.length === 0 && !planner) newSegment(0);  // no byte at all: the decoder says what that is
      dispatch(planner ? planner.finish() : { cuts: [], planned: Infinity });
      return;
    }
    const chunk = r.value;
    if (!planner) {
      planner = new addon.SegmentPlanner({ codec: o.codec(), limits: o.limits });
      newSegment(0);
    }
    held.push(chunk.slice());  // a copy: a stream may reuse its buffers
    heldBytes += chunk.length;
    dispatch(planner.push(chunk));
  };

  const needsBytes = (s: Segment) => !s.complete && s.inputBytes === 0 && !s.resume;

  // Starts the next native call of a segment, if it has one to make.
  const work = (s: Segment, first: boolean): void => {
    if (s.running || s.finished || s.error !== undefined) return;
    if (!first && (s.waiting >= MAX_WAITING_PICTURES || s.waitingBytes >= MAX_WAITING_BYTES)) return;
    if (!s.resume && s.inputBytes === 0 && !s.complete) return;  // waits for bytes
    let ready: Promise<unknown> = Promise.resolve();
    if (!s.decoder) ({ decoder: s.decoder, ready } = decoderFor(s));
    const decoder = s.decoder;
    let call: Promise<NativePicture[]>;
    let finishing = false;
    if (s.resume) {
      call = decoder.push(EMPTY);
    } else if (s.inputBytes > 0) {
      const bytes = s.input.length === 1 ? s.input[0] : concatBytes(s.input);
      s.input = [];
      s.inputBytes = 0;
      call = decoder.push(bytes);
    } else {
      call = decoder.finish();
      finishing = true;
    }
    // A decoder runs its calls in order: `call` starts once the restart is done; a failed restart
    // fails it too.
    call = Promise.all([ready, call]).then(([, pictures]) => pictures);
    s.running = true;
    const done = call.then(
      (pictures) => {
        s.resume = !finishing && pictures.length >= o.picturesPerCall;
        if (finishing) {
          s.finished = true;
          idle.push(decoder);
        }
        if (pictures.length > 0) {
          mapSliceOffsets(pictures, s);
          s.out.push(pictures);
          s.waiting += pictures.length;
          s.waitingBytes += arrayBytes(pictures);
        }
      },
      (e: unknown) => {
        s.error = mapOffset(e, s, finishing);
      },
    ).finally(() => {
      s.running = false;
      calls.delete(done);
    });
    calls.add(done);
  };

  try {
    for (;;) {
      const head = segments[0];
      if (head) {
        if (o.signal?.aborted) throw o.signal.reason;
        if (head.out.length > 0) {
          const batch = head.out.shift()!;
          head.waiting -= batch.length;
          head.waitingBytes -= arrayBytes(batch);
          yield batch;
          continue;
        }
        if (head.error !== undefined) throw head.error;
        if (head.finished) {
          segments.shift();
          continue;
        }
      } else if (inputDone) {
        return;
      }
      const window = segments.slice(0, o.threads);
      window.forEach((s, i) => work(s, i === 0));
      const ahead = heldBytes + segments.reduce((n, s) => n + s.inputBytes, 0);
      const wantInput = segments.length === 0 || needsBytes(segments[0]) ||
        ((window.length < o.threads || window.some(needsBytes)) && ahead < MAX_BYTES_AHEAD);
      if (!inputDone && !reading && wantInput) {
        reading = read().finally(() => {
          reading = undefined;
        });
      }
      const pending = [...calls];
      if (reading) pending.push(reading);
      if (pending.length === 0) throw new Error('internal error: segmented decoding has nothing to wait for');
      await Promise.race(pending);
    }
  } finally {
    for (const s of segments) if (!s.finished) s.decoder?.cancel();
    // Let the calls in flight settle (they reject with ERR_CANCELLED) before the decoders go.
    await Promise.allSettled([...calls, ...(reading ? [reading] : [])]);
    calls = new Set();
    held = [];
    if (!inputDone) await source.return?.(undefined);
  }
}

/** Bytes of the arrays of some pictures (what holding them costs). */
function arrayBytes(pictures: NativePicture[]): number {
  let n = 0;
  for (const p of pictures) n += (p.motion?.byteLength ?? 0) + (p.cu?.byteLength ?? 0) + (p.bits?.byteLength ?? 0) + (p.residual?.byteLength ?? 0) + (p.tu?.byteLength ?? 0);
  return n;
}

/** The slices' byteOffset, counted in the segment's input, as offsets in the whole stream. */
function mapSliceOffsets(pictures: NativePicture[], s: Segment): void {
  for (const p of pictures) for (const slice of p.slices) slice.byteOffset = s.offset + slice.byteOffset - s.prefixLength;
}

/**
 * A native error's byteOffset, counted in the segment's input, as an offset in the whole stream;
 * one met at the end of a segment (none) where a single decoder meets it: the next segment's first
 * slice.
 */
function mapOffset(e: unknown, s: Segment, atEnd: boolean): unknown {
  const err = e as { byteOffset?: unknown } | null;
  if (!err || typeof err !== 'object' || typeof err.byteOffset !== 'number') return e;
  if (err.byteOffset >= 0) err.byteOffset = s.offset + Math.max(0, err.byteOffset - s.prefixLength);
  else if (atEnd && s.endSlice !== undefined) err.byteOffset = s.endSlice;
  return e;
}
