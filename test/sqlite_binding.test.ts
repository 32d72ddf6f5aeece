// index.sqlite with each SQLite binding: node:sqlite (Node >= 22.5), better-sqlite3 (an
// optional peer dependency, a devDependency here), or none (the dataset is written without
// index.sqlite and the result says why). CODECTOK_SQLITE forces the choice; the module
// graph is re-imported for each case, since the binding is chosen once per process.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from './shard_helpers.js';

const [major, minor] = process.versions.node.split('.').map(Number);
const hasNodeSqlite = major > 22 || (major === 22 && minor >= 13); // unflagged from 22.13

async function datasetWith(binding: string) {
  process.env.CODECTOK_SQLITE = binding;
  vi.resetModules();
  const { ShardWriter } = await import('../src/shard/shard_writer.js');
  const { finalizeDataset } = await import('../src/shard/dataset.js');
  const { readSqliteIndex } = await import('../src/shard/sqlite_index.js');
  const { loadSqliteBinding } = await import('../src/shard/sqlite_binding.js');
  const root = tmpDir('codectok-sqlite-');
  const w = new ShardWriter(root, { samplesPerShard: 2, fsync: false });
  for (const key of ['a', 'b', 'c']) w.add({ key, parts: { 'txt': new TextEncoder().encode(`text of ${key}`) }, json: { key } });
  w.close();
  const log: string[] = [];
  const result = finalizeDataset(root, { log: (m: string) => log.push(m) });
  return { root, result, log, index: result.sqlite ? readSqliteIndex(root) : null, binding: loadSqliteBinding()?.name ?? null };
}

afterEach(() => {
  delete process.env.CODECTOK_SQLITE;
  vi.resetModules();
});

describe('index.sqlite bindings', () => {
  it('without a binding the dataset is written, without index.sqlite, and says why', async () => {
    const d = await datasetWith('none');
    expect(d.result.sqlite).toBe(false);
    expect(d.result.sqliteSkippedReason).toMatch(/index\.sqlite was not written \(CODECTOK_SQLITE=none.*energon prepare` can add it later/);
    expect(d.log).toContain(d.result.sqliteSkippedReason);
    expect(fs.existsSync(path.join(d.root, '.nv-meta', 'index.sqlite'))).toBe(false);
    expect(fs.existsSync(path.join(d.root, '.nv-meta', 'index.uuid'))).toBe(false);
    expect(fs.existsSync(path.join(d.root, '.nv-meta', '.info.json'))).toBe(true);
    expect(d.result.samples).toBe(3);
  });

  it('better-sqlite3 writes the index', async () => {
    const d = await datasetWith('better-sqlite3');
    expect(d.binding).toBe('better-sqlite3');
    expect(d.result.sqlite).toBe(true);
    expect(d.index!.samples.map((s) => [s.tar_file_id, s.sample_key, s.sample_index])).toEqual([
      [0, 'a', 0],
      [0, 'b', 1],
      [1, 'c', 0],
    ]);
    expect(d.index!.parts.map((p) => p.part_name).sort()).toEqual(['json', 'json', 'json', 'txt', 'txt', 'txt']);
  });

  it(`node:sqlite writes the same index (Node >= 22.13), or is reported missing (Node ${process.versions.node})`, async () => {
    const d = await datasetWith('node:sqlite');
    if (!hasNodeSqlite) {
      expect(d.result.sqlite).toBe(false);
      expect(d.result.sqliteSkippedReason).toMatch(/node:sqlite is not available in Node \d+/);
      return;
    }
    expect(d.binding).toBe('node:sqlite');
    const b = await datasetWith('better-sqlite3');
    const strip = (x: unknown) => JSON.parse(JSON.stringify(x));
    expect(strip(d.index)).toEqual(strip(b.index));
  });
});
