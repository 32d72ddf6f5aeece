/**
 * `.nv-meta/index.sqlite` and `.nv-meta/index.uuid`, as Energon's `energon prepare`
 * writes them (Megatron-Energon `flavors/webdataset/indexing.py` SqliteIndexWriter,
 * `flavors/webdataset/prepare.py`):
 *
 *   samples(tar_file_id INTEGER, sample_key TEXT, sample_index INTEGER,
 *           byte_offset INTEGER, byte_size INTEGER)
 *   sample_parts(tar_file_id INTEGER, sample_index INTEGER, part_name TEXT,
 *                content_byte_offset INTEGER, content_byte_size INTEGER)
 *   indexes idx_samples_sample_key, idx_samples_by_tar_and_idx,
 *           idx_sample_parts_seq, idx_sample_parts_full
 *
 * `tar_file_id` is the position of the shard in `.info.json`'s `shard_counts`;
 * `byte_offset`/`byte_size` span all of a sample's members including headers (the
 * same numbers as `.tar.idx`); `content_byte_offset`/`content_byte_size` locate a
 * part's data. `index.uuid` is a fresh random UUID each time the index is written.
 *
 * Only Energon's auxiliary-data, join and mount features read this file; plain
 * loading uses `.tar.idx`. The binding is `node:sqlite` or better-sqlite3 (sqlite_binding.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { metaDir } from './energon_meta.js';
import type { ScannedShard } from './tar_reader.js';
import { TMP_SUFFIX } from './shard_writer.js';
import { loadSqliteBinding, type SqliteBinding, type SqliteDatabase, type SqliteStatement } from './sqlite_binding.js';

export { sqliteUnavailableReason } from './sqlite_binding.js';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS samples (
    tar_file_id INTEGER,
    sample_key TEXT,
    sample_index INTEGER,
    byte_offset INTEGER,
    byte_size INTEGER
);
CREATE TABLE IF NOT EXISTS sample_parts (
    tar_file_id INTEGER,
    sample_index INTEGER,
    part_name TEXT,
    content_byte_offset INTEGER,
    content_byte_size INTEGER
);
`;

export const INDEX_SQL = `
CREATE INDEX IF NOT EXISTS idx_samples_sample_key ON samples(sample_key);
CREATE INDEX IF NOT EXISTS idx_samples_by_tar_and_idx ON samples(tar_file_id, sample_index);
CREATE INDEX IF NOT EXISTS idx_sample_parts_seq ON sample_parts(tar_file_id, sample_index, content_byte_offset);
CREATE INDEX IF NOT EXISTS idx_sample_parts_full ON sample_parts(tar_file_id, sample_index, part_name, content_byte_offset, content_byte_size);
`;

export interface IndexedShard {
  /** Name as in `.info.json` (its position there is the tar_file_id). */
  name: string;
  scan: ScannedShard;
}

/**
 * Streaming writer for `index.sqlite`: shards are added one at a time (in `.info.json`
 * order), then `close()` creates the indexes, checks that no key occurs twice, renames
 * the temporary file into place and writes a new `index.uuid`.
 */
export class SqliteIndexWriter {
  private db: SqliteDatabase;
  private readonly tmp: string;
  private readonly final: string;
  private insSample: SqliteStatement;
  private insPart: SqliteStatement;
  private nextTarFileId = 0;
  private done = false;

  /** Null when no SQLite binding loads (see `sqliteUnavailableReason()`). */
  static open(root: string): SqliteIndexWriter | null {
    const binding = loadSqliteBinding();
    return binding ? new SqliteIndexWriter(root, binding) : null;
  }

