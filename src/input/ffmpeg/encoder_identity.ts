/**
 * The identity of the encoder that made the HEVC stream codectok parsed, in the terms that decide
 * the stream's bytes: the FFmpeg build, the libx265 version and the exact encoder settings. The same
 * codectok version, the same options and the same identity give the same stream (`hevcSha256`), hence
 * the same tokens. Where the binary lives and how many threads it ran are not part of it: they do not
 * change the stream (see pinned_x265.ts).
 */
import { createHash } from 'node:crypto';

/** The encoder settings of a transcode, exactly as passed to FFmpeg. */
export interface EncoderParams {
  preset: string;
  crf: number;
  /** The whole x265-params string, the pinned parameters included (not the thread pool or log level). */
  x265Params: string;
  pixFmt: string;
  /** swscale flags of the pixel format conversion in front of the encoder. */
  swsFlags: string;
  /** Extra FFmpeg output arguments. */
  extraArgs: string[];
}

export interface EncoderIdentity {
  /** 16 hex digits of the SHA-256 of the fields below: two streams with the same id come from the same encoder. */
  id: string;
  /** `libx265`: codectok transcoded the input; `none`: the HEVC stream was read as it is (Annex-B, or demuxed without re-encoding). */
  encoder: 'libx265' | 'none';
  /** First line of the transcoding FFmpeg's `-version` (null for `none`). */
  ffmpeg: string | null;
  /** libx265's version as the encoder reports it, e.g. `2.9+8-27d8424c799d` (null for `none`; `unknown` when it said nothing). */
  x265: string | null;
  params: EncoderParams | null;
}

function identityId(fields: Omit<EncoderIdentity, 'id'>): string {
  const p = fields.params;
  // fixed key order: the id must not depend on how the object was built
  const canonical = JSON.stringify([fields.encoder, fields.ffmpeg, fields.x265, p && [p.preset, p.crf, p.x265Params, p.pixFmt, p.swsFlags, p.extraArgs]]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The identity of a stream read as it is: no encoder of codectok's. */
export function asIsIdentity(): EncoderIdentity {
  const fields = { encoder: 'none' as const, ffmpeg: null, x265: null, params: null };
  return { id: identityId(fields), ...fields };
}

/** The identity of a libx265 transcode. */
export function x265Identity(ffmpegVersion: string, x265Version: string | null, params: EncoderParams): EncoderIdentity {
  const fields = { encoder: 'libx265' as const, ffmpeg: ffmpegVersion, x265: x265Version ?? 'unknown', params: { ...params, extraArgs: [...params.extraArgs] } };
  return { id: identityId(fields), ...fields };
}

/** libx265's version from its log on stderr (`x265 [info]: HEVC encoder version 2.9+8-27d8424c799d`). */
export function parseX265Version(stderr: string): string | null {
  const m = /x265 \[info\]: HEVC encoder version (\S+)/.exec(stderr);
  return m ? m[1]! : null;
}

/** One line naming an identity, for messages. */
export function describeIdentity(e: Pick<EncoderIdentity, 'id' | 'encoder' | 'ffmpeg' | 'x265' | 'params'>): string {
  if (e.encoder === 'none') return `${e.id} (HEVC read as it is, no encoder)`;
  const p = e.params;
  const settings = p ? `; -preset ${p.preset} -crf ${p.crf} -x265-params ${p.x265Params} -pix_fmt ${p.pixFmt}${p.extraArgs.length ? ' ' + p.extraArgs.join(' ') : ''}` : '';
  return `${e.id} (libx265 ${e.x265 ?? 'unknown'}, ${e.ffmpeg ?? 'unknown FFmpeg'}${settings})`;
}
