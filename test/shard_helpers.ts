// Shared helpers for the shard/pack tests (not a test file itself).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TokenizedVideo } from '../src/shard/sharding_run.js';

export const TEST_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(TEST_DIR, '..');

let numpyChecked: string | null | undefined;
/** null when python3 with numpy is usable, else the reason to skip. */
export function numpyMissing(): string | null {
  if (numpyChecked === undefined) {
    const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    numpyChecked = r.status === 0 ? null : `python3 with numpy is not available (${(r.stderr || r.error?.message || '').trim()})`;
  }
  return numpyChecked;
}

export interface PyPart {
  dtype?: string;
  shape?: number[];
  sha256?: string;
  json?: any;
}
export interface PyReadBack {
  info: { energon_version: string; shard_counts: Record<string, number> };
  splits: { split_parts: Record<string, string[]>; exclude: string[] } | null;
  dataset: any;
  samples: { shard: string; index: number; key: string; parts: Record<string, PyPart> }[];
  checks: string[];
}

/** Read a dataset with test/shard_energon_reader.py (Energon's reading logic in plain Python). */
export function pythonReadBack(root: string): PyReadBack {
  const r = spawnSync('python3', [path.join(TEST_DIR, 'shard_energon_reader.py'), root], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`python read-back failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as PyReadBack;
}

export function sha256(data: ArrayBufferView): string {
  return createHash('sha256').update(Buffer.from(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

export function tmpDir(prefix = 'codectok-shard-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function seedOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Deterministic stand-in for tokenize(): arrays derived from the input path. */
export function fakeTokenize(input: string, options: Record<string, unknown> = {}): TokenizedVideo {
  if (input.includes('broken')) throw new Error(`cannot decode ${path.basename(input)}: synthetic failure`);
  let x = seedOf(path.basename(input)) || 1; // file name only: same arrays whatever temp folder
  const rnd = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const n = 4 * (1 + (rnd() % 12)); // multiple of 4 (2x2 merge)
  const p = Number(options.patch ?? 4);
  const float = options.float === true;
  const count = n * p * p * 3;
  const data = float ? new Float32Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) data[i] = float ? (rnd() % 1000) / 999 - 0.5 : rnd() & 255;
  const positions = new Int32Array(n * 3);
  for (let i = 0; i < n; i++) {
    positions[i * 3] = i >> 3;
    positions[i * 3 + 1] = (i >> 2) & 1;
    positions[i * 3 + 2] = i & 3;
  }
  const T = (n >> 3) + 1;
  return {
    patches: { data, shape: [n, p, p, 3], dtype: float ? 'float32' : 'uint8' },
    positions,
    // the shape of src/tokenize/result.ts TokenizeMeta (the parts the shard JSON reads)
    meta: {
      input,
      timeIndex: 'frame',
      frames: {
        total: T * 2,
        fps: 25,
        sampled: Array.from({ length: T }, (_, i) => i * 2),
        timestamps: Array.from({ length: T }, (_, i) => (i * 2) / 25),
      },
      grid: { T, H: 2, W: 4 },
      budget: n,
      policy: { name: 'codec' },
      patches: { layout: 'nhwc', dtype: float ? 'float32' : 'uint8' },
      scores: { tokens: Array.from({ length: n }, (_, i) => i / n), slotMean: Array.from({ length: T }, () => 0.5) },
    },
  };
}

export function writeManifest(dir: string, lines: unknown[], name = 'manifest.jsonl'): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return p;
}
