/**
 * tokenize(input, options): a video in, the patches a video encoder should see out, with their
 * (t, h, w) positions and everything needed to reproduce the choice.
 *
 * Pipeline: input -> Annex-B HEVC (as is, demuxed, or transcoded with libx265) -> frame count and
 * sampled frames -> codec maps of the sampled frames from the bitstream (parser) -> patch scores on
 * the output grid -> selection policy -> pixels of the needed frames decoded by FFmpeg from the same
 * HEVC stream, resized to the output geometry -> patches. FFmpeg starts decoding the sampled frames
 * once they are known (after the headers pass) and runs while the stream is parsed and scored
 * (FramePrefetch: FFmpeg writes them to a file in the work directory); the gather reads the ones it
 * needs from there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodectokError, toCodectokError } from '../errors.js';
import { type Geometry, letterboxGeometry, qwenGeometry } from '../geometry/output_geometry.js';
import { contentPatchMask } from '../geometry/content_mask.js';
import { decodeFrames } from '../input/ffmpeg/decode_frames.js';
import { FRAMES_WORK_FILE, FramePrefetch } from '../input/ffmpeg/frame_prefetch.js';
import { type FfmpegInfo, locateFfmpeg } from '../input/ffmpeg/locate.js';
import { prepareHevc } from '../input/ffmpeg/prepare.js';
import { loadNative, type NativePicture, type NativeScoreRequest } from '../input/native.js';
import { sha256File } from '../input/stream_hash.js';
import { Deadline } from './deadline.js';
import { resolveDevice } from './device.js';
import { parsePicturesAnalysed } from '../input/parser.js';
import { pictureHeaders, type PictureHeader } from '../input/picture_headers.js';
import { type CodecPolicyOptions, selectCodec } from '../policies/codec.js';
import { selectAdaptive } from '../policies/adaptive.js';
import { selectGrouped } from '../policies/grouped.js';
import { sampleFrames } from '../policies/sampling.js';
import { type ScoreVolume, type Selection } from '../policies/types.js';
import { selectRefresh } from '../policies/refresh.js';
import { selectRlt } from '../policies/rlt.js';
import { selectUniform } from '../policies/uniform.js';
import { activeShare } from '../scores/activity.js';
import type { CameraMotion } from '../scores/camera_motion.js';
import { type ChangeEstimate, type PictureChange, changeRequest, changeVolume, pictureChange, pictureShare } from '../scores/change.js';
import { type FrameType, frameType } from '../scores/codec_picture.js';
import { type FrameScores, scoreFrames } from '../scores/frame_scores.js';
import { decodeOptionsFor, resolveScoringOptions } from '../scores/options.js';
import { type FrameSignals, frameSignals } from '../scores/signals.js';
import { VERSION } from '../version.js';
import { type PictureSource, type TokenizeOptions, type TokenizeSeams, checkTokenizeArguments, DEFAULT_POLICY, resolveOptions } from './options.js';
import type { TokenizeMeta, TokenizeResult } from './result.js';
import { patchTensor, positionTensor, scoreTensor, type PatchTensor } from './tensors.js';
import type { DecodeLimits } from '../input/limits.js';

function defaultSource(score: NativeScoreRequest | undefined, run: { signal: AbortSignal; limits?: DecodeLimits; threads?: number }): PictureSource {
  return async function* (hevcPath, decode) {
    // recycle: nothing keeps a view of a picture's arrays.
    yield* parsePicturesAnalysed('tokenize', hevcPath, { ...decode, container: 'annexb', recycle: true, signal: run.signal, limits: run.limits, threads: run.threads }, { score });
  };
}

function makeGeometry(o: TokenizeOptions, w: number, h: number): Geometry {
  if (o.resize === 'qwen') return qwenGeometry(w, h, { patch: o.patch ?? 14, merge: o.merge, minPixels: o.minPixels, maxPixels: o.maxPixels });
  return letterboxGeometry(w, h, { size: o.size ?? 576, patch: o.patch ?? 16 });
}

interface Slot {
  frame: number;
  poc: number;
  type: FrameType;
  scores?: FrameScores;
  signals?: FrameSignals;
}

/** The budget when none is given: 8 frames' worth; grouped: 2 frames' worth per group (anchor + as much in blocks). */
function defaultBudget(o: TokenizeOptions, T: number, S: number): number {
  if (o.policy === 'grouped') return 2 * S * Math.ceil(T / (o.groupSize ?? 4));
  return 8 * S;
}