  private constructor(readonly root: string, binding: SqliteBinding) {
    const dir = metaDir(root);
    fs.mkdirSync(dir, { recursive: true });
    this.final = path.join(dir, 'index.sqlite');
    this.tmp = this.final + TMP_SUFFIX;
    for (const f of [this.tmp, this.tmp + '-journal', this.tmp + '-wal', this.tmp + '-shm']) fs.rmSync(f, { force: true });
    this.db = binding.open(this.tmp);
    // Energon uses WAL while writing; a finished index is read-only (Energon opens it
    // with mode=ro&immutable=1), so a single-file rollback-journal database is written.
    this.db.exec('PRAGMA journal_mode = DELETE');
    this.db.exec('PRAGMA synchronous = OFF'); // the file is renamed into place only when complete
    this.db.exec(SCHEMA_SQL);
    this.insSample = this.db.prepare(
      'INSERT INTO samples (tar_file_id, sample_key, sample_index, byte_offset, byte_size) VALUES (?, ?, ?, ?, ?)',
    );
    this.insPart = this.db.prepare(
      'INSERT INTO sample_parts (tar_file_id, sample_index, part_name, content_byte_offset, content_byte_size) VALUES (?, ?, ?, ?, ?)',
    );
  }

  /** Add the next shard of `.info.json` (its tar_file_id is its position there). */
  addShard(scan: ScannedShard): void {
    const tarFileId = this.nextTarFileId++;
    this.db.transaction(() => {
      for (const s of scan.samples) {
        this.insSample.run(tarFileId, s.key, s.index, s.byteOffset, s.byteSize);
        for (const p of s.parts) this.insPart.run(tarFileId, s.index, p.name, p.dataOffset, p.size);
      }
    });
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.db.exec(INDEX_SQL);
      const dups = this.db
        .prepare('SELECT sample_key, COUNT(*) AS c FROM samples GROUP BY sample_key HAVING c > 1 LIMIT 5')
        .all() as { sample_key: string; c: number }[];
      if (dups.length) throw new Error(`duplicate sample keys: ${dups.map((d) => `${d.sample_key} (x${d.c})`).join(', ')}`);
    } catch (e) {
      this.abort();
      throw e;
    }
    this.db.close();
    fs.renameSync(this.tmp, this.final);
    fs.writeFileSync(path.join(metaDir(this.root), 'index.uuid'), randomUUID());
  }

  abort(): void {
    this.done = true;
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
    fs.rmSync(this.tmp, { force: true });
  }
}

/**
 * Write `index.sqlite` (under a temporary name, renamed when complete) and a new
 * `index.uuid` for the given shards, in `.info.json` order. Throws if a key occurs
 * twice. Returns false (and writes nothing) when no SQLite binding loads.
 */
export function writeSqliteIndex(root: string, shards: IndexedShard[]): boolean {
  const w = SqliteIndexWriter.open(root);
  if (!w) return false;
  try {
    for (const s of shards) w.addShard(s.scan);
  } catch (e) {
    w.abort();
    throw e;
  }
  w.close();
  return true;
}

export interface SqliteSampleRow {
  tar_file_id: number;
  sample_key: string;
  sample_index: number;
  byte_offset: number;
  byte_size: number;
}
export interface SqlitePartRow {
  tar_file_id: number;
  sample_index: number;
  part_name: string;
  content_byte_offset: number;
  content_byte_size: number;
}

/** Read both tables back (for tests and tools), ordered like Energon's readers. */
export function readSqliteIndex(root: string): { samples: SqliteSampleRow[]; parts: SqlitePartRow[] } | null {
  const binding = loadSqliteBinding();
  if (!binding) return null;
  const db = binding.open(path.join(metaDir(root), 'index.sqlite'), { readonly: true });
  try {
    const samples = db.prepare('SELECT * FROM samples ORDER BY tar_file_id, sample_index').all() as SqliteSampleRow[];
    const parts = db
      .prepare('SELECT * FROM sample_parts ORDER BY tar_file_id, sample_index, content_byte_offset')
      .all() as SqlitePartRow[];
    return { samples, parts };
  } finally {
    db.close();
  }
}
