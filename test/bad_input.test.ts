// Bad input: every case ends in a CodectokError with a code (or, where the
// README's "Bad input" section says so, a documented recovery), never in a
// crash, a hang, a plain Error or ERR_INTERNAL.
import { Readable } from 'node:stream';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { CodectokError, ERROR_CODES, parseFile, parsePictures, type ParseInput, type Picture } from '../src/index.js';
import {
  concatBytes,
  nalBytes,
  patchSpsSize,
  prng,
  randomBytes,
  spsSize,
  splitNals,
  START_CODE,
  type NalUnit,
} from './helpers/bitstream.js';
import { corpusFile, corpusStream } from './helpers/corpus.js';
import { ffmpeg } from './helpers/ffmpeg.js';

interface Outcome {
  pictures: Picture[];
  error?: CodectokError;
}

/** Decodes to the end; any error must be a CodectokError with a known, non-internal code. */
async function decode(input: ParseInput): Promise<Outcome> {
  const pictures: Picture[] = [];
  try {
    for await (const p of parsePictures(input)) pictures.push(p);
    return { pictures };
  } catch (e) {
    expect(e, `not a CodectokError: ${String(e)}`).toBeInstanceOf(CodectokError);
    const err = e as CodectokError;
    expect(ERROR_CODES).toContain(err.code);
    expect(err.code, `internal error: ${err.message}`).not.toBe('ERR_INTERNAL');
    expect(typeof err.byteOffset).toBe('number');
    expect(typeof err.picture).toBe('number');
    return { pictures, error: err };
  }
}

async function expectError(input: ParseInput, codes: string[]): Promise<Outcome> {
  const o = await decode(input);
  expect(o.error, `expected one of ${codes.join(', ')}; decoded ${o.pictures.length} pictures without error`).toBeDefined();
  expect(codes).toContain(o.error!.code);
  return o;
}

interface GoldenFrame {
  out_index: number;
  decode_index: number;
  poc: number;
  nal_type: number;
}

async function golden(name: string): Promise<GoldenFrame[]> {
  return JSON.parse(await readFile(corpusFile(name, 'frames.json'), 'utf8')) as GoldenFrame[];
}

async function stream(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(corpusStream(name)));
}

const isVcl = (t: number) => t < 32;
const isPrefix = (t: number) => (t >= 32 && t <= 39) || (t >= 41 && t <= 44) || (t >= 48 && t <= 55);

/** Byte offset where access unit `k` (decoding order) starts. */
function accessUnitStart(data: Uint8Array, k: number): number {
  const nals = splitNals(data);
  let seen = -1;
  for (let i = 0; i < nals.length; i++) {
    const n = nals[i]!;
    const firstSlice = isVcl(n.type) && (data[n.header + 2]! & 0x80) !== 0;
    if (!firstSlice) continue;
    seen++;
    if (seen === k) {
      let j = i;
      while (j > 0 && isPrefix(nals[j - 1]!.type)) j--;
      return nals[j]!.start;
    }
  }
  throw new Error(`no access unit ${k}`);
}

function firstNal(data: Uint8Array, type: number): NalUnit {
  const n = splitNals(data).find((x) => x.type === type);
  if (!n) throw new Error(`no NAL unit of type ${type}`);
  return n;
}

/** Replaces the bytes of NAL unit `n` (header included) with `replacement`. */
function replaceNal(data: Uint8Array, n: NalUnit, replacement: Uint8Array): Uint8Array {
  return concatBytes([data.subarray(0, n.header), replacement, data.subarray(n.end)]);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'codectok-bad-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('empty and unreadable input', () => {
  test('empty file, empty buffer, empty stream: ERR_NOT_VIDEO, "in 0 bytes"', async () => {
    const f = path.join(dir, 'empty.hevc');
    await writeFile(f, '');
    const { error } = await expectError(f, ['ERR_NOT_VIDEO']);
    expect(error!.file).toBe(f);
    expect(error!.message).toBe('not a video: no HEVC/H.264 start code or known container in 0 bytes');
    for (const empty of [new Uint8Array(0), Readable.from([])])
      expect((await expectError(empty, ['ERR_NOT_VIDEO'])).error!.message).toMatch(/ in 0 bytes$/);
  });

  test('missing file and directory: ERR_IO', async () => {
    await expectError(path.join(dir, 'nope.hevc'), ['ERR_IO']);
    await expectError(dir, ['ERR_IO']);
  });
});

