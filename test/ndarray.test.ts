// tokenize()'s arrays (patches, positions, the score volume) are scijs ndarrays over the
// pipeline's memory (no copy), also after the worker pool; the .npy writer takes any ndarray view (transposed, sliced) and writes it in
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

  it('the score volume is an ndarray float32 [T, H, W] view that the positions index (codec policy)', async () => {
    const r = await tokenize(CLIP, { ...OPTS, policy: 'codec', timeIndex: 'slot' });
    const s = r.scores!;
    const { T, H, W } = r.meta.grid;
    expect(s).not.toBeNull();
    expect(s.shape).toEqual([T, H, W]);
    expect(s.dtype).toBe('float32');
    expect(s.layout).toBe('thw');
    expect(s.kind).toBe('fused');
    expect(s.data).toBeInstanceOf(Float32Array);
    expect(s.stride).toEqual([H * W, W, 1]);
    expect(s.data.length).toBe(T * H * W);
    expect(s.get(T - 1, H - 1, W - 1)).toBe(s.data[T * H * W - 1]);
    // each kept patch's score (meta.scores.tokens) is the volume at its (t, h, w)
    let checked = 0;
    for (let k = 0; k < r.positions.shape[0]; k++) {
      const [t, h, w] = [r.positions.get(k, 0), r.positions.get(k, 1), r.positions.get(k, 2)];
      if (t < 0) continue;
      expect(s.get(t, h, w)).toBeCloseTo(r.meta.scores.tokens[k]!, 6);
      checked++;
    }
    expect(checked).toBe(40);
    // and each slot's mean score (meta.scores.slotMean) is the mean of its plane: pick(t) is that plane
    for (let t = 0; t < T; t++) {
      const plane = s.pick(t, null, null);
      let sum = 0;
      for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) sum += plane.get(h, w);
      expect(sum / (H * W)).toBeCloseTo(r.meta.scores.slotMean[t]!, 5);
    }
    // the writers take it: .npy float32 [T, H, W]
    const d = decodeNpy(encodeNpy(s));
    expect(d.dtype).toBe('float32');
    expect(d.shape).toEqual([T, H, W]);
    expect(Buffer.from((d.data as Float32Array).buffer, (d.data as Float32Array).byteOffset, d.data.byteLength).equals(Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength))).toBe(true);
  });

  it('refresh returns its change volume (kind change, slot 0 all zero); uniform, which does not score, returns null', async () => {
    const f = await tokenize(CLIP, { ...OPTS, policy: 'refresh' });
    const { T, H, W } = f.meta.grid;
    expect(f.scores!.shape).toEqual([T, H, W]);
    expect(f.scores!.kind).toBe('change');
    expect(Array.from(f.scores!.pick(0, null, null).data.subarray(0, H * W)).every((v) => v === 0)).toBe(true);
    expect(Array.from(f.scores!.data).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    const u = await tokenize(CLIP, { ...OPTS, policy: 'uniform' });
    expect(u.scores).toBeNull();
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
      expect(a.scores.kind).toBe('change'); // the default policy, refresh: change since the last kept token
      expect(a.scores.layout).toBe('thw');
      expect(a.scores.get(1, 2, 3)).toBe(b.scores!.get(1, 2, 3));
      expect(Array.from(a.scores.data)).toEqual(Array.from(b.scores!.data));
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
