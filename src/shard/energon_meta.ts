/**
 * The `.nv-meta/` folder Energon reads (formats from Megatron-Energon's source:
 * `flavors/webdataset/structs.py` WebdatasetInfo / WebdatasetSplits,
 * `flavors/webdataset/metadata.py` (strict JSON parser: no extra keys),
 * `flavors/webdataset/prepare.py` (how `energon prepare` writes them)).
 *
 * - `.info.json`: exactly `{"energon_version": ..., "shard_counts": {name: count}}`;
 *   the key order of `shard_counts` is the `tar_file_id` order of `index.sqlite`.
 * - `split.yaml`: `split_parts` with `train`, `val` and `test` always present
 *   (`[]` when empty), plus `exclude: []`.
 * - `dataset.yaml`: `CrudeWebdataset` by default, or a `sample_type` + `field_map`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWrite } from './shard_writer.js';

export const MAIN_FOLDER_NAME = '.nv-meta';
/** The Energon release whose on-disk format this writer follows. */
export const DEFAULT_ENERGON_VERSION = '7.4.1';
export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];
export type Splits = Record<SplitName, string[]>;

export interface ShardCount {
  /** Relative path with forward slashes, e.g. `shards/shard_000000.tar`. */
  name: string;
  count: number;
}

export function metaDir(root: string): string {
  return path.join(root, MAIN_FOLDER_NAME);
}

export function infoJsonText(shards: ShardCount[], energonVersion = DEFAULT_ENERGON_VERSION): string {
  const counts: Record<string, number> = {};
  for (const s of shards) {
    if (!Number.isInteger(s.count) || s.count <= 0) throw new Error(`${s.name}: sample count must be a positive integer, got ${s.count}`);
    if (s.name in counts) throw new Error(`duplicate shard ${s.name}`);
    counts[s.name] = s.count;
  }
  return JSON.stringify({ energon_version: energonVersion, shard_counts: counts }, null, 2) + '\n';
}

export function writeInfoJson(root: string, shards: ShardCount[], energonVersion = DEFAULT_ENERGON_VERSION): void {
  fs.mkdirSync(metaDir(root), { recursive: true });
  atomicWrite(path.join(metaDir(root), '.info.json'), infoJsonText(shards, energonVersion));
}

export interface InfoJson {
  energon_version: string;
  shard_counts: Record<string, number>;
}

export function readInfoJson(root: string): InfoJson {
  const p = path.join(metaDir(root), '.info.json');
  const info = JSON.parse(fs.readFileSync(p, 'utf8')) as InfoJson;
  if (!info || typeof info !== 'object' || typeof info.shard_counts !== 'object') throw new Error(`${p}: no shard_counts`);
  return info;
}

/** FNV-1a 32-bit, for a split assignment that does not depend on the order shards were written in. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * How many shards a split gets: a fraction in [0, 1) of all shards (rounded down, as
 * `energon prepare` does with its ratios), or an integer >= 1 meaning that many shards.
 */
export function splitShardCount(spec: number, total: number): number {
  if (!Number.isFinite(spec) || spec < 0) throw new Error(`split size must be >= 0, got ${spec}`);
  if (spec >= 1) {
    if (!Number.isInteger(spec)) throw new Error(`a split size >= 1 is a shard count and must be an integer, got ${spec}`);
    return Math.min(spec, total);
  }
  return Math.floor(total * spec + 1e-9);
}

/**
 * Assign shards to train/val/test. Val and test shards are chosen by a hash of their
 * names (stable whatever order or machine wrote them); the rest is train, which always
 * keeps at least one shard. Each list keeps the shards in name order.
 */