describe('garbage', () => {
  test('random bytes without a start code: ERR_UNSUPPORTED, saying what it saw', async () => {
    const rand = prng(1);
    for (const n of [1, 7, 100, 65536]) {
      const bytes = randomBytes(rand, n);
      bytes[0] = 0x42; // not a zero: no start code, no box size
      const { error } = await expectError(bytes, ['ERR_UNSUPPORTED']);
      expect(error!.message).toMatch(/first bytes: 42/);
    }
    const mkv = Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8);
    expect((await expectError(mkv, ['ERR_UNSUPPORTED'])).error!.message).toMatch(/Matroska/);
  });

  test('a .hevc file of random bytes without a start code: ERR_NOT_VIDEO naming the bytes read, no pictures', async () => {
    const rand = prng(7);
    for (const n of [5, 4096, 300_000]) {
      const bytes = randomBytes(rand, n);
      bytes[0] = 0x42;
      for (let i = 2; i < n; i++) if (bytes[i] === 1 && bytes[i - 1] === 0 && bytes[i - 2] === 0) bytes[i] = 2; // no 00 00 01
      const f = path.join(dir, `random${n}.hevc`);
      await writeFile(f, bytes);
      const { error, pictures } = await expectError(f, ['ERR_NOT_VIDEO']);
      expect(error!.message).toBe(`not a video: no HEVC/H.264 start code or known container in ${n} bytes`);
      expect(pictures).toEqual([]);
    }
  });

  test('random NAL units behind the real parameter sets never crash', async () => {
    const data = await stream('tiny_ipb');
    const params = data.subarray(0, accessUnitStart(data, 0) + 84); // VPS SPS PPS prefix SEI
    const rand = prng(7);
    for (let seed = 0; seed < 24; seed++) {
      const parts: Uint8Array[] = [params];
      const units = 1 + Math.floor(rand() * 6);
      for (let u = 0; u < units; u++) {
        const type = [19, 20, 1, 0, 21, 33, 34, 39, Math.floor(rand() * 64)][Math.floor(rand() * 9)]!;
        const payload = randomBytes(rand, 2 + Math.floor(rand() * 3000));
        payload[0] = type << 1;
        payload[1] = 1;
        if (type < 32) payload[2]! |= 0x80; // first_slice_segment_in_pic_flag
        parts.push(START_CODE, payload);
      }
      await decode(concatBytes(parts)); // error or not: no crash, no internal error
    }
  });

  test('random bytes after a start code never crash', async () => {
    const rand = prng(99);
    for (let i = 0; i < 16; i++) {
      await decode(concatBytes([START_CODE, randomBytes(rand, 16 + Math.floor(rand() * 20000))]));
    }
  });
});

describe('truncated streams', () => {
  test('cut inside the first slice: ERR_TRUNCATED or ERR_INVALID_SYNTAX, no picture', async () => {
    const data = await stream('tiny_ipb');
    const idr = firstNal(data, 20);
    const { pictures } = await expectError(data.subarray(0, idr.header + Math.floor((idr.end - idr.header) / 2)), [
      'ERR_TRUNCATED',
      'ERR_INVALID_SYNTAX',
    ]);
    expect(pictures).toEqual([]);
  });

  test('cut inside the parameter sets: ERR_TRUNCATED or ERR_INVALID_SYNTAX', async () => {
    const data = await stream('tiny_ipb');
    const sps = firstNal(data, 33);
    await expectError(data.subarray(0, sps.header + 10), ['ERR_TRUNCATED', 'ERR_INVALID_SYNTAX']);
  });

  test('cut inside a later picture: the pictures given before the error are right', async () => {
    const name = 'seed_gop16_224';
    const data = await stream(name);
    const cut = accessUnitStart(data, 10) + 3000;
    const { pictures, error } = await expectError(data.subarray(0, cut), ['ERR_TRUNCATED', 'ERR_INVALID_SYNTAX']);
    expect(error!.byteOffset).toBeLessThanOrEqual(cut);
    const want = (await golden(name)).filter((f) => f.decode_index < 10);
    for (const p of pictures) {
      expect(want.map((f) => `${f.poc}/${f.decode_index}`)).toContain(`${p.poc}/${p.decodeIndex}`);
    }
  });

  test('cut at an access-unit boundary is a valid stream: the pictures decoded so far, exactly', async () => {
    const name = 'tiny_ipb';
    const data = await stream(name);
    const k = 2; // keep I and P (decode 0, 1)
    const { pictures, error } = await decode(data.subarray(0, accessUnitStart(data, k)));
    expect(error).toBeUndefined();
    const want = (await golden(name)).filter((f) => f.decode_index < k);
    expect(pictures.map((p) => [p.poc, p.decodeIndex, p.nalType])).toEqual(
      want.map((f) => [f.poc, f.decode_index, f.nal_type]),
    );
    // And their motion fields are the golden ones.
    const { readNpy } = await import('../src/writers/npy.js');
    const motion = await readNpy(corpusFile(name, 'motion.npy.gz'));
    const perFrame = motion.data.length / motion.shape[0]!;
    for (const p of pictures) {
      const g = (await golden(name)).find((f) => f.decode_index === p.decodeIndex)!;
      const expected = (motion.data as Int16Array).subarray(g.out_index * perFrame, (g.out_index + 1) * perFrame);
      expect(Buffer.compare(Buffer.from(p.motion!.buffer, p.motion!.byteOffset, p.motion!.byteLength), Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength))).toBe(0);
    }
  });
});

