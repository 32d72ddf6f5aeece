// The addon glue (bindings/addon.cc) on its own, over a mock StreamDecoder
// (test/native_mock/): every field converted, zero-copy arrays released when
// collected, ParseError -> CodectokError, other exceptions -> ERR_INTERNAL,
// queueing, decoders in parallel on the thread pool.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

import { beforeAll, describe, expect, test } from 'vitest';

import type { NativeAddon } from '../src/input/native.js';
import type { Picture } from '../src/input/parser.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUILD = path.join(ROOT, 'build', 'native-mock');
const MOCK = path.join(BUILD, 'codectok_mock.node');

let native: NativeAddon;
let parser: typeof import('../src/input/parser.js');

beforeAll(async () => {
  execFileSync('cmake', ['-S', path.join(ROOT, 'test', 'native_mock'), '-B', BUILD], { stdio: 'pipe' });
  execFileSync('cmake', ['--build', BUILD, '-j2'], { stdio: 'pipe' });
  native = createRequire(import.meta.url)(MOCK) as NativeAddon;
  process.env.CODECTOK_NATIVE = MOCK; // read when src/native.js is first imported
  parser = await import('../src/input/parser.js');
}, 300_000);

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function expectedPicture(k: number, options: { residual?: boolean; tuStats?: boolean } = {}) {
  return {
    codec: 'hevc',
    poc: k,
    decodeIndex: k,
    nalType: k === 0 ? 19 : 1,
    temporalId: k % 3,
    disposable: k % 2 === 1,
    maxPocLsb: 16 << k,
    irap: k === 0,
    newSequence: k % 4 === 0,
    rasl: k % 4 === 2,
    pocAnchor: k % 3 !== 1,
    width: 20,
    height: 12,
    bitDepth: 8 + (k % 3),
    crop: { left: 1, right: 2, top: 3, bottom: 4 },
    slices: [0, 1].map((s) => ({
      type: 'IPB'[(k + s) % 3],
      address: s * 7,
      dependent: s === 1,
      qpDelta: -k | 0,
      refL0: Array.from({ length: s + 1 }, (_, r) => k - 1 - r),
      refL1: s === 1 ? [k + 5] : [],
      byteOffset: 2 ** 33 + 1000 * k + 100 * s,
      byteSize: 90 - s,
    })),
    motion: Array.from({ length: 15 * 8 }, (_, i) => ((i * 7 + k - 40) << 16) >> 16),
    cu: Array.from({ length: 6 * 4 }, (_, i) => i + 100 * k),
    bits: Array.from({ length: 6 }, (_, i) => i * 0.5 + k),
    ...(options.residual ? { residual: Array.from({ length: 240 }, (_, i) => (-i - k) | 0) } : {}),
    ...(options.tuStats
      ? { tu: Array.from({ length: 13 * (k + 1) }, (_, i) => (1n << 40n) * BigInt(k) + BigInt(i) - 3n) }
      : {}),
  };
}

function plain(p: Picture | Record<string, unknown>) {
  const { totalBits: _t, outIndex: _o, ...rest } = p as Picture;
  const out: Record<string, unknown> = { ...rest };
  for (const k of ['motion', 'cu', 'bits', 'residual', 'tu']) {
    if (out[k] !== undefined) out[k] = Array.from(out[k] as ArrayLike<unknown>);
  }
  return out;
}

