// The pictures of an Annex-B HEVC stream from their slice headers (no slice data decoded).
import { parsePictures } from './parser.js';

/** A picture of the stream as its slice headers describe it, in output order. */
export interface PictureHeader {
  outIndex: number;
  decodeIndex: number;
  poc: number;
  nalType: number;
  /** Coded luma size and conformance window (from the SPS). */
  width: number;
  height: number;
  crop: { left: number; right: number; top: number; bottom: number };
}

/**
 * The pictures a decoder outputs from an Annex-B HEVC file, in output order, from
 * the parser with headersOnly (parameter sets and slice headers, no slice data:
 * milliseconds per thousand pictures). Same rules as the full decode (RASL
 * pictures of a CRA that starts the stream are dropped, pic_output_flag honoured).
 */
export async function pictureHeaders(path: string): Promise<PictureHeader[]> {
  const out: PictureHeader[] = [];
  for await (const p of parsePictures(path, { headersOnly: true, container: 'annexb' })) {
    out.push({ outIndex: p.outIndex, decodeIndex: p.decodeIndex, poc: p.poc, nalType: p.nalType, width: p.width, height: p.height, crop: p.crop });
  }
  return out;
}

/** How many pictures a decoder outputs from an Annex-B HEVC file. */
export async function countPictures(path: string): Promise<number> {
  return (await pictureHeaders(path)).length;
}
