// tokenize() with the real parser: corpus streams (the selection must equal the one made from the
// reference decoder's golden maps) and synthetic clips made with FFmpeg's lavfi sources (transcoded).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEVC_WORK_FILE } from '../src/input/ffmpeg/prepare.js';
import { parsePictures } from '../src/input/parser.js';
import type { TokenizeOptions } from '../src/tokenize/options.js';
import { tokenize, tokenizeWith } from '../src/tokenize/tokenize.js';
import { CORPUS, goldenPictures } from './helpers/golden_pictures.js';
import { expectPatchesMatchFrames, expectValidPositions, referenceFrames, rowsOf, syntheticClip, tempDir } from './helpers/tokenize_helpers.js';

describe('tokenize with the parser', () => {
  for (const name of ['pan_known', 'static_bars', 'ctu32_bframes', 'odd_size']) {
    it(`${name}: same selection as from the golden maps`, { timeout: 120_000 }, async () => {
      // the golden maps are the codec policy's (no bits or transform statistics for refresh)
      const o: TokenizeOptions = { policy: 'codec', size: 192, patch: 16, frames: 10, budget: 400 };
      const parsed = await tokenize(join(CORPUS, `${name}.hevc`), o);
      const golden = await tokenizeWith(join(CORPUS, `${name}.hevc`), o, { pictureSource: async function* () { yield* goldenPictures(name); } });
      expectValidPositions(parsed, 400);
      expect(rowsOf(parsed)).toEqual(rowsOf(golden));
      expect(parsed.meta.frames).toEqual(golden.meta.frames);
      expect(parsed.meta.staticFallback).toBe(name === 'static_bars');
    });
  }

  for (const [name, residualSource] of [['pan_known', 'coeff'], ['odd_size', 'abs']] as const) {
    it(`${name}: refresh, the change computed by the decoder on its thread equals the one computed on pictures held in JavaScript (a custom source)`, { timeout: 120_000 }, async () => {
      const o: TokenizeOptions = { policy: 'refresh', residualSource, size: 192, patch: 16, frames: 10, budget: 300 };
      const file = join(CORPUS, `${name}.hevc`);
      const native = await tokenize(file, o);
      const held = await tokenizeWith(file, o, { pictureSource: (path, decode) => parsePictures(path, { ...decode, container: 'annexb' }) });
      expectValidPositions(native, 300);
      expect(rowsOf(native)).toEqual(rowsOf(held));
      expect(native.meta.policy).toEqual(held.meta.policy);
      expect(native.meta.scores.tokens).toEqual(held.meta.scores.tokens);
      expect((native.meta.policy.slotChange as number[]).some((c) => c > 0)).toBe(true);
    });
  }

  it('transcodes a synthetic H.264 clip (--reencode always) and tokenizes it; patches are the pixels of the HEVC stream', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const clip = await syntheticClip(dir, 'testsrc2.mp4', 'testsrc2=size=320x240:rate=25', 2, ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const work = tempDir();
    const r = await tokenize(clip, { workDir: work, frames: 16, size: 224, patch: 16, budget: 3 * 196 + 77, reencode: 'always' });
    expect(r.meta.ffmpeg.input).toMatchObject({ route: 'transcoded', sourceCodec: 'h264', codec: 'hevc', fps: 25 });
    expect(r.meta.frames.total).toBe(50);
    expect(r.meta.frames.types.filter((t) => t === 'I').length).toBeGreaterThanOrEqual(1);
    expect(r.meta.frames.timestamps[1]).toBeCloseTo(r.meta.frames.sampled[1]! / 25, 9);
    expectValidPositions(r, 3 * 196 + 77);
    expect(r.meta.staticFallback).toBe(false);
    expectPatchesMatchFrames(r, await referenceFrames(join(work, HEVC_WORK_FILE), r.meta.geometry));
  });

  it('mandelbrot: grouped, uniform (both transcoded: --reencode always) and adaptive (H.264 read directly) policies, Qwen resize', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const clip = await syntheticClip(dir, 'mandel.mp4', 'mandelbrot=size=256x144:rate=25', 1.2, ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const work = tempDir();
    const g = await tokenize(clip, { workDir: work, policy: 'grouped', frames: 8, resize: 'qwen', patch: 14, maxPixels: 256 * 144, budget: 2 * 180 + 2 * 40, reencode: 'always' });
    expectValidPositions(g, 2 * 180 + 80);
    expect(g.meta.grid.H * g.meta.grid.W).toBe(180);
    const u = await tokenize(clip, { policy: 'uniform', frames: 8, size: 128, budget: 3 * 64, reencode: 'always' });
    expect([...new Set(rowsOf(u).map(([t]) => t))].length).toBe(3);
    const a = await tokenize(clip, { policy: 'adaptive', frames: 8, size: 128 });
    expect(a.meta.ffmpeg.input).toMatchObject({ route: 'demuxed', sourceCodec: 'h264', codec: 'h264' });
    expect(a.meta.count).toBeGreaterThan(64);
    expectPatchesMatchFrames(u, await referenceFrames(join(work, HEVC_WORK_FILE), u.meta.geometry));
  });

  it('broken streams give typed errors naming the file', async () => {
    const dir = tempDir();
    const whole = readFileSync(join(CORPUS, 'pan_known.hevc'));
    const cut = join(dir, 'cut.hevc');
    writeFileSync(cut, whole.subarray(0, 50000));
    await expect(tokenize(cut, { size: 64, budget: 20 })).rejects.toMatchObject({ code: 'ERR_TRUNCATED', file: cut });
    const junk = join(dir, 'junk.hevc');
    writeFileSync(junk, Buffer.from([0, 0, 1, 0x40, 1, 1, 2, 3, 4, 5, 6, 7]));
    await expect(tokenize(junk, { size: 64, budget: 20 })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED', file: junk });
    // frames before the damage are enough: the parser is not asked for more
    const early = await tokenize(cut, { size: 64, budget: 20, frames: 1 });
    expect(early.meta.frames.sampled).toEqual([0]);
  });

  it('decodes pixels with the WebAssembly FFmpeg on request and says so', { timeout: 120_000 }, async () => {
    const r = await tokenize(join(CORPUS, 'tiny_ipb.hevc'), { size: 64, budget: 20, ffmpeg: 'wasm' });
    expect(r.meta.ffmpeg.decode.kind).toBe('wasm');
    expect(r.meta.count).toBe(20);
  });
});
