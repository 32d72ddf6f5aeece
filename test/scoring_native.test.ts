// Scores computed by the decoder as it decodes (the `score` analysis of parsePicturesAnalysed, what
// tokenize uses) against the public functions on the same pictures' arrays; the refresh policy's
// per-picture change signals against the rules of src/scores/change.ts applied here to the maps.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { letterboxGeometry } from '../src/geometry/output_geometry.js';
import { poolToGrid } from '../src/geometry/patch_grid.js';
import { parseFile, parsePicturesAnalysed, type DecoderAnalysis, type ParseOptions, type Picture } from '../src/input/parser.js';
import { scoreFrames } from '../src/scores/frame_scores.js';
import { resolveScoringOptions } from '../src/scores/options.js';
import { frameSignals } from '../src/scores/signals.js';
import { CHANGE_FLOORS, changeRequest, pictureChange } from '../src/scores/change.js';
import { type CodecPicture, frameType } from '../src/scores/codec_picture.js';
import type { Geometry } from '../src/geometry/output_geometry.js';
import { CORPUS } from './helpers/golden_pictures.js';

/** Every picture of `file`, decoded with the decoder-side analysis (as tokenize does). */
async function parseAnalysed(file: string, options: ParseOptions, analysis: DecoderAnalysis): Promise<Picture[]> {
  const out: Picture[] = [];
  for await (const p of parsePicturesAnalysed('test', file, options, analysis)) out.push(p);
  return out;
}

/**
 * The change signals of one picture by the rules change.ts states, from the public signal maps and
 * pooling (the JavaScript that computed them before the C++ core did): the test's reference.
 */
function changeByTheRules(pic: CodecPicture, g: Geometry, residualSource: 'coeff' | 'abs') {
  const f = frameSignals(pic, resolveScoringOptions({ weights: { motion: 1, residual: 1, bits: 1 }, residualSource, compensation: 'none', motionPerFrame: true }));
  const mv = pic.motion!;
  const cols4 = Math.ceil(pic.width / 4);
  const rows4 = Math.ceil(pic.height / 4);
  const bits = f.bits!;
  // skipped 8x8 cells code no change
  for (let r = 0; r < bits.rows; r++) for (let c = 0; c < bits.cols; c++) if (mv[(2 * r * cols4 + 2 * c) * 8] === 2) (bits.values as Float32Array)[r * bits.cols + c] = 0;
  const residual = poolToGrid(f.residual!, pic.crop, g);
  if (residualSource === 'coeff') residual.forEach((v, i) => (residual[i] = v < CHANGE_FLOORS.residual ? 0 : Math.sqrt(v)));
  const motion = poolToGrid(f.motion!, pic.crop, g).map((v) => (v < CHANGE_FLOORS.motion ? 0 : v));
  const ones = Math.ceil(pic.width / 8) * Math.ceil(pic.height / 8);
  const share = poolToGrid({ values: new Float32Array(ones).fill(1), cols: Math.ceil(pic.width / 8), rows: Math.ceil(pic.height / 8), cell: 8 }, pic.crop, g).map((v) => Math.min(1, v));
  const isIntra = Float32Array.from({ length: cols4 * rows4 }, (_, i) => (mv[i * 8] === 0 ? 1 : 0));
  const intra = poolToGrid({ values: isIntra, cols: cols4, rows: rows4, cell: 4 }, pic.crop, g).map((v, i) => (share[i]! > 0 ? Math.min(1, v / share[i]!) : 0));
  const pooledBits = poolToGrid(bits, pic.crop, g).map((v, i) => (motion[i] === 0 && residual[i] === 0 && intra[i] === 0 ? 0 : v));
  return { motion, residual, bits: pooledBits, intra, share };
}

const cropOf = (p: { width: number; height: number; crop: { left: number; right: number; top: number; bottom: number } }) => ({ ...p.crop, width: p.width, height: p.height });

