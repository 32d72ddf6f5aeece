// tokenize()'s arrays as scijs ndarrays (https://github.com/scijs/ndarray): views over the
// typed arrays the pipeline produced (no copy). `data`, `shape` and `dtype` are ndarray's
// own fields; the patches also carry `layout` ('nhwc' | 'nchw'), the score volume `layout`
// ('thw') and `kind` ('fused' | 'change'). After a trip through
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

/**
 * The score volume the selection policy ranked: float32 [T, H, W] over the sampled slots (t is the
 * slot index 0..T-1, `meta.frames.sampled[t]` its source frame) and the patch grid.
 * `kind` 'fused': the fused codec score of each patch (codec, grouped, adaptive);
 * 'change': the content change of each patch since the previous slot (refresh).
 */
export type ScoreTensor = NdArray<Float32Array> & {
  shape: [number, number, number];
  dtype: 'float32';
  layout: 'thw';
  kind: 'fused' | 'change';
};

/** Adds read-only, enumerable fields to a view (enumerable, so JSON and structured clone keep them). */
function tag<T>(t: T, fields: Record<string, string>): T {
  for (const [k, v] of Object.entries(fields)) Object.defineProperty(t, k, { value: v, enumerable: true, writable: false });
  return t;
}

export function patchTensor(data: Uint8Array | Float32Array, shape: [number, number, number, number], layout: 'nhwc' | 'nchw'): PatchTensor {
  return tag(ndarray(data, shape) as unknown as PatchTensor, { layout });
}

export function positionTensor(data: Int32Array): PositionTensor {
  if (data.length % 3 !== 0) throw new RangeError(`positions: ${data.length} values is not a multiple of 3`);
  return ndarray(data, [data.length / 3, 3]) as unknown as PositionTensor;
}

export function scoreTensor(data: Float32Array, shape: [number, number, number], kind: 'fused' | 'change'): ScoreTensor {
  if (data.length !== shape[0] * shape[1] * shape[2]) throw new RangeError(`scores: ${data.length} values for shape [${shape.join(', ')}]`);
  return tag(ndarray(data, shape) as unknown as ScoreTensor, { layout: 'thw', kind });
}

/** Rebuilds the ndarray views of a result that crossed a thread boundary as plain objects. */
export function asTensors<
  R extends {
    patches: { data: Uint8Array | Float32Array; shape: number[]; layout?: 'nhwc' | 'nchw' };
    positions: Int32Array | { data: Int32Array };
    scores: { data: Float32Array; shape: number[]; kind: 'fused' | 'change' } | null;
  },
>(r: R): Omit<R, 'patches' | 'positions' | 'scores'> & { patches: PatchTensor; positions: PositionTensor; scores: ScoreTensor | null } {
  const p = r.patches;
  return {
    ...r,
    patches: patchTensor(p.data, p.shape as [number, number, number, number], p.layout ?? 'nhwc'),
    positions: positionTensor(r.positions instanceof Int32Array ? r.positions : r.positions.data),
    scores: r.scores && scoreTensor(r.scores.data, r.scores.shape as [number, number, number], r.scores.kind),
  };
}
