import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ShardWriter, keyProblem, idxPathFor } from '../src/shard/shard_writer.js';
import { finalizeDataset, iterateDataset } from '../src/shard/dataset.js';
import { readSplits, readInfoJson, datasetYamlText, assignSplits, splitYamlText } from '../src/shard/energon_meta.js';
import { readSqliteIndex } from '../src/shard/sqlite_index.js';
import { encodeNpy, decodeNpy } from '../src/writers/npy.js';
import { readTarIdx, scanShard } from '../src/shard/tar_reader.js';
import { fakeTokenize, pythonReadBack, sha256, tmpDir } from './shard_helpers.js';
import { numpyReadBacks } from './numpy_read_backs.js';

const readBacks = numpyReadBacks();

interface Written {
  key: string;
  arrays: Record<string, { data: ArrayBufferView; shape: number[]; dtype: string }>;
  json: unknown;
}

function makeSample(key: string, float = false): Written {
  const r = fakeTokenize(`/videos/${key}.mp4`, { float });
  return {
    key,
    arrays: {
      'patches.npy': { data: r.patches.data, shape: r.patches.shape, dtype: r.patches.dtype },
      'positions.npy': { data: r.positions, shape: [r.positions.length / 3, 3], dtype: 'int32' },
    },
    json: { key, num_visual_tokens: r.patches.shape[0], caption: `caption of ${key}` },
  };
}

function writeAll(root: string, samples: Written[], per: number) {
  const w = new ShardWriter(root, { samplesPerShard: per, fsync: false });
  for (const s of samples) {
    const parts: Record<string, Uint8Array> = {};
    for (const [name, a] of Object.entries(s.arrays)) parts[name] = encodeNpy({ shape: a.shape, data: a.data as any });
    w.add({ key: s.key, parts, json: s.json });
  }
  return w.close();
}

/** Compare every array and JSON the Python reader decoded with what was written. */
function expectSameAsWritten(root: string, samples: Written[]) {
  const py = pythonReadBack(root);
  const byKey = new Map(py.samples.map((s) => [s.key, s]));
  expect(py.samples.length).toBe(samples.length);
  expect(byKey.size).toBe(samples.length);
  for (const s of samples) {
    const got = byKey.get(s.key);
    expect(got, s.key).toBeDefined();
    for (const [name, a] of Object.entries(s.arrays)) {
      expect(got!.parts[name]).toEqual({ dtype: a.dtype, shape: a.shape, sha256: sha256(a.data) });
    }
    expect(got!.parts.json.json).toEqual(s.json);
  }
  return py;
}

