// Test support: the H.264 reference corpus (test/fixtures/h264-corpus, see its
// README.md) and the exact comparison of a parser dump with FFmpeg's golden data.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { readNpy } from '../../src/writers/npy.js';

export const H264_CORPUS_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'h264-corpus');
/** Streams made with the bundled FFmpeg's libx264 for what the corpus lacks (its README.md), same format. */
export const H264_X264_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'h264-x264');

export interface H264ManifestEntry {
  name: string;
  file: string;
  width: number;
  height: number;
  frames: number;
  bit_depth: number;
  picture_types: string;
  note: string;
}

export function h264Manifest(dir = H264_CORPUS_DIR): H264ManifestEntry[] {
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, Omit<H264ManifestEntry, 'name'>>;
  return Object.entries(m).map(([name, e]) => ({ name, ...e }));
}

export function h264Stream(name: string, ext = 'h264'): string {
  return path.join(H264_CORPUS_DIR, `${name}.${ext}`);
}

/**
 * The README's checks of a dump (NAME.frames.json, NAME.motion.npy, NAME.cu.npy) against the golden
 * files: prediction mode of every 4x4 block from the macroblock type; at the top-left 4x4 block of
 * every exported partition, inter_dir equal to the exported lists and each vector equal; QP'Y of every
 * non-PCM macroblock. FFmpeg exports the lists of the whole macroblock for each partition, so in a
 * partitioned macroblock using both lists ('X' with '+', '-' or '|': the README names only '+') a
 * partition may use a non-empty subset of the exported lists, and an exported list it does not use
 * must be (0,0). Returns the problems (empty when exact).
 */
export async function compareH264Dump(dumpDir: string, name: string, bitDepth: number, limit = 8, goldenDir = H264_CORPUS_DIR): Promise<string[]> {
  const problems: string[] = [];
  const golden = (s: string) => path.join(goldenDir, `${name}.${s}`);
  const gframes = JSON.parse(readFileSync(golden('frames.json'), 'utf8')) as unknown[];
  const frames = JSON.parse(readFileSync(path.join(dumpDir, `${name}.frames.json`), 'utf8')) as unknown[];
  if (frames.length !== gframes.length) return [`${frames.length} pictures, golden ${gframes.length}`];
  const gqp = await readNpy(golden('qp.npy.gz'));
  const gt = await readNpy(golden('mbtype.npy.gz'));
  const gmv = await readNpy(golden('mv.npy.gz'));
  const mo = await readNpy(path.join(dumpDir, `${name}.motion.npy`));
  const cu = await readNpy(path.join(dumpDir, `${name}.cu.npy`));
  const [F, mbh, mbw] = gqp.shape as [number, number, number];
  const [, H4, W4] = mo.shape as [number, number, number, number];
  const [, , W8] = cu.shape as [number, number, number, number];
  if (mo.shape[0] !== F || H4 < 4 * mbh || W4 < 4 * mbw) return [`motion shape ${mo.shape}, expected [${F}, ${4 * mbh}, ${4 * mbw}, 8]`];
  const m = mo.data as Int16Array;
  const c = cu.data as Int16Array;
  const t = gt.data as Uint8Array;
  const q = gqp.data as Int16Array;
  const at = (f: number, y4: number, x4: number, k: number) => m[((f * H4 + y4) * W4 + x4) * 8 + k]!;
  const mbType = (f: number, y: number, x: number, k: number) => t[((f * mbh + y) * mbw + x) * 2 + k]!;
  let bad = 0;
  const report = (s: string) => {
    if (++bad <= limit) problems.push(s);
  };
  for (let f = 0; f < F; f++) {
    for (let y = 0; y < mbh; y++) {
      for (let x = 0; x < mbw; x++) {
        const ty = String.fromCharCode(mbType(f, y, x, 0));
        const want = 'iIPA'.includes(ty) ? 0 : ty === 'S' || ty === 'd' ? 2 : 1;
        for (let b = 0; b < 16; b++) {
          if (at(f, y * 4 + (b >> 2), x * 4 + (b & 3), 0) !== want) {
            report(`frame ${f} MB (${x},${y}) '${ty}': pred_mode ${at(f, y * 4 + (b >> 2), x * 4 + (b & 3), 0)}, want ${want}`);
            break;
          }
        }
        const qp = c[((f * (cu.shape[1] as number) + 2 * y) * W8 + 2 * x) * 4 + 2]! + 6 * (bitDepth - 8);
        if (ty !== 'P' && qp !== q[(f * mbh + y) * mbw + x]) report(`frame ${f} MB (${x},${y}): QP ${qp}, golden ${q[(f * mbh + y) * mbw + x]}`);
      }
    }
  }
  const rows = gmv.data as Int32Array;
  const lists = new Map<string, { f: number; y0: number; x0: number; lists: number; loose: boolean }>();
  for (let r = 0; r < gmv.shape[0]!; r++) {
    const [f, l, w, h, dx, dy, mx, my, scale] = Array.from(rows.subarray(r * 9, r * 9 + 9));
    if (scale !== 4) report(`golden motion_scale ${scale}`);
    const y0 = (dy! - h! / 2) / 4;
    const x0 = (dx! - w! / 2) / 4;
    const key = `${f},${y0},${x0}`;
    const loose = mbType(f!, y0 >> 2, x0 >> 2, 0) === 'X'.charCodeAt(0) && mbType(f!, y0 >> 2, x0 >> 2, 1) !== ' '.charCodeAt(0);
    const e = lists.get(key) ?? { f: f!, y0, x0, lists: 0, loose };
    e.lists |= 1 << l!;
    lists.set(key, e);
    const dir = at(f!, y0, x0, 1);
    const used = (dir >> l!) & 1;
    const ok = (used && at(f!, y0, x0, 2 + 2 * l!) === mx && at(f!, y0, x0, 3 + 2 * l!) === my) || (loose && !used && mx === 0 && my === 0);
    if (!ok) report(`frame ${f} ${w}x${h} at (${x0 * 4},${y0 * 4}) list ${l}: inter_dir ${dir} mv (${at(f!, y0, x0, 2 + 2 * l!)},${at(f!, y0, x0, 3 + 2 * l!)}), golden (${mx},${my})`);
  }
  for (const e of lists.values()) {
    const d = at(e.f, e.y0, e.x0, 1);
    if (e.loose ? d === 0 || (d & ~e.lists) !== 0 : d !== e.lists) report(`frame ${e.f} at (${e.x0 * 4},${e.y0 * 4}): inter_dir ${d}, golden lists ${e.lists}`);
  }
  if (bad > limit) problems.push(`... ${bad} problems in all`);
  return problems;
}
