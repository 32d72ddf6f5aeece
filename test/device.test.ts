// `device` / --device: cpu (default); auto runs on the GPU only when the addon
// has CUDA and a device; cuda is refused with ERR_UNSUPPORTED saying which is
// missing (an addon built without CUDA, the default, or no CUDA device), and
// gives the CPU's tokens where both are there (README "GPU"); anything else is
// ERR_INVALID_OPTION.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodectokError } from '../src/errors.js';
import { loadNative } from '../src/input/native.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { REPO } from './shard_helpers.js';

const CORPUS = path.join(REPO, 'test/fixtures/hevc-corpus');
const OPTS = { frames: 6, size: 96, patch: 16, budget: 48 };
const FILE = path.join(CORPUS, 'tiny_ipb.hevc');

const CUDA = loadNative().cudaInfo();
const GPU = CUDA.built && CUDA.devices > 0;
// What `cuda` is refused with on this machine.
const WHY = CUDA.built ? 'no CUDA device' : 'built without CUDA';

describe('tokenize({ device })', () => {
  it('cudaInfo says whether the addon has CUDA and how many devices, without throwing', () => {
    expect(typeof CUDA.built).toBe('boolean');
    expect(Number.isInteger(CUDA.devices) && CUDA.devices >= 0).toBe(true);
    if (!CUDA.built) expect(CUDA).toMatchObject({ devices: 0, reason: 'built without CUDA' });
    else if (CUDA.devices === 0) expect(CUDA.reason).toContain('no CUDA device');
  });

  it('cpu and auto give the same tokens as the default', async () => {
    const base = await tokenize(FILE, OPTS);
    expect(base.positions.data.length).toBeGreaterThan(0);
    for (const device of ['cpu', 'auto'] as const) {
      const r = await tokenize(FILE, { ...OPTS, device });
      expect(Array.from(r.positions.data), device).toEqual(Array.from(base.positions.data));
    }
  });

  it.skipIf(GPU)(`cuda without a usable GPU (${WHY}): ERR_UNSUPPORTED saying why; an unknown device: ERR_INVALID_OPTION`, async () => {
    const e = await tokenize(FILE, { ...OPTS, device: 'cuda' }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(CodectokError);
    expect(e).toMatchObject({ code: 'ERR_UNSUPPORTED', message: expect.stringContaining(WHY) });
    await expect(tokenize(FILE, { ...OPTS, device: 'gpu' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });

  it.skipIf(!GPU)('cuda with a CUDA addon and a device: the same tokens as the CPU (the selection ran on the GPU)', async () => {
    const base = await tokenize(FILE, OPTS);
    const r = await tokenize(FILE, { ...OPTS, device: 'cuda' });
    expect(Array.from(r.positions.data)).toEqual(Array.from(base.positions.data));
  });

  it.skipIf(GPU)('the CLI: --device cuda fails with ERR_UNSUPPORTED, --device gpu is refused by the parser', () => {
    const run = (device: string) =>
      spawnSync(path.join(REPO, 'node_modules/.bin/vite-node'), [path.join(REPO, 'src/cli/cli.ts'), '--', 'tokenize', FILE, '-o', fs.mkdtempSync(path.join(os.tmpdir(), 'codectok-device-')),
        '--budget', '48', '--frames', '6', '--size', '96', '--patch', '16', '--device', device], { cwd: REPO, encoding: 'utf8' });
    const cuda = run('cuda');
    expect(cuda.status).not.toBe(0);
    expect(cuda.stderr).toContain('ERR_UNSUPPORTED');
    expect(cuda.stderr).toContain(WHY);
    const gpu = run('gpu');
    expect(gpu.status).not.toBe(0);
    expect(gpu.stderr).toContain('gpu');
  });
});
