import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSharding, mergeRuns, finalizeRun } from '../src/shard/sharding_run.js';
import { readManifest } from '../src/shard/manifest.js';
import { iterateDataset } from '../src/shard/dataset.js';
import { readInfoJson, readSplits } from '../src/shard/energon_meta.js';
import { decodeNpy } from '../src/writers/npy.js';
import { fakeTokenize, pythonReadBack, REPO, sha256, tmpDir, TEST_DIR, writeManifest } from './shard_helpers.js';
import { numpyReadBacks } from './numpy_read_backs.js';

const readBacks = numpyReadBacks();

function manifestLines(n: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  return Array.from({ length: n }, (_, i) => ({ video: `videos/v${String(i).padStart(4, '0')}.mp4`, caption: `clip number ${i}`, ...extra(i) }));
}

/**
 * Check that the dataset holds exactly the expected keys once each, with the fake tokenizer's arrays;
 * the same read back with Python + NumPy is queued for the read-back test at the end of the file.
 */
function checkDataset(out: string, manifestPath: string, expectKeys: string[]) {
  const m = readManifest(manifestPath);
  const byKey = new Map(m.entries.map((e) => [e.key, e]));
  const samples = [...iterateDataset(out)];
  const keys = samples.map((s) => s.key);
  expect(new Set(keys).size).toBe(keys.length); // no duplicates
  expect([...keys].sort()).toEqual([...expectKeys].sort()); // none missing
  for (const s of samples) {
    const e = byKey.get(s.key)!;
    const ref = fakeTokenize(e.video);
    const p = decodeNpy(s.parts.get('patches.npy')!);
    expect(p.shape).toEqual(ref.patches.shape);
    expect(sha256(p.data)).toBe(sha256(ref.patches.data));
    const j = JSON.parse(s.parts.get('json')!.toString('utf8'));
    expect(j.num_visual_tokens).toBe(ref.patches.shape[0]);
    expect(j.caption).toBe(e.caption);
  }
  readBacks.add(out, () => {
    const py = pythonReadBack(out);
    expect(py.samples.length).toBe(expectKeys.length);
    for (const s of py.samples) {
      const ref = fakeTokenize(byKey.get(s.key)!.video);
      expect(s.parts['patches.npy']).toEqual({ dtype: 'uint8', shape: ref.patches.shape, sha256: sha256(ref.patches.data) });
      expect(s.parts['positions.npy']).toEqual({ dtype: 'int32', shape: [ref.patches.shape[0], 3], sha256: sha256(ref.positions) });
      const j = s.parts.json.json;
      const meta = ref.meta as any;
      expect(j.frame_ids).toEqual(meta.frames.sampled);
      expect(j.timestamps).toEqual(meta.frames.timestamps);
      expect(j.fps).toBe(25);
      expect(j.grid).toEqual([meta.grid.T, meta.grid.H, meta.grid.W]);
      expect(j.policy).toBe('codec');
      expect(j.budget).toBe(ref.patches.shape[0]);
      expect(j.num_padding_tokens).toBe(0);
      expect(j.tokenizer.scores.tokens).toBeUndefined(); // per-token scores left out by default
      expect(j.tokenizer.scores.slotMean).toEqual(meta.scores.slotMean);
    }
  });
}

