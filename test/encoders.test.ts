// The parser on streams the corpus does not have: libx265 (from the
// @ffmpeg-installer/ffmpeg package) with settings across its coding tools,
// 10-bit, a single still picture, and the formats codectok refuses. A CABAC
// or derivation slip desynchronises the parser, which then fails loudly
// (slice data ends early or late, a picture is left incomplete), so "every
// picture, no error, same count as FFmpeg" is a strong check.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { CodectokError, parseFile } from '../src/input/parser.js';
import { ffmpeg, ffmpegPath } from './helpers/ffmpeg.js';

let dir: string;
let source: string;

// One short clip (moving test card blended with Game of Life) encoded per setting.
const SETTINGS: Record<string, string> = {
  pyramid_b8_ref5: 'bframes=8:b-pyramid=1:ref=5:weightb=1',
  ctu64_qg8_aq3: 'ctu=64:min-cu-size=8:qg-size=8:aq-mode=3',
  tskip_no_signhide: 'tskip=1:rdoq-level=2:signhide=0',
  lossless: 'lossless=1',
  slices4_wpp: 'slices=4:wpp=1',
  amp_merge5_deep_tu: 'rect=1:amp=1:max-merge=5:tu-inter-depth=4:tu-intra-depth=4:limit-tu=0',
  open_gop_keyint5: 'keyint=5:open-gop=1:bframes=4',
  pps_options_aud_hrd: 'opt-ref-list-length-pps=1:opt-qp-pps=1:repeat-headers=1:aud=1:hrd=1:vbv-maxrate=500:vbv-bufsize=500',
  temporal_layers: 'temporal-layers=1:bframes=3',
  chroma_qp_offsets: 'ctu=32:qg-size=16:cbqpoffs=-5:crqpoffs=5',
  weightp_ref4: 'weightp=1:ref=4:bframes=0',
  no_sao_deblock: 'strong-intra-smoothing=0:sao=0:deblock=-6,6',
  radl: 'radl=2:keyint=10:bframes=3',
};

function countWithFfmpeg(file: string): number {
  const r = execFileSync(ffmpegPath()!, ['-hide_banner', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  return r.split('\n').filter((l) => /^\d+,/.test(l)).length;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'codectok-encoders-'));
  source = path.join(dir, 'source.y4m');
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=192x128:rate=25',
    '-f', 'lavfi', '-i', 'life=size=192x128:rate=25:mold=10',
    '-filter_complex', '[0][1]blend=all_mode=average', '-t', '0.8', '-pix_fmt', 'yuv420p', source,
  ]);
}, 60_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('libx265 settings the corpus does not cover', () => {
  for (const [name, params] of Object.entries(SETTINGS)) {
    test(name, async () => {
      const file = path.join(dir, `${name}.hevc`);
      ffmpeg(['-i', source, '-c:v', 'libx265', '-preset', 'fast', '-x265-params', `log-level=error:${params}`, '-f', 'hevc', file]);
      const pictures = await parseFile(file, { tuStats: true, residual: true });
      expect(pictures.length).toBe(countWithFfmpeg(file));
      expect(pictures.length).toBe(20);
      // Output order is display order: POCs increase from one picture to the next, except at an
      // IDR picture (nal_unit_type 19 or 20), where they start again.
      for (let i = 1; i < pictures.length; i++) {
        const p = pictures[i]!;
        if (p.nalType !== 19 && p.nalType !== 20) expect(p.poc, `picture ${i} (POC ${p.poc}) after POC ${pictures[i - 1]!.poc}`).toBeGreaterThan(pictures[i - 1]!.poc);
      }
      for (const p of pictures) {
        expect(p.motion!.length).toBe(Math.ceil(p.height / 4) * Math.ceil(p.width / 4) * 8);
        expect(p.residual!.length).toBe(p.width * p.height);
      }
    }, 60_000);
  }
});

