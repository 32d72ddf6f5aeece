// The refresh policy end to end, on synthetic HEVC clips with known answers (FFmpeg's lavfi sources,
// OneVision-Encoder's x265 recipe: CRF 23, GOP 16, no B-frames, no scene-cut detection).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reconstructionQuality, prepareReference } from '../src/bench/reconstruction.js';
import type { TokenizeOptions } from '../src/tokenize/options.js';
import type { TokenizeResult } from '../src/tokenize/result.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { expectValidPositions, ffmpegPath, referenceFrames, rowsOf, tempDir } from './helpers/tokenize_helpers.js';

const X265 = ['-c:v', 'libx265', '-preset', 'fast', '-crf', '23', '-x265-params', 'keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1:log-level=error', '-pix_fmt', 'yuv420p', '-f', 'hevc'];
const W = 320;
const H = 192;
const N = 64; // frames
const dir = tempDir('codectok-refresh-');

/** An Annex-B HEVC clip of N frames from a lavfi filter graph whose output is [v]. */
async function clip(name: string, graph: string, extra: string[] = []): Promise<string> {
  const out = join(dir, `${name}.hevc`);
  const r = spawnSync(await ffmpegPath(), ['-v', 'error', '-y', '-filter_complex', graph, '-map', '[v]', '-frames:v', String(N), ...X265, ...extra, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed making ${name}: ${r.stderr}`);
  return out;
}

// 16 sampled frames of 64: 0 4 8 12 16 21 25 29 33 37 42 46 50 54 58 63; 16 x 16-px patches -> 20 x 12 = 240 per frame
const O: TokenizeOptions = { policy: 'refresh', frames: 16, resize: 'qwen', patch: 16, merge: 1, maxPixels: W * H, minPixels: 64, timeIndex: 'slot' };
const BARS = `smptebars=s=${W}x${H}:r=25`;
/** A 640x384 still with detail everywhere and no period (two chirps), the same every frame. */
const TEXTURE = "color=c=gray:s=640x384:r=25,geq=lum='128+50*sin(X*X/900+Y/7)+40*cos(Y*Y/700-X/11)':cb=128:cr=128";
/** Lossless x265 (same GOP): the decoded stills are exactly the same picture, so the only change is the one the clip makes. */
const LOSSLESS = ['-x265-params', 'keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1:lossless=1:log-level=error'];
/** The texture, then (from frame `at`) the texture turned by 180 degrees and negated, or what the filter `to` makes of it: every patch changes. */
const cutAt = (at: number, to = 'hflip,vflip,negate') => `${TEXTURE},crop=${W}:${H}:0:0,split[a][b];[a]trim=end_frame=${at},setpts=PTS-STARTPTS[x];[b]trim=start_frame=${at},setpts=PTS-STARTPTS,${to}[y];[x][y]concat=n=2:v=1:a=0,format=yuv420p[v]`;

/** Patches whose pixels changed by more than 8 grey levels (mean |RGB difference|) from frame a to frame b, as 'h,w', that have no token at `slot`. */
async function changedNotRefreshed(file: string, r: TokenizeResult, a: number, b: number, slot: number): Promise<string[]> {
  const frames = await referenceFrames(file, r.meta.geometry);
  const P = r.meta.geometry.patch;
  const Wd = r.meta.geometry.outWidth;
  const kept = new Set(rowsOf(r).filter(([t]) => t === slot).map(([, h, w]) => `${h},${w}`));
  const out: string[] = [];
  for (let h = 0; h < r.meta.grid.H; h++) {
    for (let w = 0; w < r.meta.grid.W; w++) {
      let sum = 0;
      for (let y = 0; y < P; y++) for (let x = 0; x < 3 * P; x++) sum += Math.abs(frames[a]![((h * P + y) * Wd + w * P) * 3 + x]! - frames[b]![((h * P + y) * Wd + w * P) * 3 + x]!);
      if (sum / (3 * P * P) > 8 && !kept.has(`${h},${w}`)) out.push(`${h},${w}`);
    }
  }
  return out;
}

/** Tokens per slot. */
function perSlot(r: TokenizeResult): number[] {
  const n = new Array<number>(r.meta.grid.T).fill(0);
  for (const [t] of rowsOf(r)) n[t]!++;
  return n;
}

/** One frame's worth of tokens: they must be the first frame whole; PSNR of every sampled frame rebuilt from them. */
async function firstFrameOnly(file: string): Promise<number> {
  const one = await tokenize(file, { ...O, budget: 240 });
  expect(one.meta.denseSlots).toEqual([0]);
  const frames = await referenceFrames(file, one.meta.geometry);
  const sampled = one.meta.frames.sampled.map((f) => frames[f]!);
  return reconstructionQuality({ T: 16, gridH: 12, gridW: 20, positions: one.positions.data }, one.patches.data as Uint8Array, one.meta.geometry, prepareReference(sampled, one.meta.geometry)).psnr;
}

describe('refresh policy on synthetic clips', () => {
  it('a cut between two sampled frames (a P picture) gets a full refresh at the first slot after it', { timeout: 180_000 }, async () => {
    const file = await clip('cut_p', cutAt(40));
    const r = await tokenize(file, { ...O, budget: 2 * 240 });
    expectValidPositions(r, 480);
    expect(r.meta.frames.sampled[9]).toBe(37);
    expect(r.meta.frames.sampled[10]).toBe(42);
    expect(r.meta.frames.types[10]).toBe('P');
    // every patch the cut changed (mean |difference| above 8 grey levels) is refreshed at slot 10
    expect(await changedNotRefreshed(file, r, 37, 42, 10)).toEqual([]);
    expect(perSlot(r)[10]).toBeGreaterThanOrEqual(200);
    expect(r.meta.policy).toMatchObject({ name: 'refresh', distortion: 'sqrt' });
    const slotChange = r.meta.policy.slotChange as number[];
    expect(slotChange.indexOf(Math.max(...slotChange))).toBe(10);
  });

  it('a cut coded as an I picture (on the GOP boundary) is found too; a periodic I picture in a still scene is not', { timeout: 180_000 }, async () => {
    // to a white grid on black: an I picture is tested by where it spends its bits, and the grid
    // spends them elsewhere than the texture (the texture turned by 180 degrees spreads its detail
    // too much alike: bits distance 0.18, below the test's 0.4, and that cut goes unseen)
    const file = await clip('cut_i', cutAt(48, `drawbox=c=black:t=fill,drawgrid=w=80:h=48:t=8:c=white`));
    const r = await tokenize(file, { ...O, budget: 2 * 240 });
    expect(r.meta.frames.sampled[12]).toBe(50);
    const intra = r.meta.policy.intraPictures as { outIndex: number; cut: boolean }[];
    expect(intra.find((p) => p.outIndex === 48)?.cut, JSON.stringify(intra)).toBe(true);
    expect(intra.filter((p) => p.outIndex !== 48).every((p) => !p.cut)).toBe(true);
    expect(r.meta.frames.types[12]).toBe('P');
    expect(await changedNotRefreshed(file, r, 46, 50, 12)).toEqual([]);
  });

  it('a still clip: the first frame whole, then evenly spaced whole frames; every frame rebuilt exactly', { timeout: 180_000 }, async () => {
    const file = await clip('still', `${BARS},format=yuv420p[v]`, LOSSLESS);
    const a = await tokenize(file, { ...O, budget: 4 * 240 });
    const b = await tokenize(file, { ...O, budget: 4 * 240 });
    expectValidPositions(a, 960);
    expect(rowsOf(a)).toEqual(rowsOf(b));
    expect(a.meta.denseSlots).toEqual([0, 4, 8, 12]);
    // rebuilt from the first frame alone, every sampled frame is the real one
    expect(await firstFrameOnly(file)).toBe(100);
  });

  it('a still clip coded lossy (CRF 23): re-coding is no change; the first frame whole, then evenly spaced whole frames', { timeout: 180_000 }, async () => {
    const file = await clip('still_crf23', `${TEXTURE},crop=${W}:${H}:0:0,format=yuv420p[v]`);
    const a = await tokenize(file, { ...O, budget: 4 * 240 });
    expectValidPositions(a, 960);
    expect((a.meta.policy.slotChange as number[]).every((c) => c === 0)).toBe(true);
    expect(a.meta.denseSlots).toEqual([0, 4, 8, 12]);
    // rebuilt from the first frame alone, every sampled frame is the decoded one up to the coding
    // noise of the periodic I pictures (each re-codes the still)
    expect(await firstFrameOnly(file)).toBeGreaterThan(40);
  });

  const pan = () => clip('pan', `${TEXTURE},crop=${W}:${H}:x='n*4':y='n*2',format=yuv420p[v]`);

  it('a pan is refreshed as nearly whole frames', { timeout: 180_000 }, async () => {
    // a 320x192 window sliding 4 px right and 2 px down per frame over a 640x384 texture
    const r = await tokenize(await pan(), { ...O, budget: 4 * 240 });
    expectValidPositions(r, 960);
    const n = perSlot(r);
    const top = [...n].sort((a, b) => b - a).slice(0, 3);
    expect(Math.min(...top)).toBeGreaterThanOrEqual(0.75 * 240);
    expect(top.reduce((a, x) => a + x, 0)).toBeGreaterThanOrEqual(0.6 * 960);
  });

  it('seams: the pan\'s fullest slots hold more of the picture with the seam refinement than without', { timeout: 180_000 }, async () => {
    // every patch of a pan changes at every frame: partial refreshes leave seams everywhere, which the
    // refinement lowers by moving kept slots together (the token count per position is unchanged)
    const file = await pan();
    const top3 = (r: TokenizeResult) => [...perSlot(r)].sort((a, b) => b - a).slice(0, 3).reduce((a, x) => a + x, 0);
    const on = await tokenize(file, { ...O, budget: 4 * 240 });
    const off = await tokenize(file, { ...O, budget: 4 * 240, refreshSeams: false });
    expect(on.meta.policy).toMatchObject({ seams: true });
    expect(off.meta.policy).toMatchObject({ seams: false, seamMoves: 0 });
    expect(on.meta.policy.seamMoves as number).toBeGreaterThan(0);
    expect(top3(on)).toBeGreaterThan(top3(off));
    // the same tokens per position: only their slots moved
    const perPosition = (r: TokenizeResult) => {
      const n = new Array<number>(240).fill(0);
      for (const [, h, w] of rowsOf(r)) n[h * 20 + w]!++;
      return n;
    };
    expect(perPosition(on)).toEqual(perPosition(off));
  });

  // Known gap, kept visible: every patch changes at every frame, but the codec's change estimate
  // varies from patch to patch (texture), so positions take different numbers of tokens and the seam
  // refinement (which moves slots, never counts) cannot make whole frames. Whole frames as a costed
  // alternative (README, refresh "Tried and not kept") pass this test but lose on the real clips.
  // This test passes while that is so; when pans come out as whole frames it fails: make it an it().
  it.fails('a pan is refreshed as whole frames (not yet: see the comment)', { timeout: 180_000 }, async () => {
    const r = await tokenize(await pan(), { ...O, budget: 4 * 240 });
    expect(perSlot(r).filter((k) => k > 0).every((k) => k === 240)).toBe(true);
  });

  it('refreshGroup allocates square groups of patches together (every kept 2x2 group whole); a bad group is refused', { timeout: 180_000 }, async () => {
    const r = await tokenize(await pan(), { ...O, budget: 4 * 240, refreshGroup: 2 });
    expectValidPositions(r, 960);
    expect(r.meta.policy.group).toBe(2);
    const kept = new Set(rowsOf(r).map(([t, h, w]) => `${t},${h},${w}`));
    for (const [t, h, w] of rowsOf(r)) {
      const h0 = h - (h % 2);
      const w0 = w - (w % 2);
      for (const [dh, dw] of [[0, 0], [0, 1], [1, 0], [1, 1]]) expect(kept.has(`${t},${h0 + dh!},${w0 + dw!}`), `(${t}, ${h}, ${w}) without its group`).toBe(true);
    }
    await expect(tokenize(await pan(), { ...O, budget: 16, refreshGroup: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });

  it('a small object moving over a still background gets tokens only where it moves', { timeout: 180_000 }, async () => {
    // a 24x24 square crossing the texture left to right on rows 80..103 (patch rows 5 and 6), 4 px per frame
    const r = await tokenize(await clip('object', `${TEXTURE},crop=${W}:${H}:0:0[bg];color=c=0x101010:s=24x24:r=25[o];[bg][o]overlay=x='8+n*4':y=80:shortest=1,format=yuv420p[v]`), { ...O, budget: 240 + 60 });
    expectValidPositions(r, 300);
    const rows = rowsOf(r);
    const later = rows.filter(([t]) => t > 0);
    expect(later.length).toBeGreaterThan(0);
    // within one patch (the codec's blocks) of where the square was between the previous slot and this one
    const f = r.meta.frames.sampled;
    for (const [t, h, w] of later) {
      expect(h >= 4 && h <= 7, `token (${t}, ${h}, ${w}) on patch row ${h}`).toBe(true);
      const x0 = Math.floor((8 + 4 * f[t - 1]!) / 16) - 1;
      const x1 = Math.floor((8 + 4 * f[t]! + 23) / 16) + 1;
      expect(w >= x0 && w <= x1, `token (${t}, ${h}, ${w}) outside columns ${x0}..${x1}`).toBe(true);
    }
    // every position has a token (a never-kept patch costs more than anything)
    expect(new Set(rows.map(([, h, w]) => h * 20 + w)).size).toBe(240);
  });
});
