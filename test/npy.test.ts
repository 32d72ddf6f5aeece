// .npy reading/writing: byte-identical to numpy.save, streaming writer, gzip helper.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import {
  decodeNpy,
  encodeNpy,
  gunzipIfNeeded,
  npyHeader,
  NpyStreamWriter,
  readMaybeGzip,
  readNpy,
  writeNpy,
  type NpyArray,
} from '../src/writers/npy.js';
import { corpusFile, corpusManifest } from './helpers/corpus.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'codectok-npy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npy', () => {
  test('every corpus fixture decodes and re-encodes to the same bytes', async () => {
    for (const e of corpusManifest().slice(0, 6)) {
      for (const kind of ['motion', 'cu', 'tu']) {
        const bytes = await readMaybeGzip(corpusFile(e.name, `${kind}.npy.gz`));
        const a = decodeNpy(bytes);
        expect(a.dtype).toBe(kind === 'tu' ? 'int64' : 'int16');
        expect(Buffer.compare(encodeNpy(a), bytes), `${e.name}.${kind}`).toBe(0);
      }
    }
  });

  test('header: 64-byte aligned, numpy key order and spare room', () => {
    const h = Buffer.from(npyHeader('int16', [4, 8, 8, 4]));
    expect(h.length % 64).toBe(0);
    expect(h.subarray(0, 8)).toEqual(Buffer.from('\x93NUMPY\x01\x00', 'latin1'));
    expect(h.toString('latin1', 10)).toMatch(/^\{'descr': '<i2', 'fortran_order': False, 'shape': \(4, 8, 8, 4\), \} +\n$/);
    // The first axis can grow in place.
    expect(npyHeader('int16', [123456789, 8, 8, 4]).length).toBe(h.length);
    expect(Buffer.from(npyHeader('uint8', [5])).toString('latin1')).toContain("'descr': '|u1'");
    expect(Buffer.from(npyHeader('float32', [])).toString('latin1')).toContain("'shape': ()");
  });

  test('round trip of every dtype, files and gzip', async () => {
    const arrays: NpyArray[] = [
      { dtype: 'int16', shape: [2, 3], data: Int16Array.of(1, -2, 3, -32768, 32767, 0) },
      { dtype: 'int32', shape: [3], data: Int32Array.of(1, -2, 2 ** 31 - 1) },
      { dtype: 'int64', shape: [1, 2], data: BigInt64Array.of(-(2n ** 63n), 2n ** 40n) },
      { dtype: 'uint8', shape: [2, 2], data: Uint8Array.of(0, 1, 254, 255) },
      { dtype: 'float32', shape: [2], data: Float32Array.of(0.5, -1e30) },
      { dtype: 'int16', shape: [0, 13], data: new Int16Array(0) },
    ];
    for (const [i, a] of arrays.entries()) {
      const back = decodeNpy(encodeNpy(a));
      expect(back.dtype).toBe(a.dtype);
      expect(back.shape).toEqual(a.shape);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(a.data as ArrayLike<unknown>));
      const f = path.join(dir, `a${i}.npy`);
      await writeNpy(f, a);
      expect((await readNpy(f)).shape).toEqual(a.shape);
      await writeFile(`${f}.gz`, gzipSync(await readFile(f)));
      expect(Array.from((await readNpy(`${f}.gz`)).data as ArrayLike<unknown>)).toEqual(
        Array.from(a.data as ArrayLike<unknown>),
      );
    }
    expect(gunzipIfNeeded(Uint8Array.of(1, 2, 3))).toEqual(Buffer.from([1, 2, 3]));
  });

  test('unaligned input is copied, not misread', () => {
    const bytes = encodeNpy({ dtype: 'int64', shape: [2], data: BigInt64Array.of(7n, -9n) });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(Array.from(decodeNpy(shifted.subarray(3)).data as BigInt64Array)).toEqual([7n, -9n]);
  });

  test('rejects what it does not read', () => {
    expect(() => decodeNpy(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))).toThrow(/magic/);
    const f64 = Buffer.concat([
      Buffer.from('\x93NUMPY\x01\x00', 'latin1'),
      Buffer.from([54, 0]),
      Buffer.from("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }".padEnd(53) + '\n', 'latin1'),
      Buffer.alloc(8),
    ]);
    expect(() => decodeNpy(f64)).toThrow(/dtype/);
    expect(() => encodeNpy({ shape: [3], data: new Int16Array(2) })).toThrow(/shape/);
  });

  test('streaming writer: same bytes as a one-shot write', async () => {
    const frame = (k: number) => Int16Array.from({ length: 2 * 3 * 4 }, (_, i) => i * k - 7);
    const w = await NpyStreamWriter.open(path.join(dir, 's.npy'), 'int16', [2, 3, 4]);
    for (let k = 0; k < 11; k++) await w.append(frame(k));
    expect(w.length).toBe(11);
    await w.close();
    const all = new Int16Array(11 * 24);
    for (let k = 0; k < 11; k++) all.set(frame(k), k * 24);
    const oneShot = encodeNpy({ dtype: 'int16', shape: [11, 2, 3, 4], data: all });
    expect(Buffer.compare(await readFile(path.join(dir, 's.npy')), oneShot)).toBe(0);
    const w2 = await NpyStreamWriter.open(path.join(dir, 'bad.npy'), 'int16', [5]);
    await expect(w2.append(new Int16Array(7))).rejects.toThrow(/rows/);
    await expect(w2.append(new Int32Array(5))).rejects.toThrow(/int16/);
    await w2.abort();
  });

  const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  test.skipIf(!numpy)('numpy.save writes the same bytes (needs python3 + numpy, else skipped)', async () => {
    const script = [
      'import numpy as np, sys',
      'd = sys.argv[1]',
      "np.save(f'{d}/np_i2.npy', np.arange(-6, 6, dtype='<i2').reshape(3, 4))",
      "np.save(f'{d}/np_i8.npy', np.arange(1300, dtype='<i8').reshape(100, 13))",
      "np.save(f'{d}/np_u1.npy', np.arange(7, dtype=np.uint8))",
      "np.save(f'{d}/np_f4.npy', np.zeros((0, 5, 2), dtype='<f4'))",
      "np.save(f'{d}/np_i4.npy', np.array([1, -1], dtype='<i4'))",
    ].join('\n');
    expect(spawnSync('python3', ['-c', script, dir]).status).toBe(0);
    for (const f of ['np_i2', 'np_i8', 'np_u1', 'np_f4', 'np_i4']) {
      const bytes = await readFile(path.join(dir, `${f}.npy`));
      expect(Buffer.compare(encodeNpy(decodeNpy(bytes)), bytes), f).toBe(0);
    }
  });
});
