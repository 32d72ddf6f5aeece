// tokenize()'s arrays are scijs ndarrays over the pipeline's memory (no copy), also after the
// worker pool; the .npy writer takes any ndarray view (transposed, sliced) and writes it in
// C order.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ndarray from 'ndarray';
import { tokenize } from '../src/tokenize/tokenize.js';
import { decodeNpy, encodeNpy } from '../src/writers/npy.js';
import { ROOT } from './helpers/tokenize_helpers.js';

const CLIP = join(ROOT, 'test', 'fixtures', 'hevc-corpus', 'ctu16_amp.hevc');
const OPTS = { size: 128, frames: 4, budget: 40 } as const;

describe('ndarray tensors', () => {
  it('patches and positions are ndarray views over one buffer each', async () => {
    const r = await tokenize(CLIP, OPTS);
    const [N, P] = [r.patches.shape[0], r.patches.shape[1]];
    expect(r.patches.shape).toEqual([40, 16, 16, 3]);
    expect(r.patches.dtype).toBe('uint8');
    expect(r.patches.layout).toBe('nhwc');
    expect(r.patches.stride).toEqual([P * P * 3, P * 3, 3, 1]);
    expect(r.patches.offset).toBe(0);
    expect(r.patches.data.length).toBe(N * P * P * 3);
    // get() reads the same memory as data; set() writes it (no copy in between)
    const i = N - 1;
    expect(r.patches.get(i, 5, 7, 2)).toBe(r.patches.data[((i * P + 5) * P + 7) * 3 + 2]);
    const before = r.patches.data[3]!;
    r.patches.set(0, 0, 1, 0, (before + 1) & 255);
    expect(r.patches.data[3]).toBe((before + 1) & 255);

    expect(r.positions.shape).toEqual([40, 3]);
    expect(r.positions.dtype).toBe('int32');
    for (let k = 0; k < N; k++) for (let j = 0; j < 3; j++) expect(r.positions.get(k, j)).toBe(r.positions.data[3 * k + j]);
    // a row view: positions.pick(k) is (t, h, w) of patch k
    const row = r.positions.pick(7, null);
    expect([row.get(0), row.get(1), row.get(2)]).toEqual(Array.from(r.positions.data.subarray(21, 24)));
  });

  it.skipIf(!existsSync(join(ROOT, 'dist', 'tokenize', 'pool.js')))('results from the worker pool are ndarrays again, equal to tokenize() on this thread', async () => {
    const { createTokenizePool } = await import('../dist/tokenize/pool.js' as string);
    const pool = createTokenizePool(2);
    expect(pool).not.toBeNull();
    try {
      const [a, b] = await Promise.all([pool.tokenize(CLIP, OPTS), tokenize(CLIP, OPTS)]);
      expect(a.patches.layout).toBe('nhwc');
      expect(a.patches.dtype).toBe('uint8');
      expect(typeof a.patches.get).toBe('function');
      expect(a.positions.get(3, 1)).toBe(b.positions.get(3, 1));
      expect(Buffer.from(a.patches.data).equals(Buffer.from(b.patches.data))).toBe(true);
      expect(Array.from(a.positions.data)).toEqual(Array.from(b.positions.data));
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('the .npy writer takes ndarray views: contiguous as is, transposed and sliced in C order', () => {
    const data = Int32Array.from({ length: 24 }, (_, k) => k * 10 - 7);
    const a = ndarray(data, [2, 3, 4]);
    expect(encodeNpy(a).equals(encodeNpy({ shape: [2, 3, 4], data }))).toBe(true);

    const t = a.transpose(2, 0, 1); // shape [4, 2, 3]
    const d = decodeNpy(encodeNpy(t));
    expect(d.shape).toEqual([4, 2, 3]);
    for (let x = 0; x < 4; x++) for (let y = 0; y < 2; y++) for (let z = 0; z < 3; z++) {
      expect(d.data[(x * 2 + y) * 3 + z]).toBe(data[(y * 3 + z) * 4 + x]);
    }

    const s = a.pick(1, null, null).hi(2, 4).lo(0, 1); // rows 0-1, columns 1-3 of a[1]
    const e = decodeNpy(encodeNpy(s));
    expect(e.shape).toEqual([2, 3]);
    expect(Array.from(e.data as Int32Array)).toEqual([12 + 1, 12 + 2, 12 + 3, 16 + 1, 16 + 2, 16 + 3].map((k) => k * 10 - 7));

    const f = ndarray(new Float32Array([1, 2, 3, 4]), [2, 2]);
    expect(decodeNpy(encodeNpy(f.transpose(1, 0))).data).toEqual(new Float32Array([1, 3, 2, 4]));
  });
});
