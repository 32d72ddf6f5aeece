// codectok bench budgets: the metrics on hand-made inputs with known answers, the charts, and the
// command on a tiny synthetic clip.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { autoGroupSize, benchVideo } from '../src/bench/budget_bench.js';
import { changeMap, changeRecall } from '../src/bench/change_recall.js';
import { coverage } from '../src/bench/coverage.js';
import { chartPng, niceTicks } from '../src/bench/plot_png.js';
import { PSNR_CAP_DB, lumaOf, mse, psnr, psnrFromMse, ssim } from '../src/bench/quality.js';
import { NEVER_KEPT_LUMA, fillSources, prepareReference, rebuildFrames, reconstructionQuality } from '../src/bench/reconstruction.js';
import { type GridGeometry, type KeptGrid } from '../src/bench/selection.js';
import { contentPatchMask as insidePatches, overlappingPatchMask as overlappingPatches } from '../src/geometry/content_mask.js';
import { ROOT, syntheticClip, tempDir } from './helpers/tokenize_helpers.js';

/** Rows of (t, h, w) as an Int32Array. */
const pos = (...rows: [number, number, number][]) => Int32Array.from(rows.flat());

/** A canvas with no letterbox padding. */
function plainGeometry(gridH: number, gridW: number, patch: number): GridGeometry {
  return { outWidth: gridW * patch, outHeight: gridH * patch, patch, gridH, gridW, padLeft: 0, padTop: 0, scaledWidth: gridW * patch, scaledHeight: gridH * patch };
}

/** Deterministic pseudo-random bytes. */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('PSNR and SSIM (luma)', () => {
  it('PSNR of identical pictures is capped at 100 dB, not Infinity; a known MSE gives the known PSNR', () => {
    const a = Float32Array.from([10, 20, 30, 40]);
    expect(PSNR_CAP_DB).toBe(100);
    expect(psnr(a, a)).toBe(100);
    expect(psnrFromMse(0)).toBe(100);
    const b = Float32Array.from([20, 30, 40, 50]); // every sample off by 10: MSE 100
    expect(mse(a, b)).toBe(100);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10((255 * 255) / 100), 10); // 28.13 dB
  });

  it('SSIM is 1 for identical pictures, below 1 and symmetric for different ones (11x11 Gaussian window)', () => {
    const w = 40;
    const h = 30;
    const a = Float32Array.from(noise(w * h, 3));
    expect(ssim(a, a, w, h)).toBeCloseTo(1, 12);
    const b = a.map((v, i) => Math.min(255, Math.max(0, v + ((i * 7) % 41) - 20)));
    const s = ssim(a, b, w, h);
    expect(s).toBeLessThan(0.99);
    expect(s).toBeGreaterThan(0);
    expect(ssim(b, a, w, h)).toBeCloseTo(s, 12);
    // a flat picture against itself shifted by a constant: structure and contrast equal, luminance term only
    const flat = new Float32Array(w * h).fill(100);
    const shifted = new Float32Array(w * h).fill(110);
    const C1 = (0.01 * 255) ** 2;
    expect(ssim(flat, shifted, w, h)).toBeCloseTo((2 * 100 * 110 + C1) / (100 * 100 + 110 * 110 + C1), 9);
    // smaller than the window: one window over the whole picture
    const tiny = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(ssim(tiny, tiny, 3, 2)).toBeCloseTo(1, 12);
  });

  it('luma is BT.601 of the RGB inside the rectangle', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 100, 100]); // 2x2
    const y = lumaOf(rgb, 2, { x: 0, y: 0, width: 2, height: 2 });
    expect(Array.from(y).map((v) => Number(v.toFixed(3)))).toEqual([76.245, 149.685, 29.07, 100]);
    expect(Array.from(lumaOf(rgb, 2, { x: 1, y: 1, width: 1, height: 1 }))).toEqual([100]);
  });
});

