// tokenize() end to end on corpus streams, with codec maps from the reference decoder's golden files
// (so these tests pin the tokenizer independently of the parser) and pixels from FFmpeg.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodectokError } from '../src/errors.js';
import { countPictures } from '../src/input/picture_headers.js';
import { sampleFrames } from '../src/policies/sampling.js';
import type { TokenizeOptions } from '../src/tokenize/options.js';
import { tokenize, tokenizeWith } from '../src/tokenize/tokenize.js';
import { writeCanvases } from '../src/writers/canvas.js';
import { writeNpyOutput } from '../src/writers/npy_output.js';
import { readNpy } from '../src/writers/npy.js';
import { composeViz } from '../src/writers/viz.js';
import { CORPUS, goldenPictures } from './helpers/golden_pictures.js';
import { movingObjectClip, OBJECT_CLIP, objectPatches } from './helpers/moving_object.js';
import { expectPatchesMatchFrames, expectValidPositions, hasNumpy, referenceFrames, rowsOf, tempDir } from './helpers/tokenize_helpers.js';

/** Tokenize from the corpus's golden codec maps. They are maps for the `codec` policy's scoring (no bits, transform statistics only with residualSource 'coeff'): `codec` unless another policy is named. */
function golden(name: string, o: TokenizeOptions = {}) {
  const tu = o.residualSource === 'coeff';
  return tokenizeWith(join(CORPUS, `${name}.hevc`), { policy: 'codec', ...o }, {
    pictureSource: async function* () {
      yield* goldenPictures(name, { tu });
    },
  });
}

