// End to end: `codectok shard` on corpus streams with the real tokenizer, read back the
// Energon way and compared with what tokenize() returns; then `codectok pack`.
// Needs the native addon (npm run build:native) and FFmpeg, like the tokenize tests.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tokenize } from '../src/tokenize/tokenize.js';
import { readInfoJson, readSplits } from '../src/shard/energon_meta.js';
import { readManifest } from '../src/shard/manifest.js';
import { iterateDataset } from '../src/shard/dataset.js';
import { decodeNpy } from '../src/writers/npy.js';
import { pythonReadBack, REPO, sha256, tmpDir, writeManifest } from './shard_helpers.js';
import { numpyReadBacks } from './numpy_read_backs.js';

const readBacks = numpyReadBacks();

const CORPUS = path.join(REPO, 'test/fixtures/hevc-corpus');
const STREAMS = ['tiny_ip', 'tiny_ipb', 'static_bars', 'pan_known', 'odd_size'];
const OPTS = { budget: 48, frames: 6, size: 96, patch: 16 };
const CLI_OPTS = ['--budget', '48', '--frames', '6', '--size', '96', '--patch', '16'];

function cli(args: string[]) {
  const r = spawnSync(path.join(REPO, 'node_modules/.bin/vite-node'), [path.join(REPO, 'src/cli/cli.ts'), '--', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return r;
}

describe('codectok shard on corpus streams', () => {
  it('writes an Energon dataset whose arrays equal tokenize() output, then packs it', async () => {
    const dir = tmpDir('codectok-e2e-');
    const lines: unknown[] = STREAMS.map((s, i) => ({ video: path.join(CORPUS, `${s}.hevc`), caption: `corpus stream ${s} `.repeat(i + 1) }));
    lines.push({ video: path.join(CORPUS, 'does_not_exist.hevc') });
    const manifest = writeManifest(dir, lines);
    const out = path.join(dir, 'ds');
    const r = cli(['shard', manifest, '-o', out, ...CLI_OPTS, '--samples-per-shard', '2', '--val', '1', '--json', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary.failures).toBe(1);
    const failures = fs.readFileSync(path.join(out, 'failures.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(failures.map((f) => f.key)).toEqual(['does_not_exist']);

    const info = readInfoJson(out);
    expect(Object.values(info.shard_counts).reduce((a, b) => a + b, 0)).toBe(STREAMS.length);
    expect(Object.keys(info.shard_counts)).toEqual(['shards/shard_000000.tar', 'shards/shard_000001.tar', 'shards/shard_000002.tar']);
    const splits = readSplits(out);
    expect(splits.val.length).toBe(1);
    expect(splits.train.length).toBe(2);

    const entries = new Map(readManifest(manifest).entries.map((e) => [e.key, e]));
    const expected = new Map<string, Awaited<ReturnType<typeof tokenize>>>();
    for (const s of STREAMS) expected.set(s, await tokenize(path.join(CORPUS, `${s}.hevc`), OPTS));
    for (const s of iterateDataset(out)) {
      const ref = expected.get(s.key)!;
      const p = decodeNpy(s.parts.get('patches.npy')!);
      expect(p.shape).toEqual(ref.patches.shape);
      expect(sha256(p.data)).toBe(sha256(ref.patches.data));
      const j = JSON.parse(s.parts.get('json')!.toString('utf8'));
      expect(j.num_visual_tokens).toBe(ref.patches.shape[0]);
      expect(j.frame_ids).toEqual(ref.meta.frames.sampled);
      expect(j.timestamps).toEqual(ref.meta.frames.timestamps);
      expect(j.grid).toEqual([ref.meta.grid.T, ref.meta.grid.H, ref.meta.grid.W]);
      expect(j.caption).toBe(entries.get(s.key)!.caption);
    }
    readBacks.add(out, () => {
      const py = pythonReadBack(out);
      expect(py.samples.map((s) => s.key).sort()).toEqual([...STREAMS].sort());
      for (const s of py.samples) {
        const ref = expected.get(s.key)!;
        expect(s.parts['patches.npy']).toEqual({ dtype: 'uint8', shape: ref.patches.shape, sha256: sha256(ref.patches.data) });
        expect(s.parts['positions.npy']).toEqual({ dtype: 'int32', shape: [ref.patches.shape[0], 3], sha256: sha256(ref.positions.data) });
      }
    });

    // the compiled CLI (built by `npm test`) with worker threads writes the same bytes
    const distCli = path.join(REPO, 'dist/cli/cli.js');
    // npm test builds dist/ first: without it this comparison fails rather than being skipped unseen
    expect(fs.existsSync(distCli) && fs.existsSync(path.join(REPO, 'dist/tokenize/worker.js')), 'dist/ not built (npm run build): the --jobs (worker threads) comparison needs it').toBe(true);
    {
      const out2 = path.join(dir, 'ds-jobs2');
      const r2 = spawnSync(process.execPath, [distCli, 'shard', manifest, '-o', out2, ...CLI_OPTS, '--samples-per-shard', '2', '--val', '1', '--jobs', '2', '-q'], {
        cwd: REPO,
        encoding: 'utf8',
      });
      expect(r2.status, r2.stderr).toBe(0);
      for (const name of Object.keys(info.shard_counts)) {
        expect(fs.readFileSync(path.join(out2, name)).equals(fs.readFileSync(path.join(out, name))), name).toBe(true);
      }
    }

    const packed = path.join(dir, 'packed');
    const pr = cli(['pack', out, '--seq-len', '64', '-o', packed, '--json', '-q']);
    expect(pr.status, pr.stderr).toBe(0);
    const report = JSON.parse(pr.stdout.trim().split('\n').pop()!);
    expect(report.samples).toBe(STREAMS.length);
    expect(report.fill).toBeGreaterThan(0);
    let members = 0;
    for (const s of iterateDataset(packed)) {
      const j = JSON.parse(s.parts.get('json')!.toString('utf8'));
      expect(j.tokens).toBeLessThanOrEqual(64);
      for (const m of j.members) {
        const p = decodeNpy(s.parts.get(m.parts['patches.npy'])!);
        expect(sha256(p.data)).toBe(sha256(expected.get(m.key)!.patches.data));
        members++;
      }
    }
    expect(members).toBe(STREAMS.length);
  }, 300_000);
});

describe('codectok shard output read back with Python + NumPy (test/shard_energon_reader.py)', () => {
  readBacks.test('the dataset above: every stream once, patches and positions as tokenize() made them', 1);
});