describe('addon glue over a mock decoder', () => {
  test('every field of every picture, with the typed array types', async () => {
    const d = new native.NativeDecoder({ residual: true, tuStats: true });
    const first = await d.push(bytes('xxPyyPP'));
    const last = await d.finish();
    const all = [...first, ...last];
    expect(all.length).toBe(4);
    all.forEach((p, k) => {
      expect(plain(p)).toEqual(expectedPicture(k, { residual: true, tuStats: true }));
      expect(p.motion).toBeInstanceOf(Int16Array);
      expect(p.cu).toBeInstanceOf(Int16Array);
      expect(p.bits).toBeInstanceOf(Float32Array);
      expect(p.residual).toBeInstanceOf(Int16Array);
      expect(p.tu).toBeInstanceOf(BigInt64Array);
      // Each array owns its (external) buffer exactly.
      expect(p.motion!.byteOffset).toBe(0);
      expect(p.motion!.buffer.byteLength).toBe(p.motion!.byteLength);
    });
  });

  test('options: only the arrays asked for', async () => {
    const d = new native.NativeDecoder({ motion: false, cu: true, bits: false });
    const [p] = await d.finish();
    expect(p!.motion).toBeUndefined();
    expect(p!.cu).toBeDefined();
    expect(p!.bits).toBeUndefined();
    expect(p!.residual).toBeUndefined();
    expect(p!.tu).toBeUndefined();
  });

  test.skipIf(!(globalThis as { gc?: unknown }).gc)('collected arrays release the native storage', async () => {
    // totalBits of a mock picture = arrays alive in the mock when it was made.
    const probe = async () => (await new native.NativeDecoder({ motion: true, cu: false, bits: false }).finish())[0]!.totalBits;
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const base = await probe();
    let held: unknown[] | undefined = await new native.NativeDecoder({ residual: true, tuStats: true }).push(bytes('P'.repeat(50)));
    expect(await probe()).toBeGreaterThanOrEqual(base + 250);
    held = undefined;
    void held;
    for (let i = 0; i < 10; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await probe()).toBeLessThan(base + 10);
  });

  test('ParseError -> Error with code, byteOffset, picture; the decoder is then unusable', async () => {
    const d = new native.NativeDecoder();
    expect((await d.push(bytes('PP..FA'))).length).toBe(2);
    const err = await d.push(bytes('IL...')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'ERR_INVALID_SYNTAX', byteOffset: 4, picture: 2, message: 'mock: FAIL marker' });
    await expect(d.push(bytes('P'))).rejects.toMatchObject({ code: 'ERR_INVALID_STATE' });
  });

  test('another exception -> ERR_INTERNAL', async () => {
    const d = new native.NativeDecoder();
    await expect(d.push(bytes('BOOM'))).rejects.toMatchObject({ code: 'ERR_INTERNAL', message: /BOOM/ });
  });

  test('queued calls after a failure reject; order is kept', async () => {
    const d = new native.NativeDecoder();
    const results = await Promise.allSettled([d.push(bytes('P')), d.push(bytes('FAIL')), d.push(bytes('P')), d.finish()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('ERR_INVALID_SYNTAX');
    expect((results[2] as PromiseRejectedResult).reason.code).toBe('ERR_INVALID_STATE');
  });

  test('decoders run in parallel on the libuv pool, one job at a time each', async () => {
    // Each push sleeps 200 ms in the mock. 4 decoders x 1 push: ~200 ms with
    // the default pool of 4 threads; 1 decoder x 4 pushes: ~800 ms (serialized).
    let t = performance.now();
    await Promise.all([0, 1, 2, 3].map(() => new native.NativeDecoder().push(bytes('SLOWP'))));
    const parallel = performance.now() - t;
    const d = new native.NativeDecoder();
    t = performance.now();
    const outs = await Promise.all([0, 1, 2, 3].map(() => d.push(bytes('SLOWP'))));
    const serial = performance.now() - t;
    expect(outs.map((o) => o[0]!.poc)).toEqual([0, 1, 2, 3]);
    expect(serial).toBeGreaterThanOrEqual(780);
    expect(parallel).toBeLessThan(serial / 2);
  });

  test('parsePictures: outIndex, CodectokError with file, chunking', async () => {
    const { parsePictures, parseFile, CodectokError } = parser;
    // A fake Annex-B stream: a start code, then mock markers.
    const data = bytes('\x00\x00\x01' + 'P'.repeat(10));
    const pics = await parseFile(data, { chunkSize: 4096 });
    expect(pics.map((p) => [p.outIndex, p.poc])).toEqual(Array.from({ length: 11 }, (_, i) => [i, i]));
    const bad = bytes('\x00\x00\x01PP' + '.'.repeat(5000) + 'FAIL');
    const got: number[] = [];
    const err = await (async () => {
      for await (const p of parsePictures(bad, { chunkSize: 4096 })) got.push(p.poc);
    })().catch((e: unknown) => e);
    expect(got).toEqual([0, 1]);
    expect(err).toBeInstanceOf(CodectokError);
    expect(err).toMatchObject({ code: 'ERR_INVALID_SYNTAX', byteOffset: 5005, picture: 2 });
  });
});
