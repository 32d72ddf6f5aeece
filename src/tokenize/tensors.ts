// tokenize()'s arrays as scijs ndarrays (https://github.com/scijs/ndarray): views over the
// typed arrays the pipeline produced (no copy). `data`, `shape` and `dtype` are ndarray's
// own fields; the patches also carry `layout` ('nhwc' | 'nchw'). After a trip through
// postMessage (the worker pool) an ndarray is a plain object again: `asTensors` rebuilds
// the views over the transferred buffers.
import ndarray, { type NdArray } from 'ndarray';

/** Patches: uint8 or float32, [N, P, P, 3] ('nhwc') or [N, 3, P, P] ('nchw'). */
export type PatchTensor = (NdArray<Uint8Array> | NdArray<Float32Array>) & {
  shape: [number, number, number, number];
  dtype: 'uint8' | 'float32';
  layout: 'nhwc' | 'nchw';
};

/** Positions: int32 [N, 3], one (t, h, w) per patch; padding rows are (-1, -1, -1). */
export type PositionTensor = NdArray<Int32Array> & { shape: [number, 3]; dtype: 'int32' };

export function patchTensor(data: Uint8Array | Float32Array, shape: [number, number, number, number], layout: 'nhwc' | 'nchw'): PatchTensor {
  const t = ndarray(data, shape) as unknown as PatchTensor;
  // a property of this view, beside ndarray's own (enumerable, so JSON and structured clone keep it)
  Object.defineProperty(t, 'layout', { value: layout, enumerable: true, writable: false });
  return t;
}

export function positionTensor(data: Int32Array): PositionTensor {
  if (data.length % 3 !== 0) throw new RangeError(`positions: ${data.length} values is not a multiple of 3`);
  return ndarray(data, [data.length / 3, 3]) as unknown as PositionTensor;
}

/** Rebuilds the ndarray views of a result that crossed a thread boundary as plain objects. */
export function asTensors<R extends { patches: { data: Uint8Array | Float32Array; shape: number[]; layout?: 'nhwc' | 'nchw' }; positions: Int32Array | { data: Int32Array } }>(
  r: R,
): Omit<R, 'patches' | 'positions'> & { patches: PatchTensor; positions: PositionTensor } {
  const p = r.patches;
  return {
    ...r,
    patches: patchTensor(p.data, p.shape as [number, number, number, number], p.layout ?? 'nhwc'),
    positions: positionTensor(r.positions instanceof Int32Array ? r.positions : r.positions.data),
  };
}
