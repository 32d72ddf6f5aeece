// `device` / --device: cpu (default) and auto run on the CPU; cuda is refused
// with ERR_UNSUPPORTED because the Node addon is built without the CUDA
// kernels (README "GPU"); anything else is ERR_INVALID_OPTION.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodectokError } from '../src/errors.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { REPO } from './shard_helpers.js';

const CORPUS = path.join(REPO, 'test/fixtures/hevc-corpus');
const OPTS = { frames: 6, size: 96, patch: 16, budget: 48 };
const FILE = path.join(CORPUS, 'tiny_ipb.hevc');

describe('tokenize({ device })', () => {
  it('cpu and auto give the same tokens as the default', async () => {
    const base = await tokenize(FILE, OPTS);
    expect(base.positions.data.length).toBeGreaterThan(0);
    for (const device of ['cpu', 'auto'] as const) {
      const r = await tokenize(FILE, { ...OPTS, device });
      expect(Array.from(r.positions.data), device).toEqual(Array.from(base.positions.data));
    }
  });

  it('cuda: ERR_UNSUPPORTED saying the addon is built without CUDA; an unknown device: ERR_INVALID_OPTION', async () => {
    const e = await tokenize(FILE, { ...OPTS, device: 'cuda' }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(CodectokError);
    expect(e).toMatchObject({ code: 'ERR_UNSUPPORTED', message: expect.stringContaining('built without CUDA') });
    await expect(tokenize(FILE, { ...OPTS, device: 'gpu' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });

  it('the CLI: --device cuda fails with ERR_UNSUPPORTED, --device gpu is refused by the parser', () => {
    const run = (device: string) =>
      spawnSync(path.join(REPO, 'node_modules/.bin/vite-node'), [path.join(REPO, 'src/cli/cli.ts'), '--', 'tokenize', FILE, '-o', fs.mkdtempSync(path.join(os.tmpdir(), 'codectok-device-')),
        '--budget', '48', '--frames', '6', '--size', '96', '--patch', '16', '--device', device], { cwd: REPO, encoding: 'utf8' });
    const cuda = run('cuda');
    expect(cuda.status).not.toBe(0);
    expect(cuda.stderr).toContain('ERR_UNSUPPORTED');
    expect(cuda.stderr).toContain('built without CUDA');
    const gpu = run('gpu');
    expect(gpu.status).not.toBe(0);
    expect(gpu.stderr).toContain('gpu');
  });
});
