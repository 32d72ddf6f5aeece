// The per-video time bound (`timeout` / --timeout): a video that takes longer fails with
// ERR_TIMEOUT, for tokenize() and for `codectok shard`, where it is recorded in
// failures.jsonl like any other failure while the other videos are written.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodectokError } from '../src/errors.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { REPO, tmpDir, writeManifest } from './shard_helpers.js';

const CORPUS = path.join(REPO, 'test/fixtures/hevc-corpus');
const OPTS = { frames: 6, size: 96, patch: 16, budget: 48 };

describe('tokenize({ timeout })', () => {
  it('a timeout far below the work: ERR_TIMEOUT naming it; a generous one changes nothing', async () => {
    const file = path.join(CORPUS, 'seed_gop16_576.hevc');
    const e = await tokenize(file, { ...OPTS, timeout: 0.001 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CodectokError);
    expect((e as CodectokError).code).toBe('ERR_TIMEOUT');
    expect((e as CodectokError).message).toBe('took longer than the timeout of 0.001 s');
    expect((e as CodectokError).file).toBe(file);
    const small = path.join(CORPUS, 'tiny_ipb.hevc');
    const bounded = await tokenize(small, { ...OPTS, timeout: 600 });
    const free = await tokenize(small, OPTS);
    expect(Array.from(bounded.positions.data)).toEqual(Array.from(free.positions.data));
  });

  it('timeout must be a positive number of seconds', async () => {
    await expect(tokenize(path.join(CORPUS, 'tiny_ipb.hevc'), { ...OPTS, timeout: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });
});

describe('codectok shard --timeout', () => {
  it('every video over the bound is a failure in failures.jsonl; the run finishes', { timeout: 300_000 }, () => {
    const dir = tmpDir('codectok-timeout-');
    const manifest = writeManifest(dir, [{ video: path.join(CORPUS, 'seed_gop16_576.hevc') }, { video: path.join(CORPUS, 'tiny_ipb.hevc') }]);
    const out = path.join(dir, 'ds');
    const r = spawnSync(path.join(REPO, 'node_modules/.bin/vite-node'), [path.join(REPO, 'src/cli/cli.ts'), '--', 'shard', manifest, '-o', out,
      '--budget', '48', '--frames', '6', '--size', '96', '--patch', '16', '--timeout', '0.001', '--json', '-q'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const failures = fs.readFileSync(path.join(out, 'failures.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { video: string; reason: string });
    expect(failures.map((f) => path.basename(f.video))).toEqual(['seed_gop16_576.hevc', 'tiny_ipb.hevc']);
    for (const f of failures) expect(f.reason).toBe('took longer than the timeout of 0.001 s');
  });
});