// A window moving (+4, +2) luma samples per frame over a still texture (as the corpus's pan_known):
// every predicted block's vector is (+4, +2) samples per frame of POC distance, (16, 8) quarter
// samples, whatever the coding tools.
describe('libx265 settings on a pan of known speed: the motion vectors', () => {
  let pan: string;
  beforeAll(() => {
    pan = path.join(dir, 'pan.y4m');
    ffmpeg([
      '-f', 'lavfi', '-i', 'color=gray:size=320x224:rate=25,noise=alls=90,boxblur=1:1', '-frames:v', '1', path.join(dir, 'still.png'),
    ]);
    ffmpeg(['-loop', '1', '-i', path.join(dir, 'still.png'), '-vf', "crop=192:128:'4*n':'2*n'", '-frames:v', '16', '-pix_fmt', 'yuv420p', pan]);
  }, 60_000);
  for (const [name, params] of Object.entries(SETTINGS)) {
    if (name === 'lossless') continue; // the same tools as the others, many times slower to encode
    test(name, async () => {
      const file = path.join(dir, `pan_${name}.hevc`);
      ffmpeg(['-i', pan, '-c:v', 'libx265', '-preset', 'fast', '-x265-params', `log-level=error:${params}`, '-f', 'hevc', file]);
      const pictures = await parseFile(file, { cu: false, bits: false });
      expect(pictures.length).toBe(16);
      let vectors = 0;
      let exact = 0;
      for (const p of pictures) {
        const m = p.motion!;
        for (let o = 0; o < m.length; o += 8) {
          if (m[o] === 0) continue; // intra
          for (const [mx, my, ref] of [[m[o + 2]!, m[o + 3]!, m[o + 6]!], [m[o + 4]!, m[o + 5]!, m[o + 7]!]]) {
            if (ref === -32768) continue;
            const d = p.poc - ref;
            vectors++;
            if (mx === 16 * d && my === 8 * d) exact++;
          }
        }
      }
      expect(vectors).toBeGreaterThan(1000);
      expect(exact / vectors, `${exact} of ${vectors} vectors are (16, 8) per POC step`).toBeGreaterThan(0.9);
    }, 60_000);
  }
});

describe('profiles', () => {
  test('Main 10 (yuv420p10le) decodes, bitDepth 10', async () => {
    const file = path.join(dir, 'main10.hevc');
    ffmpeg(['-i', source, '-pix_fmt', 'yuv420p10le', '-c:v', 'libx265', '-preset', 'fast', '-x265-params', 'log-level=error', '-f', 'hevc', file]);
    const pictures = await parseFile(file);
    expect(pictures.length).toBe(20);
    expect(pictures.every((p) => p.bitDepth === 10)).toBe(true);
  }, 60_000);

  test('a single still picture decodes', async () => {
    const file = path.join(dir, 'still.hevc');
    ffmpeg(['-i', source, '-frames:v', '1', '-c:v', 'libx265', '-preset', 'fast', '-x265-params', 'log-level=error', '-f', 'hevc', file]);
    const pictures = await parseFile(file);
    expect(pictures.length).toBe(1);
    expect(pictures[0].slices[0].type).toBe('I');
  }, 60_000);

  for (const [pixFmt, label] of [['yuv422p', '4:2:2'], ['yuv444p', '4:4:4']] as const) {
    test(`${label} (range extensions) is refused with ERR_UNSUPPORTED naming the format`, async () => {
      const file = path.join(dir, `${pixFmt}.hevc`);
      ffmpeg(['-i', source, '-frames:v', '3', '-pix_fmt', pixFmt, '-c:v', 'libx265', '-preset', 'fast', '-x265-params', 'log-level=error', '-f', 'hevc', file]);
      const error = await parseFile(file).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CodectokError);
      expect((error as CodectokError).code).toBe('ERR_UNSUPPORTED');
      expect((error as CodectokError).message).toContain(label);
    }, 60_000);
  }
});
