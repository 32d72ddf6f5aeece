// Arrays handed to the writers: a plain `{ shape, data }` in C order, or a scijs `ndarray`
// (any strides and offset: a transposed, sliced or stepped view). An ndarray that already
// is C-contiguous is used as it is (its data, or the subarray its offset starts); any other
// view is gathered into a new C-order typed array of the same type.
import type { NdArray } from 'ndarray';

type Typed = Int16Array | Int32Array | BigInt64Array | Uint8Array | Float32Array;

/** An ndarray over one of the typed arrays the writers know. */
export type WritableNdArray = NdArray<Int16Array | Int32Array | Uint8Array | Float32Array | BigInt64Array<ArrayBuffer>>;

export function isNdArray(a: unknown): a is WritableNdArray {
  return typeof a === 'object' && a !== null && Array.isArray((a as NdArray).stride) && typeof (a as NdArray).offset === 'number' && Array.isArray((a as NdArray).shape);
}

function cStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** `{ shape, data }` in C order for a plain array or any ndarray view (copies only a non-contiguous view). */
export function cOrder<T extends Typed>(a: { shape: number[]; data: T; stride?: number[]; offset?: number }): { shape: number[]; data: T } {
  if (!isNdArray(a)) return { shape: a.shape, data: a.data };
  const shape = a.shape.slice();
  const size = shape.reduce((p, d) => p * d, 1);
  const want = cStrides(shape);
  const contiguous = shape.every((d, i) => d <= 1 || a.stride[i] === want[i]);
  if (contiguous) {
    const data = a.offset === 0 && a.data.length === size ? a.data : (a.data.subarray(a.offset, a.offset + size) as T);
    return { shape, data };
  }
  const Ctor = a.data.constructor as new (n: number) => T;
  const out = new Ctor(size);
  const src = a.data as unknown as ArrayLike<number | bigint> & Typed;
  const dst = out as unknown as { [i: number]: number | bigint };
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < size; k++) {
    let p = a.offset;
    for (let i = 0; i < shape.length; i++) p += idx[i]! * a.stride[i]!;
    dst[k] = src[p]!;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return { shape, data: out };
}
