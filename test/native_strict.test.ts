// The addon's strictness (bindings/addon.cc) and the core's verdict on streams
// without parameter sets, from the caller's side: unknown or malformed
// options are refused with ERR_INVALID_OPTION before any decoding, the bytes
// pushed are the decoder's own copy (the caller may reuse its buffer at once),
// and NAL units that never make a picture for want of parameter sets end in
// ERR_MISSING_PARAMETER_SET.
import { readFile } from 'node:fs/promises';

import { beforeAll, describe, expect, test } from 'vitest';

import { CodectokError, parsePictures } from '../src/index.js';
import { loadNative, type NativeAddon, type NativePicture } from '../src/input/native.js';
import { concatBytes, prng, randomBytes, splitNals, START_CODE } from './helpers/bitstream.js';
import { corpusStream } from './helpers/corpus.js';

let native: NativeAddon;
let stream: Uint8Array;

beforeAll(async () => {
  native = loadNative();
  stream = new Uint8Array(await readFile(corpusStream('tiny_ipb')));
});

/** The stream without the NAL units whose type `drop` accepts. */
function without(data: Uint8Array, drop: (type: number) => boolean): Uint8Array {
  return concatBytes(splitNals(data).filter((n) => !drop(n.type)).map((n) => data.subarray(n.start, n.end)));
}

async function decodeAll(data: Uint8Array, options = {}): Promise<NativePicture[]> {
  const d = new native.NativeDecoder(options);
  return [...(await d.push(data)), ...(await d.finish())];
}

function invalidOption(fn: () => unknown, message: RegExp, type: ErrorConstructor = TypeError) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a throw').toBeInstanceOf(type);
  expect(err).toMatchObject({ code: 'ERR_INVALID_OPTION' });
  expect((err as Error).message).toMatch(message);
}

describe('NativeDecoder options are checked strictly', () => {
  test('an unknown option name is refused, naming it and the known ones', () => {
    invalidOption(() => new native.NativeDecoder({ motoin: true } as never), /unknown option 'motoin'.*known: motion, cu/);
    invalidOption(() => new native.NativeDecoder({ motion: true, recycle: true } as never), /unknown option 'recycle'/);
  });

  test('options must be an object; flags must be booleans', () => {
    invalidOption(() => new native.NativeDecoder(42 as never), /options must be an object, got 42/);
    invalidOption(() => new native.NativeDecoder({ motion: 1 } as never), /option motion must be a boolean, got 1/);
    invalidOption(() => new native.NativeDecoder({ tuStats: 'yes' } as never), /option tuStats must be a boolean/);
  });

  test('picture indices: NaN, fractions, negatives, strings and overflow are refused', () => {
    invalidOption(() => new native.NativeDecoder({ pictures: [0, NaN] }), /pictures\[1\] must be an integer, got NaN/);
    invalidOption(() => new native.NativeDecoder({ pictures: [1.5] }), /pictures\[0\] must be an integer, got 1.5/);
    invalidOption(() => new native.NativeDecoder({ pictures: [2, -1] }), /pictures\[1\] must be between 0/, RangeError);
    invalidOption(() => new native.NativeDecoder({ pictures: [2 ** 31] }), /pictures\[0\] must be between 0/, RangeError);
    invalidOption(() => new native.NativeDecoder({ pictures: ['3'] as never }), /pictures\[0\] must be a number, got '3'/);
    invalidOption(() => new native.NativeDecoder({ pictures: 3 as never }), /option pictures must be an array/);
  });

  test('maxPicturesPerCall must be a non-negative integer', () => {
    invalidOption(() => new native.NativeDecoder({ maxPicturesPerCall: NaN }), /maxPicturesPerCall must be an integer/);
    invalidOption(() => new native.NativeDecoder({ maxPicturesPerCall: -2 }), /maxPicturesPerCall must be between 0/, RangeError);
    invalidOption(() => new native.NativeDecoder({ maxPicturesPerCall: '8' as never }), /maxPicturesPerCall must be a number/);
  });

  test('valid options still decode: the chosen pictures carry arrays, the others metadata only', async () => {
    const pictures = await decodeAll(stream, { pictures: [0, 2], maxPicturesPerCall: 0, motion: true, cu: undefined });
    expect(pictures.length).toBeGreaterThan(2);
    for (const p of pictures) expect(p.motion !== undefined).toBe(p.decodeIndex === 0 || p.decodeIndex === 2);
  });
});

