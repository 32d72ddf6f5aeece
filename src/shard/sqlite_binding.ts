/**
 * The SQLite binding `index.sqlite` is written with, chosen once per process:
 *
 *   1. `node:sqlite` (built into Node.js >= 22.5; before 22.13 only with
 *      `--experimental-sqlite`), nothing to install;
 *   2. else `better-sqlite3`, an optional peer dependency, used when the application
 *      installed it (`npm install better-sqlite3`);
 *   3. else none: the dataset is written without `index.sqlite` / `index.uuid`, and
 *      `sqliteUnavailableReason()` says why (`energon prepare` can add them later).
 *
 * `CODECTOK_SQLITE=node:sqlite|better-sqlite3|none` forces one choice (tests, or to
 * compare the two). Both bindings are seen through the small `SqliteDatabase` shape below.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface SqliteStatement {
  run(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown[];
  get(...args: unknown[]): unknown;
}

export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  /** Runs `fn` inside BEGIN ... COMMIT (ROLLBACK when it throws). */
  transaction(fn: () => void): void;
  close(): void;
}

export interface SqliteBinding {
  name: 'node:sqlite' | 'better-sqlite3';
  /** Opens (creating it unless `readonly`) the database file. */
  open(file: string, opts?: { readonly?: boolean }): SqliteDatabase;
}

interface NodeSqliteModule {
  DatabaseSync: new (file: string, opts?: { readOnly?: boolean }) => {
    exec(sql: string): void;
    prepare(sql: string): SqliteStatement;
    close(): void;
  };
}
type BetterSqliteCtor = new (file: string, opts?: { readonly?: boolean; fileMustExist?: boolean }) => {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  transaction(fn: () => void): () => void;
  close(): void;
};

const require = createRequire(import.meta.url);

function nodeSqlite(): SqliteBinding {
  // process.getBuiltinModule is Node >= 20.16; require() of a builtin works everywhere.
  const mod = require('node:sqlite') as NodeSqliteModule;
  return {
    name: 'node:sqlite',
    open(file, opts = {}) {
      if (opts.readonly && !existsSync(file)) throw new Error(`no such database: ${file}`);
      const db = new mod.DatabaseSync(file, opts.readonly ? { readOnly: true } : {});
      return {
        exec: (sql) => db.exec(sql),
        prepare: (sql) => db.prepare(sql),
        transaction(fn) {
          db.exec('BEGIN');
          try {
            fn();
          } catch (e) {
            db.exec('ROLLBACK');
            throw e;
          }
          db.exec('COMMIT');
        },
        close: () => db.close(),
      };
    },
  };
}

function betterSqlite(): SqliteBinding {
  const Db = require('better-sqlite3') as BetterSqliteCtor;
  return {
    name: 'better-sqlite3',
    open(file, opts = {}) {
      const db = new Db(file, opts.readonly ? { readonly: true, fileMustExist: true } : {});
      return {
        exec: (sql) => db.exec(sql),
        prepare: (sql) => db.prepare(sql),
        transaction: (fn) => db.transaction(fn)(),
        close: () => db.close(),
      };
    },
  };
}

let cached: SqliteBinding | null | undefined;
let reason: string | null = null;

const firstLine = (e: unknown) => String((e as Error).message ?? e).split('\n')[0];

/** The binding to use, or null (see `sqliteUnavailableReason()`). */
export function loadSqliteBinding(): SqliteBinding | null {
  if (cached !== undefined) return cached;
  const forced = process.env.CODECTOK_SQLITE;
  const tried: string[] = [];
  const candidates: [string, () => SqliteBinding][] = [
    ['node:sqlite', nodeSqlite],
    ['better-sqlite3', betterSqlite],
  ];
  cached = null;
  for (const [name, load] of candidates) {
    if (forced && forced !== name) continue;
    try {
      cached = load();
      break;
    } catch (e) {
      tried.push(
        name === 'node:sqlite'
          ? `node:sqlite is not available in Node ${process.versions.node} (needs >= 22.5; 22.5-22.12 with --experimental-sqlite): ${firstLine(e)}`
          : `better-sqlite3 is not installed or does not load (\`npm install better-sqlite3\`): ${firstLine(e)}`,
      );
    }
  }
  if (!cached) {
    reason =
      forced && !candidates.some(([n]) => n === forced)
        ? `CODECTOK_SQLITE=${forced} disables the SQLite index`
        : `no SQLite binding: ${tried.join('; ')}`;
  }
  return cached;
}

/** Why `loadSqliteBinding()` returned null; null when a binding loaded. */
export function sqliteUnavailableReason(): string | null {
  loadSqliteBinding();
  return reason;
}
