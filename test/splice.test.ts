// Spliced streams: coded video sequences of different sizes and settings one
// after the other (as when clips are concatenated): each must decode exactly
// as it does alone, in order.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { expect, test } from 'vitest';

import { parseFile, type Picture } from '../src/input/parser.js';
import { corpusStream } from './helpers/corpus.js';

const digest = (a: ArrayBufferView | undefined) => (a ? createHash('sha1').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex') : null);
const plain = (p: Picture) => ({ poc: p.poc, width: p.width, height: p.height, slices: p.slices, motion: digest(p.motion), cu: digest(p.cu), residual: digest(p.residual) });

test('three corpus streams back to back decode as they do alone', async () => {
  const names = ['ctu32_bframes', 'odd_size', 'main10'];
  const alone = await Promise.all(names.map((n) => parseFile(corpusStream(n), { residual: true })));
  const files = names.map((n) => readFileSync(corpusStream(n)));
  const joined = Buffer.concat(files);
  const spliced = await parseFile(new Uint8Array(joined), { residual: true });
  // the slices' byte offsets in the joined stream: those in each stream alone, after the streams before it
  let at = 0;
  for (const [k, pictures] of alone.entries()) {
    for (const p of pictures) for (const s of p.slices) s.byteOffset += at;
    at += files[k]!.length;
  }
  expect(spliced.map(plain)).toEqual(alone.flat().map(plain));
  expect(spliced.map((p) => p.outIndex)).toEqual(spliced.map((_, i) => i));
});
