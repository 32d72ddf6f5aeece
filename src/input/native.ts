// Loads the Node-API addon (build/Release/codectok.node, built by `npm install`
// through cmake-js from bindings/ + cpp/). Loaded lazily, on first use, so that
// modules and CLI commands that never decode work without it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Options understood by the native decoder (see cpp/analysis/picture_result.h). */
export interface NativeDecodeOptions {
  motion?: boolean;
  cu?: boolean;
  bits?: boolean;
  tuStats?: boolean;
  residual?: boolean;
  headersOnly?: boolean;
  pictures?: number[];
  maxPicturesPerCall?: number;
}

/** One slice segment of a picture. */
export interface NativeSlice {
  type: 'I' | 'P' | 'B';
  /** slice_segment_address */
  address: number;
  /** dependent_slice_segment_flag */
  dependent: boolean;
  /** slice_qp_delta (of the independent slice segment that owns it) */
  qpDelta: number;
  /** POC of each RefPicList0 / RefPicList1 entry */
  refL0: number[];
  refL1: number[];
}

/** A picture as the addon hands it out; typed arrays view C++ storage (no copy). */
export interface NativePicture {
  poc: number;
  /** Position in decoding order in the whole stream. */
  decodeIndex: number;
  /** nal_unit_type of the picture's slices. */
  nalType: number;
  /** Coded luma size (pic_width/height_in_luma_samples). */
  width: number;
  height: number;
  bitDepth: number;
  /** Conformance window in luma samples: displayed = [left, width-right) x [top, height-bottom). */
  crop: { left: number; right: number; top: number; bottom: number };
  slices: NativeSlice[];
  /** Bits of the picture's entropy-coded slice data. */
  totalBits: number;
  motion?: Int16Array;
  cu?: Int16Array;
  bits?: Float32Array;
  residual?: Int16Array;
  tu?: BigInt64Array;
}

/**
 * One decoder per stream. push()/finish() run on the libuv thread pool; calls
 * made while a job runs are queued. They resolve to the pictures that became
 * ready, in output order, and reject with an Error carrying `code`,
 * `byteOffset` and `picture` (-1 when unknown).
 */
export interface NativeDecoder {
  push(data: Uint8Array): Promise<NativePicture[]>;
  finish(): Promise<NativePicture[]>;
}

export interface NativeAddon {
  NativeDecoder: new (options?: NativeDecodeOptions) => NativeDecoder;
  /** Detaches a picture's typed arrays and hands their memory back to the decoder now. */
  releasePicture(picture: NativePicture): void;
  napiVersion: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the addon is looked for: $CODECTOK_NATIVE, else build/Release/codectok.node. */
export const addonPath = process.env.CODECTOK_NATIVE
  ? path.resolve(process.env.CODECTOK_NATIVE)
  : path.resolve(here, '..', '..', 'build', 'Release', 'codectok.node');

let cached: NativeAddon | undefined;

export function loadNative(): NativeAddon {
  if (cached) return cached;
  if (!existsSync(addonPath)) {
    throw new Error(
      `codectok native addon not found at ${addonPath}: build it with \`npm install\` (or \`npm run build:native\`)`,
    );
  }
  const require = createRequire(import.meta.url);
  cached = require(addonPath) as NativeAddon;
  return cached;
}
