// NumPy .npy files (format version 1.0, little-endian, C order), byte for byte
// as numpy.save writes them: the header dict in numpy's key order, the spare
// spaces numpy leaves for the first axis to grow, and padding so that the data
// starts on a 64-byte boundary. Plus a gzip helper for the .npy.gz fixtures and
// a streaming writer for arrays whose first axis is not known in advance.
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { checkPath } from '../validate.js';

import { cOrder, type WritableNdArray } from './ndarray_input.js';
export type NpyDtype = 'int16' | 'int32' | 'int64' | 'uint8' | 'float32';
export type NpyTypedArray = Int16Array | Int32Array | BigInt64Array | Uint8Array | Float32Array;

export interface NpyArray<T extends NpyTypedArray = NpyTypedArray> {
  dtype: NpyDtype;
  shape: number[];
  data: T;
}

interface DtypeInfo {
  descr: string;
  bytes: number;
  make(buffer: ArrayBufferLike, byteOffset: number, length: number): NpyTypedArray;
}

export const NPY_DTYPES: Record<NpyDtype, DtypeInfo> = {
  int16: { descr: '<i2', bytes: 2, make: (b, o, n) => new Int16Array(b, o, n) },
  int32: { descr: '<i4', bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) },
  int64: { descr: '<i8', bytes: 8, make: (b, o, n) => new BigInt64Array(b, o, n) },
  uint8: { descr: '|u1', bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
  float32: { descr: '<f4', bytes: 4, make: (b, o, n) => new Float32Array(b, o, n) },
};

const MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59); // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21; // numpy.lib.format: room to grow shape[0] in place

if (endianness() !== 'LE') {
  throw new Error('codectok: npy.ts assumes a little-endian machine');
}

/** The dtype of a typed array. */
export function dtypeOf(data: NpyTypedArray): NpyDtype {
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Float32Array) return 'float32';
  throw new TypeError('unsupported typed array for .npy');
}

