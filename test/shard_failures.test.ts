// `codectok shard` from the user's side: a video the decoder refuses is recorded in
// failures.jsonl with the CodectokError's typed fields (code, byteOffset, and picture when known),
// on one thread and through the worker pool (--jobs, which needs dist/).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tmpDir, writeManifest } from './shard_helpers.js';

const CORPUS = path.join(REPO, 'test/fixtures/hevc-corpus');
const built = fs.existsSync(path.join(REPO, 'dist', 'cli', 'cli.js'));

/** tiny_ipb.hevc with the slice header of its third slice NAL unit overwritten; returns the file and that NAL unit's offset. */
function corruptStream(dir: string): { file: string; offset: number } {
  const b = Buffer.from(fs.readFileSync(path.join(CORPUS, 'tiny_ipb.hevc')));
  const slices: number[] = [];
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1 && ((b[i + 3]! >> 1) & 63) < 32) slices.push(i + 3);
  }
  const offset = slices[2]!;
  for (let i = offset + 2; i < offset + 40; i++) b[i] = 0xff;
  const file = path.join(dir, 'corrupt.hevc');
  fs.writeFileSync(file, b);
  return { file, offset };
}

function shard(args: string[], viaDist: boolean) {
  const [cmd, pre] = viaDist
    ? [process.execPath, [path.join(REPO, 'dist/cli/cli.js')]]
    : [path.join(REPO, 'node_modules/.bin/vite-node'), [path.join(REPO, 'src/cli/cli.ts'), '--']];
  return spawnSync(cmd, [...pre, 'shard', ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 26 });
}

describe('codectok shard: failures.jsonl carries the error fields', () => {
  for (const [label, jobs, viaDist] of [['one thread', 1, false], ['worker pool', 2, true]] as const) {
    it.skipIf(viaDist && !built)(`${label}: code and byteOffset of a corrupt stream${viaDist && !built ? ' (skipped: needs dist/, npm run build)' : ''}`, { timeout: 300_000 }, () => {
      const dir = tmpDir('codectok-failures-');
      const { file, offset } = corruptStream(dir);
      const manifest = writeManifest(dir, [{ video: path.join(CORPUS, 'tiny_ip.hevc') }, { video: file }]);
      const out = path.join(dir, 'ds');
      const r = shard([manifest, '-o', out, '--budget', '16', '--frames', '4', '--size', '64', '--patch', '16', '--jobs', String(jobs), '-q'], viaDist);
      expect(r.status, r.stderr).toBe(0);
      const lines = fs.readFileSync(path.join(out, 'failures.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(1);
      const f = lines[0];
      expect(f.key).toBe('corrupt');
      expect(f.code).toBe('ERR_INVALID_SYNTAX');
      expect(f.byteOffset).toBe(offset);
      expect(f.reason).toMatch(/slice header/);
      if ('picture' in f) expect(Number.isInteger(f.picture) && f.picture >= 0).toBe(true);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
});