describe('coverage', () => {
  const k: KeptGrid = { T: 5, gridH: 1, gridW: 2, positions: pos([1, 0, 0], [1, 0, 1], [3, 0, 1], [-1, -1, -1]) };
  it('counts frames with at least one token and the first-to-last span (padding rows ignored)', () => {
    const c = coverage(k, { timestamps: [0, 0.5, 1, 1.5, 2] });
    expect(c).toMatchObject({ T: 5, framesWithTokens: 2, share: 0.4, firstSlot: 1, lastSlot: 3, spanSlots: 3, spanSeconds: 1, spanShare: 0.5, fullSlots: 1, tokensPerSlot: [0, 2, 0, 1, 0] });
  });
  it('a token on a patch that shows no picture does not cover its frame', () => {
    const c = coverage(k, { picture: Uint8Array.from([1, 0]) });
    expect(c.framesWithTokens).toBe(1);
    expect(c.tokensPerSlot).toEqual([0, 1, 0, 0, 0]);
    expect(c.fullSlots).toBe(1); // slot 1 holds every picture patch
    expect(coverage({ ...k, positions: new Int32Array(0) })).toMatchObject({ framesWithTokens: 0, firstSlot: -1, spanSlots: 0, spanShare: 0 });
  });
  it('letterbox: patches inside the picture and patches that show some of it', () => {
    // 64x64 canvas, 16-px patches, picture 64x36 at y = 14..50: rows 1 and 2 lie inside it, rows 0 and
    // 3 show some of it; a 64x24 picture at y = 20..44 leaves rows 0 and 3 with padding only
    const g: GridGeometry = { outWidth: 64, outHeight: 64, patch: 16, gridH: 4, gridW: 4, padLeft: 0, padTop: 14, scaledWidth: 64, scaledHeight: 36 };
    expect(Array.from(insidePatches(g))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(overlappingPatches(g))).toEqual(new Array(16).fill(1));
    expect(Array.from(overlappingPatches({ ...g, padTop: 20, scaledHeight: 24 }))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  });
});

describe('reconstruction', () => {
  it('fill rule: the patch itself, else the most recent kept one, else the nearest later one, else none', () => {
    // T = 5, two positions: s=0 kept at t=1 and t=3; s=1 never kept
    const kept = Uint8Array.from([0, 0, /* t1 */ 1, 0, /* t2 */ 0, 0, /* t3 */ 1, 0, /* t4 */ 0, 0]);
    const src = fillSources(kept, 5, 2);
    expect(Array.from({ length: 5 }, (_, t) => src[t * 2]!)).toEqual([1, 1, 1, 3, 3]);
    expect(Array.from({ length: 5 }, (_, t) => src[t * 2 + 1]!)).toEqual([-1, -1, -1, -1, -1]);
  });

  it('rebuilds frames from the kept patches only, grey where a position is never kept', () => {
    // 1 x 2 grid of 2x2 patches, T = 3. Kept: (1, 0, 0) grey 50 and (2, 0, 0) grey 90; column 1 never.
    const g = plainGeometry(1, 2, 2);
    const k: KeptGrid = { T: 3, gridH: 1, gridW: 2, positions: pos([1, 0, 0], [2, 0, 0]) };
    const pixels = new Uint8Array(2 * 2 * 2 * 3);
    pixels.fill(50, 0, 12);
    pixels.fill(90, 12, 24);
    const r = rebuildFrames(k, pixels, g);
    const rowOf = (t: number) => Array.from(r.luma[t]!.subarray(0, 4)).map((v) => Math.round(v));
    expect(rowOf(0)).toEqual([50, 50, NEVER_KEPT_LUMA, NEVER_KEPT_LUMA]); // from the later slot 1
    expect(rowOf(1)).toEqual([50, 50, 128, 128]);
    expect(rowOf(2)).toEqual([90, 90, 128, 128]);
    expect(r).toMatchObject({ filledFromPast: 0, filledFromFuture: 1, neverKept: 3 });
  });

  it('every patch kept: PSNR 100 dB and SSIM 1; one stale frame: the per-frame numbers show it', () => {
    const P = 16;
    const g = plainGeometry(2, 2, P);
    const T = 3;
    const frames = Array.from({ length: T }, (_, t) => noise(g.outWidth * g.outHeight * 3, t + 5));
    const ref = prepareReference(frames, g);
    const cut = (t: number, h: number, w: number) => {
      const out = new Uint8Array(P * P * 3);
      for (let y = 0; y < P; y++) out.set(frames[t]!.subarray(((h * P + y) * g.outWidth + w * P) * 3, ((h * P + y) * g.outWidth + (w + 1) * P) * 3), y * P * 3);
      return out;
    };
    const all: [number, number, number][] = [];
    for (let t = 0; t < T; t++) for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) all.push([t, h, w]);
    const pixelsOf = (rows: [number, number, number][]) => {
      const p = new Uint8Array(rows.length * P * P * 3);
      rows.forEach(([t, h, w], i) => p.set(cut(t, h, w), i * P * P * 3));
      return p;
    };
    const full = reconstructionQuality({ T, gridH: 2, gridW: 2, positions: pos(...all) }, pixelsOf(all), g, ref);
    expect(full.psnr).toBe(100);
    expect(full.ssim).toBe(1);
    expect(full.perFrame.psnr).toEqual([100, 100, 100]);
    // slot 1 dropped: it is rebuilt from slot 0
    const some = all.filter(([t]) => t !== 1);
    const q = reconstructionQuality({ T, gridH: 2, gridW: 2, positions: pos(...some) }, pixelsOf(some), g, ref);
    expect(q.perFrame.psnr[0]).toBe(100);
    expect(q.perFrame.psnr[2]).toBe(100);
    expect(q.perFrame.psnr[1]).toBeLessThan(20);
    expect(q.perFrame.ssim[1]).toBeLessThan(0.2);
    expect(q.psnr).toBeCloseTo(psnrFromMse(q.perFrame.mse[1]! / 3), 9); // clip PSNR from the mean MSE
    expect(q.filledFromPast).toBe(4);
  });
});