describe('tokenize on corpus streams (golden codec maps)', () => {
  it('counts pictures and samples like numpy.linspace', async () => {
    expect(await countPictures(join(CORPUS, 'pan_known.hevc'))).toBe(24);
    expect(await countPictures(join(CORPUS, 'open_gop.hevc'))).toBe(32);
    expect(await countPictures(join(CORPUS, 'ctu32_bframes.hevc'))).toBe(24);
    expect(sampleFrames(487, { frames: 64 }).slice(0, 5)).toEqual([0, 7, 15, 23, 30]);
    expect(sampleFrames(10, { frames: 64 })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sampleFrames(100, { sampleFps: 5 }, 25)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95]);
    expect(sampleFrames(6, { frames: 'all' })).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sampleFrames(20, { frames: 4, start: 5 })).toEqual([5, 9, 14, 19]);
    expect(() => sampleFrames(10, { frames: 0 })).toThrow(CodectokError);
    expect(() => sampleFrames(10, { sampleFps: 2 })).toThrow(CodectokError); // needs the input rate
  });

  it('pan_known, codec policy: exact budget, valid unique positions, patches are the decoded pixels', async () => {
    const K = 2 * 196 + 123;
    const r = await golden('pan_known', { size: 224, patch: 16, frames: 12, budget: K });
    expectValidPositions(r, K);
    expect(r.meta.frames.sampled).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 23]); // floor(i * 23 / 11)
    expect(r.meta.frames.types[0]).toBe('I');
    expect(r.meta.grid).toEqual({ T: 12, H: 14, W: 14 });
    expect(r.meta.ffmpeg.decode.kind).toBe('native');
    expect(r.meta.ffmpeg.input.route).toBe('annexb');
    // first slot whole, (t,h,w) order
    expect(rowsOf(r).filter(([t]) => t === 0).length).toBe(196);
    const keys = rowsOf(r).map(([t, h, w]) => (t * 100 + h) * 100 + w);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    // the pan is removed: camera motion of every P slot is (-4, -2) px/frame
    for (const cam of r.meta.scores.camera.slice(1)) expect(cam!.params.map((v) => Math.round(v))).toEqual([-4, -2]);
    expectPatchesMatchFrames(r, await referenceFrames(join(CORPUS, 'pan_known.hevc'), r.meta.geometry));
  });

  it('t is the source frame index by default and the slot index on request', async () => {
    const a = await golden('pan_known', { size: 64, frames: 6, budget: 40 });
    const b = await golden('pan_known', { size: 64, frames: 6, budget: 40, timeIndex: 'slot' });
    expect(a.meta.timeIndex).toBe('frame');
    expect(b.meta.timeIndex).toBe('slot');
    expect(rowsOf(a)).toEqual(rowsOf(b).map(([t, h, w]) => [b.meta.frames.sampled[t]!, h, w]));
    expect(Buffer.compare(Buffer.from(a.patches.data.buffer), Buffer.from(b.patches.data.buffer))).toBe(0);
  });

  it('static_bars triggers the static fallback: evenly spaced full frames', async () => {
    const S = 20 * 20; // 320 square, 16-px patches
    const r = await golden('static_bars', { size: 320, patch: 16, frames: 16, budget: 3 * S + 10 });
    expect(r.meta.isStatic).toBe(true);
    expect(r.meta.activeShare).toBe(0);
    expect(r.meta.staticFallback).toBe(true);
    expect(r.meta.denseSlots).toEqual([0, 7, 15]); // floor(i * 15 / 2)
    expectValidPositions(r, 3 * S + 10);
    for (const slot of r.meta.denseSlots) expect(rowsOf(r).filter(([t]) => t === r.meta.frames.sampled[slot]).length).toBe(S);
    // and an active clip does not
    const life = await golden('merge5_life', { size: 320, frames: 8, budget: 3 * S });
    expect(life.meta.staticFallback).toBe(false);
  });

  it('uniform policy = K/S evenly spaced full frames', async () => {
    const S = 14 * 14;
    const r = await golden('pan_known', { policy: 'uniform', size: 224, frames: 24, budget: 4 * S });
    expectValidPositions(r, 4 * S);
    const frames = [...new Set(rowsOf(r).map(([t]) => t))];
    expect(frames).toEqual([0, 7, 15, 23]); // floor(i * 23 / 3)
    for (const f of frames) expect(rowsOf(r).filter(([t]) => t === f).length).toBe(S);
    expectPatchesMatchFrames(r, await referenceFrames(join(CORPUS, 'pan_known.hevc'), r.meta.geometry));
  });

  it('odd_size: the conformance window, a patch of 14 and the Qwen resize', async () => {
    const lb = await golden('odd_size', { size: 576, patch: 14, frames: 8, budget: 500 });
    expect(lb.meta.geometry).toMatchObject({ srcWidth: 322, srcHeight: 178, outWidth: 574, gridW: 41 });
    expectValidPositions(lb, 500);
    const q = await golden('odd_size', { resize: 'qwen', patch: 14, frames: 8, budget: 300, maxPixels: 320 * 180 });
    expect(q.meta.geometry.outWidth % 28).toBe(0);
    expectValidPositions(q, 300);
    expectPatchesMatchFrames(q, await referenceFrames(join(CORPUS, 'odd_size.hevc'), q.meta.geometry));
  });

  it('grouped policy: anchors, 2x2 blocks, padding rows, canvases with -1 padding', async () => {
    const S = 8 * 8;
    const K = 2 * (S + 4 * 6) + 2 * 3; // two groups, 6 blocks each, 3 padding rows each
    const r = await golden('merge5_life', { policy: 'grouped', size: 128, frames: 8, groupSize: 4, budget: K });
    expectValidPositions(r, K);
    expect(r.meta.padded).toBe(6);
    expect(r.meta.groups!.length).toBe(2);
    const dir = tempDir();
    const files = await writeCanvases(dir, r, { format: 'png' });
    const pos = await readNpy(join(dir, 'src_patch_position.npy'));
    expect(pos.shape).toEqual([4, 8, 8, 3]); // per group: anchor canvas + one block canvas
    const cells = pos.data as Int32Array;
    let pad = 0;
    for (let i = 0; i < cells.length; i += 3) if (cells[i] === -1) pad++;
    expect(pad).toBe(2 * (S - 4 * 6));
    expect(files.filter((f) => f.endsWith('.png')).length).toBe(4);
    expect(readFileSync(files[0]!).subarray(1, 4).toString()).toBe('PNG');
    // default budget: two frames' worth per group
    const d = await golden('merge5_life', { policy: 'grouped', size: 128, frames: 8 });
    expect(d.meta.count).toBe(2 * 2 * S);
    expectValidPositions(d, 4 * S);
  });

  it('JPEG canvases through FFmpeg', async () => {
    const r = await golden('pan_known', { size: 64, frames: 6, budget: 40 });
    const dir = tempDir();
    const files = await writeCanvases(dir, r, { format: 'jpg' });
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['canvas_0000.jpg', 'canvas_0001.jpg', 'canvas_0002.jpg', 'src_patch_position.npy']);
    const jpg = readFileSync(files[0]!);
    expect([jpg[0], jpg[1]]).toEqual([0xff, 0xd8]);
    const pos = await readNpy(files[3]!);
    expect(pos.shape).toEqual([3, 4, 4, 3]);
    expect(Array.from(pos.data as Int32Array).slice(-3)).toEqual([-1, -1, -1]); // 40 = 16 + 16 + 8: the last canvas is padded
  });

  it('viz: kept patches bright, dropped ones dimmed, then the mosaic', async () => {
    const r = await golden('merge5_life', { size: 64, patch: 16, frames: 4, budget: 16 + 10 });
    const frames = (await referenceFrames(join(CORPUS, 'merge5_life.hevc'), r.meta.geometry));
    const slots = r.meta.frames.sampled.map((f) => frames[f]!);
    const img = composeViz(r, slots, { tile: 64, columns: 4, dim: 0.25 });
    // 4 tiles of 64 px + gaps in a row; bar (3 px) + 64 px tiles; then one row of 2 canvases
    expect(img.width).toBe(4 + 4 * (64 + 4));
    expect(img.height).toBe(4 + (64 + 3 + 4) + 4 * 3 + (64 + 4));
    const kept = new Set(rowsOf(r).map(([t, h, w]) => `${r.meta.frames.sampled.indexOf(t)},${h},${w}`));
    for (let slot = 0; slot < 4; slot++) {
      for (let h = 0; h < 4; h++) {
        for (let w = 0; w < 4; w++) {
          const x = 4 + slot * 68 + w * 16 + 5;
          const y = 4 + 3 + h * 16 + 5;
          const src = slots[slot]!.subarray(((h * 16 + 5) * 64 + w * 16 + 5) * 3, ((h * 16 + 5) * 64 + w * 16 + 5) * 3 + 3);
          const got = img.rgb.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3);
          const want = kept.has(`${slot},${h},${w}`) ? Array.from(src) : Array.from(src, (v) => Math.round(v * 0.25));
          expect(Array.from(got)).toEqual(want);
        }
      }
    }
  });

  it('channel-first float32 patches are the normalised uint8 patches', async () => {
    const base: TokenizeOptions = { size: 64, frames: 4, budget: 30 };
    const u = await golden('tiny_ipb', base);
    const mean: [number, number, number] = [0.5, 0.4, 0.3];
    const std: [number, number, number] = [0.2, 0.25, 0.3];
    const f = await golden('tiny_ipb', { ...base, layout: 'nchw', dtype: 'float32', mean, std });
    expect(f.patches.shape).toEqual([30, 3, 16, 16]);
    expect(rowsOf(f)).toEqual(rowsOf(u));
    const P = 16;
    for (const [n, y, x, c] of [[0, 0, 0, 0], [7, 3, 9, 1], [29, 15, 15, 2]] as const) {
      const v = u.patches.data[((n * P + y) * P + x) * 3 + c]!;
      expect(f.patches.data[((n * 3 + c) * P + y) * P + x]).toBeCloseTo((v / 255 - mean[c]) / std[c], 5);
    }
  });

  it('is deterministic', async () => {
    const o: TokenizeOptions = { size: 128, frames: 8, budget: 150, compensation: 'similarity', normalize: 'clip' };
    const a = await golden('ctu32_bframes', o);
    const b = await golden('ctu32_bframes', o);
    expect(Buffer.compare(Buffer.from(a.positions.data.buffer), Buffer.from(b.positions.data.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.patches.data.buffer), Buffer.from(b.patches.data.buffer))).toBe(0);
    expect(JSON.stringify({ ...a.meta, ffmpeg: null })).toBe(JSON.stringify({ ...b.meta, ffmpeg: null }));
    // and what both runs agree on is right: the budget, valid positions, the decoded pixels
    expectValidPositions(a, 150);
    expectPatchesMatchFrames(a, await referenceFrames(join(CORPUS, 'ctu32_bframes.hevc'), a.meta.geometry));
  });

  it('is deterministic, and selects where the content moves (a square over a still background, through the parser)', { timeout: 120_000 }, async () => {
    const { width, height, frames } = OBJECT_CLIP;
    const file = await movingObjectClip(tempDir());
    // codec: the first frame whole (keepFirst), then 40 tokens for 15 P pictures: they must go to
    // the square (refresh on the same kind of clip: test/refresh.test.ts)
    const o: TokenizeOptions = { policy: 'codec', frames: 'all', resize: 'qwen', patch: 16, merge: 1, maxPixels: width * height, minPixels: 64, budget: 240 + 40 };
    const a = await tokenize(file, o);
    const b = await tokenize(file, o);
    expect(Array.from(a.positions.data)).toEqual(Array.from(b.positions.data));
    expect(Buffer.compare(Buffer.from(a.patches.data.buffer), Buffer.from(b.patches.data.buffer))).toBe(0);
    expectValidPositions(a, 280);
    expect(a.meta.grid).toEqual({ T: frames, H: height / 16, W: width / 16 });
    const rows = rowsOf(a);
    expect(rows.filter(([t]) => t === 0).length).toBe(240);
    const later = rows.filter(([t]) => t > 0);
    expect(later.length).toBe(40);
    for (const [t, h, w] of later) {
      const box = objectPatches(t - 1, t, 16);
      expect(h >= box.h0 && h <= box.h1 && w >= box.w0 && w <= box.w1, `token (${t}, ${h}, ${w}) away from the square (rows ${box.h0}..${box.h1}, columns ${box.w0}..${box.w1})`).toBe(true);
    }
    expectPatchesMatchFrames(a, await referenceFrames(file, a.meta.geometry));
  });

  it('adaptive policy: a static clip costs one frame, an active one many', async () => {
    const still = await golden('static_bars', { policy: 'adaptive', size: 160, frames: 16 });
    expect(still.meta.count).toBe(10 * 10);
    const life = await golden('merge5_life', { policy: 'adaptive', size: 160, frames: 16 });
    expect(life.meta.count).toBeGreaterThan(5 * 100);
    expect(life.meta.heldFraction).toBeGreaterThanOrEqual(0.9);
    expectValidPositions(life, life.meta.count);
  });

  it('coefficient energy instead of |residual|', async () => {
    const r = await golden('merge5_life', { size: 160, frames: 8, budget: 300, residualSource: 'coeff' });
    expectValidPositions(r, 300);
    expect(r.meta.scoring.residualSource).toBe('coeff');
    // the option reaches the scores: with only the residual weighted, coefficient energy and
    // |residual| rank the patches differently
    const only = { size: 160, frames: 8, budget: 300, weights: { motion: 0, residual: 1, bits: 0 } };
    const coeff = await golden('merge5_life', { ...only, residualSource: 'coeff' });
    const abs = await golden('merge5_life', { ...only, residualSource: 'abs' });
    expect(Array.from(coeff.positions.data)).not.toEqual(Array.from(abs.positions.data));
  });

  it.skipIf(!hasNumpy)(`numpy loads patches.npy, positions.npy and meta.json${hasNumpy ? '' : ' (skipped: needs python3 with numpy)'}`, async () => {
    const r = await golden('pan_known', { size: 64, frames: 6, budget: 40 });
    const dir = tempDir();
    await writeNpyOutput(dir, r);
    const script = [
      'import sys, json, numpy as np',
      'd = sys.argv[1]',
      "p = np.load(d + '/patches.npy'); x = np.load(d + '/positions.npy'); m = json.load(open(d + '/meta.json'))",
      "assert p.dtype == np.uint8 and p.shape == (40, 16, 16, 3), (p.dtype, p.shape)",
      "assert x.dtype == np.int32 and x.shape == (40, 3), (x.dtype, x.shape)",
      "assert m['count'] == 40 and m['timeIndex'] == 'frame'",
      "assert set(x[:, 0].tolist()) <= set(m['frames']['sampled'])",
      "print(int(p.sum()), int(x.sum()))",
    ].join('\n');
    const out = execFileSync('python3', ['-c', script, dir], { encoding: 'utf8' }).trim().split(' ').map(Number);
    expect(out[0]).toBe(r.patches.data.reduce((s: number, v: number) => s + v, 0));
    expect(out[1]).toBe(r.positions.data.reduce((s, v) => s + v, 0));
  });

  it('bad input and options give typed errors', async () => {
    const dir = tempDir();
    await expect(tokenize(join(dir, 'missing.mp4'))).rejects.toMatchObject({ code: 'ERR_IO' });
    const junk = join(dir, 'junk.mp4');
    writeFileSync(junk, 'this is not a video at all');
    await expect(tokenize(junk)).rejects.toMatchObject({
      code: 'ERR_NOT_VIDEO',
      file: junk,
      message: 'not a video: no HEVC/H.264 start code or known container in 26 bytes',
    });
    await expect(golden('pan_known', { budget: -3 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await expect(golden('pan_known', { policy: 'best' as never })).rejects.toBeInstanceOf(CodectokError);
    await expect(golden('pan_known', { size: 8, patch: 16 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await expect(golden('pan_known', { policy: 'grouped', budget: 10 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await expect(golden('pan_known', { preset: 'nope' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });
});
