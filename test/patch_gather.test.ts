// The patch gather tokenize() runs (cpp/tensors/patch_gather.cpp through the addon): patches of an
// RGB24 frame in nhwc / nchw, uint8 or float32 normalised as (v / 255 - mean) / std, checked
// against the definition written out here element by element; rows land where they are told;
// bad rows are a typed error. (The GPU gather is checked against the same C++ by test_cuda_gather.)
import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/input/native.js';

const W = 64, H = 48, P = 16;
const rgb = new Uint8Array(W * H * 3);
let seed = 17;
for (let i = 0; i < rgb.length; i++) rgb[i] = (seed = (seed * 1103515245 + 12345) % 2147483648) >> 23;
const mean = [0.485, 0.456, 0.406];
const std = [0.229, 0.224, 0.225];
// (row, h, w): rows out of order, one row left empty
const triples = Int32Array.from([2, 0, 0, 0, 2, 3, 3, 1, 2]);

describe('gatherPatches', () => {
  for (const layout of ['nhwc', 'nchw'] as const)
    for (const dtype of ['uint8', 'float32'] as const) {
      it(`${layout} ${dtype}`, () => {
        const rows = 4;
        const out = dtype === 'uint8' ? new Uint8Array(rows * P * P * 3) : new Float32Array(rows * P * P * 3);
        out.fill(7);
        loadNative().gatherPatches(rgb, { frameWidth: W, frameHeight: H, patch: P, layout, dtype, mean, std }, triples, out);
        const want = dtype === 'uint8' ? new Uint8Array(out.length).fill(7) : new Float32Array(out.length).fill(7);
        for (let k = 0; k < triples.length / 3; k++) {
          const [r, h, w] = [triples[3 * k]!, triples[3 * k + 1]!, triples[3 * k + 2]!];
          for (let y = 0; y < P; y++)
            for (let x = 0; x < P; x++)
              for (let c = 0; c < 3; c++) {
                const v = rgb[((h * P + y) * W + w * P + x) * 3 + c]!;
                const at = r * P * P * 3 + (layout === 'nhwc' ? (y * P + x) * 3 + c : c * P * P + y * P + x);
                want[at] = dtype === 'uint8' ? v : (v / 255 - mean[c]!) / std[c]!;
              }
        }
        expect(Array.from(out)).toEqual(Array.from(want));
      });
    }

  it('a patch outside the frame or a row outside the output: ERR_INVALID_OPTION', () => {
    const out = new Uint8Array(P * P * 3);
    const spec = { frameWidth: W, frameHeight: H, patch: P, layout: 'nhwc' as const, dtype: 'uint8' as const, mean, std };
    expect(() => loadNative().gatherPatches(rgb, spec, Int32Array.from([0, 3, 0]), out)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() => loadNative().gatherPatches(rgb, spec, Int32Array.from([1, 0, 0]), out)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});
