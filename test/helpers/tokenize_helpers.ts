// Shared by the tokenize tests: FFmpeg for references and synthetic clips, checks on results.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { locateFfmpeg } from '../../src/input/ffmpeg/locate.js';
import type { Geometry } from '../../src/geometry/output_geometry.js';
import type { TokenizeResult } from '../../src/tokenize/result.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SHARED_MEDIA = join(ROOT, '..', 'shared', 'media');

export function tempDir(prefix = 'codectok-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function ffmpegPath(): Promise<string> {
  const ff = await locateFfmpeg({ prefer: 'native' });
  return ff.path;
}

/** Every frame of an Annex-B HEVC (or H.264) file at the output geometry, RGB24, decoded independently of tokenize(): FFmpeg's own scale, pad and RGB conversion. */
export async function referenceFrames(file: string, g: Geometry, format: 'hevc' | 'h264' = 'hevc'): Promise<Uint8Array[]> {
  const bin = await ffmpegPath();
  const out = execFileSync(bin, ['-v', 'error', '-f', format, '-i', file, '-vf', `scale=${g.scaledWidth}:${g.scaledHeight}:flags=bicubic,pad=${g.outWidth}:${g.outHeight}:${g.padLeft}:${g.padTop}:black,format=rgb24`, '-vsync', '0', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], { maxBuffer: 1 << 30 });
  const size = g.outWidth * g.outHeight * 3;
  const frames: Uint8Array[] = [];
  for (let o = 0; o + size <= out.length; o += size) frames.push(new Uint8Array(out.buffer, out.byteOffset + o, size));
  return frames;
}

/** Makes a synthetic clip with FFmpeg's lavfi sources, e.g. ('testsrc2=size=320x240:rate=25', 2, 'libx264'). */
export async function syntheticClip(dir: string, name: string, source: string, seconds: number, codecArgs: string[]): Promise<string> {
  const bin = await ffmpegPath();
  const out = join(dir, name);
  const r = spawnSync(bin, ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, '-t', String(seconds), ...codecArgs, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed making ${name}: ${r.stderr}`);
  return out;
}

export function rowsOf(r: TokenizeResult): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < r.meta.count; i++) out.push([r.positions.data[3 * i]!, r.positions.data[3 * i + 1]!, r.positions.data[3 * i + 2]!]);
  return out;
}

/** Budget exact, positions in range and unique (padding rows excepted). */
export function expectValidPositions(r: TokenizeResult, K: number): void {
  expect(r.meta.count).toBe(K);
  expect(r.positions.data.length).toBe(3 * K);
  expect(r.patches.shape[0]).toBe(K);
  const seen = new Set<string>();
  const tValues = new Set(r.meta.timeIndex === 'frame' ? r.meta.frames.sampled : r.meta.frames.sampled.map((_, i) => i));
  for (const [t, h, w] of rowsOf(r)) {
    if (t === -1 && h === -1 && w === -1) continue;
    expect(tValues.has(t), `t=${t} is a sampled ${r.meta.timeIndex}`).toBe(true);
    expect(h >= 0 && h < r.meta.grid.H && w >= 0 && w < r.meta.grid.W, `(h,w)=(${h},${w}) in the ${r.meta.grid.H}x${r.meta.grid.W} grid`).toBe(true);
    const k = `${t},${h},${w}`;
    expect(seen.has(k), `duplicate ${k}`).toBe(false);
    seen.add(k);
  }
}

/** Every patch equals the pixels at its (t, h, w) in independently decoded frames. */
export function expectPatchesMatchFrames(r: TokenizeResult, frames: Uint8Array[]): void {
  const g = r.meta.geometry;
  const P = g.patch;
  expect(r.patches.layout).toBe('nhwc');
  expect(r.patches.dtype).toBe('uint8');
  let checked = 0;
  rowsOf(r).forEach(([t, h, w], row) => {
    if (t < 0) return;
    const frame = frames[r.meta.timeIndex === 'frame' ? t : r.meta.frames.sampled[t]!]!;
    expect(frame, `decoded frame for t=${t}`).toBeDefined();
    for (let y = 0; y < P; y++) {
      const a = r.patches.data.subarray((row * P * P + y * P) * 3, (row * P * P + (y + 1) * P) * 3);
      const b = frame.subarray(((h * P + y) * g.outWidth + w * P) * 3, ((h * P + y) * g.outWidth + (w + 1) * P) * 3);
      if (Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) !== 0) {
        expect.fail(`patch row ${row} (t=${t}, h=${h}, w=${w}) differs from the decoded frame at line ${y}`);
      }
    }
    checked++;
  });
  expect(checked).toBeGreaterThan(0);
}

export const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
