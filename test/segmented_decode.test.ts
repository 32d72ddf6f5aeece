// One stream on several threads (parsePictures' `threads`, src/input/segmented_decode.ts): the
// pictures must be those of one thread, in the same order, with the same arrays, on streams with
// several random-access points (test/fixtures/segments, the corpus), from files, buffers and MP4;
// errors come with the same code, byte offset and picture as with one thread, after at least the
// pictures one thread hands out; cancelling and stopping early leave nothing running.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { CodectokError } from '../src/errors.js';
import { parseFile, parsePictures, type ParseOptions, type Picture } from '../src/input/parser.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { corpusStream } from './helpers/corpus.js';
import { ffmpeg, ffmpegPath } from './helpers/ffmpeg.js';
import { tmpDir } from './shard_helpers.js';

const SEGMENTS = path.join(__dirname, 'fixtures', 'segments');
const segmentStream = (name: string) => path.join(SEGMENTS, name);

/** Everything a picture carries, as comparable plain values. */
function fingerprint(p: Picture): unknown {
  const bytes = (a?: ArrayBufferView) => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') : null);
  return {
    poc: p.poc, decodeIndex: p.decodeIndex, outIndex: p.outIndex, nalType: p.nalType, codec: p.codec,
    width: p.width, height: p.height, totalBits: p.totalBits, slices: p.slices,
    motion: bytes(p.motion), cu: bytes(p.cu), bits: bytes(p.bits), tu: bytes(p.tu),
  };
}

async function pictures(input: string | Uint8Array, options: ParseOptions): Promise<unknown[]> {
  return (await parseFile(input, { tuStats: true, ...options })).map(fingerprint);
}

/** The pictures handed out before the iteration threw, and what it threw. */
async function untilError(input: string | Uint8Array, options: ParseOptions): Promise<{ got: unknown[]; error?: CodectokError }> {
  const got: unknown[] = [];
  try {
    for await (const p of parsePictures(input, options)) got.push(fingerprint(p));
  } catch (e) {
    return { got, error: e as CodectokError };
  }
  return { got };
}

