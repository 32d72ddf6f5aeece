// Resource limits of the parsers: what a hostile file can make codectok hold or do. The
// `limits` option of parsePictures / parseFile / pictureHeaders / countPictures / tokenize.
// Exceeding one fails with CodectokError ERR_LIMIT_EXCEEDED whose message names the limit.
import { CodectokError } from '../errors.js';
import { checkOptions, invalidArgument } from '../validate.js';

/**
 * Resource limits. Every one is optional; the defaults are the largest values the coding standards
 * allow (Level 6.2 of HEVC Table A.8 / H.264 Table A-1) or bounds no real file comes near, so no
 * conforming file is refused and no file can make codectok exceed them. Lower them to refuse
 * large inputs early (before anything of that size is allocated).
 */
export interface DecodeLimits {
  /** Luma samples per picture (checked at the SPS). Default 35651584 (MaxLumaPs of Level 6.2). */
  maxLumaPictureSize?: number;
  /** Width or height in luma samples. Default 16888 (Sqrt(MaxLumaPs * 8) of Level 6.2). */
  maxPictureDimension?: number;
  /** Pictures in the decoded picture buffer (HEVC: the current one included; H.264: reference frames). Default 16. */
  maxDpbSize?: number;
  /** Slice segments (H.264: slices) per picture. Default 600 (Level 6.2). */
  maxSliceSegmentsPerPicture?: number;
  /** Tiles per picture (HEVC). Default 440 (22 x 20 of Level 6.2). */
  maxTilesPerPicture?: number;
  /** Bytes of one NAL unit: bounds what a stream without start codes makes the decoder buffer. Default 256 MiB. */
  maxNalUnitSize?: number;
  /**
   * Bytes of one MP4 box other than mdat (moov, moof...: the boxes read whole into memory),
   * checked from its header before it is read. Default 256 MiB.
   */
  maxMp4BoxSize?: number;
  /** MP4 boxes in the file: the top-level ones and those inside moov. Default 1048576. */
  maxMp4BoxCount?: number;
}

/** The limits the native decoder applies (cpp/analysis/picture_result.h DecodeLimits, which holds their defaults). */
export const NATIVE_LIMIT_NAMES = [
  'maxLumaPictureSize', 'maxPictureDimension', 'maxDpbSize', 'maxSliceSegmentsPerPicture', 'maxTilesPerPicture', 'maxNalUnitSize',
] as const;

/** The MP4 demuxer's limits and their defaults. */
export const MP4_LIMIT_DEFAULTS = { maxMp4BoxSize: 256 * 2 ** 20, maxMp4BoxCount: 2 ** 20 } as const;

/** Every limit's name (the compiler checks the list is complete). */
const LIMIT_NAMES = Object.keys({
  maxLumaPictureSize: true, maxPictureDimension: true, maxDpbSize: true, maxSliceSegmentsPerPicture: true, maxTilesPerPicture: true,
  maxNalUnitSize: true, maxMp4BoxSize: true, maxMp4BoxCount: true,
} satisfies Record<keyof DecodeLimits, true>);

/** Limits held in 64 bits by the decoder; the others are 32-bit counts. */
const WIDE = new Set(['maxLumaPictureSize', 'maxNalUnitSize', 'maxMp4BoxSize']);

/**
 * Checks `options.limits` of `fn`: undefined or a plain object of known names, each a positive
 * integer (up to 2^31-1, or 2^53-1 for sizes in bytes and samples). Throws ERR_INVALID_OPTION.
 */
export function checkLimits(fn: string, limits: unknown): DecodeLimits | undefined {
  if (limits === undefined) return undefined;
  const o = checkOptions(fn, limits, LIMIT_NAMES, 'options.limits');
  for (const name of LIMIT_NAMES) {
    const v = o[name];
    if (v === undefined) continue;
    const max = WIDE.has(name) ? Number.MAX_SAFE_INTEGER : 0x7fffffff;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      throw invalidArgument(fn, `options.limits.${name}`, `an integer from 1 to ${max}`, v);
    }
  }
  return o as DecodeLimits;
}

/** The native decoder's part of DecodeLimits. */
export type NativeLimits = Pick<DecodeLimits, (typeof NATIVE_LIMIT_NAMES)[number]>;

/** The native decoder's part of `limits`. */
export function nativeLimits(limits: DecodeLimits | undefined): NativeLimits | undefined {
  if (!limits) return undefined;
  const out: NativeLimits = {};
  for (const name of NATIVE_LIMIT_NAMES) if (limits[name] !== undefined) out[name] = limits[name];
  return out;
}

/** The MP4 demuxer's part of `limits`. */
export function mp4Limits(limits: DecodeLimits | undefined): Pick<DecodeLimits, keyof typeof MP4_LIMIT_DEFAULTS> | undefined {
  if (!limits) return undefined;
  const out: Pick<DecodeLimits, keyof typeof MP4_LIMIT_DEFAULTS> = {};
  for (const name of Object.keys(MP4_LIMIT_DEFAULTS) as (keyof typeof MP4_LIMIT_DEFAULTS)[]) if (limits[name] !== undefined) out[name] = limits[name];
  return out;
}

/** ERR_LIMIT_EXCEEDED naming the limit. */
export function limitExceeded(what: string, limit: keyof DecodeLimits, value: number, file?: string): CodectokError {
  return new CodectokError('ERR_LIMIT_EXCEEDED', `${what} exceeds the limit ${limit} = ${value}`, { file });
}
