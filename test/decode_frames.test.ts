// decodeFrames: FFmpeg sends only the scaled picture, and the frames are laid out with the letterbox
// padding at 0. They must equal what FFmpeg's own `scale,pad=...:black,format=rgb24` chain makes of
// the same frames, byte for byte: at odd offsets, letterbox (padding above and below) and pillarbox
// (left and right), with the native FFmpeg and the WebAssembly one.
import { describe, expect, it } from 'vitest';
import { letterboxGeometry } from '../src/geometry/output_geometry.js';
import { decodeFrames } from '../src/input/ffmpeg/decode_frames.js';
import { locateFfmpeg } from '../src/input/ffmpeg/locate.js';
import { referenceFrames, syntheticClip, tempDir } from './helpers/tokenize_helpers.js';

describe('decodeFrames lays the scaled picture into the padded frame', () => {
  const cases: [string, number, number][] = [
    ['pillarbox, odd left offset (47)', 330, 800],
    ['letterbox, odd top offset (47)', 800, 330],
    ['16:9, odd top offset (35)', 640, 360],
    ['pillarbox, odd picture width (67)', 536, 1280],
  ];
  for (const [name, w, h] of cases) {
    it(`${name} (${w}x${h} to 160x160): the bytes of FFmpeg's pad chain, native and WebAssembly`, { timeout: 120_000 }, async () => {
      const file = await syntheticClip(tempDir(), 'clip.h264', `testsrc2=size=${w}x${h}:rate=25`, 0.4, ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'h264']);
      const g = letterboxGeometry(w, h, { size: 160 });
      expect(g.padLeft % 2 === 1 || g.padTop % 2 === 1 || g.scaledWidth % 2 === 1, JSON.stringify(g)).toBe(true);
      const frames = [0, 3, 7];
      // FFmpeg's own chain, with its pad filter
      const all = await referenceFrames(file, g, 'h264');
      expect(all.length).toBe(10);
      const want = frames.map((f) => all[f]!);
      for (const kind of ['native', 'wasm'] as const) {
        const ff = await locateFfmpeg({ prefer: kind });
        const got: Uint8Array[] = [];
        for await (const f of decodeFrames(file, { frames, geometry: g, codec: 'h264' }, ff)) got.push(f.rgb);
        expect(got.length, kind).toBe(3);
        got.forEach((rgb, k) => expect(Buffer.compare(Buffer.from(rgb), Buffer.from(want[k]!)), `${kind} frame ${frames[k]}`).toBe(0));
      }
    });
  }
});