describe('ShardWriter', () => {
  it('rolls shards, writes .tar.idx, and Energon-style reading returns every array', () => {
    const root = tmpDir();
    const samples = Array.from({ length: 25 }, (_, i) => makeSample(`clip${String(i).padStart(4, '0')}`, i % 5 === 0));
    const shards = writeAll(root, samples, 10);
    expect(shards.map((s) => [s.name, s.count])).toEqual([
      ['shards/shard_000000.tar', 10],
      ['shards/shard_000001.tar', 10],
      ['shards/shard_000002.tar', 5],
    ]);
    // no temporary files left, every tar has its index with count + 1 entries
    const files = fs.readdirSync(path.join(root, 'shards')).sort();
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    for (const s of shards) {
      const idx = readTarIdx(idxPathFor(s.path));
      expect(idx).toEqual(s.offsets);
      expect(idx.length).toBe(s.count + 1);
      expect(idx[0]).toBe(0);
      expect(fs.statSync(s.path).size % 512).toBe(0);
      expect(fs.statSync(s.path).size).toBe(idx[idx.length - 1] + 1024);
    }
    const fin = finalizeDataset(root, { val: 0 });
    expect(fin.samples).toBe(25);

    // .info.json: exactly energon_version + shard_counts, counts exact
    const info = JSON.parse(fs.readFileSync(path.join(root, '.nv-meta/.info.json'), 'utf8'));
    expect(Object.keys(info)).toEqual(['energon_version', 'shard_counts']);
    expect(info.shard_counts).toEqual({
      'shards/shard_000000.tar': 10,
      'shards/shard_000001.tar': 10,
      'shards/shard_000002.tar': 5,
    });
    // empty validation split: all three splits present, val/test empty lists
    const splits = readSplits(root);
    expect(splits.train).toEqual(Object.keys(info.shard_counts));
    expect(splits.val).toEqual([]);
    expect(splits.test).toEqual([]);
    expect(fs.readFileSync(path.join(root, '.nv-meta/split.yaml'), 'utf8')).toContain('  val: []\n');
    expect(fs.readFileSync(path.join(root, '.nv-meta/index.uuid'), 'utf8')).toMatch(/^[0-9a-f-]{36}$/);

    // our own Energon-style reader
    const ours = [...iterateDataset(root)];
    expect(ours.map((s) => s.key)).toEqual(samples.map((s) => s.key));
    for (let i = 0; i < ours.length; i++) {
      const d = decodeNpy(ours[i].parts.get('patches.npy')!);
      expect(sha256(d.data)).toBe(sha256(samples[i].arrays['patches.npy'].data));
    }
    const db = readSqliteIndex(root)!;
    expect(db.samples.length).toBe(25);
    expect(db.parts.length).toBe(75);

    readBacks.add('rolled shards', () => {
      const py = expectSameAsWritten(root, samples);
      expect(py.checks).toContain('sqlite-matches-prepare');
      if (py.splits) {
        expect(py.splits.split_parts).toEqual({ train: Object.keys(info.shard_counts), val: [], test: [] });
        expect(py.dataset).toEqual({ __module__: 'megatron.energon', __class__: 'CrudeWebdataset' });
      }
    });
  });

  it('writes long and non-ASCII keys with PAX headers, offsets pointing at the PAX header', () => {
    const root = tmpDir();
    const long = 'k' + 'x'.repeat(180);
    const samples = [makeSample('short'), makeSample(long), makeSample('vidéo_été_日本'), makeSample('after')];
    const shards = writeAll(root, samples, 100);
    const scan = scanShard(shards[0].path);
    expect(scan.samples.map((s) => s.key)).toEqual(samples.map((s) => s.key));
    expect(scan.samples.map((s) => s.byteOffset)).toEqual(shards[0].offsets.slice(0, -1));
    // the long-key sample starts with a PAX header ('x' typeflag at byte 156)
    const buf = fs.readFileSync(shards[0].path);
    expect(String.fromCharCode(buf[shards[0].offsets[1] + 156])).toBe('x');
    finalizeDataset(root);
    readBacks.add('PAX keys', () => expectSameAsWritten(root, samples));
  });

  it('validates keys and refuses duplicates', () => {
    expect(keyProblem('a.b')).toMatch(/dot/);
    expect(keyProblem('a/b')).toMatch(/separator/);
    expect(keyProblem('')).toMatch(/non-empty/);
    expect(keyProblem('__key__')).toMatch(/__/);
    expect(keyProblem('ok_key-1')).toBeNull();
    const root = tmpDir();
    const w = new ShardWriter(root, { samplesPerShard: 2, existingKeys: ['old'], fsync: false });
    w.add({ key: 'a', json: { a: 1 } });
    expect(() => w.add({ key: 'a', json: {} })).toThrow(/duplicate key/);
    expect(() => w.add({ key: 'old', json: {} })).toThrow(/duplicate key/);
    expect(() => w.add({ key: 'b.c', json: {} })).toThrow(/dot/);
    expect(() => w.add({ key: 'b', parts: { 'x/y': new Uint8Array(1) } })).toThrow(/separator/);
    expect(() => w.add({ key: 'b', json: {}, parts: { json: new Uint8Array(1) } })).toThrow(/duplicate part/);
    // while a shard is open only its temporary file exists
    expect(fs.existsSync(path.join(root, 'shards/shard_000000.tar.tmp'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'shards/shard_000000.tar'))).toBe(false);
    w.add({ key: 'b', json: { b: 2 } });
    w.add({ key: 'c', json: { c: 3 } }); // rolls
    expect(fs.existsSync(path.join(root, 'shards/shard_000000.tar'))).toBe(true);
    w.close();
    expect(readInfoJsonSafe(root)).toBeNull(); // metadata only on finalize
    finalizeDataset(root);
    expect(readInfoJson(root).shard_counts).toEqual({ 'shards/shard_000000.tar': 2, 'shards/shard_000001.tar': 1 });
    // a second writer must not overwrite finished shards
    expect(() => new ShardWriter(root, { fsync: false }).add({ key: 'z', json: {} })).toThrow(/already exists/);
    // finalize rejects a key present in two shards
    const w2 = new ShardWriter(root, { startIndex: 2, fsync: false });
    w2.add({ key: 'a', json: {} });
    w2.close();
    expect(() => finalizeDataset(root)).toThrow(/duplicate key "a"/);
  });
});

