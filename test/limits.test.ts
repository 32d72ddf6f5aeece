// Resource limits from the user's side (the `limits` option of parsePictures, parseFile,
// pictureHeaders, countPictures, tokenize; DecodeLimits): each one, set just below what a corpus
// file needs (measured independently: the corpus manifest and golden frames, the bytes of the
// file), fails with ERR_LIMIT_EXCEEDED naming it, and set to exactly what the file needs decodes;
// hostile MP4 headers are refused by the defaults; values are checked strictly.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { CodectokError } from '../src/errors.js';
import { countPictures, pictureHeaders } from '../src/input/picture_headers.js';
import { parseFile, parsePictures, type ParseOptions } from '../src/input/parser.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { corpusManifest, corpusStream } from './helpers/corpus.js';
import { ffmpeg, ffmpegPath } from './helpers/ffmpeg.js';
import { tmpDir } from './shard_helpers.js';

async function failure(run: () => Promise<unknown>): Promise<CodectokError> {
  const e = await run().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected a failure').toBeInstanceOf(CodectokError);
  return e as CodectokError;
}

async function expectLimit(run: () => Promise<unknown>, limit: string): Promise<void> {
  const e = await failure(run);
  expect(e.code, e.message).toBe('ERR_LIMIT_EXCEEDED');
  expect(e.message).toContain(`limit ${limit} = `);
}

const parse = (file: string | Uint8Array, limits: ParseOptions['limits']) => parseFile(file, { limits });

/** NAL unit payload sizes of an Annex-B stream, from its bytes (start codes and the zero bytes before them excluded). */
function nalSizes(d: Uint8Array): number[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < d.length; i++) if (d[i] === 0 && d[i + 1] === 0 && d[i + 2] === 1) starts.push(i + 3), (i += 2);
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : d.length;
    while (end > s && d[end - 1] === 0) end--;
    return end - s;
  });
}

/** Top-level boxes of an MP4 file from their headers: [type, size]. */
function topLevelBoxes(d: Uint8Array): [string, number][] {
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const out: [string, number][] = [];
  for (let p = 0; p + 8 <= d.length; ) {
    let size = view.getUint32(p);
    const type = String.fromCharCode(...d.subarray(p + 4, p + 8));
    if (size === 1) size = Number(view.getBigUint64(p + 8));
    if (size === 0) size = d.length - p;
    out.push([type, size]);
    p += size;
  }
  return out;
}

describe('decoder limits (HEVC and H.264)', () => {
  const manifest = new Map(corpusManifest().map((m) => [m.name, m]));

  it('maxLumaPictureSize and maxPictureDimension: the picture size of the corpus manifest', async () => {
    // tiny_ipb: 64x64, coded and displayed alike
    const { width, height, frames } = manifest.get('tiny_ipb')!;
    const file = corpusStream('tiny_ipb');
    await expectLimit(() => parse(file, { maxLumaPictureSize: width * height - 1 }), 'maxLumaPictureSize');
    expect((await parse(file, { maxLumaPictureSize: width * height })).length).toBe(frames);
    await expectLimit(() => parse(file, { maxPictureDimension: Math.max(width, height) - 1 }), 'maxPictureDimension');
    expect((await parse(file, { maxPictureDimension: Math.max(width, height) })).length).toBe(frames);
    // H.264 (coded size in macroblocks: 64x64)
    const h264 = path.join(import.meta.dirname, 'fixtures/h264-corpus/tiny_ipb.h264');
    await expectLimit(() => parse(h264, { maxLumaPictureSize: 64 * 64 - 1 }), 'maxLumaPictureSize');
    expect((await parse(h264, { maxLumaPictureSize: 64 * 64 })).length).toBe(4);
  });

  it('maxSliceSegmentsPerPicture: the most slice segments of a picture in the golden frames', async () => {
    const frames = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/hevc-corpus/kvz_wpp_dslices.frames.json'), 'utf8')) as { slices: unknown[] }[];
    const most = Math.max(...frames.map((f) => f.slices.length));
    expect(most).toBeGreaterThan(1);
    const file = corpusStream('kvz_wpp_dslices');
    await expectLimit(() => parse(file, { maxSliceSegmentsPerPicture: most - 1 }), 'maxSliceSegmentsPerPicture');
    expect((await parse(file, { maxSliceSegmentsPerPicture: most })).length).toBe(frames.length);
    // headers only: pictureHeaders and countPictures take the limits too
    await expectLimit(() => pictureHeaders(file, { limits: { maxSliceSegmentsPerPicture: most - 1 } }), 'maxSliceSegmentsPerPicture');
    expect(await countPictures(file, { limits: { maxSliceSegmentsPerPicture: most } })).toBe(frames.length);
  });

  it('maxTilesPerPicture and maxDpbSize: a tiled stream refused with one tile, a P/B stream with a DPB of one picture', async () => {
    await expectLimit(() => parse(corpusStream('kvz_tiles'), { maxTilesPerPicture: 1 }), 'maxTilesPerPicture');
    expect((await parse(corpusStream('tiny_i'), { maxTilesPerPicture: 1 })).length).toBe(manifest.get('tiny_i')!.frames);
    await expectLimit(() => parse(corpusStream('tiny_ipb'), { maxDpbSize: 1 }), 'maxDpbSize');
    expect((await parse(corpusStream('tiny_ipb'), { maxDpbSize: 16 })).length).toBe(manifest.get('tiny_ipb')!.frames);
  });

  it('maxNalUnitSize: the largest NAL unit of the file, from its bytes', async () => {
    const bytes = new Uint8Array(readFileSync(corpusStream('tiny_ipb')));
    const largest = Math.max(...nalSizes(bytes));
    await expectLimit(() => parse(bytes, { maxNalUnitSize: largest - 1 }), 'maxNalUnitSize');
    expect((await parse(bytes, { maxNalUnitSize: largest })).length).toBe(manifest.get('tiny_ipb')!.frames);
  });

  it('tokenize({ limits }) applies them', async () => {
    const { width, height } = manifest.get('tiny_ipb')!;
    await expectLimit(() => tokenize(corpusStream('tiny_ipb'), { frames: 2, size: 64, patch: 16, budget: 8, limits: { maxLumaPictureSize: width * height - 1 } }), 'maxLumaPictureSize');
  });
});

