/**
 * The libx265 settings codectok pins so that one FFmpeg/libx265 build encodes the same input into
 * the same bytes on every machine, whatever its core count or CPU.
 *
 * Measured with the bundled FFmpeg (libx265 2.9) on a 1280x720 clip (see README, "Reproducible
 * tokens"):
 * - `frame-threads` changes the coded pictures, and its default is derived from the size of the
 *   thread pool, i.e. from the machine's core count: pinned to 1.
 * - `pools` (worker threads) does not change the stream as long as a pool exists (1, 2, 8 and 16
 *   threads give the same bytes); `pools=none` disables WPP and lookahead slices, which does. So the
 *   pool is always given an explicit size (`threads`), which is not part of the encoder identity.
 * - the version SEI (`info`) carries `cpuid=...`, the CPU's feature mask, and the thread settings:
 *   turned off (`info=0`), so the stream holds only what the parser reads. Its absence changes no
 *   coded picture.
 * - libx265's SIMD levels (asm=none/sse2/avx/avx2) give the same bytes.
 * - the conversion of a non-4:2:0 input to yuv420p before the encoder goes through swscale, whose
 *   SIMD paths round differently from its C path: `-sws_flags bicubic+accurate_rnd+bitexact`.
 */
import { CodectokError } from '../../errors.js';

/** Appended to every x265-params string, after the user's own. */
export const PINNED_X265_PARAMS = 'frame-threads=1:info=0';

/** swscale flags for any pixel format conversion in front of the encoder. */
export const PINNED_SWS_FLAGS = 'bicubic+accurate_rnd+bitexact';

/** x265 parameters the user may not set: codectok pins them (or sizes them outside the identity). */
const PINNED_KEYS = new Set(['frame-threads', 'pools', 'numa-pools', 'threads', 'info']);

/** x265's spelling rules: case-insensitive, `_` for `-`, `no-` negates a flag. */
function normalizedKey(k: string): string {
  const n = k.trim().toLowerCase().replace(/_/g, '-');
  return n.startsWith('no-') ? n.slice(3) : n;
}

/** Throws ERR_INVALID_OPTION when `params` sets one of the pinned x265 parameters. */
export function checkX265Params(params: string): void {
  for (const item of params.split(':')) {
    if (!item.trim()) continue;
    const key = normalizedKey(item.split('=')[0]!);
    if (PINNED_KEYS.has(key)) {
      const hint = key === 'pools' || key === 'numa-pools' || key === 'threads' ? ' (use --x265-threads / transcode.threads for the worker threads)' : '';
      throw new CodectokError('ERR_INVALID_OPTION', `x265 parameter ${item.trim()} is not allowed: codectok pins ${PINNED_X265_PARAMS} and sizes the thread pool itself so that the same input gives the same stream on every machine${hint}`);
    }
  }
}

/** Throws ERR_INVALID_OPTION unless `n` is a usable worker thread count. */
export function checkX265Threads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new CodectokError('ERR_INVALID_OPTION', `x265 threads must be an integer in 1..256, got ${n}`);
}

/**
 * The x265-params string of the encode: the user's parameters, then the pinned ones. `threads`
 * (the pool size) and the log level are added by the caller of the encoder, not here: they do not
 * change the stream and stay out of the encoder identity.
 */
export function pinnedX265Params(userParams: string): string {
  checkX265Params(userParams);
  return userParams ? `${userParams}:${PINNED_X265_PARAMS}` : PINNED_X265_PARAMS;
}