describe('scores computed in the decoder', () => {
  for (const [name, residualSource, compensation] of [['odd_size', 'abs', 'affine'], ['ctu32_bframes', 'coeff', 'similarity']] as const) {
    it(`${name} (${residualSource}, ${compensation}): equal to frameSignals + scoreFrames on the arrays, no arrays handed out`, async () => {
      const file = join(CORPUS, `${name}.hevc`);
      const o = resolveScoringOptions({ residualSource, compensation, weights: { motion: 1, residual: 1, bits: 0.5 } });
      const arrays = await parseFile(file, { motion: true, bits: true, residual: residualSource === 'abs', tuStats: residualSource === 'coeff', cu: false });
      const p0 = arrays[0]!;
      const g = letterboxGeometry(p0.width - p0.crop.left - p0.crop.right, p0.height - p0.crop.top - p0.crop.bottom, { size: 128, patch: 16 });
      const chosen = arrays.filter((_, i) => i % 3 === 1).map((p) => p.decodeIndex);
      const scored = await parseAnalysed(file, { motion: true, bits: true, residual: residualSource === 'abs', tuStats: residualSource === 'coeff', cu: false, pictures: chosen }, { score: { geometry: g, options: o, pictures: chosen } });
      let compared = 0;
      for (const p of scored) {
        expect(p.motion ?? p.residual ?? p.tu ?? p.bits, 'no codec map crosses into JavaScript').toBeUndefined();
        if (!chosen.includes(p.decodeIndex)) {
          expect(p.scores).toBeUndefined();
          continue;
        }
        const ref = arrays.find((a) => a.decodeIndex === p.decodeIndex)!;
        const sig = frameSignals(ref, o);
        const want = scoreFrames([sig], cropOf(ref), g, o)[0]!;
        expect(p.scores!.fused).toEqual(want.fused);
        expect(p.scores!.raw).toEqual(want.raw);
        expect(p.scores!.levels).toEqual(want.levels);
        expect(p.camera).toEqual(sig.camera);
        compared++;
      }
      expect(compared).toBe(chosen.length);
    });
  }

  for (const [name, residualSource] of [['pan_known', 'coeff'], ['odd_size', 'abs'], ['ctu32_bframes', 'coeff']] as const) {
    it(`${name} (${residualSource}): the refresh change signals of every picture, computed in the decoder, equal the JavaScript rules on the arrays`, async () => {
      const file = join(CORPUS, `${name}.hevc`);
      const decode = { motion: true, bits: true, tuStats: residualSource === 'coeff', residual: residualSource === 'abs', cu: false };
      const arrays = await parseFile(file, decode);
      const p0 = arrays[0]!;
      const g = letterboxGeometry(p0.width - p0.crop.left - p0.crop.right, p0.height - p0.crop.top - p0.crop.bottom, { size: 96, patch: 16 });
      const withChange = await parseAnalysed(file, decode, { score: { geometry: g, options: resolveScoringOptions({}), pictures: [], change: changeRequest(residualSource) } });
      expect(withChange.length).toBe(arrays.length);
      const S = g.gridH * g.gridW;
      let moving = 0;
      for (const p of withChange) {
        expect(p.motion ?? p.residual ?? p.tu ?? p.bits, 'no codec map crosses into JavaScript').toBeUndefined();
        expect(p.scores, 'nothing scored').toBeUndefined();
        const ref = arrays.find((a) => a.decodeIndex === p.decodeIndex)!;
        const want = changeByTheRules(ref, g, residualSource);
        for (const k of ['motion', 'residual', 'bits', 'intra'] as const) {
          expect(p.change![k].length).toBe(S);
          expect(p.change![k], `picture ${p.decodeIndex} ${k}`).toEqual(want[k]);
        }
        // the same function on the JavaScript-held picture (a custom picture source's path)
        const js = pictureChange(ref, 7, g, residualSource);
        expect(js).toEqual({ outIndex: 7, type: frameType(ref), ...p.change! });
        if (frameType(ref) === 'I') expect(Math.max(...p.change!.motion)).toBe(0);
        if (frameType(ref) === 'I') expect(Math.min(...p.change!.intra.filter((_, s) => want.share[s]! > 0))).toBe(1);
        else moving += p.change!.motion.reduce((a, b) => a + b, 0);
      }
      // pan_known pans (4, 2) px/frame: the uncompensated motion sees it
      if (name === 'pan_known') expect(moving / ((withChange.length - 1) * S)).toBeGreaterThan(2);
    });
  }

  it('a geometry made for another picture size is a typed error', async () => {
    const o = resolveScoringOptions({});
    const g = letterboxGeometry(100, 100, { size: 64, patch: 16 });
    await expect(parseAnalysed(join(CORPUS, 'pan_known.hevc'), {}, { score: { geometry: g, options: o } })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
  });
});