describe('change recall', () => {
  // 32x32 frames, 2x2 grid of 16-px patches, a white 8x8 square on black moving (0,0) -> (0,1) -> (1,1)
  const g = plainGeometry(2, 2, 16);
  const square = (h: number, w: number) => {
    const f = new Uint8Array(32 * 32 * 3);
    for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) f.fill(255, ((h * 16 + y) * 32 + w * 16 + x) * 3, ((h * 16 + y) * 32 + w * 16 + x) * 3 + 3);
    return f;
  };
  const frames = [square(0, 0), square(0, 1), square(1, 1)];

  it('a moving square changes the patch it leaves and the patch it enters', () => {
    const m = changeMap(frames, g, 8);
    // mean |difference| of a patch the square enters or leaves: 64 pixels x 255 over 256 pixels
    expect(m.diff[1 * 4 + 0]).toBeCloseTo((64 * 255) / 256, 6);
    expect(Array.from(m.changed)).toEqual([0, 0, 0, 0, /* t1 */ 1, 1, 0, 0, /* t2 */ 0, 1, 0, 1]);
    expect(m.tested).toBe(8);
  });

  it('recall = changed patches with a token / changed patches; precision = tokens on changed patches / tokens', () => {
    const m = changeMap(frames, g, 8);
    // tokens on (1,0,1) and (2,1,1) (changed), (1,1,0) (unchanged) and slot 0 (not tested)
    const r = changeRecall(m, { T: 3, gridH: 2, gridW: 2, positions: pos([0, 0, 0], [1, 0, 1], [1, 1, 0], [2, 1, 1]) });
    expect(r).toMatchObject({ threshold: 8, changed: 4, hit: 2, recall: 0.5, tokens: 3, changedShare: 0.5 });
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    // above the difference the square makes, nothing changed: recall undefined (NaN, null in JSON)
    const none = changeRecall(changeMap(frames, g, 70), { T: 3, gridH: 2, gridW: 2, positions: pos([1, 0, 1]) });
    expect(none.changed).toBe(0);
    expect(Number.isNaN(none.recall)).toBe(true);
  });
});

describe('charts and grouping', () => {
  it('writes a PNG line chart with the series colours in it', () => {
    const png = chartPng({
      title: 'PSNR',
      xLabel: 'token budget K',
      yLabel: 'dB',
      series: [
        { name: 'codec', color: [0, 114, 178], points: [{ x: 256, y: 20 }, { x: 512, y: 22 }, { x: 1024, y: 25 }] },
        { name: 'uniform', color: [230, 159, 0], dashed: true, points: [{ x: 256, y: 21 }, { x: 512, y: NaN }, { x: 1024, y: 24 }] },
      ],
      width: 400,
      height: 260,
    });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(400);
    expect(png.readUInt32BE(20)).toBe(260);
    const raw = inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)));
    expect(raw.length).toBe(260 * (400 * 3 + 1));
    let blue = 0;
    let orange = 0;
    for (let y = 0; y < 260; y++) {
      for (let x = 0; x < 400; x++) {
        const o = y * (400 * 3 + 1) + 1 + x * 3;
        if (raw[o] === 0 && raw[o + 1] === 114 && raw[o + 2] === 178) blue++;
        if (raw[o] === 230 && raw[o + 1] === 159 && raw[o + 2] === 0) orange++;
      }
    }
    expect(blue).toBeGreaterThan(100);
    expect(orange).toBeGreaterThan(50);
    expect(niceTicks(0.62, 0.97)).toEqual([0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(18.4, 31.2)).toEqual([15, 20, 25, 30, 35]);
  });

  it('grouped group size: 4 when K holds the anchors, else the smallest that fits, none below one frame', () => {
    expect(autoGroupSize(4096, 32, 288)).toBe(4);
    expect(autoGroupSize(2048, 32, 288)).toBe(5); // 7 anchors
    expect(autoGroupSize(1024, 32, 288)).toBe(11); // 3 anchors
    expect(autoGroupSize(288, 32, 288)).toBe(32);
    expect(autoGroupSize(256, 32, 288)).toBeNull();
  });
});

