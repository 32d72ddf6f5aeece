// codectok tokenize / viz from the command line (dist/cli/cli.js: run `npm run build` first).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../src/writers/npy.js';
import { CORPUS } from './helpers/golden_pictures.js';
import { ROOT, tempDir } from './helpers/tokenize_helpers.js';

const cli = join(ROOT, 'dist', 'cli', 'cli.js');

function run(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 300_000 });
}

describe('codectok tokenize', () => {
  it('tokenizes several files, reports each failure, finishes the others, exits 1 with a summary', { timeout: 300_000 }, () => {
    expect(existsSync(cli), 'dist/cli/cli.js (run `npm run build`)').toBe(true);
    const out = tempDir();
    const missing = join(out, 'missing.mp4');
    const r = run(['tokenize', join(CORPUS, 'pan_known.hevc'), missing, join(CORPUS, 'static_bars.hevc'), '-o', out, '--frames', '8', '--size', '128', '--budget', '100', '--jobs', '2', '--canvas', 'png', '--policy', 'codec']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${missing}:`);
    expect(r.stderr).toMatch(/1 of 3 files failed: .*missing\.mp4/);
    expect(r.stdout).toContain('pan_known.hevc: 100 tokens');
    expect(r.stdout).toMatch(/static_bars\.hevc: \d+ tokens .*static clip: uniform fallback/);
    for (const name of ['pan_known', 'static_bars']) {
      for (const f of ['patches.npy', 'positions.npy', 'meta.json', 'canvas_0000.png', 'src_patch_position.npy']) expect(existsSync(join(out, name, f)), `${name}/${f}`).toBe(true);
    }
  });

  it('--json prints one document; options reach tokenize()', { timeout: 300_000 }, async () => {
    const out = tempDir();
    const r = run(['tokenize', join(CORPUS, 'pan_known.hevc'), '-o', out, '--json', '--frames', '6', '--size', '96', '--patch', '16', '--budget', '50', '--t', 'slot', '--policy', 'codec', '--iframes', 'dense', '--no-keep-first', '--compensation', 'affine', '--motion-vector', 'list0-integer', '--w-bits', '1']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; files: { ok: boolean; count: number; out: string }[] };
    expect(doc.ok).toBe(true);
    expect(doc.files[0]).toMatchObject({ ok: true, count: 50, out });
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
    expect(meta.timeIndex).toBe('slot');
    expect(meta.policy).toMatchObject({ name: 'codec', iframes: 'dense', keepFirst: false });
    expect(meta.scoring).toMatchObject({ compensation: 'affine', motionVector: 'list0-integer', weights: { motion: 1, residual: 1, bits: 1 } });
    const pos = await readNpy(join(out, 'positions.npy'));
    expect(pos.shape).toEqual([50, 3]);
    // worker threads (--jobs 2) keep the error codes
    const two = run(['tokenize', join(CORPUS, 'tiny_ip.hevc'), join(CORPUS, 'tiny_i.hevc'), '-o', tempDir(), '--json', '--jobs', '2', '--policy', 'grouped', '--budget', '10']);
    expect(two.status).toBe(1);
    const d2 = JSON.parse(two.stdout) as { ok: boolean; files: { ok: boolean; error?: { code: string; message: string } }[]; failed: string[] };
    expect(d2.ok).toBe(false);
    expect(d2.failed.length).toBe(2);
    expect(d2.files.map((f) => f.error?.code)).toEqual(['ERR_INVALID_OPTION', 'ERR_INVALID_OPTION']);
    expect(d2.files[0]!.error!.message).toContain('too small for the grouped policy');
    // refresh options: seams on by default, --no-refresh-seams turns them off
    for (const [flags, seams] of [[[], true], [['--no-refresh-seams'], false]] as const) {
      const dir = tempDir();
      const rr = run(['tokenize', join(CORPUS, 'pan_known.hevc'), '-o', dir, '--frames', '6', '--size', '96', '--budget', '60', '--policy', 'refresh', ...flags]);
      expect(rr.status, rr.stderr).toBe(0);
      const m = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
      expect(m.policy).toMatchObject({ name: 'refresh', group: 1, seams });
      if (!seams) expect(m.policy.seamMoves).toBe(0);
    }
    const bad = run(['tokenize', join(CORPUS, 'pan_known.hevc'), '-o', out, '--budget', 'many']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--budget must be an integer');
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
describe('codectok tokenize on a terminal', () => {
  it.skipIf(!hasScript)(`shows a progress bar${hasScript ? '' : ' (skipped: needs util-linux script for a pseudo-terminal)'}`, { timeout: 300_000 }, () => {
    const out = tempDir();
    const cmd = [process.execPath, cli, 'tokenize', join(CORPUS, 'pan_known.hevc'), join(CORPUS, 'tiny_ip.hevc'), '-o', out, '--frames', '4', '--size', '64', '--budget', '20'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/\[#{12}\.{12}\] 1\/2/);
    expect(r.stdout).toContain('\r\x1b[K');
    const quiet = run(['tokenize', join(CORPUS, 'tiny_ip.hevc'), '-o', tempDir(), '--frames', '2', '--size', '64', '--budget', '8']);
    expect(quiet.stderr).toBe(''); // no bar when stderr is not a terminal
  });
});

describe('codectok viz', () => {
  it('draws the sampled frames and the kept-patch mosaic', { timeout: 300_000 }, () => {
    const out = join(tempDir(), 'viz.png');
    const r = run(['viz', join(CORPUS, 'merge5_life.hevc'), '-o', out, '--frames', '8', '--size', '160', '--budget', '200']);
    expect(r.status, r.stderr).toBe(0);
    const png = readFileSync(out);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBeGreaterThan(8 * 160);
    expect(height).toBeGreaterThan(160);
  });
});
