// Pixels from a pruned stream (src/input/ffmpeg/pruned_stream.ts): FFmpeg fed the Annex-B stream
// without the disposable pictures no wanted frame is, returns the same RGB bytes as from the whole
// stream, for HEVC (x265 B-frames, b-pyramid, temporal layers, open GOP with RASL pictures, the
// corpus) and H.264 (x264 non-reference and pyramid B-frames, the corpora), with fewer pictures
// fed to it.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { letterboxGeometry } from '../src/geometry/output_geometry.js';
import { decodeFrames } from '../src/input/ffmpeg/decode_frames.js';
import { locateFfmpeg } from '../src/input/ffmpeg/locate.js';
import { derivePoc, neededPictures } from '../src/input/ffmpeg/needed_pictures.js';
import { planPrunedStream, prunedBytes } from '../src/input/ffmpeg/pruned_stream.js';
import { countPictures, pictureHeaders, type PictureHeader } from '../src/input/picture_headers.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { expectPatchesMatchFrames, referenceFrames, syntheticClip, tempDir } from './helpers/tokenize_helpers.js';

const HEVC_CORPUS = join(import.meta.dirname, 'fixtures', 'hevc-corpus');
const H264_X264 = join(import.meta.dirname, 'fixtures', 'h264-x264');
const H264_CORPUS = join(import.meta.dirname, 'fixtures', 'h264-corpus');

type Codec = 'hevc' | 'h264';

async function decodeAll(path: string, codec: Codec, frames: number[], pictures?: readonly PictureHeader[], kind: 'native' | 'wasm' = 'native'): Promise<Uint8Array[]> {
  const ff = await locateFfmpeg({ prefer: kind });
  const h = await pictureHeaders(path, { container: 'annexb', codec });
  const g = letterboxGeometry(h[0]!.width - h[0]!.crop.left - h[0]!.crop.right, h[0]!.height - h[0]!.crop.top - h[0]!.crop.bottom, { size: 64, patch: 16 });
  const out: Uint8Array[] = [];
  const indices: number[] = [];
  for await (const f of decodeFrames(path, { frames, geometry: g, codec, pictures }, ff)) {
    indices.push(f.index);
    out.push(new Uint8Array(f.rgb));
  }
  expect(indices).toEqual(frames);
  return out;
}

/** Frame sets: every frame, the first, the last, disposable ones alone, a sparse mix. */
function frameSets(h: PictureHeader[]): number[][] {
  const n = h.length;
  const disposable = h.filter((p) => p.disposable).map((p) => p.outIndex);
  const sets = [[0], [n - 1], Array.from({ length: n }, (_, i) => i), Array.from({ length: Math.ceil(n / 3) }, (_, i) => 3 * i)];
  if (disposable.length) sets.push(disposable.slice(0, 2), [0, disposable[disposable.length - 1]!, n - 1]);
  sets.push([...new Set([1, Math.floor(n / 2), n - 2].filter((i) => i > 0 && i < n))].sort((a, b) => a - b));
  return sets;
}

/**
 * Pruned and whole-stream decodes agree on every frame set; the pruned stream holds fewer pictures
 * where some can go: at least the disposable pictures that are not wanted (HEVC may drop more, by
 * references).
 */
async function expectSameFrames(path: string, codec: Codec, sets?: number[][]): Promise<{ droppedSomewhere: boolean }> {
  const h = await pictureHeaders(path, { container: 'annexb', codec });
  let droppedSomewhere = false;
  for (const frames of sets ?? frameSets(h)) {
    const whole = await decodeAll(path, codec, frames);
    const pruned = await decodeAll(path, codec, frames, h);
    expect(pruned.length).toBe(frames.length);
    pruned.forEach((rgb, k) => expect(Buffer.compare(Buffer.from(rgb), Buffer.from(whole[k]!)), `${path} frame ${frames[k]} of [${frames.join(',')}]`).toBe(0));
    const plan = await planPrunedStream(path, h, frames);
    const disposable = h.filter((p) => p.disposable && !frames.includes(p.outIndex)).length;
    if (!plan) {
      expect(disposable).toBe(0);
      continue;
    }
    droppedSomewhere = true;
    if (codec === 'h264') expect(plan.dropped).toBe(disposable);
    else expect(plan.dropped).toBeGreaterThanOrEqual(disposable);
    // What FFmpeg reads, counted by the parser on its own: strictly fewer pictures.
    const bytes = await prunedBytes(path, plan);
    const fed = await countPictures(bytes, { container: 'annexb', codec });
    expect(fed).toBe(h.length - plan.dropped);
    expect(fed).toBeLessThan(h.length);
  }
  return { droppedSomewhere };
}