describe('codectok bench budgets on a synthetic clip', () => {
  let clip = '';
  beforeAll(async () => {
    clip = await syntheticClip(tempDir(), 'tiny.mp4', 'testsrc2=size=160x90:rate=25', 1.2, ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'keyint=8:log-level=error', '-pix_fmt', 'yuv420p']);
  });

  it('keeping every patch rebuilds every frame exactly (patches equal the real frames)', { timeout: 120_000 }, async () => {
    const v = await benchVideo(clip, 'tiny', { budgets: [6 * 36], policies: ['uniform', 'codec'], tokenize: { frames: 6, size: 96, patch: 16 } });
    expect(v.ok, v.error?.message).toBe(true);
    expect(v.grid).toEqual({ T: 6, H: 6, W: 6 });
    for (const r of v.runs) {
      expect(r.ok, r.error?.message).toBe(true);
      expect(r.tokens).toBe(216);
      expect(r.reconstruction!.psnr).toBe(100);
      expect(r.reconstruction!.ssim).toBe(1);
      expect(r.coverage!.framesWithTokens).toBe(6);
      expect(r.changeRecall!.recall).toBe(1);
      expect(r.timing!.totalMs).toBeGreaterThanOrEqual(r.timing!.scoreSelectMs);
    }
  });

  it('writes results.json, the Markdown table and PNG plots for 2 budgets x 2 policies', { timeout: 120_000 }, () => {
    const cli = join(ROOT, 'dist', 'cli', 'cli.js');
    expect(existsSync(cli), 'dist/cli/cli.js (run `npm run build`)').toBe(true);
    const out = tempDir();
    const r = spawnSync(process.execPath, [cli, 'bench', 'budgets', clip, '--budgets', '40,80', '--policies', 'codec,uniform', '--frames', '6', '--size', '96', '--patch', '16', '-o', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| policy \| K \| tokens used \|/);
    expect(r.stderr).toMatch(/codec\s+K=40\s+40 tokens/);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.kind).toBe('codectok-bench-budgets');
    expect(res.options).toMatchObject({ budgets: [40, 80], policies: ['codec', 'uniform'], changeThreshold: 8 });
    expect(res.videos).toHaveLength(1);
    const runs = res.videos[0].runs;
    expect(runs.map((x: { policy: string; budget: number }) => `${x.policy}@${x.budget}`)).toEqual(['codec@40', 'codec@80', 'uniform@40', 'uniform@80']);
    for (const run of runs) {
      expect(run.ok).toBe(true);
      expect(run.tokens).toBe(run.budget);
      expect(run.reconstruction.perFrame.psnr).toHaveLength(6);
      expect(run.reconstruction.psnr).toBeGreaterThan(5);
      expect(run.coverage.framesWithTokens).toBeGreaterThanOrEqual(1);
      expect(run.timing.totalMs).toBeGreaterThan(0);
    }
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toContain('| codec | 40 | 40.0 |');
    expect(md).toContain('codec against uniform');
    for (const f of ['plots/summary.png', 'plots/psnr.png', 'plots/clips/tiny.png']) {
      const png = readFileSync(join(out, f));
      expect(png.subarray(1, 4).toString(), f).toBe('PNG');
      expect(png.readUInt32BE(16)).toBeGreaterThan(300);
    }
    // refresh's options reach tokenize(): recorded in results.json, and each run's tokens are exact
    const rOut = tempDir();
    const rr = spawnSync(process.execPath, [cli, 'bench', 'budgets', clip, '--budgets', '40', '--policies', 'refresh', '--frames', '6', '--size', '96', '--patch', '16', '--refresh-group', '2', '--no-refresh-seams', '-q', '-o', rOut], { encoding: 'utf8', timeout: 120_000 });
    expect(rr.status, rr.stderr).toBe(0);
    const rres = JSON.parse(readFileSync(join(rOut, 'results.json'), 'utf8'));
    expect(rres.options.tokenize).toMatchObject({ refreshGroup: 2, refreshSeams: false });
    expect(rres.videos[0].runs[0]).toMatchObject({ policy: 'refresh', budget: 40, ok: true, tokens: 40 });
    const bad = spawnSync(process.execPath, [cli, 'bench', 'budgets', clip, '--budgets', '10,x', '-o', out], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--budgets must be positive integers');
  });
});
