// The JavaScript parsers of untrusted input (MP4 demuxing, .npy, tar shards and their .tar.idx,
// manifests) on corrupted inputs: each valid seed and a fixed set of mutations of it (bit flips,
// cuts, 32-bit fields set to extreme values, repeated ranges: a deterministic, not
// coverage-guided, search; Jazzer.js does not run here, see README "Fuzzing"), plus every file in
// test/fixtures/fuzz/js/<target>/ (regression inputs). The property: the parser returns, or
// throws a CodectokError or one of its own plain Errors; never a TypeError / RangeError from the
// engine (an undefined read, an absurd allocation), never a hang (the test's time limit).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { CodectokError } from '../src/errors.js';
import { parseFile } from '../src/input/parser.js';
import { parseManifestText } from '../src/shard/manifest.js';
import { ShardWriter } from '../src/shard/shard_writer.js';
import { readTarIdx, scanShard } from '../src/shard/tar_reader.js';
import { decodeNpy, encodeNpy } from '../src/writers/npy.js';
import { corpusStream } from './helpers/corpus.js';
import { ffmpeg, ffmpegPath } from './helpers/ffmpeg.js';
import { tmpDir } from './shard_helpers.js';

const REGRESSIONS = path.join(import.meta.dirname, 'fixtures/fuzz/js');
const MUTATIONS = 150;

/** Deterministic mutations of `seed` (mulberry32 PRNG). */
function* mutations(seed: Uint8Array, count: number, salt: number): Generator<Uint8Array> {
  let s = salt >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const at = (n: number) => Math.floor(rand() * n);
  for (let i = 0; i < count; i++) {
    const m = new Uint8Array(seed);
    switch (i % 5) {
      case 0: // bit flips
        for (let k = 0; k < 1 + at(8); k++) m[at(m.length)] ^= 1 << at(8);
        yield m;
        break;
      case 1: // cut
        yield m.subarray(0, at(m.length));
        break;
      case 2: { // a 32-bit big- or little-endian field set to an extreme value
        const p = at(Math.max(1, m.length - 4));
        const v = [0, 0xffffffff, 0x7fffffff, 0x80000000, 1, 8][at(6)]!;
        new DataView(m.buffer).setUint32(p, v, rand() < 0.5);
        yield m;
        break;
      }
      case 3: { // a range repeated
        const a = at(m.length);
        const b = Math.min(m.length, a + 1 + at(64));
        const out = new Uint8Array(m.length + (b - a));
        out.set(m.subarray(0, b));
        out.set(m.subarray(a), b);
        yield out;
        break;
      }
      default: // random bytes over a range
        for (let k = at(m.length), e = Math.min(m.length, k + 1 + at(16)); k < e; k++) m[k] = at(256);
        yield m;
    }
  }
}

/** Runs `parse` on `input`; fails the test on anything but a return, a CodectokError or a plain Error. */
async function survives(what: string, parse: () => unknown): Promise<void> {
  try {
    await parse();
  } catch (e) {
    const ok = e instanceof CodectokError || (e instanceof Error && e.constructor === Error);
    if (!ok) throw new Error(`${what}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}

function regressions(target: string): [string, Uint8Array][] {
  const dir = path.join(REGRESSIONS, target);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((f) => !f.startsWith('.'));
  } catch {
    return [];
  }
  return names.map((f) => [f, new Uint8Array(readFileSync(path.join(dir, f)))]);
}

async function fuzzTarget(target: string, seeds: Uint8Array[], parse: (bytes: Uint8Array) => unknown): Promise<number> {
  let runs = 0;
  for (const [name, bytes] of regressions(target)) {
    await survives(`${target} regression ${name}`, () => parse(bytes));
    runs++;
  }
  for (const [k, seed] of seeds.entries()) {
    await survives(`${target} seed ${k}`, () => parse(seed));
    let i = 0;
    for (const m of mutations(seed, MUTATIONS, 1000 * k + target.length)) {
      await survives(`${target} seed ${k} mutation ${i++} (${Buffer.from(m).toString('base64').slice(0, 200)})`, () => parse(m));
      runs++;
    }
  }
  return runs;
}

describe('JavaScript parsers on corrupted input', () => {
  const dir = tmpDir('codectok-jsfuzz-');

  it('.npy reader (decodeNpy)', async () => {
    const seeds = [
      encodeNpy({ shape: [3, 4], data: new Float32Array(12).map((_, i) => i) }),
      encodeNpy({ shape: [2, 2, 3], data: new Uint8Array(12) }),
      encodeNpy({ shape: [5], data: new Int32Array([1, -2, 3, -4, 5]) }),
    ].map((b) => new Uint8Array(b));
    expect(await fuzzTarget('npy', seeds, (b) => decodeNpy(b))).toBeGreaterThanOrEqual(3 * MUTATIONS);
  });

  it('tar shard and .tar.idx reader (scanShard, readTarIdx)', async () => {
    const root = path.join(dir, 'shard');
    const w = new ShardWriter(root, { samplesPerShard: 10, fsync: false });
    for (let i = 0; i < 3; i++) w.add({ key: `clip${i}`, parts: { 'patches.npy': encodeNpy({ shape: [2, 2], data: new Uint8Array(4).fill(i) }) }, json: { key: `clip${i}`, caption: 'x'.repeat(i * 40) } });
    const [shard] = w.close();
    const tar = new Uint8Array(readFileSync(shard!.path));
    const idx = new Uint8Array(readFileSync(`${shard!.path}.idx`));
    const file = path.join(dir, 'mutated.tar');
    mkdirSync(dir, { recursive: true });
    const runs = await fuzzTarget('tar', [tar], (b) => {
      writeFileSync(file, b);
      return scanShard(file);
    });
    const idxRuns = await fuzzTarget('tar-idx', [idx], (b) => {
      writeFileSync(file, b);
      return readTarIdx(file);
    });
    expect(runs + idxRuns).toBeGreaterThanOrEqual(2 * MUTATIONS);
  });

  it('manifest parser (parseManifestText)', async () => {
    const text = [
      JSON.stringify({ video: 'a/clip.one.mp4', caption: 'a caption', id: 'x1' }),
      JSON.stringify({ video: 'b.mp4', conversation: [{ from: 'human', value: 'hi' }] }),
      '{not json',
      JSON.stringify({ caption: 'no video' }),
    ].join('\n');
    const seeds = [new TextEncoder().encode(text)];
    expect(await fuzzTarget('manifest', seeds, (b) => parseManifestText(Buffer.from(b).toString('utf8'), '/base'))).toBeGreaterThanOrEqual(MUTATIONS);
  });

  it.skipIf(!ffmpegPath())('MP4 demuxing (parseFile of MP4 bytes; needs the bundled ffmpeg for the seeds)', async () => {
    const seeds: Uint8Array[] = [];
    for (const [name, extra] of [['tiny_ipb', ['-movflags', '+faststart']], ['tiny_ip', ['-movflags', 'frag_keyframe+empty_moov']]] as const) {
      const f = path.join(dir, `${name}.mp4`);
      ffmpeg(['-i', corpusStream(name), '-c', 'copy', '-tag:v', 'hvc1', ...extra, f]);
      seeds.push(new Uint8Array(readFileSync(f)));
    }
    expect(await fuzzTarget('mp4', seeds, (b) => parseFile(b, { container: 'mp4' }))).toBeGreaterThanOrEqual(2 * MUTATIONS);
  }, 120_000);
});