export function assignSplits(names: string[], opts: { val?: number; test?: number } = {}): Splits {
  const sorted = [...names].sort();
  // train keeps at least one shard: val and test never take all of them
  const room = Math.max(0, sorted.length - 1);
  const nVal = Math.min(splitShardCount(opts.val ?? 0, sorted.length), room);
  const nTest = Math.min(splitShardCount(opts.test ?? 0, sorted.length), room - nVal);
  const byHash = [...sorted].sort((a, b) => fnv1a(a) - fnv1a(b) || (a < b ? -1 : a > b ? 1 : 0));
  const val = new Set(byHash.slice(0, nVal));
  const test = new Set(byHash.slice(nVal, nVal + nTest));
  return {
    train: sorted.filter((n) => !val.has(n) && !test.has(n)),
    val: sorted.filter((n) => val.has(n)),
    test: sorted.filter((n) => test.has(n)),
  };
}

function yamlScalar(s: string): string {
  // plain scalar when unambiguous, else a JSON (= YAML double-quoted) string
  return /^[A-Za-z0-9_./-]+$/.test(s) && !/^[-.]/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) && !/^[0-9.+-]/.test(s)
    ? s
    : JSON.stringify(s);
}

function yamlValue(v: unknown): string {
  if (typeof v === 'string') return yamlScalar(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  return JSON.stringify(v); // flow style JSON is valid YAML
}

export function splitYamlText(splits: Splits): string {
  const lines = ['split_parts:'];
  for (const name of SPLIT_NAMES) {
    const list = splits[name] ?? [];
    if (list.length === 0) lines.push(`  ${name}: []`);
    else {
      lines.push(`  ${name}:`);
      for (const s of list) lines.push(`  - ${yamlScalar(s)}`);
    }
  }
  lines.push('exclude: []');
  return lines.join('\n') + '\n';
}

export function writeSplitYaml(root: string, splits: Splits): void {
  fs.mkdirSync(metaDir(root), { recursive: true });
  atomicWrite(path.join(metaDir(root), 'split.yaml'), splitYamlText(splits));
}

/** Expand `{a,b}` and zero-padded `{000..012}` groups like Python's braceexpand (enough for split files). */
export function braceExpand(s: string): string[] {
  const m = /\{([^{}]*)\}/.exec(s);
  if (!m) return [s];
  const head = s.slice(0, m.index);
  const tail = s.slice(m.index + m[0].length);
  let options: string[];
  const range = /^(-?\d+)\.\.(-?\d+)(?:\.\.(\d+))?$/.exec(m[1]);
  if (range) {
    const a = parseInt(range[1], 10);
    const b = parseInt(range[2], 10);
    const step = range[3] ? parseInt(range[3], 10) : 1;
    const width = range[1].startsWith('0') || range[2].startsWith('0') ? Math.max(range[1].length, range[2].length) : 0;
    options = [];
    if (a <= b) for (let i = a; i <= b; i += step) options.push(String(i).padStart(width, '0'));
    else for (let i = a; i >= b; i -= step) options.push(String(i).padStart(width, '0'));
  } else {
    options = m[1].split(',');
  }
  const out: string[] = [];
  for (const o of options) for (const rest of braceExpand(o + tail)) out.push(head + rest);
  return out;
}

function parseYamlScalar(raw: string): string {
  const s = raw.trim();
  if (s.startsWith('"')) return JSON.parse(s) as string;
  if (s.startsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  return s;
}

/**
 * Read `split.yaml` (the block/flow list subset that `energon prepare` and this
 * module write; `split.json` is read as JSON). Brace groups are expanded.
 */
export function readSplits(root: string): Splits & { exclude: string[] } {
  const yamlPath = path.join(metaDir(root), 'split.yaml');
  const jsonPath = path.join(metaDir(root), 'split.json');
  let raw: { split_parts: Record<string, string[]>; exclude?: string[] };
  if (!fs.existsSync(yamlPath) && fs.existsSync(jsonPath)) {
    raw = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  } else {
    raw = { split_parts: {}, exclude: [] };
    let section: 'split_parts' | 'exclude' | null = null;
    let current: string[] | null = null;
    for (const line0 of fs.readFileSync(yamlPath, 'utf8').split(/\r?\n/)) {
      const line = line0.replace(/\s+#.*$/, '');
      if (!line.trim() || line.trim().startsWith('#')) continue;
      const indent = line.length - line.trimStart().length;
      const t = line.trim();
      if (indent === 0) {
        const m = /^([A-Za-z_]+):\s*(.*)$/.exec(t);
        if (!m) throw new Error(`${yamlPath}: cannot read line ${JSON.stringify(line0)}`);
        section = m[1] === 'split_parts' ? 'split_parts' : m[1] === 'exclude' ? 'exclude' : null;
        current = section === 'exclude' ? (raw.exclude = []) : null;
        if (section === 'exclude' && m[2].startsWith('[')) raw.exclude = flowList(m[2]);
        continue;
      }
      if (t.startsWith('- ')) {
        if (!current) throw new Error(`${yamlPath}: list item outside a list: ${JSON.stringify(line0)}`);
        current.push(parseYamlScalar(t.slice(2)));
        continue;
      }
      const m = /^([^:]+):\s*(.*)$/.exec(t);
      if (m && section === 'split_parts') {
        const name = parseYamlScalar(m[1]);
        current = raw.split_parts[name] = m[2] ? flowList(m[2]) : [];
        continue;
      }
      throw new Error(`${yamlPath}: cannot read line ${JSON.stringify(line0)}`);
    }
  }
  const expand = (l: string[] | undefined) => (l ?? []).flatMap((s) => braceExpand(s));
  return {
    train: expand(raw.split_parts.train),
    val: expand(raw.split_parts.val),
    test: expand(raw.split_parts.test),
    exclude: expand(raw.exclude),
  };
}

function flowList(s: string): string[] {
  const t = s.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) throw new Error(`expected a flow list, got ${s}`);
  const inner = t.slice(1, -1).trim();
  if (!inner) return [];
  return inner.split(',').map(parseYamlScalar);
}

export interface DatasetYamlOptions {
  /** `module:Class` or {module, class} of a Sample type; when set, a `field_map` dataset is written instead of a crude one. */
  sampleType?: string | { module: string; class: string };
  /** Sample field -> part name, e.g. {patches: 'patches.npy', positions: 'positions.npy', meta: 'json'}. */
  fieldMap?: Record<string, string>;
  /** Subflavors, written for crude datasets (cookers can select on them). */
  subflavors?: Record<string, string | number | boolean>;
}

export const DEFAULT_FIELD_MAP: Record<string, string> = {
  patches: 'patches.npy',
  positions: 'positions.npy',
  meta: 'json',
};

export function datasetYamlText(opts: DatasetYamlOptions = {}): string {
  const lines: string[] = [];
  if (opts.sampleType) {
    let module: string;
    let cls: string;
    if (typeof opts.sampleType === 'string') {
      const i = opts.sampleType.lastIndexOf(':');
      const j = opts.sampleType.lastIndexOf('.');
      const cut = i >= 0 ? i : j;
      if (cut <= 0) throw new Error(`sample type must be "module:Class" or "module.Class", got ${opts.sampleType}`);
      module = opts.sampleType.slice(0, cut);
      cls = opts.sampleType.slice(cut + 1);
    } else {
      module = opts.sampleType.module;
      cls = opts.sampleType.class;
    }
    lines.push('sample_type:', `  __module__: ${yamlScalar(module)}`, `  __class__: ${yamlScalar(cls)}`);
    lines.push('field_map:');
    for (const [k, v] of Object.entries(opts.fieldMap ?? DEFAULT_FIELD_MAP)) lines.push(`  ${yamlScalar(k)}: ${yamlScalar(v)}`);
  } else {
    if (opts.fieldMap) throw new Error('a field map needs a sample type');
    lines.push('__module__: megatron.energon', '__class__: CrudeWebdataset');
    if (opts.subflavors && Object.keys(opts.subflavors).length) {
      lines.push('subflavors:');
      for (const [k, v] of Object.entries(opts.subflavors)) lines.push(`  ${yamlScalar(k)}: ${yamlValue(v)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function writeDatasetYaml(root: string, opts: DatasetYamlOptions = {}): void {
  fs.mkdirSync(metaDir(root), { recursive: true });
  atomicWrite(path.join(metaDir(root), 'dataset.yaml'), datasetYamlText(opts));
}
