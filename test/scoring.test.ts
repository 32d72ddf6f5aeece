import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { letterboxGeometry, qwenGeometry } from '../src/geometry/output_geometry.js';
import { contentPatchMask } from '../src/geometry/content_mask.js';
import { poolToGrid } from '../src/geometry/patch_grid.js';
import { activeShare, meanMotion } from '../src/scores/activity.js';
import { estimateCameraMotion } from '../src/scores/camera_motion.js';
import { scoreFrames } from '../src/scores/frame_scores.js';
import { resolveScoringOptions, ScoringError } from '../src/scores/options.js';
import { frameSignals } from '../src/scores/signals.js';
import { CodectokError } from '../src/errors.js';
import { parseFile } from '../src/input/parser.js';
import { goldenPictures } from './helpers/golden_pictures.js';
import { movingObjectClip, OBJECT_CLIP, objectPatches } from './helpers/moving_object.js';
import { tempDir } from './helpers/tokenize_helpers.js';

function cropOf(p: { width: number; height: number; crop: { left: number; right: number; top: number; bottom: number } }) {
  return { ...p.crop, width: p.width, height: p.height };
}

describe('geometry', () => {
  it('letterboxes like OneVision-Encoder (360x640 -> 324x576 centred in 576)', () => {
    const g = letterboxGeometry(360, 640, { size: 576, patch: 16 });
    expect(g).toMatchObject({ scaledWidth: 324, scaledHeight: 576, padLeft: 126, padTop: 0, outWidth: 576, gridH: 36, gridW: 36 });
    const mask = contentPatchMask(g);
    let n = 0;
    for (const m of mask) n += m;
    expect(n).toBe(720); // OneVision-Encoder's S_valid for these demo videos
  });

  it('rounds the square down to a multiple of the patch', () => {
    const g = letterboxGeometry(416, 240, { size: 576, patch: 14 });
    expect(g.outWidth).toBe(574);
    expect(g.gridW).toBe(41);
    expect(g.scaledWidth).toBe(574);
  });

  it('Qwen2-VL resize gives multiples of patch*merge within the pixel bounds', () => {
    const g = qwenGeometry(1280, 720, { patch: 14, merge: 2, maxPixels: 448 * 448, minPixels: 56 * 56 });
    expect(g.outWidth % 28).toBe(0);
    expect(g.outHeight % 28).toBe(0);
    expect(g.outWidth * g.outHeight).toBeLessThanOrEqual(448 * 448);
    expect(Math.abs(g.outWidth / g.outHeight - 16 / 9)).toBeLessThan(0.1);
    expect(g.gridW * 14).toBe(g.outWidth);
    expect(() => qwenGeometry(100, 100, { maxPixels: 10 })).toThrow(CodectokError);
  });

  it('maps a codec map onto any patch grid by area', () => {
    for (const patch of [14, 16, 32]) {
      for (const cell of [1, 4, 8]) {
        // 322x178 displayed out of a 328x184 coded picture (odd_size's crop)
        const cols = Math.ceil(328 / cell);
        const rows = Math.ceil(184 / cell);
        const values = new Float32Array(cols * rows).fill(3);
        const g = letterboxGeometry(322, 178, { size: 448, patch });
        const pooled = poolToGrid({ values, cols, rows, cell }, { left: 0, top: 0 }, g);
        const mask = contentPatchMask(g);
        let total = 0;
        for (let i = 0; i < pooled.length; i++) {
          if (mask[i]) expect(pooled[i]).toBeCloseTo(3, 5);
          expect(pooled[i]).toBeLessThanOrEqual(3 + 1e-5);
          total += pooled[i]! * patch * patch;
        }
        // mass is preserved: value x area of the resized picture
        expect(total / (3 * g.scaledWidth * g.scaledHeight)).toBeCloseTo(1, 4);
      }
    }
  });

  it('puts a single hot cell where it is displayed', () => {
    // one 4x4 block at coded (100, 60) in a 400x200 picture, letterboxed to 400 with patch 20 (scale 1)
    const cols = 100;
    const rows = 50;
    const values = new Float32Array(cols * rows);
    values[15 * cols + 25] = 1;
    const g = letterboxGeometry(400, 200, { size: 400, patch: 20 });
    expect(g.padTop).toBe(100);
    const pooled = poolToGrid({ values, cols, rows, cell: 4 }, { left: 0, top: 0 }, g);
    const hot = [...pooled].flatMap((v, i) => (v > 0 ? [i] : []));
    expect(hot).toEqual([((100 + 60) / 20) * 20 + 100 / 20]);
    expect(pooled[hot[0]!]).toBeCloseTo(16 / 400, 6);
  });
});

