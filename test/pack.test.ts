import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { firstFitDecreasing, knapsackPack, planPacking, estimateTokens } from '../src/pack/packing.js';
import { packDataset } from '../src/pack/packed_writer.js';
import { runSharding } from '../src/shard/sharding_run.js';
import { readManifest } from '../src/shard/manifest.js';
import { iterateDataset } from '../src/shard/dataset.js';
import { readInfoJson, readSplits } from '../src/shard/energon_meta.js';
import { fakeTokenize, pythonReadBack, sha256, tmpDir, writeManifest } from './shard_helpers.js';
import { numpyReadBacks } from './numpy_read_backs.js';

const readBacks = numpyReadBacks();

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

function checkBins(bins: number[][], lengths: number[], seqLen: number, items: number[]) {
  const flat = bins.flat().sort((a, b) => a - b);
  expect(flat).toEqual([...items].sort((a, b) => a - b)); // every item exactly once
  for (const b of bins) expect(b.reduce((a, i) => a + lengths[i], 0)).toBeLessThanOrEqual(seqLen);
}

describe('packing plans', () => {
  it('first-fit decreasing and knapsack are valid; knapsack fills at least as well', () => {
    const r = rng(7);
    for (const [n, seqLen, maxLen] of [
      [500, 10192, 6000],
      [300, 1000, 700],
      [1000, 4096, 1500],
    ]) {
      const lengths = Array.from({ length: n }, () => 1 + Math.floor(r() * maxLen));
      const all = lengths.map((_, i) => i);
      const ffd = firstFitDecreasing(lengths, seqLen);
      const ks = knapsackPack(lengths, seqLen);
      checkBins(ffd, lengths, seqLen, all);
      checkBins(ks, lengths, seqLen, all);
      const lower = Math.ceil(lengths.reduce((a, b) => a + b, 0) / seqLen);
      expect(ffd.length).toBeGreaterThanOrEqual(lower);
      expect(ks.length).toBeGreaterThanOrEqual(lower);
      const pf = planPacking(lengths, { seqLen, algorithm: 'ffd' });
      const pk = planPacking(lengths, { seqLen, algorithm: 'knapsack' });
      expect(pk.fill).toBeGreaterThanOrEqual(pf.fill);
      checkBins(pk.bins, lengths, seqLen, all);
      expect(pf.fill).toBeGreaterThan(0.85);
      console.log(`n=${n} seq=${seqLen} max=${maxLen}: lower bound ${lower} bins; ffd ${pf.bins.length} (fill ${(pf.fill * 100).toFixed(2)}%), knapsack ${pk.bins.length} (fill ${(pk.fill * 100).toFixed(2)}%)`);
    }
  });

  it('knapsack beats FFD where FFD is known to waste a bin; exact fills stay exact', () => {
    const lengths = [5, 5, 4, 4, 3, 3];
    expect(firstFitDecreasing(lengths, 12).length).toBe(3);
    const ks = knapsackPack(lengths, 12);
    expect(ks.length).toBe(2);
    const plan = planPacking(lengths, { seqLen: 12, algorithm: 'knapsack' });
    expect(plan.fill).toBe(1);
    expect(plan.chosen).toBe('knapsack');
    expect(planPacking([6, 4, 3, 3, 2, 2], { seqLen: 10 }).fill).toBe(1);
    // deterministic, ties by position
    expect(firstFitDecreasing([3, 3, 3], 6)).toEqual([[0, 1], [2]]);
  });

  it('reports items longer than the sequence and can give them their own bins', () => {
    const p = planPacking([5, 20, 3, 11], { seqLen: 10 });
    expect(p.oversize).toEqual([1, 3]);
    expect(p.packedItems).toBe(2);
    const q = planPacking([5, 20, 3, 11], { seqLen: 10, oversize: 'single' });
    expect(q.packedItems).toBe(4);
    expect(q.bins).toContainEqual([1]);
  });

  it('estimates tokens: visual after the spatial merge plus text from the caption', () => {
    expect(estimateTokens({ num_visual_tokens: 40, caption: 'a dog runs across' })).toEqual({ visual: 10, text: 5, total: 15 });
    expect(estimateTokens({ num_visual_tokens: 41 }, { spatialMerge: 2, visualExtraTokens: 2 }).visual).toBe(13);
    expect(estimateTokens({ num_visual_tokens: 40 }, { spatialMerge: 1 }).visual).toBe(40);
    const conv = [{ from: 'human', value: '<video>\nWhat happens?' }, { from: 'gpt', value: 'A dog runs.' }];
    expect(estimateTokens({ num_visual_tokens: 4, conversation: conv }, { charsPerToken: 1 }).text).toBe(
      '<video>\nWhat happens?\nA dog runs.'.length,
    );
    expect(estimateTokens({ num_visual_tokens: 4, caption: 'xx', n_text: 77 }, { textTokensField: 'n_text' }).text).toBe(77);
  });
});

