/**
 * In-memory `.npy` (format 1.0) encoding/decoding for shard parts. Shards hold the
 * arrays as bytes, so this works on buffers rather than files.
 */
export type NpyDtype = 'uint8' | 'int16' | 'int32' | 'int64' | 'float32';

const DESCR: Record<NpyDtype, string> = {
  uint8: '|u1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  float32: '<f4',
};
const FROM_DESCR: Record<string, NpyDtype> = {
  '|u1': 'uint8',
  '<u1': 'uint8',
  '<i2': 'int16',
  '<i4': 'int32',
  '<i8': 'int64',
  '<f4': 'float32',
};
const ITEMSIZE: Record<NpyDtype, number> = { uint8: 1, int16: 2, int32: 4, int64: 8, float32: 4 };

export type NpyData = Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array;

export function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Float32Array) return 'float32';
  throw new Error('unsupported typed array');
}

/** Encode a C-order array as `.npy` bytes (little-endian; this runs on little-endian hosts). */
export function encodeNpy(data: NpyData, shape: number[], dtype: NpyDtype = dtypeOf(data)): Buffer {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`npy: shape [${shape}] has ${n} elements, data has ${data.length}`);
  if (ITEMSIZE[dtype] !== data.BYTES_PER_ELEMENT) throw new Error(`npy: dtype ${dtype} does not match the typed array`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

export interface DecodedNpy {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

export function decodeNpy(buf: Uint8Array): DecodedNpy {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error('npy: bad magic');
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = b.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeStr === undefined) throw new Error(`npy: cannot parse header ${header}`);
  if (fortran === 'True') throw new Error('npy: fortran order not supported');
  const dtype = FROM_DESCR[descr];
  if (!dtype) throw new Error(`npy: unsupported dtype ${descr}`);
  const shape = shapeStr.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, c) => a * c, 1);
  const start = hstart + hlen;
  const bytes = b.subarray(start, start + n * ITEMSIZE[dtype]);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const ab = copy.buffer;
  const data: NpyData =
    dtype === 'uint8' ? new Uint8Array(ab) :
    dtype === 'int16' ? new Int16Array(ab) :
    dtype === 'int32' ? new Int32Array(ab) :
    dtype === 'int64' ? new BigInt64Array(ab) : new Float32Array(ab);
  return { dtype, shape, data };
}
