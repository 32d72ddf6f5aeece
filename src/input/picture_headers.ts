// The pictures of an HEVC or H.264 stream from their slice headers (no slice data decoded).
import { checkOptions } from '../validate.js';
import type { VideoCodec } from './container.js';
import { checkParseArguments, parsePictures, type ParseInput, type ParseOptions } from './parser.js';

/** A picture of the stream as its slice headers describe it, in output order. */
export interface PictureHeader {
  outIndex: number;
  decodeIndex: number;
  /** The standard the stream was read as. */
  codec: VideoCodec;
  poc: number;
  nalType: number;
  /** HEVC TemporalId; 0 for H.264. */
  temporalId: number;
  /** No later picture in decoding order can use it for inter prediction (NativePicture.disposable). */
  disposable: boolean;
  /** HEVC MaxPicOrderCntLsb (clause 8.3.1); 0 for H.264. */
  maxPocLsb: number;
  /** HEVC: an IRAP picture (NAL types 16-23); H.264: an IDR picture. */
  irap: boolean;
  /** Starts a coded video sequence (HEVC: an IRAP picture with NoRaslOutputFlag 1, its POC derived from no earlier picture; H.264: an IDR picture). */
  newSequence: boolean;
  /** HEVC: a RASL picture; false for H.264. */
  rasl: boolean;
  /** HEVC: can be prevTid0Pic of later pictures (clause 8.3.1: TemporalId 0, not RASL, RADL or a sub-layer non-reference picture); false for H.264. */
  pocAnchor: boolean;
  /** POC of each entry of the reference picture lists of its slices (RefPicList0 and 1), each once. */
  refPocs: number[];
  /**
   * The picture's slice NAL units in the Annex-B stream that was read (for MP4 input, the stream
   * demuxed from it): offset of the NAL unit header and size (no start code), in decoding order.
   */
  sliceBytes: { offset: number; size: number }[];
  /** Coded luma size and conformance window (from the SPS). */
  width: number;
  height: number;
  crop: { left: number; right: number; top: number; bottom: number };
}

/** Options of pictureHeaders and countPictures: how the input is read (`codec`, `limits` and `signal` as parsePictures takes them). */
export type HeaderOptions = Pick<ParseOptions, 'container' | 'chunkSize' | 'codec' | 'limits' | 'signal'>;

const HEADER_OPTION_NAMES = Object.keys({ container: true, chunkSize: true, codec: true, limits: true, signal: true } satisfies Record<keyof HeaderOptions, true>);

/**
 * The pictures a decoder outputs from an HEVC or H.264 video (Annex-B or MP4/MOV, as parsePictures
 * reads it), in output order, from the parser with headersOnly (parameter sets and slice
 * headers, no slice data: milliseconds per thousand pictures). Same rules as the full decode
 * (RASL pictures of a CRA that starts the stream are dropped, pic_output_flag honoured).
 */
export async function pictureHeaders(input: ParseInput, options: HeaderOptions = {}): Promise<PictureHeader[]> {
  const o = checkOptions('pictureHeaders', options, HEADER_OPTION_NAMES);
  checkParseArguments('pictureHeaders', input, o);
  const out: PictureHeader[] = [];
  for await (const p of parsePictures(input, { ...o, headersOnly: true })) {
    out.push({
      outIndex: p.outIndex, decodeIndex: p.decodeIndex, codec: p.codec, poc: p.poc, nalType: p.nalType, temporalId: p.temporalId, disposable: p.disposable, maxPocLsb: p.maxPocLsb,
      irap: p.irap, newSequence: p.newSequence, rasl: p.rasl, pocAnchor: p.pocAnchor,
      refPocs: [...new Set(p.slices.flatMap((s) => [...s.refL0, ...s.refL1]))],
      sliceBytes: p.slices.map((s) => ({ offset: s.byteOffset, size: s.byteSize })), width: p.width, height: p.height, crop: p.crop,
    });
  }
  return out;
}

/** How many pictures a decoder outputs from an HEVC or H.264 video (Annex-B or MP4/MOV). */
export async function countPictures(input: ParseInput, options: HeaderOptions = {}): Promise<number> {
  const o = checkOptions('countPictures', options, HEADER_OPTION_NAMES);
  checkParseArguments('countPictures', input, o);
  return (await pictureHeaders(input, o)).length;
}
