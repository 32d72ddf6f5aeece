// The addon glue (bindings/addon.cc) and the streaming behaviour of parsePictures.
import { readFile } from 'node:fs/promises';

import { describe, expect, test } from 'vitest';

import { loadNative } from '../src/input/native.js';
import { parseFile, parsePictures, type Picture } from '../src/input/parser.js';
import { corpusManifest, corpusStream } from './helpers/corpus.js';

const frames = (name: string) => corpusManifest().find((e) => e.name === name)!.frames;

describe('NativeDecoder (addon glue)', () => {
  test('loads as a Node-API 8 addon', () => {
    const native = loadNative();
    expect(native.napiVersion).toBe(8);
    expect(typeof native.NativeDecoder).toBe('function');
  });

  test('calls made while a job runs are queued and settle in order', async () => {
    const { NativeDecoder } = loadNative();
    const data = new Uint8Array(await readFile(corpusStream('tiny_ipb')));
    const d = new NativeDecoder({ motion: true });
    const order: string[] = [];
    const jobs = [
      d.push(data.subarray(0, 1000)).then((r) => order.push(`a${r.length}`)),
      d.push(data.subarray(1000, 3000)).then(() => order.push('b')),
      d.push(data.subarray(3000)).then(() => order.push('c')),
      d.finish().then((r) => order.push(`finish`) && r),
    ];
    await Promise.all(jobs);
    expect(order.map((s) => s[0])).toEqual(['a', 'b', 'c', 'f']);
  });

  test('push/finish after finish reject with ERR_INVALID_STATE', async () => {
    const { NativeDecoder } = loadNative();
    const d = new NativeDecoder();
    await d.finish();
    await expect(d.push(new Uint8Array(4))).rejects.toMatchObject({ code: 'ERR_INVALID_STATE' });
    await expect(d.finish()).rejects.toMatchObject({ code: 'ERR_INVALID_STATE' });
  });

  test('argument checks throw TypeError synchronously', () => {
    const { NativeDecoder } = loadNative();
    const d = new NativeDecoder({});
    expect(() => d.push('nope' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => d.push(new Int16Array(4) as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => new NativeDecoder(5 as never)).toThrow(TypeError);
  });

  test('many decoders at once (thread pool) give what one at a time gives', async () => {
    const names = ['tiny_ip', 'tiny_ipb', 'seed_gop16_224', 'open_gop', 'odd_size', 'static_bars'];
    const sequential: Picture[][] = [];
    for (const n of names) sequential.push(await parseFile(corpusStream(n)));
    const parallel = await Promise.all(names.map((n) => parseFile(corpusStream(n), { chunkSize: 8192 })));
    const summary = (ps: Picture[]) => ps.map((p) => [p.poc, p.decodeIndex, p.totalBits, Array.from(p.motion ?? [])]);
    for (let i = 0; i < names.length; i++) {
      expect(summary(parallel[i]!), names[i]).toEqual(summary(sequential[i]!));
      expect(sequential[i]!.length, `${names[i]} picture count`).toBe(frames(names[i]!));
    }
  });
});

describe('parsePictures streaming', () => {
  test('arrays are views of native memory that outlive the decoder', async () => {
    const pictures = await parseFile(corpusStream('tiny_ipb'), { tuStats: true, residual: true });
    expect(pictures.length).toBe(4);
    const copies = pictures.map((p) => Int16Array.from(p.motion!));
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((r) => setTimeout(r, 10));
    }
    pictures.forEach((p, i) => {
      expect(Array.from(p.motion!)).toEqual(Array.from(copies[i]!));
      expect(p.motion!.length).toBe(16 * 16 * 8);
      expect(p.cu!.length).toBe(8 * 8 * 4);
      expect(p.bits!.length).toBe(8 * 8);
      expect(p.residual!.length).toBe(64 * 64);
      expect(p.tu!.length % 13).toBe(0);
      expect(p.outIndex).toBe(i);
    });
  });

  test('options choose the arrays (defaults: motion, cu, bits)', async () => {
    const [p] = await parseFile(corpusStream('tiny_i'));
    expect(p).toBeDefined();
    expect(p!.motion && p!.cu && p!.bits).toBeTruthy();
    expect(p!.residual).toBeUndefined();
    expect(p!.tu).toBeUndefined();
    const [q] = await parseFile(corpusStream('tiny_i'), { motion: false, cu: false, bits: false, tuStats: true });
    expect(q!.motion).toBeUndefined();
    expect(q!.tu).toBeDefined();
  });

  test('backpressure: input is read only as far as the pictures pulled need', async () => {
    const data = new Uint8Array(await readFile(corpusStream('seed_gop16_576')));
    const chunk = 4096;
    let pulled = 0;
    let closed = false;
    async function* source() {
      try {
        for (let p = 0; p < data.length; p += chunk) {
          pulled++;
          yield data.subarray(p, p + chunk);
        }
      } finally {
        closed = true;
      }
    }
    const total = Math.ceil(data.length / chunk);
    for await (const p of parsePictures(source(), { chunkSize: chunk })) {
      expect(p.outIndex).toBe(0);
      break;
    }
    expect(closed).toBe(true); // leaving the loop closes the input
    expect(pulled).toBeGreaterThan(0);
    // The first picture is in the first ~60 KiB (with the reorder delay, a few pictures more).
    expect(pulled).toBeLessThan(total / 2);
  });
});
