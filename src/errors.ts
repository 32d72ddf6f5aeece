// The one error type of the public API. Re-exported by parser.ts and index.ts.

/**
 * Error codes:
 * - from the C++ core (cpp/bitstream/parse_error.h): ERR_TRUNCATED,
 *   ERR_INVALID_SYNTAX, ERR_UNSUPPORTED, ERR_MISSING_PARAMETER_SET,
 *   ERR_MISSING_REFERENCE, ERR_LIMIT_EXCEEDED (a limit of DecodeLimits, named in the message),
 *   ERR_CANCELLED (the parse was stopped: the `signal` option of parsePictures);
 * - ERR_INTERNAL: any other failure inside the native code (a bug);
 * - ERR_INVALID_STATE: a decoder used after finish() or after it failed;
 * - ERR_IO: the input could not be read (missing file, permissions...);
 * - from the tokenizer and the CLI: ERR_INVALID_OPTION, ERR_MISSING_DATA,
 *   ERR_NO_FFMPEG, ERR_FFMPEG, ERR_DECODE, ERR_FILES_FAILED, ERR_TIMEOUT;
 * - from `shard`: ERR_MIXED_ENCODERS (the shards of a dataset were transcoded by different
 *   encoders, so the same video would give different tokens in them);
 * - ERR_NOT_VIDEO: the input holds no HEVC/H.264 start code and no known
 *   container signature (an empty file, random bytes), found before any decoding.
 * - from the budget benchmark: ERR_BUDGET_TOO_SMALL (a budget below one frame for grouped).
 * ERR_INVALID_OPTION is also what every public function throws for a bad argument (wrong type,
 * unknown option name, out-of-range value), before any native call; the message names the
 * function and the argument.
 * ERR_UNSUPPORTED is also raised by the container layer: not HEVC (an MP4
 * holding H.264 says 'avc1'), not Annex-B nor MP4/MOV, no video track.
 */
export type CodectokErrorCode =
  | 'ERR_TRUNCATED'
  | 'ERR_INVALID_SYNTAX'
  | 'ERR_UNSUPPORTED'
  | 'ERR_MISSING_PARAMETER_SET'
  | 'ERR_MISSING_REFERENCE'
  | 'ERR_LIMIT_EXCEEDED'
  | 'ERR_CANCELLED'
  | 'ERR_INTERNAL'
  | 'ERR_INVALID_STATE'
  | 'ERR_IO'
  | 'ERR_INVALID_OPTION'
  | 'ERR_MISSING_DATA'
  | 'ERR_NO_FFMPEG'
  | 'ERR_FFMPEG'
  | 'ERR_DECODE'
  | 'ERR_FILES_FAILED'
  | 'ERR_MIXED_ENCODERS'
  | 'ERR_NOT_VIDEO'
  | 'ERR_TIMEOUT'
  | 'ERR_BUDGET_TOO_SMALL';

export const ERROR_CODES: readonly CodectokErrorCode[] = [
  'ERR_TRUNCATED',
  'ERR_INVALID_SYNTAX',
  'ERR_UNSUPPORTED',
  'ERR_MISSING_PARAMETER_SET',
  'ERR_MISSING_REFERENCE',
  'ERR_LIMIT_EXCEEDED',
  'ERR_CANCELLED',
  'ERR_INTERNAL',
  'ERR_INVALID_STATE',
  'ERR_IO',
  'ERR_INVALID_OPTION',
  'ERR_MISSING_DATA',
  'ERR_NO_FFMPEG',
  'ERR_FFMPEG',
  'ERR_DECODE',
  'ERR_FILES_FAILED',
  'ERR_MIXED_ENCODERS',
  'ERR_NOT_VIDEO',
  'ERR_TIMEOUT',
  'ERR_BUDGET_TOO_SMALL',
];

export interface CodectokErrorDetails {
  /** Byte offset in the HEVC Annex-B stream (-1 when unknown). */
  byteOffset?: number;
  /** Decode index of the picture being parsed (-1 when unknown). */
  picture?: number;
  /** The input file, when the input was a path. */
  file?: string;
  cause?: unknown;
}

export class CodectokError extends Error {
  readonly code: CodectokErrorCode;
  /**
   * Byte offset in the Annex-B stream fed to the decoder (-1 when unknown). For
   * a raw .hevc file that is the file offset; for MP4/MOV it counts bytes of
   * the Annex-B stream rebuilt from the track (hvcC parameter sets first).
   */
  readonly byteOffset: number;
  /** Decode index of the picture being parsed (-1 when unknown). */
  readonly picture: number;
  file?: string;

  constructor(code: CodectokErrorCode, message: string, details: CodectokErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CodectokError';
    this.code = code;
    this.byteOffset = details.byteOffset ?? -1;
    this.picture = details.picture ?? -1;
    if (details.file !== undefined) this.file = details.file;
  }

  /** One line for people: `FILE: message (CODE, byte N, picture M)`. */
  describe(): string {
    const where: string[] = [this.code];
    if (this.byteOffset >= 0) where.push(`byte ${this.byteOffset}`);
    if (this.picture >= 0) where.push(`picture ${this.picture}`);
    return `${this.file ? `${this.file}: ` : ''}${this.message} (${where.join(', ')})`;
  }
}

/** True for the codes of CodectokErrorCode. */
export function isErrorCode(code: unknown): code is CodectokErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Turns an error from the addon (or anything thrown: also an error's fields copied across a
 * worker thread, `{ message, code, byteOffset, picture, file }`) into a CodectokError.
 */
export function toCodectokError(err: unknown, file?: string): CodectokError {
  if (err instanceof CodectokError) {
    if (file !== undefined && err.file === undefined) err.file = file;
    return err;
  }
  const e = err as { code?: unknown; message?: unknown; byteOffset?: unknown; picture?: unknown; file?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const details: CodectokErrorDetails = { cause: err, file: file ?? (typeof e?.file === 'string' ? e.file : undefined) };
  if (typeof e?.byteOffset === 'number') details.byteOffset = e.byteOffset;
  if (typeof e?.picture === 'number') details.picture = e.picture;
  if (isErrorCode(code)) {
    return new CodectokError(code, message, details);
  }
  if (code !== undefined && /^E[A-Z]+$/.test(code)) {
    // Node's system errors (ENOENT, EACCES, EISDIR...).
    return new CodectokError('ERR_IO', message, details);
  }
  return new CodectokError('ERR_INTERNAL', message, details);
}
