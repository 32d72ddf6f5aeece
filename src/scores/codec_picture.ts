// What scoring reads of a picture, and its frame type.

/** The part of the parser's `Picture` that scoring reads (a `Picture` from src/input/parser.ts fits). */
export interface CodecPicture {
  /** 'hevc' when absent; H.264 counts POC two per frame (cpp/score: poc_per_frame). */
  codec?: 'hevc' | 'h264';
  poc: number;
  decodeIndex: number;
  width: number;
  height: number;
  crop: { left: number; right: number; top: number; bottom: number };
  slices: { type: 'I' | 'P' | 'B' }[];
  totalBits?: number;
  motion?: Int16Array;
  bits?: Float32Array;
  residual?: Int16Array;
  tu?: BigInt64Array;
}

export type FrameType = 'I' | 'P' | 'B';
export function frameType(p: { slices: { type: FrameType }[] }): FrameType {
  let t: FrameType = 'I';
  for (const s of p.slices) {
    if (s.type === 'B') return 'B';
    if (s.type === 'P') t = 'P';
  }
  return t;
}