describe('packDataset', () => {
  it('writes packed samples in the Energon layout with every member array intact', async () => {
    const dir = tmpDir('codectok-pack-');
    const lines = Array.from({ length: 60 }, (_, i) => ({ video: `v/clip${i}.mp4`, caption: 'word '.repeat(i % 7) }));
    const manifest = writeManifest(dir, lines);
    const src = path.join(dir, 'src');
    await runSharding({ manifest, out: src, tokenize: fakeTokenize, samplesPerShard: 10, val: 1, fsync: false });
    const srcSplits = readSplits(src);
    const entries = new Map(readManifest(manifest).entries.map((e) => [e.key, e]));
    const srcKeysBySplit = { train: new Set<string>(), val: new Set<string>() };
    const srcInfo = readInfoJson(src);
    for (const s of iterateDataset(src)) (srcSplits.val.includes(s.shard) ? srcKeysBySplit.val : srcKeysBySplit.train).add(s.key);
    expect(Object.keys(srcInfo.shard_counts).length).toBe(6);

    const out = path.join(dir, 'packed');
    const rep = packDataset(src, out, { seqLen: 48, algorithm: 'ffd', binsPerShard: 8, fsync: false });
    expect(rep.samples).toBe(60);
    expect(rep.fill).toBeGreaterThan(0.85);
    for (const s of rep.splits) {
      expect(s.oversize).toEqual([]);
      // within one bin of the lower bound, and the fill is what the bins hold
      expect(s.bins).toBeLessThanOrEqual(Math.ceil(s.packedTokens / 48) + 1);
      expect(s.fill).toBeCloseTo(s.packedTokens / (s.bins * 48), 12);
    }
    const report = JSON.parse(fs.readFileSync(path.join(out, 'pack_report.json'), 'utf8'));
    expect(report.fill).toBeCloseTo(rep.fill, 10);
    const outSplits = readSplits(out);
    expect(outSplits.train.every((n) => n.startsWith('shards/train_'))).toBe(true);
    expect(outSplits.val.every((n) => n.startsWith('shards/val_'))).toBe(true);
    expect(outSplits.val.length).toBeGreaterThan(0);
    expect(outSplits.test).toEqual([]);

    // every source sample appears once, in the split it came from, within seq-len
    const seen = new Map<string, string>();
    for (const s of iterateDataset(out)) {
      const j = JSON.parse(s.parts.get('json')!.toString('utf8'));
      expect(j.tokens).toBeLessThanOrEqual(48);
      expect(j.members.reduce((a: number, m: any) => a + m.tokens.total, 0)).toBe(j.tokens);
      for (const m of j.members) {
        expect(seen.has(m.key)).toBe(false);
        seen.set(m.key, j.split);
        expect(srcKeysBySplit[j.split as 'train' | 'val'].has(m.key)).toBe(true);
        expect(m.json.key).toBe(m.key);
      }
    }
    expect(seen.size).toBe(60);

    // A copy for the NumPy read-back test (the knapsack run below overwrites `out`).
    const ffdCopy = path.join(dir, 'packed-ffd');
    fs.cpSync(out, ffdCopy, { recursive: true });
    readBacks.add(ffdCopy, () => {
      const py = pythonReadBack(ffdCopy);
      let members = 0;
      for (const s of py.samples) {
        for (const m of s.parts.json.json.members) {
          const ref = fakeTokenize(entries.get(m.key)!.video);
          expect(s.parts[m.parts['patches.npy']]).toEqual({ dtype: 'uint8', shape: ref.patches.shape, sha256: sha256(ref.patches.data) });
          expect(s.parts[m.parts['positions.npy']]).toEqual({ dtype: 'int32', shape: [ref.patches.shape[0], 3], sha256: sha256(ref.positions) });
          members++;
        }
      }
      expect(members).toBe(60);
    });

    // knapsack on the same data packs at least as full, and refuses to overwrite without asking
    expect(() => packDataset(src, out, { seqLen: 48 })).toThrow(/already holds shards/);
    const rk = packDataset(src, out, { seqLen: 48, algorithm: 'knapsack', overwrite: true, fsync: false });
    expect(rk.fill).toBeGreaterThanOrEqual(rep.fill - 1e-12);
    console.log(`packed 60 samples into seq-len 48: ffd ${rep.bins} bins (fill ${(rep.fill * 100).toFixed(2)}%), knapsack ${rk.bins} bins (fill ${(rk.fill * 100).toFixed(2)}%)`);
  });
});

describe('packDataset output read back with Python + NumPy (test/shard_energon_reader.py)', () => {
  readBacks.test('the first-fit packing above: every member array intact', 1);
});