function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** The .npy v1.0 header numpy.save writes for this dtype and shape. */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`invalid .npy shape ${shapeRepr(shape)}`);
  }
  let dict = `{'descr': '${NPY_DTYPES[dtype].descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const hlen = dict.length + 1; // + '\n'
  const padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ARRAY_ALIGN);
  const total = MAGIC.length + 2 + 2 + hlen + padlen;
  if (hlen + padlen > 0xffff) throw new RangeError('.npy header too long for format 1.0');
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1; // major
  out[7] = 0; // minor
  out[8] = (hlen + padlen) & 0xff;
  out[9] = (hlen + padlen) >> 8;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out.fill(0x20, 10 + dict.length, total - 1);
  out[total - 1] = 0x0a;
  return out;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function bytesOf(data: NpyTypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Encodes an array as .npy bytes. */
export function encodeNpy(input: NpyArray | { shape: number[]; data: NpyTypedArray } | WritableNdArray): Buffer {
  const array = cOrder(input as { shape: number[]; data: NpyTypedArray; stride?: number[]; offset?: number });
  const dtype = dtypeOf(array.data);
  // NpyArray's dtype, or an ndarray's (scijs names int64 'bigint64')
  const d = (input as { dtype?: string }).dtype;
  const declared = d === 'bigint64' ? 'int64' : d;
  if (declared !== undefined && declared !== dtype) {
    throw new TypeError(`dtype ${declared} does not match the data (${dtype})`);
  }
  if (product(array.shape) !== array.data.length) {
    throw new RangeError(`shape ${shapeRepr(array.shape)} does not match ${array.data.length} elements`);
  }
  const header = npyHeader(dtype, array.shape);
  return Buffer.concat([header, bytesOf(array.data)]);
}

/** Parses .npy bytes (format 1.x/2.x/3.x, little-endian, C order). Views the input when aligned. */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new Error('not a .npy file (bad magic)');
  }
  const major = bytes[6]!;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16)) + bytes[11]! * 2 ** 24;
    start = 12;
  } else {
    throw new Error(`unsupported .npy version ${major}.${bytes[7]}`);
  }
  if (bytes.length < start + headerLen) throw new Error(`truncated .npy header: ${headerLen} bytes declared, ${Math.max(0, bytes.length - start)} present`);
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + start, headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`malformed .npy header: ${header.trim()}`);
  }
  if (fortran === 'True') throw new Error('Fortran-ordered .npy arrays are not supported');
  const dtype = (Object.keys(NPY_DTYPES) as NpyDtype[]).find(
    (k) => NPY_DTYPES[k].descr === descr || NPY_DTYPES[k].descr.replace('<', '=') === descr,
  );
  if (!dtype) throw new Error(`unsupported .npy dtype '${descr}'`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`malformed .npy shape (${shapeText})`);
  const info = NPY_DTYPES[dtype];
  const n = product(shape);
  const dataStart = start + headerLen;
  if (bytes.length < dataStart + n * info.bytes) {
    throw new Error(`truncated .npy data: ${bytes.length - dataStart} bytes for ${n} x ${info.bytes}`);
  }
  const offset = bytes.byteOffset + dataStart;
  let data: NpyTypedArray;
  if (offset % info.bytes === 0) {
    data = info.make(bytes.buffer, offset, n);
  } else {
    const copy = new ArrayBuffer(n * info.bytes);
    new Uint8Array(copy).set(bytes.subarray(dataStart, dataStart + n * info.bytes));
    data = info.make(copy, 0, n);
  }
  return { dtype, shape, data };
}

/** Gunzips when the bytes start with the gzip magic; returns them as they are otherwise. */
export function gunzipIfNeeded(bytes: Uint8Array): Buffer {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
}

/** Reads a file, gunzipping it if it is gzip-compressed (e.g. the .npy.gz fixtures). */
export async function readMaybeGzip(path: string): Promise<Buffer> {
  return gunzipIfNeeded(await readFile(path));
}

/** Reads a .npy or .npy.gz file. */
export async function readNpy(path: string): Promise<NpyArray> {
  checkPath('readNpy', 'path', path);
  return decodeNpy(await readMaybeGzip(path));
}

/** Writes an uncompressed .npy file. */
/** Writes `array` (a plain `{ shape, data }` in C order or any scijs ndarray view) as a .npy file. */
export async function writeNpy(path: string, array: NpyArray | { shape: number[]; data: NpyTypedArray } | WritableNdArray): Promise<void> {
  checkPath('writeNpy', 'path', path);
  await writeFile(path, encodeNpy(array));
}

/**
 * Writes a .npy file whose first axis grows as data is appended: the header is
 * written with shape[0] = 0 and rewritten on close() (numpy's spare header
 * spaces make both the same length, so the file equals what numpy.save writes).
 */
export class NpyStreamWriter {
  private rows = 0;
  private position: number;
  private readonly rowSize: number;

  private constructor(
    private readonly fh: FileHandle,
    readonly dtype: NpyDtype,
    readonly innerShape: readonly number[],
    headerLength: number,
  ) {
    this.position = headerLength;
    this.rowSize = product(innerShape);
  }

  /** Opens `path` for an array of shape [n, ...innerShape]. */
  static async open(path: string, dtype: NpyDtype, innerShape: readonly number[]): Promise<NpyStreamWriter> {
    const fh = await open(path, 'w');
    const header = npyHeader(dtype, [0, ...innerShape]);
    await fh.write(header, 0, header.length, 0);
    return new NpyStreamWriter(fh, dtype, innerShape, header.length);
  }

  /** Number of rows (first-axis entries) written so far. */
  get length(): number {
    return this.rows;
  }

  /** Appends whole rows: data.length must be a multiple of the row size. */
  async append(data: NpyTypedArray): Promise<void> {
    if (dtypeOf(data) !== this.dtype) throw new TypeError(`expected ${this.dtype} data, got ${dtypeOf(data)}`);
    if (this.rowSize === 0 ? data.length !== 0 : data.length % this.rowSize !== 0) {
      throw new RangeError(`${data.length} elements is not a whole number of rows of ${shapeRepr(this.innerShape)}`);
    }
    const bytes = bytesOf(data);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done, this.position + done);
      done += bytesWritten;
    }
    this.position += bytes.length;
    if (this.rowSize > 0) this.rows += data.length / this.rowSize;
  }

  /** Writes the final header and closes the file. */
  async close(): Promise<void> {
    try {
      const header = npyHeader(this.dtype, [this.rows, ...this.innerShape]);
      await this.fh.write(header, 0, header.length, 0);
    } finally {
      await this.fh.close();
    }
  }

  /** Closes without finalizing (after an error). */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}
