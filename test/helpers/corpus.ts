// The reference corpus (test/fixtures/hevc-corpus) and exact comparison of a
// corpus-format dump (src/writers/dump.ts) with its golden files.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { readNpy, type NpyArray } from '../../src/writers/npy.js';

export const CORPUS_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'hevc-corpus');

export interface ManifestEntry {
  name: string;
  width: number;
  height: number;
  pix_fmt: string;
  profile: string;
  frames: number;
  slice_types_output_order: string;
  residual_given: boolean;
  bytes: number;
  sha256: string;
  note: string;
}

export function corpusManifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(path.join(CORPUS_DIR, 'manifest.json'), 'utf8')) as ManifestEntry[];
}

export function corpusStream(name: string): string {
  return path.join(CORPUS_DIR, `${name}.hevc`);
}

export function corpusFile(name: string, suffix: string): string {
  return path.join(CORPUS_DIR, `${name}.${suffix}`);
}

/** Field names of the last axis of each array, for readable mismatch reports. */
const FIELDS: Record<string, string[]> = {
  motion: ['pred_mode', 'inter_dir', 'mv0x', 'mv0y', 'mv1x', 'mv1y', 'refpoc0', 'refpoc1'],
  cu: ['log2_size', 'part_mode', 'qp_y', 'pred_mode'],
  tu: ['decode_index', 'poc', 'cIdx', 'x0', 'y0', 'log2_size', 'pred_mode', 'nonzero', 'sum_abs', 'sum_sq', 'hash', 'qp', 'flags'],
};

function coordinates(kind: string, shape: number[], flat: number): string {
  const idx: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  switch (kind) {
    case 'motion':
      return `frame ${idx[0]}, 4x4 block (x=${idx[2]! * 4}, y=${idx[1]! * 4}), ${FIELDS.motion![idx[3]!]}`;
    case 'cu':
      return `frame ${idx[0]}, 8x8 block (x=${idx[2]! * 8}, y=${idx[1]! * 8}), ${FIELDS.cu![idx[3]!]}`;
    case 'residual':
      return `frame ${idx[0]}, sample (x=${idx[2]}, y=${idx[1]})`;
    case 'tu':
      return `row ${idx[0]}, ${FIELDS.tu![idx[1]!]}`;
    default:
      return `[${idx.join(', ')}]`;
  }
}

/** Exact comparison of two arrays; returns readable problems (at most `limit`). */
export function compareArrays(kind: string, got: NpyArray, want: NpyArray, limit = 10): string[] {
  if (got.dtype !== want.dtype) return [`${kind}: dtype ${got.dtype}, expected ${want.dtype}`];
  if (got.shape.join(',') !== want.shape.join(',')) {
    return [`${kind}: shape (${got.shape.join(', ')}), expected (${want.shape.join(', ')})`];
  }
  const problems: string[] = [];
  let mismatches = 0;
  const a = got.data;
  const b = want.data;
  for (let i = 0; i < b.length; i++) {
    if (a[i] !== b[i]) {
      mismatches++;
      if (problems.length < limit) {
        let extra = '';
        if (kind === 'tu') {
          const row = Math.floor(i / 13);
          extra = ` (expected row: [${Array.from(b.subarray(row * 13, row * 13 + 13) as ArrayLike<unknown>).join(', ')}])`;
        }
        problems.push(`${kind}: ${coordinates(kind, want.shape, i)}: got ${a[i]}, expected ${b[i]}${extra}`);
      }
    }
  }
  if (mismatches > problems.length) problems.push(`${kind}: ... ${mismatches} mismatching values in all (of ${b.length})`);
  return problems;
}

interface FrameJson {
  out_index: number;
  decode_index: number;
  poc: number;
  nal_type: number;
  y_md5: string | null;
  slices: Array<Record<string, unknown>>;
}

/** Compares frames.json lists: every field except y_md5. */
export function compareFrames(got: FrameJson[], want: FrameJson[], limit = 10): string[] {
  const problems: string[] = [];
  if (got.length !== want.length) problems.push(`frames.json: ${got.length} pictures, expected ${want.length}`);
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n && problems.length < limit; i++) {
    const g = got[i]!;
    const w = want[i]!;
    for (const key of ['out_index', 'decode_index', 'poc', 'nal_type'] as const) {
      if (g[key] !== w[key]) problems.push(`frames[${i}].${key}: got ${g[key]}, expected ${w[key]}`);
    }
    if (g.slices.length !== w.slices.length) {
      problems.push(`frames[${i}] (poc ${w.poc}): ${g.slices.length} slices, expected ${w.slices.length}`);
    }
    for (let s = 0; s < Math.min(g.slices.length, w.slices.length); s++) {
      for (const key of ['type', 'address', 'dependent', 'qp_delta', 'ref_l0', 'ref_l1']) {
        const gv = JSON.stringify(g.slices[s]![key]);
        const wv = JSON.stringify(w.slices[s]![key]);
        if (gv !== wv) problems.push(`frames[${i}] (poc ${w.poc}).slices[${s}].${key}: got ${gv}, expected ${wv}`);
      }
    }
  }
  return problems.slice(0, limit);
}

/** Compares the dump of corpus stream `name` in `dir` with the golden files. */
export async function compareDumpWithGolden(
  name: string,
  dir: string,
  options: { residual: boolean },
): Promise<string[]> {
  const problems: string[] = [];
  const got = JSON.parse(await readFile(path.join(dir, `${name}.frames.json`), 'utf8')) as FrameJson[];
  const want = JSON.parse(await readFile(corpusFile(name, 'frames.json'), 'utf8')) as FrameJson[];
  problems.push(...compareFrames(got, want));
  const kinds = ['motion', 'cu', 'tu'];
  if (options.residual) kinds.push('residual');
  for (const kind of kinds) {
    const golden = corpusFile(name, `${kind}.npy.gz`);
    if (!existsSync(golden)) continue;
    const dumped = path.join(dir, `${name}.${kind}.npy`);
    if (!existsSync(dumped)) {
      problems.push(`${kind}: ${dumped} was not written`);
      continue;
    }
    problems.push(...compareArrays(kind, await readNpy(dumped), await readNpy(golden)));
  }
  return problems;
}
