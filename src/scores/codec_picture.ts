// What scoring reads of a picture, and its frame type.

/** The part of the parser's `Picture` that scoring reads (a `Picture` from src/input/parser.ts fits). */
export interface CodecPicture {
  /** 'hevc' when absent. */
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

/**
 * Picture order count units per frame: H.264 counts fields (two per frame: type 2
 * always, types 0 and 1 by the encoders' convention), HEVC counts pictures. Motion per
 * frame of distance divides by (poc - refpoc) / pocPerFrame, so that scores mean the
 * same on both.
 */
export function pocPerFrame(p: Pick<CodecPicture, 'codec'>): number {
  return p.codec === 'h264' ? 2 : 1;
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