describe('limits are checked strictly', () => {
  it('unknown names, non-integers, zero, negatives and out-of-range values: ERR_INVALID_OPTION naming them', async () => {
    const file = corpusStream('tiny_i');
    const bad: [unknown, RegExp][] = [
      [{ maxPictureSize: 10 }, /unknown options\.limits name maxPictureSize/],
      [{ maxDpbSize: 0 }, /options\.limits\.maxDpbSize must be an integer from 1 to 2147483647, got 0/],
      [{ maxDpbSize: 1.5 }, /options\.limits\.maxDpbSize must be an integer/],
      [{ maxDpbSize: '3' }, /options\.limits\.maxDpbSize must be an integer/],
      [{ maxDpbSize: -1 }, /options\.limits\.maxDpbSize/],
      [{ maxTilesPerPicture: 2 ** 31 }, /maxTilesPerPicture must be an integer from 1 to 2147483647/],
      [{ maxNalUnitSize: Number.NaN }, /maxNalUnitSize must be an integer from 1 to 9007199254740991/],
      [[1], /options\.limits must be an object/],
      [null, /options\.limits must be an object/],
    ];
    for (const [limits, message] of bad) {
      for (const run of [
        () => parseFile(file, { limits: limits as never }),
        () => countPictures(file, { limits: limits as never }),
        () => tokenize(file, { limits: limits as never }),
      ]) {
        const e = await failure(run);
        expect(e.code).toBe('ERR_INVALID_OPTION');
        expect(e.message).toMatch(message);
      }
    }
    // parsePictures throws when it is called, before anything is read
    expect(() => parsePictures(file, { limits: { maxDpbSize: 0 } })).toThrow(/maxDpbSize/);
  });
});

describe.skipIf(!ffmpegPath())('MP4 box limits (needs the bundled ffmpeg)', () => {
  const dir = tmpDir('codectok-limits-');
  const mp4 = path.join(dir, 'tiny_ipb.mp4');
  ffmpeg(['-i', corpusStream('tiny_ipb'), '-c', 'copy', '-tag:v', 'hvc1', mp4]);
  const bytes = new Uint8Array(readFileSync(mp4));
  const boxes = topLevelBoxes(bytes);

  it('maxMp4BoxSize: the moov box, as its header says; mdat is never read whole and not limited', async () => {
    const moov = boxes.find(([t]) => t === 'moov')![1];
    const mdat = boxes.find(([t]) => t === 'mdat')![1];
    await expectLimit(() => parse(mp4, { maxMp4BoxSize: moov - 1 }), 'maxMp4BoxSize');
    // streamed input too
    await expectLimit(async () => {
      for await (const _ of parsePictures((async function* () { yield bytes; })(), { limits: { maxMp4BoxSize: moov - 1 } }));
    }, 'maxMp4BoxSize');
    const limit = Math.max(moov, ...boxes.filter(([t]) => t !== 'mdat').map(([, s]) => s));
    expect(mdat).toBeGreaterThan(limit);
    expect((await parse(mp4, { maxMp4BoxSize: limit })).length).toBe(4);
  });

  it('maxMp4BoxSize by default: a moov header claiming 1 GiB is refused before it is buffered', async () => {
    const moovAt = boxes.findIndex(([t]) => t === 'moov');
    const offset = boxes.slice(0, moovAt).reduce((n, [, s]) => n + s, 0);
    const hostile = new Uint8Array(bytes.subarray(0, offset + 8));
    new DataView(hostile.buffer).setUint32(offset, 2 ** 30);
    const file = path.join(dir, 'moov_1gib.mp4');
    writeFileSync(file, hostile);
    await expectLimit(() => parse(file, undefined), 'maxMp4BoxSize');
    await expectLimit(() => parse(hostile, undefined), 'maxMp4BoxSize');
  });

  it('maxMp4BoxCount: thousands of top-level boxes', async () => {
    // ftyp, then 5000 empty 'free' boxes, then the rest of the file: the moov and mdat offsets
    // are absolute, so the file is rebuilt with the free boxes at its end instead.
    const frees = new Uint8Array(5000 * 8);
    for (let i = 0; i < 5000; i++) {
      new DataView(frees.buffer).setUint32(i * 8, 8);
      frees.set([0x66, 0x72, 0x65, 0x65], i * 8 + 4);
    }
    const padded = new Uint8Array(bytes.length + frees.length);
    padded.set(bytes);
    padded.set(frees, bytes.length);
    const file = path.join(dir, 'many_boxes.mp4');
    writeFileSync(file, padded);
    expect(topLevelBoxes(padded).length).toBe(boxes.length + 5000);
    await expectLimit(() => parse(file, { maxMp4BoxCount: 1000 }), 'maxMp4BoxCount');
    expect((await parse(file, undefined)).length).toBe(4);
    // the plain file: fewer boxes than its top level cannot be
    await expectLimit(() => parse(mp4, { maxMp4BoxCount: boxes.length - 1 }), 'maxMp4BoxCount');
  });
});