describe('ShardWriter datasets read back with Python + NumPy (test/shard_energon_reader.py)', () => {
  readBacks.test('the rolled shards and the PAX keys above: every array and JSON as written', 2);
});

describe('ShardWriter.appendTo', () => {
  it('continues after the last shard, refuses keys already written, drops temporary leftovers', () => {
    const root = tmpDir();
    const first = writeAll(root, [makeSample('a'), makeSample('b'), makeSample('c')], 2);
    expect(first.map((s) => s.name)).toEqual(['shards/shard_000000.tar', 'shards/shard_000001.tar']);
    fs.writeFileSync(path.join(root, 'shards/shard_000002.tar.tmp'), 'partial');
    const w = ShardWriter.appendTo(root, { samplesPerShard: 2, fsync: false });
    expect(fs.existsSync(path.join(root, 'shards/shard_000002.tar.tmp'))).toBe(false);
    expect(() => w.add({ key: 'b', json: {} })).toThrow(/duplicate key/);
    w.add({ key: 'd', json: { d: 1 } });
    expect(w.close().map((s) => s.name)).toEqual(['shards/shard_000002.tar']);
    const fin = finalizeDataset(root);
    expect(fin.samples).toBe(4);
    expect(fs.existsSync(path.join(root, '.nv-meta/index.sqlite'))).toBe(true);
    // without the index this time: the old one must not stay behind
    expect(finalizeDataset(root, { sqlite: false }).sqlite).toBe(false);
    expect(fs.existsSync(path.join(root, '.nv-meta/index.sqlite'))).toBe(false);
    expect(fs.existsSync(path.join(root, '.nv-meta/index.uuid'))).toBe(false);
    expect([...iterateDataset(root)].map((s) => s.key)).toEqual(['a', 'b', 'c', 'd']);
  });
});

function readInfoJsonSafe(root: string) {
  try {
    return readInfoJson(root);
  } catch {
    return null;
  }
}

describe('energon metadata', () => {
  it('assigns val/test by fraction or shard count, always listing all three splits', () => {
    const names = Array.from({ length: 10 }, (_, i) => `shards/shard_${String(i).padStart(6, '0')}.tar`);
    const a = assignSplits(names, { val: 0.01 });
    expect(a.val).toEqual([]);
    expect(a.train).toEqual(names);
    const b = assignSplits(names, { val: 0.2, test: 1 });
    expect(b.val.length).toBe(2);
    expect(b.test.length).toBe(1);
    expect(new Set([...b.train, ...b.val, ...b.test]).size).toBe(10);
    expect(assignSplits([...names].reverse(), { val: 0.2, test: 1 })).toEqual(b); // order-independent
    // train keeps a shard even when val/test ask for everything
    expect(assignSplits(names.slice(0, 1), { val: 1 })).toEqual({ train: names.slice(0, 1), val: [], test: [] });
    const c = assignSplits(names.slice(0, 3), { val: 2, test: 2 });
    expect([c.train.length, c.val.length, c.test.length]).toEqual([1, 2, 0]);
    const text = splitYamlText({ train: names.slice(0, 1), val: [], test: [] });
    expect(text).toBe('split_parts:\n  train:\n  - shards/shard_000000.tar\n  val: []\n  test: []\nexclude: []\n');
  });

  it('writes crude or field_map dataset.yaml', () => {
    expect(datasetYamlText()).toBe('__module__: megatron.energon\n__class__: CrudeWebdataset\n');
    expect(datasetYamlText({ subflavors: { source: 'codectok' } })).toContain('subflavors:\n  source: codectok\n');
    expect(datasetYamlText({ sampleType: 'my_project.samples:CodecSample' })).toBe(
      'sample_type:\n  __module__: my_project.samples\n  __class__: CodecSample\nfield_map:\n  patches: patches.npy\n  positions: positions.npy\n  meta: json\n',
    );
  });
});
