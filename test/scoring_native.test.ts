// Scores computed by the decoder as it decodes (the `score` analysis of parsePicturesAnalysed, what
// tokenize uses) against the public functions on the same pictures' arrays; per-picture raw change signals.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { letterboxGeometry } from '../src/geometry/output_geometry.js';
import { poolToGrid } from '../src/geometry/patch_grid.js';
import { parseFile, parsePicturesAnalysed, type DecoderAnalysis, type ParseOptions, type Picture } from '../src/input/parser.js';
import { scoreFrames } from '../src/scores/frame_scores.js';
import { resolveScoringOptions } from '../src/scores/options.js';
import { frameSignals } from '../src/scores/signals.js';
import { CORPUS } from './helpers/golden_pictures.js';

/** Every picture of `file`, decoded with the decoder-side analysis (as tokenize does). */
async function parseAnalysed(file: string, options: ParseOptions, analysis: DecoderAnalysis): Promise<Picture[]> {
  const out: Picture[] = [];
  for await (const p of parsePicturesAnalysed('test', file, options, analysis)) out.push(p);
  return out;
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

  it('raw change signals of every picture in a range: uncompensated motion, coefficient energy, bits per patch', async () => {
    const file = join(CORPUS, 'pan_known.hevc');
    const arrays = await parseFile(file, { motion: true, bits: true, tuStats: true, cu: false });
    const p0 = arrays[0]!;
    const g = letterboxGeometry(p0.width - p0.crop.left - p0.crop.right, p0.height - p0.crop.top - p0.crop.bottom, { size: 96, patch: 16 });
    const o = resolveScoringOptions({});
    const withChange = await parseAnalysed(file, { motion: true, bits: true, tuStats: true, cu: false }, { score: { geometry: g, options: o, pictures: [], changeFrom: 3, changeTo: 9 } });
    const none = resolveScoringOptions({ compensation: 'none', weights: { motion: 1, residual: 1, bits: 1 }, residualSource: 'coeff' });
    for (const p of withChange) {
      const inRange = p.decodeIndex >= 3 && p.decodeIndex < 9;
      expect(p.change !== undefined, `picture ${p.decodeIndex}`).toBe(inRange);
      if (!inRange) continue;
      const ref = arrays.find((a) => a.decodeIndex === p.decodeIndex)!;
      const sig = frameSignals(ref, none);
      expect(p.change!.motion).toEqual(poolToGrid(sig.motion!, ref.crop, g));
      expect(p.change!.energy).toEqual(poolToGrid(sig.residual!, ref.crop, g));
      expect(p.change!.bits).toEqual(poolToGrid(sig.bits!, ref.crop, g));
      // the pan (4, 2) px/frame is in the uncompensated motion
      const mean = p.change!.motion!.reduce((a, b) => a + b, 0) / p.change!.motion!.length;
      if (p.slices[0]!.type !== 'I') expect(mean).toBeGreaterThan(2);
    }
  });

  it('a geometry made for another picture size is a typed error', async () => {
    const o = resolveScoringOptions({});
    const g = letterboxGeometry(100, 100, { size: 64, patch: 16 });
    await expect(parseAnalysed(join(CORPUS, 'pan_known.hevc'), {}, { score: { geometry: g, options: o } })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
  });
});
