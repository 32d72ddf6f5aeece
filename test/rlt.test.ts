// The rlt (Run-Length-Tokenization-style) pixel baseline: unit tests on hand-made frames, and tokenize()
// on a synthetic clip with a known answer.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectRlt } from '../src/policies/rlt.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { expectValidPositions, ffmpegPath, rowsOf, tempDir } from './helpers/tokenize_helpers.js';

/** T frames of a 2 x 2 grid of 2-px patches (4 x 4 RGB), each patch a flat grey given by levels[t][s]. */
function frames(levels: number[][]): Uint8Array[] {
  return levels.map((l) => {
    const f = new Uint8Array(4 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) f.fill(l[Math.floor(y / 2) * 2 + Math.floor(x / 2)]!, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
    return f;
  });
}
const vol = (levels: number[][]) => ({ T: levels.length, gridH: 2, gridW: 2, patch: 2, width: 4, frames: frames(levels) });
const rows = (p: Int32Array) => Array.from({ length: p.length / 3 }, (_, r) => [p[3 * r]!, p[3 * r + 1]!, p[3 * r + 2]!]);

describe('rlt policy', () => {
  it('keeps the first frame whole, then the patches that differ most from the last kept copy', () => {
    // patch 1 changes by 50 at t=1, patch 2 by 20 at t=2, patch 3 by 5 at t=1 and back at t=2
    const v = vol([
      [10, 10, 10, 10],
      [10, 60, 10, 15],
      [10, 60, 30, 10],
    ]);
    const r5 = selectRlt(v, { budget: 5 });
    expect(rows(r5.positions)).toEqual([[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1], [1, 0, 1]]);
    expect(r5.tokenDiff[4]).toBe(50);
    const r6 = selectRlt(v, { budget: 6 });
    expect(rows(r6.positions).slice(4)).toEqual([[1, 0, 1], [2, 1, 0]]);
    const r7 = selectRlt(v, { budget: 7 });
    expect(rows(r7.positions).slice(4)).toEqual([[1, 0, 1], [1, 1, 1], [2, 1, 0]]);
    // the smallest threshold that fits: just at 5 (patch 3's change), its token added after the bisection
    expect(r7.threshold).toBeCloseTo(5, 3);
  });

  it('below one frame: the first patches of the first frame; exactly K always', () => {
    const v = vol([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(rows(selectRlt(v, { budget: 3 }).positions)).toEqual([[0, 0, 0], [0, 0, 1], [0, 1, 0]]);
    for (let K = 1; K <= 8; K++) expect(selectRlt(v, { budget: K }).count).toBe(K);
    expect(selectRlt(v, { budget: 20 }).count).toBe(8);
  });

  it('tokenize: a square moving over a still picture gets tokens only where it moves', { timeout: 180_000 }, async () => {
    const dir = tempDir('codectok-rlt-');
    const file = join(dir, 'object.hevc');
    const graph = "color=c=gray:s=320x192:r=25,geq=lum='128+60*sin(X/7)*cos(Y/5)':cb=128:cr=128[bg];color=c=0x101010:s=24x24:r=25[o];[bg][o]overlay=x='8+n*4':y=80:shortest=1,format=yuv420p[v]";
    const r0 = spawnSync(await ffmpegPath(), ['-v', 'error', '-y', '-filter_complex', graph, '-map', '[v]', '-frames:v', '64', '-c:v', 'libx265', '-x265-params', 'keyint=16:bframes=0:lossless=1:log-level=error', '-f', 'hevc', file], { encoding: 'utf8' });
    expect(r0.status, r0.stderr).toBe(0);
    const o = { policy: 'rlt' as const, frames: 16, resize: 'qwen' as const, patch: 16, merge: 1, maxPixels: 320 * 192, minPixels: 64, timeIndex: 'slot' as const, budget: 240 + 40 };
    const r = await tokenize(file, o);
    expectValidPositions(r, 280);
    expect(r.meta.denseSlots).toContain(0);
    expect(r.meta.policy).toMatchObject({ name: 'rlt' });
    for (const [t, h] of rowsOf(r).filter(([t]) => t > 0)) expect(h === 5 || h === 6, `token at slot ${t} on row ${h}`).toBe(true);
    expect(rowsOf(await tokenize(file, o))).toEqual(rowsOf(r));
  });
});
