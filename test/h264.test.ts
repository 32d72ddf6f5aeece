// H.264 from the user's side: `codectok inspect --dump` on every stream of the
// H.264 corpus (test/fixtures/h264-corpus) reproduces FFmpeg's golden motion
// vectors, macroblock types and QPs exactly (the C++ test test_h264_corpus
// checks the same through the core); the interlaced stream is refused with a
// clear error; the MP4 copy (avcC, length-prefixed NAL units) reads the same;
// pictures say which codec they come from; tokenize reads H.264 directly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { annexBCodec } from '../src/input/container.js';
import { parseFile } from '../src/input/parser.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { corpusStream } from './helpers/corpus.js';
import { compareH264Dump, H264_X264_DIR, h264Manifest, h264Stream } from './helpers/h264_corpus.js';
import { ffmpegPath } from './helpers/tokenize_helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'cli.js');
const manifest = h264Manifest();
const progressive = manifest.filter((e) => e.name !== 'interlaced_mbaff');
const tmpDirs: string[] = [];

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'codectok-h264-'));
  tmpDirs.push(d);
  return d;
}

afterAll(async () => {
  await Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true })));
});

function inspectDump(input: string, dir: string) {
  return spawnSync(process.execPath, [CLI, 'inspect', input, '--dump', dir, '--no-residual'], { encoding: 'utf8' });
}