describe('runSharding', () => {
  it('writes shards from a manifest, reports failures with reasons and goes on', async () => {
    const dir = tmpDir();
    const lines: unknown[] = manifestLines(23);
    lines[3] = { video: 'videos/broken3.mp4', caption: 'x' };
    lines.splice(7, 0, '{not json');
    lines.splice(11, 0, { caption: 'no video here' });
    const manifest = writeManifest(dir, lines);
    const out = path.join(dir, 'ds');
    const res = await runSharding({ manifest, out, tokenize: fakeTokenize, samplesPerShard: 8, val: 1, fsync: false });
    expect(res.complete).toBe(true);
    expect(res.failures.map((f) => f.reason)).toEqual([
      expect.stringMatching(/synthetic failure/),
      expect.stringMatching(/invalid JSON/),
      expect.stringMatching(/no video path/),
    ]);
    const failures = fs.readFileSync(path.join(out, 'failures.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(failures.map((f) => f.line)).toEqual([4, 8, 12]);
    const info = readInfoJson(out);
    expect(Object.values(info.shard_counts).reduce((a, b) => a + b, 0)).toBe(22);
    // 25 manifest entries, 8 per shard: 4 shards (the last holds entry 24 only)
    expect(Object.keys(info.shard_counts)).toEqual(['shards/shard_000000.tar', 'shards/shard_000001.tar', 'shards/shard_000002.tar', 'shards/shard_000003.tar']);
    expect(info.shard_counts['shards/shard_000003.tar']).toBe(1);
    const splits = readSplits(out);
    expect(splits.val.length).toBe(1);
    expect(splits.test).toEqual([]);
    const keys = readManifest(manifest).entries.filter((e) => !e.error && !e.videoRaw.includes('broken')).map((e) => e.key);
    checkDataset(out, manifest, keys);
  });

  it('resumes after being killed mid-shard: finished shards kept, no duplicate or missing key', async () => {
    const dir = tmpDir();
    const manifest = writeManifest(dir, manifestLines(35));
    const out = path.join(dir, 'ds');
    const child = spawn(
      path.join(REPO, 'node_modules/.bin/vite-node'),
      [path.join(TEST_DIR, 'shard_run_child.ts'), manifest, out, '10', '60'],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const killed = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        // entries 20..29 are shard 2: kill in its middle
        if (stdout.includes('v0025.mp4')) {
          child.kill('SIGKILL');
          resolve(true);
        }
      });
      child.on('exit', () => resolve(false));
    });
    expect(killed, `child ended before it could be killed:\n${stdout}\n${stderr}`).toBe(true);
    await new Promise((r) => child.on('exit', r));
    const shardsDir = path.join(out, 'shards');
    const before = fs.readdirSync(shardsDir).sort();
    // shards 0 and 1 finished; shard 2 was being written (normally still shard_000002.tar.tmp,
    // unless a loaded machine let the child finish it before the kill landed); shard 3 not started
    expect(before.slice(0, 4)).toEqual(['shard_000000.tar', 'shard_000000.tar.idx', 'shard_000001.tar', 'shard_000001.tar.idx']);
    expect(before.some((f) => f.startsWith('shard_000003'))).toBe(false);
    expect(fs.existsSync(path.join(out, '.nv-meta/.info.json'))).toBe(false);
    const doneBefore = before.filter((f) => f.endsWith('.tar')).length;
    const ino0 = fs.statSync(path.join(shardsDir, 'shard_000000.tar')).ino;

    const seen: string[] = [];
    const res = await runSharding({
      manifest,
      out,
      samplesPerShard: 10,
      fsync: false,
      tokenize: (input, o) => {
        seen.push(path.basename(input));
        return fakeTokenize(input, o);
      },
    });
    expect(res.skipped).toBe(doneBefore);
    expect(seen[0]).toBe(`v${String(doneBefore * 10).padStart(4, '0')}.mp4`); // restarted at the unfinished shard
    expect(seen.length).toBe(35 - doneBefore * 10);
    expect(fs.statSync(path.join(shardsDir, 'shard_000000.tar')).ino).toBe(ino0); // not rewritten
    expect(fs.readdirSync(shardsDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    checkDataset(out, manifest, readManifest(manifest).entries.map((e) => e.key));

    // same command again: nothing to do, same dataset
    const again = await runSharding({ manifest, out, samplesPerShard: 10, fsync: false, tokenize: () => { throw new Error('should not run'); } });
    expect(again.written).toBe(0);
    await expect(runSharding({ manifest, out, samplesPerShard: 7, tokenize: fakeTokenize })).rejects.toThrow(/samples-per-shard 10/);
  }, 60_000);

  it('splits a manifest across machines and merges their metadata', async () => {
    const dir = tmpDir();
    const manifest = writeManifest(dir, manifestLines(26, (i) => (i === 5 ? { video: 'videos/broken.mp4' } : {})));
    const keys = readManifest(manifest).entries.filter((e) => !e.videoRaw.includes('broken')).map((e) => e.key);
    // (a) parts sharing one output folder
    const shared = path.join(dir, 'shared');
    const parts = [0, 1, 2].map((i) => ({ manifest, out: shared, tokenize: fakeTokenize, samplesPerShard: 4, shardIndex: i, numShards: 3, fsync: false }));
    const r0 = await runSharding(parts[0]);
    expect(r0.complete).toBe(false);
    expect(fs.existsSync(path.join(shared, '.nv-meta/.info.json'))).toBe(false);
    await runSharding(parts[2]);
    expect(() => mergeRuns(shared)).toThrow(/not finished/);
    const r1 = await runSharding(parts[1]);
    expect(r1.complete).toBe(true);
    const merged = mergeRuns(shared, { val: 1 });
    expect(merged.samples).toBe(25);
    expect(merged.shards.length).toBe(7);
    expect(fs.readFileSync(path.join(shared, 'failures.jsonl'), 'utf8')).toMatch(/broken\.mp4.*synthetic failure/);
    checkDataset(shared, manifest, keys);

    // (b) parts on machines without a shared folder, merged afterwards
    const outs = [0, 1].map((i) => path.join(dir, `part${i}`));
    for (let i = 0; i < 2; i++) await runSharding({ manifest, out: outs[i], tokenize: fakeTokenize, samplesPerShard: 4, shardIndex: i, numShards: 2, fsync: false });
    const joined = path.join(dir, 'joined');
    const m2 = mergeRuns(joined, { from: outs });
    expect(m2.samples).toBe(25);
    checkDataset(joined, manifest, keys);
    // the same shard names whatever the number of parts
    expect(Object.keys(readInfoJson(joined).shard_counts)).toEqual(Object.keys(readInfoJson(shared).shard_counts));
    expect(() => finalizeRun(path.join(dir, 'nothing'))).toThrow(/run\.json/);
  });

  it('derives unique keys without dots from ids and file names', () => {
    const dir = tmpDir();
    const manifest = writeManifest(dir, [
      { video: 'a/clip.one.mp4' },
      { video: 'b/clip.one.mp4' },
      { video: 'x.mp4', id: 'my.id/with spaces' },
      { video: 'y.mp4', id: '__meta__' },
      { video: 'z.mp4', id: 'clip' },
      '"plain.mp4"',
    ]);
    const keys = readManifest(manifest).entries.map((e) => e.key);
    expect(keys).toEqual(['clip', 'clip_1', 'my_id_with_spaces', 'k__meta__', 'clip_4', 'plain']);
  });
});

describe('runSharding datasets read back with Python + NumPy (test/shard_energon_reader.py)', () => {
  readBacks.test('the four datasets checked above: every key once, arrays and JSON as the fake tokenizer made them', 4);
});