describe('push() copies its input', () => {
  test('a buffer reused and overwritten while jobs are queued does not change the result', async () => {
    const reference = await decodeAll(stream);
    const d = new native.NativeDecoder();
    const scratch = new Uint8Array(700); // reused for every chunk, like a source's read buffer
    const jobs: Promise<NativePicture[]>[] = [];
    for (let offset = 0; offset < stream.length; offset += scratch.length) {
      const n = Math.min(scratch.length, stream.length - offset);
      scratch.set(stream.subarray(offset, offset + n));
      jobs.push(d.push(scratch.subarray(0, n))); // not awaited: queued behind the running job
      scratch.fill(0xff); // the caller scribbles over its buffer at once
    }
    jobs.push(d.finish());
    const got = (await Promise.all(jobs)).flat();
    expect(got.map((p) => [p.poc, p.decodeIndex])).toEqual(reference.map((p) => [p.poc, p.decodeIndex]));
    got.forEach((p, i) => expect(Buffer.from(p.motion!.buffer).equals(Buffer.from(reference[i]!.motion!.buffer))).toBe(true));
  });
});

describe('streams that never make a picture', () => {
  test('slices without any parameter set: ERR_MISSING_PARAMETER_SET at the first slice', async () => {
    const data = without(stream, (t) => t >= 32 && t <= 34);
    const firstSlice = splitNals(data).find((n) => n.type < 32)!;
    const d = new native.NativeDecoder();
    expect(await d.push(data)).toEqual([]);
    await expect(d.finish()).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET', byteOffset: firstSlice.header });
  });

  test('slices whose PPS is missing, counted with headersOnly: ERR_MISSING_PARAMETER_SET', async () => {
    await expect(decodeAll(without(stream, (t) => t === 34), { headersOnly: true })).rejects.toMatchObject({
      code: 'ERR_MISSING_PARAMETER_SET',
    });
  });

  test('NAL units that are not parameter sets nor slices (AUD, SEI) alone: ERR_MISSING_PARAMETER_SET', async () => {
    const aud = Uint8Array.of(0, 0, 0, 1, 35 << 1, 1, 0x50);
    await expect(decodeAll(aud)).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET', byteOffset: 4 });
  });

  test('through the public API: a CodectokError with that code', async () => {
    const data = without(stream, (t) => t >= 32 && t <= 34);
    let err: unknown;
    try {
      for await (const _ of parsePictures(data)) void _;
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CodectokError);
    expect(err).toMatchObject({ code: 'ERR_MISSING_PARAMETER_SET' });
  });

  test('parameter sets alone are a valid stream without pictures', async () => {
    expect(await decodeAll(without(stream, (t) => t < 32 || t > 34))).toEqual([]);
  });

  test('bytes without a start code are no NAL unit: never ERR_MISSING_PARAMETER_SET', async () => {
    const rand = prng(5);
    const bytes = randomBytes(rand, 4096).map((b) => b | 1); // no zero byte, so no start code
    expect(await decodeAll(bytes)).toEqual([]); // the core sees nothing to decode
    let err: unknown;
    try {
      for await (const _ of parsePictures(bytes)) void _;
    } catch (e) {
      err = e;
    }
    // The container check refuses them (its own code), never as a missing parameter set.
    expect(err).toBeInstanceOf(CodectokError);
    expect((err as CodectokError).code).not.toBe('ERR_MISSING_PARAMETER_SET');
    expect((err as CodectokError).code).not.toBe('ERR_INTERNAL');
  });

  test('random bytes after a start code: a typed error, never ERR_INTERNAL', async () => {
    const rand = prng(11);
    for (let i = 0; i < 8; i++) {
      const data = concatBytes([START_CODE, randomBytes(rand, 64 + Math.floor(rand() * 4000))]);
      const outcome = await decodeAll(data).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      );
      expect(outcome).not.toBe('ERR_INTERNAL');
    }
  });
});