/** What the refresh and rlt policies read besides the score volume. */
interface SelectInputs {
  change?: ChangeEstimate;
  share?: Float32Array;
  frames?: Map<number, Uint8Array>;
  slots: Slot[];
  g: Geometry;
}

/** refresh: side of the square groups of patch positions allocated together (default 1: every patch alone). */
function refreshGroup(o: TokenizeOptions): number {
  return o.refreshGroup ?? 1;
}

/** Runs the selection policy on the score volume (refresh: the change volume; rlt: the pixels). */
function select(o: TokenizeOptions, vol: ScoreVolume, S: number, inp: SelectInputs, device: 'cpu' | 'cuda'): { sel: Selection; heldFraction?: number; tokenValues?: Float32Array; policyMeta?: Record<string, unknown> } {
  const policyOpts: CodecPolicyOptions = { budget: o.budget ?? defaultBudget(o, vol.T, S), iframes: o.iframes, keepFirst: o.keepFirst, padding: o.padding, staticFallback: o.staticFallback, order: o.order };
  switch (o.policy) {
    case 'refresh': {
      const c = inp.change!;
      const group = refreshGroup(o);
      const seams = o.refreshSeams ?? true;
      const r = selectRefresh({ T: vol.T, gridH: vol.gridH, gridW: vol.gridW, change: c.change, weight: inp.share }, { budget: policyOpts.budget, group, seams });
      // seams apply to single positions only (a group has none inside)
      return { sel: r, tokenValues: r.tokenChange, policyMeta: { distortion: 'sqrt', group, seams: seams && group === 1, seamMoves: r.seamMoves, lambda: r.lambda, multiplierSteps: r.steps, tieTokens: r.tieTokens, slotChange: r.slotChange, scales: c.scales, picturesPerSlot: c.picturesPerSlot, intraPictures: c.intra } };
    }
    case 'rlt': {
      const r = selectRlt({ T: vol.T, gridH: vol.gridH, gridW: vol.gridW, patch: inp.g.patch, width: inp.g.outWidth, frames: inp.slots.map((s) => inp.frames!.get(s.frame)!) }, { budget: policyOpts.budget });
      return { sel: r, tokenValues: r.tokenDiff, policyMeta: { threshold: r.threshold } };
    }
    case 'uniform':
      return { sel: selectUniform(vol, { budget: policyOpts.budget }) };
    case 'grouped':
      return { sel: selectGrouped(vol, { budget: policyOpts.budget, groupSize: o.groupSize }) };
    case 'adaptive': {
      const { budget: _b, ...rest } = policyOpts;
      const r = selectAdaptive(vol, { ...rest, fraction: o.fraction, maxBudget: o.maxBudget, minBudget: o.minBudget });
      return { sel: r, heldFraction: r.heldFraction };
    }
    default:
      return { sel: selectCodec(vol, policyOpts, 'codec', device) };
  }
}

