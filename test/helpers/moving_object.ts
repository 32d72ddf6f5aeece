// A clip with a known answer for scoring and selection: a dark 24x24 square crossing a still,
// detailed background at 4 px per frame. Everything that changes from one frame to the next is
// where the square was or is, so the patches there must score highest and be the ones selected.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ffmpegPath } from './tokenize_helpers.js';

export const OBJECT_CLIP = { width: 320, height: 192, frames: 16, size: 24, y: 80 } as const;

/** Left edge of the square in frame n (luma samples). */
export const objectX = (n: number): number => 8 + 4 * n;

/**
 * Patch columns and rows (patch size P, the picture mapped one to one onto the grid) that the
 * square touches in frame a or frame b, widened by one patch on each side (the codec's blocks
 * are up to 64 px and do not follow the square's edges).
 */
export function objectPatches(a: number, b: number, P: number): { w0: number; w1: number; h0: number; h1: number } {
  const { size, y } = OBJECT_CLIP;
  return {
    w0: Math.floor(Math.min(objectX(a), objectX(b)) / P) - 1,
    w1: Math.floor((Math.max(objectX(a), objectX(b)) + size - 1) / P) + 1,
    h0: Math.floor(y / P) - 1,
    h1: Math.floor((y + size - 1) / P) + 1,
  };
}

/** The clip as Annex-B HEVC (libx265, CRF 23, one I picture then P pictures), written to dir. */
export async function movingObjectClip(dir: string): Promise<string> {
  const { width, height, frames, size, y } = OBJECT_CLIP;
  const texture = `color=c=gray:s=${width}x${height}:r=25,geq=lum='128+50*sin(X*X/900+Y/7)+40*cos(Y*Y/700-X/11)':cb=128:cr=128`;
  const graph = `${texture}[bg];color=c=0x101010:s=${size}x${size}:r=25[o];[bg][o]overlay=x='8+n*4':y=${y}:shortest=1,format=yuv420p[v]`;
  const out = join(dir, 'moving_object.hevc');
  const x265 = ['-c:v', 'libx265', '-preset', 'fast', '-crf', '23', '-x265-params', 'keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1:log-level=error', '-pix_fmt', 'yuv420p', '-f', 'hevc'];
  const r = spawnSync(await ffmpegPath(), ['-v', 'error', '-y', '-filter_complex', graph, '-map', '[v]', '-frames:v', String(frames), ...x265, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed making the moving-object clip: ${r.stderr}`);
  return out;
}
