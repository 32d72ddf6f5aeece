// Pictures built from the reference decoder's golden files of the corpus (test/fixtures/hevc-corpus),
// shaped like the parser's Picture: lets scoring and selection be tested independently of the parser.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy, gunzipIfNeeded } from '../../src/writers/npy.js';
import type { CodecPicture } from '../../src/scores/codec_picture.js';

export const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'hevc-corpus');

interface FrameJson {
  out_index: number;
  decode_index: number;
  poc: number;
  nal_type: number;
  slices: { type: 'I' | 'P' | 'B'; address: number; dependent: boolean; qp_delta: number; ref_l0: number[]; ref_l1: number[] }[];
}

function npyGz(name: string) {
  return decodeNpy(gunzipIfNeeded(readFileSync(join(CORPUS, name))));
}

export function manifestEntry(name: string): { width: number; height: number; frames: number } {
  const m = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as { name: string; width: number; height: number; frames: number }[];
  const e = m.find((x) => x.name === name);
  if (!e) throw new Error(`no corpus stream ${name}`);
  return e;
}

/** Golden pictures of a corpus stream in output order, with motion, residual (when given) and TU rows. */
export function goldenPictures(name: string, opts: { residual?: boolean; tu?: boolean } = {}): CodecPicture[] {
  const frames = JSON.parse(readFileSync(join(CORPUS, `${name}.frames.json`), 'utf8')) as FrameJson[];
  const man = manifestEntry(name);
  const motion = npyGz(`${name}.motion.npy.gz`);
  const [F, H4, W4] = motion.shape as [number, number, number];
  const mv = motion.data as Int16Array;
  let res: Int16Array | undefined;
  let H = H4 * 4;
  let W = W4 * 4;
  if (opts.residual !== false) {
    const r = npyGz(`${name}.residual.npy.gz`);
    res = r.data as Int16Array;
    H = r.shape[1]!;
    W = r.shape[2]!;
  }
  let tu: BigInt64Array | undefined;
  if (opts.tu) tu = npyGz(`${name}.tu.npy.gz`).data as BigInt64Array;
  if (F !== frames.length) throw new Error(`${name}: ${F} motion frames, ${frames.length} in frames.json`);
  return frames.map((f, i) => {
    const p: CodecPicture = {
      poc: f.poc,
      decodeIndex: f.decode_index,
      width: W,
      height: H,
      crop: { left: 0, top: 0, right: W - man.width, bottom: H - man.height },
      slices: f.slices.map((s) => ({ type: s.type })),
      motion: mv.subarray(i * H4 * W4 * 8, (i + 1) * H4 * W4 * 8),
    };
    if (res) p.residual = res.subarray(i * H * W, (i + 1) * H * W);
    if (tu) {
      const rows: bigint[] = [];
      for (let k = 0; k < tu.length / 13; k++) if (Number(tu[k * 13]) === f.decode_index) for (let c = 0; c < 13; c++) rows.push(tu[k * 13 + c]!);
      p.tu = BigInt64Array.from(rows);
    }
    return p;
  });
}
