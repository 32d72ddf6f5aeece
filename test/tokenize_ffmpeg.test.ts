// FFmpeg for the tokenizer: which binary, transcoding and demuxing to HEVC, decoding pixels (native
// and WebAssembly), JPEG canvases.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeArgs, decodeFrames } from '../src/input/ffmpeg/decode_frames.js';
import { FramePrefetch } from '../src/input/ffmpeg/frame_prefetch.js';
import { locateFfmpeg } from '../src/input/ffmpeg/locate.js';
import { parseProbe, prepareHevc, transcodeArgs } from '../src/input/ffmpeg/prepare.js';
import { writeJpeg } from '../src/writers/jpeg.js';
import { letterboxGeometry } from '../src/geometry/output_geometry.js';
import { countPictures } from '../src/input/picture_headers.js';
import { CORPUS } from './helpers/golden_pictures.js';
import { ffmpegPath, referenceFrames, syntheticClip, tempDir } from './helpers/tokenize_helpers.js';

async function collect(gen: AsyncGenerator<{ index: number; rgb: Uint8Array }>) {
  const out: { index: number; rgb: Uint8Array }[] = [];
  for await (const f of gen) out.push({ index: f.index, rgb: new Uint8Array(f.rgb) });
  return out;
}

describe('locating FFmpeg', () => {
  it('FFMPEG_PATH first, then the PATH, then @ffmpeg-installer, and says which', async () => {
    const bin = await ffmpegPath();
    const env = await locateFfmpeg({ env: { FFMPEG_PATH: bin, PATH: '' } });
    expect(env).toMatchObject({ kind: 'native', source: 'env', path: bin });
    expect(env.version).toMatch(/^ffmpeg version/);
    const npm = await locateFfmpeg({ env: { FFMPEG_PATH: '/nonexistent/ffmpeg', PATH: '' } });
    expect(npm.source).toBe('npm');
    const dir = tempDir();
    writeFileSync(join(dir, 'ffmpeg'), '#!/bin/sh\nexec "' + bin + '" "$@"\n', { mode: 0o755 });
    const onPath = await locateFfmpeg({ env: { PATH: dir } });
    expect(onPath).toMatchObject({ source: 'path', path: join(dir, 'ffmpeg') });
    await expect(locateFfmpeg({ prefer: 'native', sources: [] })).rejects.toMatchObject({ code: 'ERR_NO_FFMPEG' });
    expect((await locateFfmpeg({ sources: [] })).kind).toBe('wasm'); // nothing native runs: decode with WebAssembly
    const wasm = await locateFfmpeg({ prefer: 'wasm', env: {} });
    expect(wasm.kind).toBe('wasm');
    expect(wasm.version).toMatch(/^@ffmpeg\/core /);
  });

  it('reads FFmpeg banners', () => {
    const p = parseProbe(`Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.mp4':\n  Duration: 00:00:13.50, start: 0.000000, bitrate: 1200 kb/s\n    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1280x720 [SAR 1:1 DAR 16:9], 1000 kb/s, 23.98 fps, 24 tbr, 12288 tbn (default)\n`);
    expect(p).toEqual({ codec: 'h264', width: 1280, height: 720, fps: 23.98, durationS: 13.5, container: 'mov,mp4,m4a,3gp,3g2,mj2' });
    expect(parseProbe('junk: Invalid data found when processing input')).toBeNull();
  });

  it("uses OneVision-Encoder's x265 recipe by default, every setting overridable", () => {
    const a = transcodeArgs('in.mp4', 'out.hevc');
    expect(a.join(' ')).toContain('-c:v libx265 -preset fast -crf 23 -x265-params keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1');
    const b = transcodeArgs('in.mp4', 'out.hevc', { preset: 'medium', crf: 30, x265Params: 'keyint=32', extraArgs: ['-r', '10'] }).join(' ');
    expect(b).toContain('-preset medium -crf 30 -x265-params keyint=32');
    expect(b).toContain('-r 10 -f hevc out.hevc');
  });
});

