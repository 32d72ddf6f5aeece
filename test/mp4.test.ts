// MP4/MOV input: HEVC MP4s made from corpus streams with the ffmpeg of the
// @ffmpeg-installer/ffmpeg package (-c copy: same bitstream), demuxed back to
// Annex-B, and decoded to the same pictures as the raw stream.
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { mp4ToAnnexB, type RandomAccessReader } from '../src/input/mp4_demux.js';
import { parseFile, parsePictures, type ContainerInfo, type Picture } from '../src/input/parser.js';
import { concatBytes, nalBytes, splitNals } from './helpers/bitstream.js';
import { corpusManifest, corpusStream } from './helpers/corpus.js';
import { ffmpeg, ffmpegPath } from './helpers/ffmpeg.js';

let dir: string;
const PARAMETER_SETS = new Set([32, 33, 34]);

// name -> [source stream, extra ffmpeg output options]
const VARIANTS: Record<string, [string, string[]]> = {
  'tiny_ipb.mp4': ['tiny_ipb', ['-tag:v', 'hvc1']],
  'tiny_ipb_hev1.mp4': ['tiny_ipb', ['-tag:v', 'hev1']],
  'tiny_ipb.mov': ['tiny_ipb', ['-tag:v', 'hvc1']],
  'seed224_moov_end.mp4': ['seed_gop16_224', ['-tag:v', 'hvc1']],
  'seed224_faststart.mp4': ['seed_gop16_224', ['-tag:v', 'hvc1', '-movflags', 'faststart']],
  'seed224_fragmented.mp4': ['seed_gop16_224', ['-tag:v', 'hvc1', '-movflags', 'frag_keyframe+empty_moov']],
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'codectok-mp4-'));
  for (const [file, [stream, opts]] of Object.entries(VARIANTS)) {
    ffmpeg(['-i', corpusStream(stream), '-c', 'copy', ...opts, path.join(dir, file)]);
  }
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c.slice());
  return concatBytes(parts);
}

/** The NAL units of an Annex-B stream, as hex strings, parameter sets apart. */
function nals(annexB: Uint8Array) {
  const all = splitNals(annexB).map((n) => ({ type: n.type, hex: Buffer.from(nalBytes(annexB, n)).toString('hex') }));
  return {
    params: all.filter((n) => PARAMETER_SETS.has(n.type)),
    rest: all.filter((n) => !PARAMETER_SETS.has(n.type)).map((n) => n.hex),
  };
}

function fileReader(bytes: Uint8Array): RandomAccessReader {
  return { size: bytes.length, read: async (pos, len) => bytes.subarray(pos, pos + len) };
}

/** Pictures as plain data (typed arrays to arrays), for deep comparison. */
// The slices' byteOffset counts in the Annex-B stream parsed: the one demuxed from an MP4 is laid out otherwise (their sizes are the same).
function plain(pictures: Picture[]) {
  return pictures.map((p) => ({
    ...p,
    slices: p.slices.map(({ byteOffset: _o, ...s }) => s),
    motion: p.motion && Array.from(p.motion),
    cu: p.cu && Array.from(p.cu),
    bits: p.bits && Array.from(p.bits),
  }));
}

describe('MP4 input', () => {
  test('the bundled ffmpeg has libx265 and libx264', () => {
    const bin = ffmpegPath();
    expect(bin).toBeTruthy();
    const r = spawnSync(bin!, ['-hide_banner', '-encoders'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ V\S* libx265 /m);
    expect(r.stdout).toMatch(/^ V\S* libx264 /m);
  });

  for (const [file, [stream]] of Object.entries(VARIANTS)) {
    test(`${file}: demuxes to the NAL units of ${stream}.hevc (hvcC parameter sets first)`, async () => {
      const raw = nals(new Uint8Array(await readFile(corpusStream(stream))));
      const mp4 = new Uint8Array(await readFile(path.join(dir, file)));
      const expectDemux = (annexB: Uint8Array) => {
        const got = nals(annexB);
        expect(got.rest).toEqual(raw.rest);
        // VPS, SPS, PPS from hvcC come first, as in the raw stream.
        expect(got.params.slice(0, 3)).toEqual(raw.params.slice(0, 3));
        expect(splitNals(annexB).slice(0, 3).map((n) => n.type)).toEqual([32, 33, 34]);
      };
      // Random access (small chunks: seeks to the moov and back), whole buffer, stream.
      const original = mp4.slice();
      expectDemux(await collect(mp4ToAnnexB(fileReader(mp4), { chunkSize: 4096 })));
      expectDemux(await collect(mp4ToAnnexB(fileReader(mp4))));
      // the reader's bytes are the caller's: the start codes are written into a copy
      expect(Buffer.compare(mp4, original)).toBe(0);
      expectDemux(await collect(mp4ToAnnexB(createReadStream(path.join(dir, file), { highWaterMark: 5000 }))));
    });
  }

  test('a video track interleaved with an audio track: the same NAL units, the reader\'s bytes untouched', async () => {
    const file = path.join(dir, 'seed224_audio.mp4');
    ffmpeg(['-i', corpusStream('seed_gop16_224'), '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', '-shortest', '-tag:v', 'hvc1', file]);
    const mp4 = new Uint8Array(await readFile(file));
    const original = mp4.slice();
    // the audio samples lie between the video samples (else this test would not test that)
    const probe = spawnSync(ffmpegPath()!, ['-hide_banner', '-i', file], { encoding: 'utf8' });
    expect(probe.stderr).toMatch(/Audio: aac/);
    const raw = nals(new Uint8Array(await readFile(corpusStream('seed_gop16_224'))));
    for (const chunkSize of [4096, 65536, undefined]) {
      const got = nals(await collect(mp4ToAnnexB(fileReader(mp4), chunkSize ? { chunkSize } : {})));
      expect(got.rest).toEqual(raw.rest);
    }
    expect(Buffer.compare(mp4, original)).toBe(0);
  });

  test('the container is detected from the bytes and reported', async () => {
    const seen: ContainerInfo[] = [];
    const onContainer = (c: ContainerInfo) => void seen.push(c);
    await parseFile(path.join(dir, 'tiny_ipb.mp4'), { onContainer });
    await parseFile(new Uint8Array(await readFile(path.join(dir, 'tiny_ipb.mov'))), { onContainer });
    await parseFile(corpusStream('tiny_ipb'), { onContainer });
    expect(seen.map((c) => c.container)).toEqual(['mp4', 'mp4', 'annexb']);
    expect(seen[0]!.track).toMatchObject({ codec: 'hvc1', width: 64, height: 64, samples: 4, fragmented: false });
  });

  for (const [file, [stream]] of Object.entries(VARIANTS)) {
    test(`${file}: parsePictures gives the same pictures as ${stream}.hevc`, async () => {
      const frames = corpusManifest().find((e) => e.name === stream)!.frames;
      const raw = await parseFile(corpusStream(stream));
      const fromFile = await parseFile(path.join(dir, file));
      const fromStream: Picture[] = [];
      for await (const p of parsePictures(createReadStream(path.join(dir, file), { highWaterMark: 7000 }))) {
        fromStream.push(p);
      }
      expect(plain(fromFile)).toEqual(plain(raw));
      expect(plain(fromStream)).toEqual(plain(raw));
      expect(raw.length).toBe(frames);
    });
  }
});