describe('parsePictures threads', () => {
  const streams = [
    segmentStream('idr_radl.hevc'), segmentStream('cra_rasl.hevc'), segmentStream('cra_poc_wrap.hevc'),
    segmentStream('idr_bframes.h264'), corpusStream('ctu16_amp'), corpusStream('seed_gop16_576'), corpusStream('intra_only'),
  ];
  for (const file of streams) {
    it(`${path.basename(file)}: 2 and 4 threads give the pictures of one`, async () => {
      const one = await pictures(file, { threads: 1 });
      expect(one.length).toBeGreaterThan(0);
      expect(await pictures(file, { threads: 2, chunkSize: 4096 })).toEqual(one);
      expect(await pictures(file, { threads: 4 })).toEqual(one);
    });
  }

  it('the POC passes its LSB wrap across segments (cra_poc_wrap: 300 pictures, a CRA every 40)', async () => {
    const got = await parseFile(segmentStream('cra_poc_wrap.hevc'), { threads: 3, motion: false, cu: false, bits: false });
    expect(got.map((p) => p.poc)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(got.filter((p) => p.nalType === 21).map((p) => p.decodeIndex)).toEqual([40, 80, 120, 160, 200, 240, 280]);
  });

  it('a buffer, a stream that starts mid-way and parameter sets that change mid-stream', async () => {
    const a = readFileSync(segmentStream('idr_radl.hevc'));
    const b = readFileSync(corpusStream('ctu16_amp'));  // another picture size, its own VPS/SPS/PPS
    const joined = new Uint8Array(Buffer.concat([a, b, a]));
    const one = await pictures(joined, { threads: 1, codec: 'hevc' });
    expect(new Set(one.map((p) => (p as { width: number }).width)).size).toBe(2);
    expect(await pictures(joined, { threads: 2, codec: 'hevc', chunkSize: 4096 })).toEqual(one);
    const late = joined.subarray(Math.floor(a.length / 2));  // from the middle of a picture on
    const lateOne = await pictures(late, { threads: 1, container: 'annexb', codec: 'hevc' });
    expect(lateOne.length).toBeGreaterThan(0);
    expect(await pictures(late, { threads: 2, container: 'annexb', codec: 'hevc' })).toEqual(lateOne);
  });

  it.skipIf(!ffmpegPath())('an MP4 (skipped without the bundled FFmpeg)', async () => {
    const dir = tmpDir('segmented-mp4');
    const mp4 = path.join(dir, 'idr_radl.mp4');
    ffmpeg(['-v', 'error', '-y', '-i', segmentStream('idr_radl.hevc'), '-c', 'copy', '-tag:v', 'hvc1', mp4]);
    const one = await pictures(mp4, { threads: 1 });
    expect(one.length).toBe(40);
    expect(await pictures(mp4, { threads: 2 })).toEqual(one);
  });

  it('a corrupt segment: the same error, byte offset and picture as one thread, after at least its pictures', async () => {
    const d = Buffer.from(readFileSync(segmentStream('cra_poc_wrap.hevc')));
    // Garbage in the middle of the slice data of a picture of the fourth segment (pictures 120..159).
    const first = await parseFile(d, { motion: false, cu: false, bits: false });
    expect(first.length).toBe(300);
    const at = Math.floor(d.length * 0.45);
    for (let i = 0; i < 64; i++) d[at + i] = (i * 37 + 11) & 0xff;
    const one = await untilError(d, { threads: 1 });
    const two = await untilError(d, { threads: 2 });
    expect(one.error).toBeInstanceOf(CodectokError);
    expect(two.error).toBeInstanceOf(CodectokError);
    expect({ code: two.error!.code, byteOffset: two.error!.byteOffset, picture: two.error!.picture })
      .toEqual({ code: one.error!.code, byteOffset: one.error!.byteOffset, picture: one.error!.picture });
    expect(one.error!.byteOffset).toBeGreaterThan(0);
    expect(two.got.slice(0, one.got.length)).toEqual(one.got);
  });

  it('a picture cut short just before a random-access point: the error where one thread finds it (the next picture)', async () => {
    // intra_only.h264: 6 IDR pictures; 48 bytes zeroed inside the third leave it incomplete, which one
    // decoder finds at the fourth picture's first slice and a segment's decoder at its end.
    const d = Buffer.from(readFileSync(path.join(__dirname, 'fixtures', 'h264-corpus', 'intra_only.h264')));
    d.fill(0, 13307, 13307 + 48);
    const one = await untilError(d, { threads: 1, codec: 'h264' });
    const two = await untilError(d, { threads: 2, codec: 'h264' });
    expect(one.error?.code).toBe('ERR_TRUNCATED');
    expect({ code: two.error?.code, byteOffset: two.error?.byteOffset, picture: two.error?.picture })
      .toEqual({ code: one.error!.code, byteOffset: one.error!.byteOffset, picture: one.error!.picture });
    expect(one.error!.byteOffset).toBeGreaterThan(13307);
    expect(two.got.slice(0, one.got.length)).toEqual(one.got);
  });

  it('an AbortSignal stops every segment; breaking out of the loop leaves nothing running', async () => {
    for (const threads of [1, 2]) {
      const controller = new AbortController();
      let n = 0;
      const run = async () => {
        for await (const _ of parsePictures(segmentStream('cra_poc_wrap.hevc'), { threads, signal: controller.signal })) {
          if (++n === 50) controller.abort();
        }
      };
      await expect(run()).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
      // at most the rest of the batch in hand and the one decoded ahead (8 pictures per native call)
      expect(n).toBeGreaterThanOrEqual(50);
      expect(n).toBeLessThan(50 + 2 * 8);
    }
    let m = 0;
    for await (const _ of parsePictures(segmentStream('cra_poc_wrap.hevc'), { threads: 2 })) if (++m === 10) break;
    expect(m).toBe(10);
    // the decoders are free again: a full parse still works
    expect((await parseFile(segmentStream('cra_poc_wrap.hevc'), { threads: 2, motion: false })).length).toBe(300);
  });

  it('threads is an integer from 1 to 64', () => {
    for (const threads of [0, 1.5, 65, '2', Number.NaN]) {
      expect(() => parsePictures(segmentStream('idr_radl.hevc'), { threads } as unknown as ParseOptions)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    }
  });

  it('not a video is still said before any decoding', async () => {
    const file = path.join(tmpDir('segmented-notvideo'), 'x.hevc');
    writeFileSync(file, Buffer.alloc(5000, 0x41));
    await expect(parseFile(file, { threads: 2 })).rejects.toMatchObject({ code: 'ERR_NOT_VIDEO' });
  });

  it.skipIf(!ffmpegPath())('tokenize: the same tokens on 1 and 3 threads (skipped without the bundled FFmpeg)', async () => {
    const file = segmentStream('cra_poc_wrap.hevc');
    const options = { frames: 16, size: 64, patch: 16, budget: 24 } as const;
    const one = await tokenize(file, { ...options, threads: 1 });
    const three = await tokenize(file, { ...options, threads: 3 });
    expect(one.meta.count).toBe(24);
    expect(Buffer.from(three.positions.data.buffer).equals(Buffer.from(one.positions.data.buffer))).toBe(true);
    expect(Buffer.from(three.patches.data.buffer).equals(Buffer.from(one.patches.data.buffer))).toBe(true);
    expect(Buffer.from(three.scores!.data.buffer).equals(Buffer.from(one.scores!.data.buffer))).toBe(true);
    await expect(tokenize(file, { threads: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });
});