describe('preparing HEVC', () => {
  it('reads H.264 and HEVC in MP4 as they are, transcodes with --reencode always', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const h264 = await syntheticClip(dir, 'src.mp4', 'testsrc2=size=160x96:rate=25', 1, ['-c:v', 'libx264', '-pix_fmt', 'yuv420p']);
    const work1 = tempDir();
    const direct = await prepareHevc(h264, tempDir());
    expect(direct).toMatchObject({ route: 'demuxed', sourceCodec: 'h264', codec: 'h264', encoder: { encoder: 'none' } });
    expect(await countPictures(direct.hevcPath)).toBe(25);
    expect(await prepareHevc(h264, tempDir(), { reencode: 'never' })).toMatchObject({ codec: 'h264' });
    const t = await prepareHevc(h264, work1, { reencode: 'always' });
    expect(t).toMatchObject({ route: 'transcoded', sourceCodec: 'h264', codec: 'hevc', fps: 25 });
    expect(t.transcode).toMatchObject({ preset: 'fast', crf: 23 });
    expect(t.encoder).toMatchObject({ encoder: 'libx265', ffmpeg: t.ffmpeg!.version, params: { x265Params: 'keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1:frame-threads=1:info=0' } });
    expect(t.ffmpeg!.source).toBe(process.env.FFMPEG_PATH ? 'env' : 'npm'); // the bundled FFmpeg transcodes unless asked otherwise
    expect(await countPictures(t.hevcPath)).toBe(25);

    const hevcMp4 = await syntheticClip(dir, 'hevc.mp4', 'testsrc2=size=160x96:rate=25', 1, ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p']);
    const d = await prepareHevc(hevcMp4, tempDir());
    expect(d).toMatchObject({ route: 'demuxed', sourceCodec: 'hevc', encoder: { encoder: 'none', ffmpeg: null } });
    expect(await countPictures(d.hevcPath)).toBe(25);
    const again = await prepareHevc(hevcMp4, tempDir(), { reencode: 'always', transcode: { crf: 35 } });
    expect(again.route).toBe('transcoded');
    expect(again.transcode!.crf).toBe(35);

    // no native FFmpeg at all: HEVC and H.264 in MP4 are still demuxed (by codectok); nothing can be transcoded
    const none = { sources: [] as never[] };
    const own = await prepareHevc(hevcMp4, tempDir(), { ffmpeg: none });
    expect(own).toMatchObject({ route: 'demuxed', sourceCodec: 'hevc', encoder: { encoder: 'none' } });
    expect(own.ffmpeg).toBeUndefined();
    expect(await countPictures(own.hevcPath)).toBe(25);
    expect(readFileSync(own.hevcPath).equals(readFileSync(d.hevcPath))).toBe(true);
    expect(await prepareHevc(h264, tempDir(), { ffmpeg: none })).toMatchObject({ route: 'demuxed', codec: 'h264' });
    await expect(prepareHevc(h264, tempDir(), { ffmpeg: none, reencode: 'always' })).rejects.toMatchObject({ code: 'ERR_NO_FFMPEG' });

    const raw = join(CORPUS, 'pan_known.hevc');
    expect(await prepareHevc(raw, tempDir())).toMatchObject({ route: 'annexb', hevcPath: raw });
    await expect(prepareHevc(raw, tempDir(), { reencode: 'sometimes' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });
});

describe('decoding pixels', () => {
  const hevc = join(CORPUS, 'pan_known.hevc');
  const g = letterboxGeometry(416, 240, { size: 128, patch: 16 });

  it('returns exactly the selected frames, resized and letterboxed', async () => {
    const ff = await locateFfmpeg({ prefer: 'native' });
    const got = await collect(decodeFrames(hevc, { frames: [0, 5, 23], geometry: g }, ff));
    expect(got.map((f) => f.index)).toEqual([0, 5, 23]);
    const ref = await referenceFrames(hevc, g);
    expect(ref.length).toBe(24);
    for (const f of got) expect(Buffer.compare(Buffer.from(f.rgb), Buffer.from(ref[f.index]!))).toBe(0);
    // letterbox rows are black
    expect(got[0]!.rgb.subarray(0, g.outWidth * 3).every((v) => v === 0)).toBe(true);
    // on one FFmpeg thread (tokenize's choice for H.264): an input option, the same frames
    const args = decodeArgs(hevc, 'pipe:1', { frames: [0, 5], geometry: g, threads: 1 }, [0, 5]);
    expect(args.indexOf('-threads')).toBeGreaterThan(-1);
    expect(args[args.indexOf('-threads') + 1]).toBe('1');
    expect(args.indexOf('-threads')).toBeLessThan(args.indexOf('-i'));
    expect(decodeArgs(hevc, 'pipe:1', { frames: [0, 5], geometry: g }, [0, 5])).not.toContain('-threads');
    const one = await collect(decodeFrames(hevc, { frames: [0, 5, 23], geometry: g, threads: 1 }, ff));
    for (const f of one) expect(Buffer.compare(Buffer.from(f.rgb), Buffer.from(ref[f.index]!))).toBe(0);
    await expect(collect(decodeFrames(hevc, { frames: [3, 40], geometry: g }, ff))).rejects.toMatchObject({ code: 'ERR_DECODE' });
    await expect(collect(decodeFrames(hevc, { frames: [5, 3], geometry: g }, ff))).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });

  it('decodes ahead (FramePrefetch): the same frames from its file, into a reused buffer, errors on take, stops FFmpeg and removes the file on close', async () => {
    const ff = await locateFfmpeg({ prefer: 'native' });
    const ref = await referenceFrames(hevc, g);
    const dir = tempDir();
    const file = join(dir, 'frames.rgb');
    const p = new FramePrefetch(hevc, { frames: [0, 2, 5, 9, 23], geometry: g }, ff, file);
    // taken out of order, into one buffer (its letterbox padding stays 0), and into fresh ones
    const reused = new Uint8Array(g.outWidth * g.outHeight * 3);
    for (const i of [9, 2, 23]) {
      expect(await p.take(i, reused)).toBe(reused);
      expect(Buffer.compare(Buffer.from(reused), Buffer.from(ref[i]!))).toBe(0);
    }
    expect(Buffer.compare(Buffer.from(await p.take(0)), Buffer.from(ref[0]!))).toBe(0);
    // FFmpeg wrote the content of each frame (no padding), nothing more
    expect(statSync(file).size).toBe(5 * g.scaledWidth * g.scaledHeight * 3);
    await expect(p.take(4)).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await expect(p.take(5, new Uint8Array(10))).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await p.close();
    expect(existsSync(file)).toBe(false);
    // A frame past the end of the stream: FFmpeg's ERR_DECODE when it is taken; earlier frames still come.
    const short = new FramePrefetch(hevc, { frames: [3, 40], geometry: g }, ff, join(dir, 'short.rgb'));
    expect(Buffer.compare(Buffer.from(await short.take(3)), Buffer.from(ref[3]!))).toBe(0);
    await expect(short.take(40)).rejects.toMatchObject({ code: 'ERR_DECODE', message: expect.stringContaining('has no frame 40') });
    await short.close();
    // Closed before anything is taken: FFmpeg is stopped, close() returns, the file is gone.
    const closed = new FramePrefetch(hevc, { frames: [0, 23], geometry: g }, ff, join(dir, 'closed.rgb'));
    await closed.close();
    await expect(closed.take(0)).rejects.toMatchObject({ code: 'ERR_DECODE' });
    expect(existsSync(join(dir, 'closed.rgb'))).toBe(false);
    // A pillarboxed geometry (the content is not one run of the frame): the rows placed one by one
    const pillar = letterboxGeometry(240, 416, { size: 128, patch: 16 });
    expect(pillar.scaledWidth).toBeLessThan(pillar.outWidth);
    const q = new FramePrefetch(hevc, { frames: [1, 7], geometry: pillar }, ff, join(dir, 'pillar.rgb'));
    const direct = await collect(decodeFrames(hevc, { frames: [1, 7], geometry: pillar }, ff));
    for (const [k, i] of [1, 7].entries()) expect(Buffer.compare(Buffer.from(await q.take(i)), Buffer.from(direct[k]!.rgb))).toBe(0);
    await q.close();
  });

  it('falls back to the WebAssembly build of FFmpeg for decoding', { timeout: 60_000 }, async () => {
    const wasm = await locateFfmpeg({ prefer: 'wasm' });
    const got = await collect(decodeFrames(hevc, { frames: [0, 5, 23], geometry: g }, wasm));
    expect(got.map((f) => f.index)).toEqual([0, 5, 23]);
    const ref = await referenceFrames(hevc, g);
    for (const f of got) {
      // another FFmpeg version: same decoded picture, the scaler may round differently
      let diff = 0;
      for (let i = 0; i < f.rgb.length; i++) diff += Math.abs(f.rgb[i]! - ref[f.index]![i]!);
      expect(diff / f.rgb.length).toBeLessThan(2);
    }
    await expect(collect(decodeFrames(hevc, { frames: [40], geometry: g }, wasm))).rejects.toMatchObject({ code: 'ERR_DECODE' });
  });

  it('writes JPEG with a native FFmpeg', async () => {
    const ff = await locateFfmpeg({ prefer: 'native' });
    const f = join(tempDir(), 'x.jpg');
    const rgb = new Uint8Array(32 * 16 * 3).map((_, i) => i % 251);
    await writeJpeg(f, rgb, 32, 16, ff);
    const b = readFileSync(f);
    expect([b[0], b[1]]).toEqual([0xff, 0xd8]);
    const wasm = await locateFfmpeg({ prefer: 'wasm' });
    await expect(writeJpeg(f, rgb, 32, 16, wasm)).rejects.toMatchObject({ code: 'ERR_NO_FFMPEG' });
  });
});