describe('scoring on golden corpus maps', () => {
  it('pan_known: camera compensation removes the pan (median, similarity, affine)', () => {
    const pics = goldenPictures('pan_known', { residual: false });
    const crop = cropOf(pics[0]!);
    const disp = { left: 0, top: 0, width: crop.width - crop.right, height: crop.height - crop.bottom };
    for (const compensation of ['median', 'similarity', 'affine'] as const) {
      const o = resolveScoringOptions({ compensation, weights: { motion: 1, residual: 0 } });
      const means = pics.slice(1).map((p) => meanMotion(frameSignals(p, o), disp));
      const worst = Math.max(...means);
      expect(worst, `${compensation}: mean compensated motion ${worst} px/frame`).toBeLessThan(0.1);
      const cam = frameSignals(pics[5]!, o).camera!;
      const t = compensation === 'median' ? cam.params : compensation === 'similarity' ? cam.params.slice(2) : [cam.params[2], cam.params[5]];
      expect(t[0]).toBeCloseTo(-4, 1);
      expect(t[1]).toBeCloseTo(-2, 1);
    }
    const none = resolveScoringOptions({ compensation: 'none', weights: { motion: 1, residual: 0 } });
    const raw = meanMotion(frameSignals(pics[5]!, none), disp);
    expect(raw).toBeGreaterThan(4); // |(4, 2)| = 4.47 on almost every block
  });

  it('pan_known: normalised motion score is near zero after compensation', () => {
    const pics = goldenPictures('pan_known', { residual: false });
    const o = resolveScoringOptions({ weights: { motion: 1, residual: 0 } });
    const g = letterboxGeometry(416, 240, { size: 224, patch: 16 });
    const scores = scoreFrames(pics.slice(1).map((p) => frameSignals(p, o)), cropOf(pics[0]!), g, o);
    const mean = scores.reduce((s, f) => s + f.fused.reduce((a, b) => a + b, 0) / f.fused.length, 0) / scores.length;
    expect(mean).toBeLessThan(0.02);
    const noneO = resolveScoringOptions({ compensation: 'none', weights: { motion: 1, residual: 0 } });
    const noneScores = scoreFrames(pics.slice(1).map((p) => frameSignals(p, noneO)), cropOf(pics[0]!), g, noneO);
    const noneMean = noneScores.reduce((s, f) => s + f.fused.reduce((a, b) => a + b, 0) / f.fused.length, 0) / noneScores.length;
    expect(noneMean).toBeGreaterThan(0.5);
  });

  it('static_bars has no activity, merge5_life has a lot', () => {
    const o = resolveScoringOptions({});
    const g = letterboxGeometry(320, 240, { size: 320, patch: 16 });
    const share = (name: string) => {
      const pics = goldenPictures(name);
      const sig = pics.map((p) => frameSignals(p, o));
      return activeShare(scoreFrames(sig, cropOf(pics[0]!), g, o), sig.map((s) => s.type));
    };
    expect(share('static_bars')).toBe(0);
    expect(share('merge5_life')).toBeGreaterThan(0.2);
  });

  it('percentile normalisation: per frame and per clip, clipped to [0, 1]', () => {
    const pics = goldenPictures('merge5_life').slice(0, 6);
    const g = letterboxGeometry(320, 240, { size: 320, patch: 16 });
    for (const normalize of ['frame', 'clip'] as const) {
      const o = resolveScoringOptions({ normalize, percentile: 90 });
      const s = scoreFrames(pics.map((p) => frameSignals(p, o)), cropOf(pics[0]!), g, o);
      for (const f of s) {
        for (const v of f.fused) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      }
      const levels = s.map((f) => f.levels.residual!);
      if (normalize === 'clip') expect(new Set(levels).size).toBe(1);
      else expect(new Set(levels).size).toBeGreaterThan(1);
    }
  });

  it('coefficient energy is a usable residual signal that agrees with |residual|', () => {
    const pics = goldenPictures('merge5_life', { tu: true }).slice(1, 4);
    const g = letterboxGeometry(320, 240, { size: 320, patch: 16 });
    const abs = resolveScoringOptions({ weights: { motion: 0, residual: 1 } });
    const coeff = resolveScoringOptions({ weights: { motion: 0, residual: 1 }, residualSource: 'coeff' });
    const a = scoreFrames(pics.map((p) => frameSignals(p, abs)), cropOf(pics[0]!), g, abs);
    const c = scoreFrames(pics.map((p) => frameSignals(p, coeff)), cropOf(pics[0]!), g, coeff);
    for (let f = 0; f < a.length; f++) {
      const x = a[f]!.raw.residual!;
      const y = c[f]!.raw.residual!;
      const mx = x.reduce((s, v) => s + v, 0) / x.length;
      const my = y.reduce((s, v) => s + v, 0) / y.length;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let i = 0; i < x.length; i++) {
        sxy += (x[i]! - mx) * (y[i]! - my);
        sxx += (x[i]! - mx) ** 2;
        syy += (y[i]! - my) ** 2;
      }
      expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.5);
    }
  });

  it('motionVector list0-integer: the list-0 vector in whole pixels rounded toward zero, 0 without one (H.264, B pictures, cropping)', async () => {
    const pics = await parseFile(join(import.meta.dirname, 'fixtures', 'h264-corpus', 'odd_size.h264'), { motion: true, cu: false, bits: false });
    const o = resolveScoringOptions({ motionVector: 'list0-integer', compensation: 'none', motionPerFrame: false, weights: { motion: 1, residual: 0 } });
    let l1Only = 0;
    let subPel = 0;
    for (const p of pics) {
      const m = frameSignals(p, o).motion!;
      const cols = Math.ceil(p.width / 4);
      const dispCols = Math.ceil((p.width - p.crop.right) / 4);
      const dispRows = Math.ceil((p.height - p.crop.bottom) / 4);
      for (let r = 0; r < m.rows; r++)
        for (let c = 0; c < m.cols; c++) {
          const o8 = (r * cols + c) * 8;
          const mv = p.motion!;
          const hasL0 = mv[o8]! !== 0 && (mv[o8 + 1]! & 1) !== 0;
          if (mv[o8]! !== 0 && mv[o8 + 1] === 2) l1Only++;
          if (hasL0 && (mv[o8 + 2]! % 4 !== 0 || mv[o8 + 3]! % 4 !== 0)) subPel++;
          const want = c < dispCols && r < dispRows && hasL0 ? Math.hypot(Math.trunc(mv[o8 + 2]! / 4), Math.trunc(mv[o8 + 3]! / 4)) : 0;
          expect(m.values[r * m.cols + c]).toBeCloseTo(want, 5);
        }
    }
    expect(l1Only).toBeGreaterThan(0); // the stream exercises list-1-only blocks...
    expect(subPel).toBeGreaterThan(0); // ...and fractional vectors
    expect(() => resolveScoringOptions({ motionVector: 'list1' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });

  it('is deterministic, and the scores both runs agree on are highest where the content moves', { timeout: 120_000 }, async () => {
    const o = resolveScoringOptions({ compensation: 'affine' });
    const tiny = goldenPictures('tiny_ipb');
    const g64 = letterboxGeometry(64, 64, { size: 64, patch: 16 });
    const once = scoreFrames(tiny.map((p) => frameSignals(p, o)), cropOf(tiny[0]!), g64, o);
    const twice = scoreFrames(tiny.map((p) => frameSignals(p, o)), cropOf(tiny[0]!), g64, o);
    expect(once.map((f) => [...f.fused])).toEqual(twice.map((f) => [...f.fused]));
    // A square moving over a still background (test/helpers/moving_object.ts), the picture mapped one
    // to one onto 16-px patches: in every P picture the best patch is on the square (where it was or
    // is), and every patch away from it scores near zero.
    const { width, height } = OBJECT_CLIP;
    const pics = await parseFile(await movingObjectClip(tempDir()), { motion: true, cu: false, bits: true, residual: true });
    const g = qwenGeometry(width, height, { patch: 16, merge: 1, maxPixels: width * height, minPixels: 64 });
    expect([g.gridW, g.gridH, g.padLeft, g.padTop]).toEqual([width / 16, height / 16, 0, 0]);
    const a = scoreFrames(pics.map((p) => frameSignals(p, o)), cropOf(pics[0]!), g, o);
    const b = scoreFrames(pics.map((p) => frameSignals(p, o)), cropOf(pics[0]!), g, o);
    expect(a.map((f) => [...f.fused])).toEqual(b.map((f) => [...f.fused]));
    expect(pics.map((p) => p.slices[0]!.type).join('')).toBe('I' + 'P'.repeat(OBJECT_CLIP.frames - 1));
    for (let t = 1; t < a.length; t++) {
      const box = objectPatches(t - 1, t, 16);
      let inside = 0;
      let outside = 0;
      a[t]!.fused.forEach((v, i) => {
        const h = Math.floor(i / g.gridW);
        const w = i % g.gridW;
        if (h >= box.h0 && h <= box.h1 && w >= box.w0 && w <= box.w1) inside = Math.max(inside, v);
        else outside = Math.max(outside, v);
      });
      expect(inside, `frame ${t}: best score on the square`).toBeGreaterThan(0.1);
      expect(outside, `frame ${t}: best score away from the square`).toBeLessThan(0.05 * inside);
    }
  });

  it('rejects bad options and missing data with typed errors', () => {
    const pics = goldenPictures('tiny_ipb');
    const o = resolveScoringOptions({ compensation: 'affine' });
    expect(() => resolveScoringOptions({ percentile: 0 })).toThrow(ScoringError);
    expect(() => resolveScoringOptions({ weights: { motion: 0, residual: 0 } })).toThrow(CodectokError);
    expect(() => resolveScoringOptions({ weights: { motion: -1 } })).toThrow(CodectokError);
    const { residual: _drop, ...noResidual } = pics[0]!;
    expect(() => frameSignals(noResidual, o)).toThrow(expect.objectContaining({ code: 'ERR_MISSING_DATA' }));
    expect(estimateCameraMotion({ x: new Float64Array(), y: new Float64Array(), vx: new Float64Array(), vy: new Float64Array(), index: new Int32Array(), n: 0 }, 'similarity').params).toEqual([0, 0, 0, 0]);
  });
});
