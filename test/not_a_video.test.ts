// What is not a video gets a verdict, before any decoding and before FFmpeg is run: an empty
// file or random bytes fail with ERR_NOT_VIDEO, "no HEVC/H.264 start code or known container
// in N bytes", from tokenize(), `codectok tokenize` and `codectok inspect` alike.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodectokError } from '../src/errors.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { prng, randomBytes } from './helpers/bitstream.js';
import { CORPUS } from './helpers/golden_pictures.js';
import { ROOT, tempDir } from './helpers/tokenize_helpers.js';

const cli = join(ROOT, 'dist', 'cli', 'cli.js');

/** n random bytes with no 00 00 01 in them and no container signature at the start. */
function noise(n: number, seed: number): Uint8Array {
  const b = randomBytes(prng(seed), n);
  if (n > 0) b[0] = 0x42;
  for (let i = 2; i < n; i++) if (b[i] === 1 && b[i - 1] === 0 && b[i - 2] === 0) b[i] = 2;
  return b;
}

async function tokenizeError(file: string): Promise<CodectokError> {
  const e = await tokenize(file, { frames: 4, size: 64, budget: 8 }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CodectokError);
  return e as CodectokError;
}

describe('tokenize() of what is not a video', () => {
  it('empty, random .hevc and random bytes named .mp4: ERR_NOT_VIDEO naming the bytes read', async () => {
    const dir = tempDir();
    const cases: [string, Uint8Array][] = [
      ['empty.hevc', new Uint8Array(0)],
      ['random.hevc', noise(5000, 1)],
      ['random.mp4', noise(70_000, 2)],
    ];
    for (const [name, bytes] of cases) {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      const e = await tokenizeError(f);
      expect(e.code, `${name}: ${e.message}`).toBe('ERR_NOT_VIDEO');
      expect(e.message).toBe(`not a video: no HEVC/H.264 start code or known container in ${bytes.length} bytes`);
      expect(e.file).toBe(f);
    }
  });

  it('a real stream and a known container with a broken inside are not called "not a video"', async () => {
    const dir = tempDir();
    // A Matroska signature followed by noise: a container FFmpeg would look at, so FFmpeg's verdict.
    const mkv = join(dir, 'broken.mkv');
    writeFileSync(mkv, Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.from(noise(2000, 3))]));
    const e = await tokenizeError(mkv);
    expect(e.code).not.toBe('ERR_NOT_VIDEO');
    const r = await tokenize(join(CORPUS, 'tiny_ipb.hevc'), { frames: 2, size: 64, budget: 8 });
    expect(r.positions.shape).toEqual([8, 3]);
  });
});

describe('the CLI on what is not a video', () => {
  it('codectok inspect of random bytes fails (exit 1, ERR_NOT_VIDEO) instead of printing "no pictures"', () => {
    expect(existsSync(cli), 'dist/cli/cli.js (run `npm run build`)').toBe(true);
    const f = join(tempDir(), 'random.hevc');
    writeFileSync(f, noise(4096, 4));
    const r = spawnSync(process.execPath, [cli, 'inspect', f], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('no pictures');
    expect(r.stderr).toContain('no HEVC/H.264 start code or known container in 4096 bytes');
    expect(r.stderr).toContain('ERR_NOT_VIDEO');
  });

  it('codectok tokenize of an empty file reports ERR_NOT_VIDEO for it and exits 1', { timeout: 120_000 }, () => {
    const dir = tempDir();
    const f = join(dir, 'empty.hevc');
    writeFileSync(f, '');
    const r = spawnSync(process.execPath, [cli, 'tokenize', f, '-o', join(dir, 'out'), '--frames', '4', '--size', '64', '--budget', '8'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no HEVC/H.264 start code or known container in 0 bytes');
    expect(r.stderr).not.toMatch(/dimensions not set|Could not write header/);
  });
});