describe('a stream starting mid-GOP (first IDR access unit dropped)', () => {
  test('recovery at the next IRAP picture, as the README documents (no error)', async () => {
    const name = 'seed_gop16_224';
    const data = await stream(name);
    const { pictures, error } = await decode(data.subarray(accessUnitStart(data, 1)));
    expect(error, error?.describe()).toBeUndefined();
    // Documented recovery: pictures before the next IRAP (CRA, POC 16) are
    // skipped; from it on the pictures are the golden ones.
    const want = (await golden(name)).filter((f) => f.poc >= 16);
    expect(pictures.map((p) => [p.poc, p.nalType])).toEqual(want.map((f) => [f.poc, f.nal_type]));
  });
});

describe('corrupted parameter sets', () => {
  test('SPS with its first byte flipped (sps_max_sub_layers_minus1 = 7): rejected', async () => {
    const data = await stream('tiny_ipb');
    const sps = firstNal(data, 33);
    const bad = data.slice();
    bad[sps.header + 2]! ^= 0xff;
    await expectError(bad, ['ERR_INVALID_SYNTAX', 'ERR_MISSING_PARAMETER_SET', 'ERR_UNSUPPORTED']);
  });

  test('SPS with bytes flipped in the middle: an error or pictures, never a crash', async () => {
    const data = await stream('tiny_ipb');
    const sps = firstNal(data, 33);
    for (let at = 14; at < sps.end - sps.header - 1; at += 3) {
      const bad = data.slice();
      for (let i = 0; i < 3; i++) bad[sps.header + at + i]! ^= 0xff;
      await decode(bad);
    }
  });

  test('SPS saying 100000x100000: ERR_LIMIT_EXCEEDED (nothing that size is allocated)', async () => {
    const data = await stream('tiny_i');
    const sps = firstNal(data, 33);
    const original = nalBytes(data, sps);
    expect(spsSize(original)).toEqual({ width: 64, height: 64 });
    expect(Buffer.from(patchSpsSize(original, 64, 64))).toEqual(Buffer.from(original)); // the patch is exact
    const huge = patchSpsSize(original, 100000, 100000);
    expect(spsSize(huge)).toEqual({ width: 100000, height: 100000 });
    const { pictures } = await expectError(replaceNal(data, sps, huge), ['ERR_LIMIT_EXCEEDED']);
    expect(pictures).toEqual([]);
  });
});

describe('MP4 that codectok does not read', () => {
  test('MPEG-4 Part 2 MP4: ERR_UNSUPPORTED naming mp4v', async () => {
    const f = path.join(dir, 'mpeg4.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x96:rate=25', '-t', '0.4', '-c:v', 'mpeg4', '-pix_fmt', 'yuv420p', f]);
    const { error, pictures } = await expectError(f, ['ERR_UNSUPPORTED']);
    expect(error!.message).toMatch(/'mp4v'/);
    expect(error!.file).toBe(f);
    expect(pictures).toEqual([]);
  });

  test('H.264 MP4 (avc1) is read by the H.264 parser', async () => {
    const f = path.join(dir, 'h264.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x96:rate=25', '-t', '0.4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', f]);
    const pictures = await parseFile(f);
    expect(pictures.length).toBe(10);
    expect(pictures.every((p) => p.codec === 'h264')).toBe(true);
  });

  test('audio-only MP4: ERR_UNSUPPORTED (no video track)', async () => {
    const f = path.join(dir, 'audio.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.3', '-c:a', 'aac', f]);
    const { error } = await expectError(f, ['ERR_UNSUPPORTED']);
    expect(error!.message).toMatch(/no video track/);
  });

  test('truncated MP4 files: ERR_TRUNCATED', async () => {
    const moovEnd = path.join(dir, 'cut_moov_end.mp4');
    const fast = path.join(dir, 'cut_faststart.mp4');
    ffmpeg(['-i', corpusStream('seed_gop16_224'), '-c', 'copy', '-tag:v', 'hvc1', moovEnd]);
    ffmpeg(['-i', corpusStream('seed_gop16_224'), '-c', 'copy', '-tag:v', 'hvc1', '-movflags', 'faststart', fast]);
    for (const f of [moovEnd, fast]) {
      const bytes = await readFile(f);
      await writeFile(f, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      const { error } = await expectError(f, ['ERR_TRUNCATED']);
      expect(error!.message).toMatch(/moov|truncated/);
    }
  });

  test('an ftyp box followed by garbage: an error, not a crash or a hang', async () => {
    const ftyp = Uint8Array.of(0, 0, 0, 16, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 2, 0);
    const rand = prng(5);
    for (let i = 0; i < 8; i++) {
      // a random box header mostly claims more than maxMp4BoxSize (256 MiB): refused by that limit
      await expectError(concatBytes([ftyp, randomBytes(rand, 100 + i * 997)]), [
        'ERR_INVALID_SYNTAX',
        'ERR_TRUNCATED',
        'ERR_UNSUPPORTED',
        'ERR_LIMIT_EXCEEDED',
      ]);
    }
  });
});
