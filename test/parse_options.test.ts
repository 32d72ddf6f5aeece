// Paying only for what is asked: headersOnly (no slice data) and pictures
// (arrays for chosen decode indices only) against a full parse.
import { describe, expect, test } from 'vitest';

import { parseFile, parsePictures, type Picture } from '../src/input/parser.js';
import { corpusStream } from './helpers/corpus.js';

const meta = (p: Picture) => ({ poc: p.poc, decodeIndex: p.decodeIndex, nalType: p.nalType, outIndex: p.outIndex, slices: p.slices, width: p.width, height: p.height, crop: p.crop });

describe('parse options', () => {
  for (const name of ['ctu32_bframes', 'open_gop', 'kvz_wpp_dslices']) {
    test(`${name}: headersOnly gives the same pictures, without arrays`, async () => {
      const full = await parseFile(corpusStream(name));
      const headers = await parseFile(corpusStream(name), { headersOnly: true });
      expect(headers.map(meta)).toEqual(full.map(meta));
      for (const p of headers) {
        expect(p.motion).toBeUndefined();
        expect(p.cu).toBeUndefined();
        expect(p.residual).toBeUndefined();
      }
    });

    test(`${name}: pictures limits arrays to chosen decode indices, with identical content`, async () => {
      const full = await parseFile(corpusStream(name), { residual: true, tuStats: true });
      const chosen = [0, 3, 7];
      const some = await parseFile(corpusStream(name), { residual: true, tuStats: true, pictures: chosen });
      expect(some.map(meta)).toEqual(full.map(meta));
      for (let i = 0; i < full.length; i++) {
        const wanted = chosen.includes(full[i].decodeIndex);
        for (const key of ['motion', 'cu', 'bits', 'residual', 'tu'] as const) {
          if (wanted) expect(some[i][key]).toEqual(full[i][key]);
          else expect(some[i][key]).toBeUndefined();
        }
      }
    });
  }

  test('recycle: arrays are right while a picture is current, detached once the next is read', async () => {
    const full = await parseFile(corpusStream('ctu32_bframes'), { residual: true });
    let previous: Picture | undefined;
    let i = 0;
    for await (const p of parsePictures(corpusStream('ctu32_bframes'), { residual: true, recycle: true, chunkSize: 4096 })) {
      if (previous) {
        expect(previous.motion!.length).toBe(0);
        expect(previous.residual!.length).toBe(0);
      }
      expect(p.motion).toEqual(full[i]!.motion);
      expect(p.residual).toEqual(full[i]!.residual);
      previous = p;
      i++;
    }
    expect(i).toBe(full.length);
    expect(previous!.motion!.length).toBe(0); // released when the loop ended
  });
});