describe('the pictures some frames need (needed_pictures.ts)', () => {
  // an IDR, then intra-coded TRAIL_R pictures that reference nothing: only POC derivation ties them
  const intraChain = (n: number, maxPocLsb: number): PictureHeader[] => Array.from({ length: n }, (_, i) => ({
    outIndex: i, decodeIndex: i, codec: 'hevc', poc: i, nalType: i === 0 ? 19 : 1, temporalId: 0, disposable: false, maxPocLsb,
    irap: i === 0, newSequence: i === 0, rasl: false, pocAnchor: true, refPocs: [],
    sliceBytes: [{ offset: 10 * i + 3, size: 5 }], width: 16, height: 16, crop: { left: 0, right: 0, top: 0, bottom: 0 },
  }));
  // the flags of a NAL type (what the headers pass reports), for a picture of TemporalId 0 that starts no coded video sequence
  const retype = (p: PictureHeader, nalType: 21 | 9 | 8) => Object.assign(p, { nalType, irap: nalType === 21, rasl: nalType !== 21, pocAnchor: nalType === 21, disposable: nalType === 8 });
  const kept = (needed: boolean[]) => needed.flatMap((k, i) => (k ? [i] : []));

  it('keeps the prevTid0Pic a kept picture derives its POC from, where another would give another POC', () => {
    expect(kept(neededPictures(intraChain(24, 256), [20]))).toEqual([0, 20]);
    // MaxPicOrderCntLsb 16: 20 derived from 0 would be 4; the pictures down to 8 (8 from 0 is 8) stay
    expect(kept(neededPictures(intraChain(24, 16), [20]))).toEqual([0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(derivePoc(20, 0, 16)).toBe(4);
    expect(derivePoc(8, 0, 16)).toBe(8);
    expect(derivePoc(9, 0, 16)).toBe(-7);
    expect(derivePoc(300, 290, 256)).toBe(300);
  });

  it('keeps the IRAP picture of each kept picture, the first picture, references, and RASL pictures', () => {
    const h = intraChain(24, 256);
    retype(h[16]!, 21); // a CRA; 17-19 predicted each from the one before
    for (const i of [17, 18, 19]) h[i]!.refPocs = [i - 1];
    expect(kept(neededPictures(h, [18]))).toEqual([0, 16, 17, 18]);
    retype(h[12]!, 9); // a RASL_R picture is kept
    expect(kept(neededPictures(h, [18]))).toEqual([0, 12, 16, 17, 18]);
    retype(h[12]!, 8); // RASL_N, disposable: it goes
    expect(kept(neededPictures(h, [18]))).toEqual([0, 16, 17, 18]);
    // a reference not found in the stream: the disposable rule (everything but disposable pictures)
    h[18]!.refPocs = [99];
    expect(kept(neededPictures(h, [18])).length).toBe(23);
    // a picture decoded but not output (a gap in decode indices): the disposable rule
    const gap = intraChain(24, 256).map((p, i) => ({ ...p, decodeIndex: i === 0 ? 0 : i + 1 }));
    expect(kept(neededPictures(gap, [18])).length).toBe(24);
  });
});

describe('what the headers pass says of each picture (the rules needed_pictures.ts reads)', () => {
  it('IRAP, RASL, prevTid0Pic candidates (clause 8.3.1) and coded video sequence starts, by NAL type and TemporalId', async () => {
    for (const name of ['open_gop', 'ctu32_bframes', 'tiny_ipb']) {
      const h = await pictureHeaders(join(HEVC_CORPUS, `${name}.hevc`), { container: 'annexb', codec: 'hevc' });
      for (const p of h) {
        const t = p.nalType;
        const what = `${name} picture ${p.decodeIndex} type ${t}`;
        expect(p.irap, what).toBe(t >= 16 && t <= 23);
        expect(p.rasl, what).toBe(t === 8 || t === 9);
        expect(p.pocAnchor, what).toBe(p.temporalId === 0 && !(t >= 6 && t <= 9) && !(t <= 14 && t % 2 === 0));
        // one coded video sequence per stream here: only the first picture starts one
        expect(p.newSequence, what).toBe(p.decodeIndex === 0);
      }
      expect(h.some((p) => p.irap && p.decodeIndex > 0) || name !== 'open_gop', `${name}: a CRA after the first picture`).toBe(true);
    }
    const h264 = await pictureHeaders(join(H264_X264, 'poc2_p_only.h264'), { container: 'annexb', codec: 'h264' });
    expect(h264.map((p) => [p.irap, p.newSequence, p.rasl, p.pocAnchor])).toEqual(h264.map((p) => [p.nalType === 5, p.nalType === 5, false, false]));
  });

  it('derivePoc is the decoder\'s POC derivation; a bad MaxPicOrderCntLsb is refused', () => {
    expect(() => derivePoc(3, 0, 12)).toThrow(/power of two/);
  });
});

describe('pruned pixel decode', () => {
  it('HEVC from libx265: B-frames with b-pyramid, temporal layers, open GOP', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const src = 'testsrc2=size=192x108:rate=25';
    const pyramid = await syntheticClip(dir, 'pyramid.hevc', src, 1.6, ['-c:v', 'libx265', '-x265-params', 'log-level=error:bframes=4:b-pyramid=1:keyint=20', '-f', 'hevc']);
    const layers = await syntheticClip(dir, 'layers.hevc', src, 1.6, ['-c:v', 'libx265', '-x265-params', 'log-level=error:bframes=4:b-pyramid=1:temporal-layers=1:keyint=20', '-f', 'hevc']);
    for (const f of [pyramid, layers]) expect((await expectSameFrames(f, 'hevc')).droppedSomewhere).toBe(true);
    // Temporal layers: the sub-layer non-reference pictures of the highest sub-layer go, not those below it.
    const h = await pictureHeaders(layers, { container: 'annexb', codec: 'hevc' });
    const top = Math.max(...h.map((p) => p.temporalId));
    expect(top).toBe(1);
    const slnr = (t: number) => t <= 14 && t % 2 === 0;
    expect(h.filter((p) => slnr(p.nalType) && p.temporalId < top).length).toBeGreaterThan(0);
    for (const p of h) expect(p.disposable, `picture ${p.outIndex} type ${p.nalType} tid ${p.temporalId}`).toBe(slnr(p.nalType) && p.temporalId === top);
  });

  it('HEVC corpus: RASL pictures, slices, WPP, Main 10, custom lists', { timeout: 180_000 }, async () => {
    for (const name of ['open_gop', 'ctu32_bframes', 'wpp_slices', 'main10', 'custom_lists', 'tiny_ipb']) {
      expect((await expectSameFrames(join(HEVC_CORPUS, `${name}.hevc`), 'hevc')).droppedSomewhere, name).toBe(true);
    }
    // P pictures only (a CRA every 16): nothing is disposable, yet the pictures after the last
    // wanted one of a GOP go
    const seed = join(HEVC_CORPUS, 'seed_gop16_224.hevc');
    expect((await expectSameFrames(seed, 'hevc')).droppedSomewhere).toBe(true);
    const h = await pictureHeaders(seed, { container: 'annexb', codec: 'hevc' });
    expect(h.some((p) => p.disposable)).toBe(false);
    expect(h[16]!.nalType).toBe(21);
    expect((await planPrunedStream(seed, h, [3, 20]))!.dropped).toBe(h.length - 9); // kept: 0-3, the CRA at 16 and 17-20, P pictures predicted each from the one before
  });

  it("HEVC from libx265 with OneVision-Encoder's recipe (P pictures, keyint 16) and with a 4-bit POC LSB", { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const src = 'testsrc2=size=192x108:rate=25';
    const ovenc = await syntheticClip(dir, 'ovenc.hevc', src, 2.4, ['-c:v', 'libx265', '-x265-params', 'log-level=error:keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1', '-f', 'hevc']);
    expect((await expectSameFrames(ovenc, 'hevc')).droppedSomewhere).toBe(true);
    // MaxPicOrderCntLsb 16 and one GOP of 60: leaving out the pictures before the CRA at 60 would
    // change how its POC is derived (prevTid0Pic 40 POCs back), so they stay
    const lsb = await syntheticClip(dir, 'lsb.hevc', src, 3.2, ['-c:v', 'libx265', '-x265-params', 'log-level=error:keyint=60:min-keyint=60:scenecut=0:bframes=0:ref=1:log2-max-poc-lsb=4', '-f', 'hevc']);
    const h = await pictureHeaders(lsb, { container: 'annexb', codec: 'hevc' });
    expect(h[0]!.maxPocLsb).toBe(16);
    expect(h[60]!.nalType).toBe(21);
    await expectSameFrames(lsb, 'hevc', [[5, 70], [3, 61], [19, 62, 79]]);
    expect(await planPrunedStream(lsb, h, [5, 70])).toMatchObject({ dropped: h.length - 71 }); // all but 71-79
    // the same with B-frames: a CRA whose POC were derived from a prevTid0Pic 40 POCs back would be
    // output out of its place (FFmpeg then returns too few frames)
    const lsbB = await syntheticClip(dir, 'lsb_b.hevc', src, 3.2, ['-c:v', 'libx265', '-x265-params', 'log-level=error:keyint=60:min-keyint=60:scenecut=0:bframes=3:b-pyramid=0:log2-max-poc-lsb=4', '-f', 'hevc']);
    expect((await expectSameFrames(lsbB, 'hevc', [[5, 70], [13, 70], [14, 62], [17, 61], [10, 75]])).droppedSomewhere).toBe(true);
  });

  it('H.264 from libx264: non-reference B-frames and B-pyramid', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const src = 'testsrc2=size=192x108:rate=25';
    const nonRef = await syntheticClip(dir, 'nonref.h264', src, 1.6, ['-c:v', 'libx264', '-bf', '3', '-x264-params', 'b-pyramid=none:keyint=20', '-f', 'h264']);
    const pyramid = await syntheticClip(dir, 'pyramid.h264', src, 1.6, ['-c:v', 'libx264', '-bf', '3', '-x264-params', 'b-pyramid=normal:keyint=20', '-f', 'h264']);
    for (const f of [nonRef, pyramid]) expect((await expectSameFrames(f, 'h264')).droppedSomewhere).toBe(true);
  });

  it('H.264 corpora: MMCO and pyramids, open GOP, temporal direct, CAVLC, slices', { timeout: 180_000 }, async () => {
    for (const f of [join(H264_X264, 'slices_pyramid_mmco.h264'), join(H264_X264, 'cavlc_8x8_b.h264'), join(H264_CORPUS, 'open_gop_pyramid.h264'), join(H264_CORPUS, 'direct_temporal.h264'), join(H264_CORPUS, 'slices_cabac.h264')]) {
      expect((await expectSameFrames(f, 'h264')).droppedSomewhere, f).toBe(true);
    }
  });

  it('the WebAssembly FFmpeg decodes the pruned stream too', { timeout: 180_000 }, async () => {
    const path = join(HEVC_CORPUS, 'ctu32_bframes.hevc');
    const h = await pictureHeaders(path, { container: 'annexb', codec: 'hevc' });
    const frames = [0, h.findIndex((p) => !p.disposable && p.outIndex > 0), h.length - 1];
    expect((await planPrunedStream(path, h, frames))!.dropped).toBeGreaterThan(0);
    const whole = await decodeAll(path, 'hevc', frames);
    const pruned = await decodeAll(path, 'hevc', frames, h, 'wasm');
    pruned.forEach((rgb, k) => expect(Buffer.compare(Buffer.from(rgb), Buffer.from(whole[k]!))).toBe(0));
  });

  it('headers that do not fit the file: no plan, the whole stream is decoded', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const path = join(HEVC_CORPUS, 'ctu32_bframes.hevc');
    const h = await pictureHeaders(path, { container: 'annexb', codec: 'hevc' });
    const frames = [0, 5, 9];
    // another stream's headers
    const other = await pictureHeaders(join(HEVC_CORPUS, 'wpp_slices.hevc'), { container: 'annexb', codec: 'hevc' });
    expect(await planPrunedStream(path, other, frames)).toBeUndefined();
    // the same stream with bytes in front: the offsets miss the start codes
    const shifted = join(dir, 'shifted.hevc');
    writeFileSync(shifted, Buffer.concat([Buffer.from([0, 0, 0, 1, 0x4e, 0x01, 0x80]), readFileSync(path)]));
    expect(await planPrunedStream(shifted, h, frames)).toBeUndefined();
    // a truncated file: extents past its end
    const cut = join(dir, 'cut.hevc');
    writeFileSync(cut, readFileSync(path).subarray(0, 2000));
    expect(await planPrunedStream(cut, h, frames)).toBeUndefined();
    // headers out of order, frames out of range
    expect(await planPrunedStream(path, [...h].reverse(), frames)).toBeUndefined();
    expect(await planPrunedStream(path, h, [0, h.length])).toBeUndefined();
    // decodeFrames with such headers still returns the right frames (from the whole stream)
    const copy = join(dir, 'copy.hevc');
    copyFileSync(path, copy);
    const whole = await decodeAll(copy, 'hevc', frames);
    const withOther = await decodeAll(copy, 'hevc', frames, other);
    withOther.forEach((rgb, k) => expect(Buffer.compare(Buffer.from(rgb), Buffer.from(whole[k]!))).toBe(0));
  });

  it('tokenize: the same patches as frames FFmpeg decodes from the whole stream', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const clip = await syntheticClip(dir, 'tok.hevc', 'testsrc2=size=320x180:rate=25', 3, ['-c:v', 'libx265', '-x265-params', 'log-level=error:bframes=4:b-pyramid=1:keyint=30', '-f', 'hevc']);
    const h = await pictureHeaders(clip, { container: 'annexb', codec: 'hevc' });
    for (const policy of ['codec', 'uniform', 'rlt'] as const) {
      const r = await tokenize(clip, { policy, budget: 640, size: 128, patch: 16, frames: 20 });
      // sampled frames that are disposable themselves, and disposable pictures between them that go
      expect(r.meta.frames.sampled.some((f) => h[f]!.disposable)).toBe(true);
      expect((await planPrunedStream(clip, h, r.meta.frames.sampled))!.dropped).toBeGreaterThan(0);
      expectPatchesMatchFrames(r, await referenceFrames(clip, r.meta.geometry));
    }
  });
});