describe('H.264 corpus through `codectok inspect --dump`', () => {
  test('the manifest lists 18 streams, 17 progressive', () => {
    expect(manifest.length).toBe(18);
    expect(progressive.length).toBe(17);
    expect(existsSync(CLI), 'dist/cli/cli.js (run `npm run build`)').toBe(true);
  });

  test.each(progressive.map((e) => [e.name, e] as const))('%s matches the golden data exactly', async (name, e) => {
    const dir = await tempDir();
    const r = inspectDump(h264Stream(name), dir);
    expect(r.status, r.stderr).toBe(0);
    expect(await compareH264Dump(dir, name, e.bit_depth)).toEqual([]);
  });

  test('the MP4 copy (avc1, avcC) gives the same dump', async () => {
    const dir = await tempDir();
    const r = inspectDump(h264Stream('main_cabac_b', 'mp4'), dir);
    expect(r.status, r.stderr).toBe(0);
    expect(await compareH264Dump(dir, 'main_cabac_b', 8)).toEqual([]);
  });

  test('the interlaced MBAFF stream is refused, naming what it is', () => {
    const r = spawnSync(process.execPath, [CLI, 'inspect', h264Stream('interlaced_mbaff')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ERR_UNSUPPORTED/);
    expect(r.stderr).toMatch(/interlaced MBAFF/);
  });
});

// What the corpus does not exercise, made with the bundled FFmpeg's libx264 (test/fixtures/h264-x264,
// make.sh there), golden data from FFmpeg 5.1's decoder: POC type 2, CAVLC with the 8x8 transform,
// explicit and implicit weighted prediction, MMCO, several slices with a B-pyramid, 4:0:0 at 8 and
// 10 bits, I_PCM.
describe('libx264 streams through `codectok inspect --dump` (test/fixtures/h264-x264)', () => {
  const x264 = h264Manifest(H264_X264_DIR);
  test('the manifest lists the 7 streams', () => {
    expect(x264.map((e) => e.name).sort()).toEqual(['cavlc_8x8_b', 'gray10', 'gray_400', 'pcm_noise', 'poc2_p_only', 'slices_pyramid_mmco', 'weighted_fade']);
  });

  test.each(x264.map((e) => [e.name, e] as const))('%s matches the golden data exactly', async (name, e) => {
    const dir = await tempDir();
    const r = inspectDump(path.join(H264_X264_DIR, e.file), dir);
    expect(r.status, r.stderr).toBe(0);
    expect(await compareH264Dump(dir, name, e.bit_depth, 8, H264_X264_DIR)).toEqual([]);
    const frames = JSON.parse(await readFile(path.join(dir, `${name}.frames.json`), 'utf8')) as unknown[];
    expect(frames.length).toBe(e.frames);
  });

  test('I_PCM macroblocks are intra with the residual 0 and no transform blocks; 4:0:0 and 10-bit pictures say their depth', async () => {
    const pcm = await parseFile(path.join(H264_X264_DIR, 'pcm_noise.h264'), { residual: true, tuStats: true });
    expect(pcm.length).toBe(3);
    for (const p of pcm) {
      expect(p.motion!.every((v, i) => i % 8 !== 0 || v === 0)).toBe(true); // pred_mode 0 everywhere
      expect(p.tu!.length).toBe(0);
      expect(p.residual!.every((v) => v === 0)).toBe(true);
    }
    const gray10 = await parseFile(path.join(H264_X264_DIR, 'gray10.h264'), { motion: false, cu: false, bits: false });
    expect(new Set(gray10.map((p) => p.bitDepth))).toEqual(new Set([10]));
    const gray = await parseFile(path.join(H264_X264_DIR, 'gray_400.h264'), { residual: true, tuStats: true });
    expect(gray.length).toBe(10);
    // no chroma transform blocks in 4:0:0 (tu column 2 is the component)
    for (const p of gray) for (let i = 0; i < p.tu!.length; i += 13) expect(p.tu![i + 2]).toBe(0n);
  });
});

describe('H.264 input detection and picture records', () => {
  test('Annex-B streams are told apart by their NAL unit headers', async () => {
    for (const e of manifest) expect(annexBCodec(await readFile(h264Stream(e.name))), e.name).toBe('h264');
    expect(annexBCodec(await readFile(corpusStream('ctu32_bframes')))).toBe('hevc');
  });

  test('pictures carry their codec, output order and frame cropping', async () => {
    const pics = await parseFile(h264Stream('odd_size'), { residual: true, tuStats: true });
    expect(pics.length).toBe(12);
    expect(pics.every((p) => p.codec === 'h264')).toBe(true);
    expect(pics.map((p) => p.poc)).toEqual([...pics.map((p) => p.poc)].sort((a, b) => a - b));
    const p = pics[0]!;
    expect([p.width - p.crop.left - p.crop.right, p.height - p.crop.top - p.crop.bottom]).toEqual([322, 178]);
    expect(p.residual!.length).toBe(p.width * p.height);
    expect(p.tu!.length % 13).toBe(0);
    const hevc = await parseFile(corpusStream('ctu32_bframes'), { motion: false, cu: false, bits: false });
    expect(hevc.every((q) => q.codec === 'hevc')).toBe(true);
  });

  test('a stream of H.264 bytes without a file name is detected too', async () => {
    const bytes = await readFile(h264Stream('tiny_ipb'));
    const pics = await parseFile(new Uint8Array(bytes));
    expect(pics.map((p) => p.codec)).toEqual(['h264', 'h264', 'h264', 'h264']);
  });
});

describe('tokenize reads H.264 directly', () => {
  test('an Annex-B H.264 stream is parsed without a transcode (meta.json says so)', async () => {
    await ffmpegPath(); // pixel decoding needs the bundled FFmpeg
    const r = await tokenize(h264Stream('main_cabac_b'), { budget: 64, workDir: await tempDir() });
    expect(r.meta.ffmpeg.input.codec).toBe('h264');
    expect(r.meta.ffmpeg.input.route).toBe('annexb');
    expect(r.meta.ffmpeg.input.sourceCodec).toBe('h264');
    expect(r.meta.ffmpeg.input.fallback).toBeUndefined();
    expect(r.positions.shape[0]).toBe(64);
  });

  test('an H.264 stream the parser refuses (MBAFF) falls back to the HEVC transcode and says why', async () => {
    await ffmpegPath();
    const r = await tokenize(h264Stream('interlaced_mbaff'), { budget: 16, workDir: await tempDir() });
    expect(r.meta.ffmpeg.input.route).toBe('transcoded');
    expect(r.meta.ffmpeg.input.codec).toBe('hevc');
    expect(r.meta.ffmpeg.input.fallback).toMatch(/interlaced MBAFF/);
  });
});