/** Cuts the selected patches out of the decoded frames. */
async function gatherPatches(o: TokenizeOptions, sel: Selection, slots: Slot[], g: Geometry, hevcPath: string, codec: 'hevc' | 'h264', ff: FfmpegInfo, progress: TokenizeOptions['onProgress'], decoded?: Map<number, Uint8Array>, prefetch?: FramePrefetch, signal?: AbortSignal, pictures?: readonly PictureHeader[]): Promise<PatchTensor> {
  const P = g.patch;
  const N = sel.count;
  const layout = o.layout ?? 'nhwc';
  const dtype = o.dtype ?? 'uint8';
  const per = P * P * 3;
  const data = dtype === 'uint8' ? new Uint8Array(N * per) : new Float32Array(N * per);
  const rowsByFrame = new Map<number, number[]>();
  for (let r = 0; r < N; r++) {
    const s = sel.positions[3 * r]!;
    if (s < 0) continue;
    const f = slots[s]!.frame;
    let list = rowsByFrame.get(f);
    if (!list) rowsByFrame.set(f, (list = []));
    list.push(r);
  }
  const frames = [...rowsByFrame.keys()].sort((a, b) => a - b);
  const mean = o.mean ?? [0, 0, 0];
  const std = o.std ?? [1, 1, 1];
  let done = 0;
  const source = decoded
    ? frames.map((index) => ({ index, rgb: decoded.get(index)! }))
    : prefetch
      ? takeFrames(prefetch, frames, new Uint8Array(g.outWidth * g.outHeight * 3))
      : decodeFrames(hevcPath, { frames, geometry: g, scaler: o.scaler, codec, signal, pictures }, ff);
  const spec = { frameWidth: g.outWidth, frameHeight: g.outHeight, patch: P, layout, dtype, mean, std };
  for await (const { index, rgb } of source) {
    // (row, h, w) of the frame's patches, cut out by the C++ core (cpp/tensors/patch_gather.cpp).
    const rows = rowsByFrame.get(index)!;
    const triples = new Int32Array(rows.length * 3);
    rows.forEach((r, k) => {
      triples[3 * k] = r;
      triples[3 * k + 1] = sel.positions[3 * r + 1]!;
      triples[3 * k + 2] = sel.positions[3 * r + 2]!;
    });
    loadNative().gatherPatches(rgb, spec, triples, data);
    progress?.({ stage: 'decode', done: ++done, total: frames.length });
  }
  return patchTensor(data, layout === 'nhwc' ? [N, P, P, 3] : [N, 3, P, P], layout);
}

/** The frames, in order, as the prefetch delivers them: each in `reuse` when given (valid until the next one), else in a buffer of its own. */
async function* takeFrames(prefetch: FramePrefetch, frames: number[], reuse?: Uint8Array): AsyncGenerator<{ index: number; rgb: Uint8Array }> {
  for (const index of frames) yield { index, rgb: await prefetch.take(index, reuse) };
}

/**
 * Tokenizes one video. Errors are CodectokError: ERR_INVALID_OPTION for bad options, ERR_IO for
 * unreadable input, ERR_UNSUPPORTED for input that is not video (or not HEVC with reencode
 * 'never'), ERR_NO_FFMPEG / ERR_FFMPEG / ERR_DECODE from FFmpeg, and the parser's codes.
 */
export async function tokenize(input: string, options: TokenizeOptions = {}): Promise<TokenizeResult> {
  return tokenizeWith(input, options, {});
}

/** tokenize() with the pictures taken from `seams.pictureSource` (tests): internal, not exported by the package. */
export async function tokenizeWith(input: string, options: TokenizeOptions, seams: TokenizeSeams): Promise<TokenizeResult> {
  checkTokenizeArguments('tokenize', input, options);
  const o = resolveOptions(options);
  const deadline = new Deadline(o.timeout, input);
  return deadline.race(tokenizeWithin(input, o, seams, deadline));
}

