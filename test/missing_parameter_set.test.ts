// A stream without the parameter sets its slices need is an error, ERR_MISSING_PARAMETER_SET,
// not an empty stream (0 pictures and no error), through every public entry that reads it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { countPictures, parseFile, parsePictures, pictureHeaders, tokenize } from '../src/index.js';
import { concatBytes, nalBytes, splitNals, START_CODE } from './helpers/bitstream.js';
import { corpusStream } from './helpers/corpus.js';

const VPS = 32;
const SPS = 33;
const PPS = 34;

/** The corpus stream without the NAL units whose types are in `drop`. */
function without(name: string, drop: number[]): Uint8Array {
  const data = new Uint8Array(readFileSync(corpusStream(name)));
  return concatBytes(splitNals(data).filter((n) => !drop.includes(n.type)).flatMap((n) => [START_CODE, nalBytes(data, n)]));
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'codectok-nops-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a stream with no parameter sets', () => {
  test('parseFile / parsePictures / countPictures / pictureHeaders: ERR_MISSING_PARAMETER_SET, not 0 pictures', async () => {
    const bare = without('tiny_ipb', [VPS, SPS, PPS]);
    const file = path.join(dir, 'bare.hevc');
    writeFileSync(file, bare);
    await expect(parseFile(bare)).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET' });
    await expect(parseFile(file)).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET', file });
    const seen: number[] = [];
    await expect((async () => {
      for await (const p of parsePictures(file)) seen.push(p.poc);
    })()).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET' });
    expect(seen).toEqual([]);
    await expect(countPictures(file)).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET' });
    await expect(pictureHeaders(bare)).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET' });
    await expect(tokenize(file, { size: 64, budget: 8 })).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET', file });
  });

  test('slices whose PPS is missing: ERR_MISSING_PARAMETER_SET; the whole stream still parses', async () => {
    await expect(parseFile(without('tiny_ipb', [PPS]))).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET' });
    expect((await parseFile(corpusStream('tiny_ipb'))).length).toBeGreaterThan(0);
  });
});