async function tokenizeWithin(input: string, o: TokenizeOptions, seams: TokenizeSeams, deadline: Deadline): Promise<TokenizeResult> {
  const scoring = resolveScoringOptions(o);
  // Progress comes after every picture and frame: the deadline is checked there too.
  const progress: TokenizeOptions['onProgress'] = (p) => {
    deadline.check();
    o.onProgress?.(p);
  };
  const ownWorkDir = o.workDir === undefined;
  const workDir = o.workDir ?? (await mkdtemp(join(tmpdir(), 'codectok-')));
  let prefetch: FramePrefetch | undefined;
  try {
    progress?.({ stage: 'prepare', done: 0, total: 1 });
    // the FFmpeg that decodes the pixels, found (it must answer -version) while the input is prepared
    const located = locateFfmpeg({ prefer: o.ffmpeg ?? 'auto' });
    located.catch(() => undefined);
    const run = { signal: deadline.signal, limits: o.limits };
    const prepared = await prepareHevc(input, workDir, { reencode: o.reencode, transcode: o.transcode, transcoder: o.transcoder, ...run });
    // the stream's hash (for meta.json) is read while the headers are parsed
    const [hevcSha256, headers] = await Promise.all([sha256File(prepared.hevcPath), pictureHeaders(prepared.hevcPath, { container: 'annexb', codec: prepared.codec, ...run })]);
    const total = headers.length;
    if (total === 0) throw new CodectokError('ERR_UNSUPPORTED', `the ${prepared.codec === 'h264' ? 'H.264' : 'HEVC'} stream holds no picture`, { file: input });
    const fpsSource: TokenizeMeta['frames']['fpsSource'] = o.inputFps ? 'option' : prepared.fps ? 'container' : 'default';
    const fps = o.inputFps ?? prepared.fps ?? 25;
    const sampled = sampleFrames(total, { frames: o.frames, sampleFps: o.sampleFps, start: o.sampleStart }, fps);
    const slotOf = new Map(sampled.map((f, i) => [f, i]));
    const last = sampled[sampled.length - 1]!;
    progress?.({ stage: 'prepare', done: 1, total: 1 });

    // ---- codec maps of the sampled frames
    const decode = decodeOptionsFor(scoring);
    const refresh = o.policy === 'refresh';
    const pixelsOnly = o.policy === 'uniform' || o.policy === 'rlt';
    if (pixelsOnly) {
      decode.motion = false;
      decode.residual = false;
      decode.tuStats = false;
      decode.bits = false;
    }
    // refresh: motion, bits and the coefficient statistics (or the residual) of every picture up to
    // the last sampled one (reduced to change signals, no score); the other policies: arrays (and
    // residual reconstruction) only for the sampled pictures.
    const residualSource = o.residualSource ?? 'coeff';
    if (refresh) Object.assign(decode, { motion: true, bits: true, tuStats: residualSource === 'coeff', residual: residualSource === 'abs' });
    else decode.pictures = sampled.map((f) => headers[f]!.decodeIndex);
    const changes: PictureChange[] = [];
    let share: Float32Array | undefined;
    const first = headers[0]!;
    let crop = { ...first.crop, width: first.width, height: first.height };
    let g = makeGeometry(o, first.width - first.crop.left - first.crop.right, first.height - first.crop.top - first.crop.bottom);
    const scored = !pixelsOnly && !refresh;
    const ff = await located;
    // The sampled frames' pixels, decoded by FFmpeg while the stream is parsed (native FFmpeg:
    // the WebAssembly build runs on this thread and decodes after the selection).
    const frameSet = [...new Set(sampled)].sort((a, b) => a - b);
    // H.264: FFmpeg on one thread. Its decode costs less than the parse beside it (README, Speed), so
    // more threads would only add their overhead; HEVC's decode is the longer one and keeps FFmpeg's
    // frame threads.
    const pixelThreads = prepared.codec === 'h264' ? 1 : undefined;
    if (ff.kind === 'native') prefetch = new FramePrefetch(prepared.hevcPath, { frames: frameSet, geometry: g, scaler: o.scaler, codec: prepared.codec, threads: pixelThreads, signal: deadline.signal, pictures: headers }, ff, join(workDir, FRAMES_WORK_FILE));
    // Without a custom picture source the decoder scores the sampled pictures itself (cpp/score/),
    // on its thread: only per-patch arrays come back. refresh: it computes every picture's change
    // signals there too (score.change), scoring none.
    const request: NativeScoreRequest | undefined = scored
      ? { geometry: g, options: scoring, pictures: decode.pictures as number[], keepMaps: scoring.normalize === 'clip' }
      : refresh
        ? { geometry: g, options: scoring, pictures: [], change: changeRequest(residualSource) }
        : undefined;
    const source = seams.pictureSource ?? defaultSource(request, { ...run, threads: o.threads });
    const slots: (Slot | undefined)[] = new Array(sampled.length);
    let sized = false;
    let index = 0;
    for await (const pic of source(prepared.hevcPath, decode)) {
      const i = pic.outIndex ?? index;
      index = i + 1;
      if (!sized) {
        // A custom source may disagree with the headers: its pictures decide.
        sized = true;
        if (pic.width !== crop.width || pic.height !== crop.height || pic.crop.left !== crop.left || pic.crop.top !== crop.top || pic.crop.right !== crop.right || pic.crop.bottom !== crop.bottom) {
          crop = { ...pic.crop, width: pic.width, height: pic.height };
          g = makeGeometry(o, pic.width - pic.crop.left - pic.crop.right, pic.height - pic.crop.top - pic.crop.bottom);
          // The frames decoded ahead have the headers' geometry: decode again after the selection.
          await prefetch?.close();
          prefetch = undefined;
        }
      } else if (pic.width !== crop.width || pic.height !== crop.height) {
        throw new CodectokError('ERR_UNSUPPORTED', `picture size changes from ${crop.width}x${crop.height} to ${pic.width}x${pic.height} at frame ${i}`, { file: input });
      }
      if (refresh) {
        share ??= pictureShare(pic, g!);
        const native = (pic as NativePicture).change;
        changes.push(native ? { outIndex: i, type: frameType(pic), ...native } : pictureChange(pic, i, g!, residualSource));
      }
      const slot = slotOf.get(i);
      if (slot !== undefined) {
        const s: Slot = { frame: i, poc: pic.poc, type: frameType(pic) };
        if (scored) {
          const native = pic as NativePicture;
          if (native.scores) {
            s.scores = native.scores;
            s.signals = { type: s.type, camera: native.camera as CameraMotion | undefined };
          } else if (native.signalMaps) {
            s.signals = { type: s.type, camera: native.camera as CameraMotion | undefined, nativeMaps: native.signalMaps };
          } else {
            s.signals = frameSignals(pic, scoring);
            if (scoring.normalize === 'frame') {
              s.scores = scoreFrames([s.signals], crop, g, scoring)[0];
              s.signals = { type: s.type, camera: s.signals.camera };
            }
          }
        }
        slots[slot] = s;
      }
      progress?.({ stage: 'parse', done: Math.min(index, last + 1), total: last + 1 });
      if (i >= last) break;
    }
    if (!sized) throw new CodectokError('ERR_UNSUPPORTED', `the parser returned no picture`, { file: input });
    const missing = sampled.filter((_, k) => !slots[k]);
    if (missing.length) throw new CodectokError('ERR_DECODE', `the stream ended before frame ${missing[0]} (${index} pictures parsed, ${total} counted)`, { file: input });
    const full = slots as Slot[];
    if (scoring.normalize === 'clip' && scored) {
      const scores = scoreFrames(full.map((s) => s.signals!), crop, g, scoring);
      full.forEach((s, k) => {
        s.scores = scores[k];
        s.signals = { type: s.type, camera: s.signals!.camera };
      });
    }

    // ---- selection
    const S = g.gridH * g.gridW;
    const T = full.length;
    const scoresVol = new Float32Array(T * S);
    full.forEach((s, k) => s.scores && scoresVol.set(s.scores.fused, k * S));
    const types = full.map((s) => s.type);
    const activity = scored ? activeShare(full.map((s) => s.scores!), types) : 0;
    const isStatic = scored && activity < (o.staticShare ?? 0.01);
    const vol: ScoreVolume = { T, gridH: g.gridH, gridW: g.gridW, scores: scoresVol, frameTypes: types, content: contentPatchMask(g), static: isStatic };
    const change = refresh ? changeVolume(changes, sampled, S, (g.patch * g.srcWidth) / g.scaledWidth) : undefined;
    changes.length = 0;
    // rlt reads the pixels of every sampled frame (a full decode), and its patches come from them
    let decoded: Map<number, Uint8Array> | undefined;
    if (o.policy === 'rlt') {
      decoded = new Map();
      const all = prefetch ? takeFrames(prefetch, frameSet) : decodeFrames(prepared.hevcPath, { frames: frameSet, geometry: g, scaler: o.scaler, codec: prepared.codec, signal: deadline.signal, pictures: headers }, ff);
      for await (const { index, rgb } of all) decoded.set(index, rgb);
    }
    progress?.({ stage: 'select', done: 0, total: 1 });
    const { sel, heldFraction, tokenValues, policyMeta: chosen } = select(o, vol, S, { change, share, frames: decoded, slots: full, g }, resolveDevice(o.device));
    progress?.({ stage: 'select', done: 1, total: 1 });

    // ---- pixels
    const patches = await gatherPatches(o, sel, full, g, prepared.hevcPath, prepared.codec, ff, progress, decoded, prefetch, deadline.signal, headers);
    await prefetch?.close();

    // ---- positions and metadata
    const timeIndex = o.timeIndex ?? 'frame';
    const positions = new Int32Array(sel.positions);
    if (timeIndex === 'frame') for (let r = 0; r < sel.count; r++) if (positions[3 * r]! >= 0) positions[3 * r] = full[positions[3 * r]!]!.frame;
    const tokenScores: number[] = [];
    for (let r = 0; r < sel.count; r++) {
      const s = sel.positions[3 * r]!;
      tokenScores.push(s < 0 ? -1 : tokenValues ? tokenValues[r]! : scoresVol[s * S + sel.positions[3 * r + 1]! * g.gridW + sel.positions[3 * r + 2]!]!);
    }
    const { onProgress: _op, ...plainOptions } = o;
    const { hevcPath: _hp, encoder, ...inputInfo } = prepared;
    const policyMeta: TokenizeMeta['policy'] = { name: o.policy ?? DEFAULT_POLICY, budget: o.budget ?? defaultBudget(o, T, S) };
    if (o.policy === 'codec' || o.policy === 'adaptive') Object.assign(policyMeta, { iframes: o.iframes ?? 'zero', keepFirst: o.keepFirst ?? true, padding: o.padding ?? 'exclude', staticFallback: o.policy === 'codec' ? (o.staticFallback ?? true) : false, order: o.order ?? 'thw' });
    if (o.policy === 'grouped') policyMeta.groupSize = o.groupSize ?? 4;
    if (chosen) Object.assign(policyMeta, chosen);
    if (o.policy === 'adaptive') Object.assign(policyMeta, { fraction: o.fraction ?? 0.9, maxBudget: o.maxBudget ?? T * S, minBudget: o.minBudget ?? 1 });
    const meta: TokenizeMeta = {
      codectok: VERSION,
      input,
      hevcSha256,
      encoder,
      preset: o.preset ?? null,
      timeIndex,
      tMeaning: timeIndex === 'frame' ? 't is the source frame index: the position of the picture in display order in the video, from 0 (meta.frames.sampled lists the sampled ones)' : 't is the sampled-slot index 0..T-1; meta.frames.sampled[t] is the source frame index',
      frames: { total, fps, fpsSource, sampled, timestamps: sampled.map((f) => f / fps), types, pocs: full.map((s) => s.poc) },
      grid: { T, H: g.gridH, W: g.gridW },
      geometry: g,
      count: sel.count,
      padded: sel.padded,
      budget: sel.budget,
      effectiveBudget: sel.effectiveBudget,
      denseSlots: sel.denseSlots,
      staticFallback: sel.staticFallback,
      activeShare: activity,
      isStatic,
      policy: policyMeta,
      scoring,
      scores: {
        tokens: tokenScores,
        slotMean: refresh ? (chosen!.slotChange as number[]) : full.map((s) => (s.scores ? s.scores.fused.reduce((a, b) => a + b, 0) / S : 0)),
        levels: full.map((s) => s.scores?.levels ?? {}),
        camera: full.map((s) => s.signals?.camera ?? null),
      },
      patches: { layout: patches.layout, dtype: patches.dtype, ...(patches.dtype === 'float32' ? { mean: o.mean ?? [0, 0, 0], std: o.std ?? [1, 1, 1] } : {}) },
      ffmpeg: { decode: ff, input: inputInfo },
      options: plainOptions as Record<string, unknown>,
    };
    if (sel.groups) meta.groups = sel.groups;
    if (heldFraction !== undefined) meta.heldFraction = heldFraction;
    const scores = scored ? scoreTensor(scoresVol, [T, g.gridH, g.gridW], 'fused') : change ? scoreTensor(change.change, [T, g.gridH, g.gridW], 'change') : null;
    return { patches, positions: positionTensor(positions), scores, meta };
  } catch (e) {
    throw toCodectokError(e, input);
  } finally {
    await prefetch?.close();
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
  }
}
