// Strict arguments from the user's side: every public function checks its arguments before any
// native call or file access and throws CodectokError ERR_INVALID_OPTION naming the argument;
// countPictures/pictureHeaders read MP4 like parsePictures; worker threads keep error fields.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import {
  CodectokError,
  countPictures,
  parseFile,
  parsePictures,
  pictureHeaders,
  type PictureHeader,
  readNpy,
  renderViz,
  tokenize,
  writeCanvases,
  writeNpyOutput,
} from '../src/index.js';
import { dumpCorpus, mp4ToAnnexB } from '../src/input/api.js';
import { corpusStream } from './helpers/corpus.js';
import { ffmpeg, ffmpegPath } from './helpers/ffmpeg.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const STREAM = corpusStream('tiny_ipb');

/** Calls f and returns what it threw (synchronously or as a rejection). */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    const r = f();
    if (r && typeof (r as Promise<unknown>).then === 'function') await r;
    if (r && typeof (r as AsyncIterator<unknown>).next === 'function') await (r as AsyncIterator<unknown>).next();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

/** The error is a CodectokError ERR_INVALID_OPTION whose message names `what`. */
async function expectInvalid(f: () => unknown, what: string | RegExp): Promise<CodectokError> {
  const e = await thrown(f);
  expect(e).toBeInstanceOf(CodectokError);
  const err = e as CodectokError;
  expect(err.code).toBe('ERR_INVALID_OPTION');
  expect(err.message).toMatch(what);
  return err;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'codectok-strict-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parsePictures / parseFile arguments', () => {
  test('an input that is not a path, bytes or a stream is refused at the call, naming the input', async () => {
    for (const bad of [42, null, undefined, '', {}, [1, 2], true]) {
      // synchronously: parsePictures checks before returning the iterator
      expect(() => parsePictures(bad as never)).toThrow(CodectokError);
      await expectInvalid(() => parsePictures(bad as never), /parsePictures: input must be a file path, a Uint8Array or an AsyncIterable/);
      await expectInvalid(() => parseFile(bad as never), /parseFile: input must be/);
    }
  });

  test('unknown option names are refused, not ignored', async () => {
    await expectInvalid(() => parsePictures(STREAM, { residuals: true } as never), /unknown option residuals/);
    await expectInvalid(() => parseFile(STREAM, { motion: false, maxPicturesPerCall: 2 } as never), /unknown option maxPicturesPerCall/);
    await expectInvalid(() => parseFile(STREAM, 'motion' as never), /parseFile: options must be an object/);
  });

  test("tokenize's and inspect's decoder analyses (score, summary) are not options of parsePictures / parseFile", async () => {
    for (const name of ['score', 'summary']) {
      const opts = { [name]: name === 'summary' ? true : {} } as never;
      const known = /\(known: ([^)]*)\)/;
      const e1 = await expectInvalid(() => parsePictures(STREAM, opts), new RegExp(`parsePictures: unknown option ${name} `));
      const e2 = await expectInvalid(() => parseFile(STREAM, opts), new RegExp(`parseFile: unknown option ${name} `));
      for (const e of [e1, e2]) expect(e.message.match(known)![1]!.split(', ')).not.toContain(name);
    }
    // the public options still work on the same stream
    expect((await parseFile(STREAM, { motion: false, cu: false, bits: false })).length).toBeGreaterThan(0);
  });

  test('NaN, negative, fractional and non-number picture indices are refused', async () => {
    for (const bad of [[Number.NaN], [-1], [1.5], ['3'], [2 ** 31], 5, 'all']) {
      await expectInvalid(() => parseFile(STREAM, { pictures: bad as never }), /options\.pictures must be/);
    }
    // the same list is fine as a Set or an array
    const set = await parseFile(STREAM, { pictures: new Set([1]) });
    const arr = await parseFile(STREAM, { pictures: [1] });
    expect(set.map((p) => Boolean(p.motion?.length))).toEqual(arr.map((p) => Boolean(p.motion?.length)));
  });

  test('options of the wrong type are refused, naming the option', async () => {
    await expectInvalid(() => parseFile(STREAM, { motion: 'yes' as never }), /options\.motion must be true or false, got "yes"/);
    await expectInvalid(() => parseFile(STREAM, { chunkSize: Number.NaN }), /options\.chunkSize must be a number >= 1, got NaN/);
    await expectInvalid(() => parseFile(STREAM, { container: 'mkv' as never }), /options\.container must be one of "auto", "annexb", "mp4"/);
    await expectInvalid(() => parseFile(STREAM, { codec: 'vp9' as never }), /options\.codec must be one of "auto", "hevc", "h264"/);
    await expectInvalid(() => parseFile(STREAM, { onContainer: 3 as never }), /options\.onContainer must be a function/);
  });

  test('the codec option is a known option: naming the standard parses the stream as it', async () => {
    const pics = await parseFile(STREAM, { codec: 'hevc', headersOnly: true });
    expect(pics.length).toBeGreaterThan(0);
    expect(new Set(pics.map((p) => p.codec))).toEqual(new Set(['hevc']));
  });

  test('parseFile refuses recycle: true (it would return released arrays)', async () => {
    await expectInvalid(() => parseFile(STREAM, { recycle: true }), /parseFile: options\.recycle must be false/);
    expect((await parseFile(STREAM, { recycle: false })).length).toBeGreaterThan(0);
  });

  test('argument checks come before any file access: a bad option on a missing file is ERR_INVALID_OPTION', async () => {
    await expectInvalid(() => parseFile(path.join(dir, 'missing.hevc'), { cu: 1 as never }), /options\.cu/);
    await expect(parseFile(path.join(dir, 'missing.hevc'))).rejects.toMatchObject({ code: 'ERR_IO' });
  });
});

describe('the other public functions', () => {
  test('tokenize: unknown option names (and the test seam pictureSource) are refused', async () => {
    await expectInvalid(() => tokenize(STREAM, { budgett: 5 } as never), /tokenize: unknown option budgett/);
    await expectInvalid(() => tokenize(STREAM, { pictureSource: async function* () {} } as never), /unknown option pictureSource/);
    await expectInvalid(() => tokenize(42 as never), /tokenize: input must be a file path/);
    await expectInvalid(() => tokenize(STREAM, { keepFirst: 'no' as never }), /options\.keepFirst must be true or false/);
    await expectInvalid(() => tokenize(STREAM, { frames: Number.NaN }), /options\.frames must be an integer >= 1/);
    await expectInvalid(() => tokenize(STREAM, { ffmpeg: 'gpu' as never }), /options\.ffmpeg must be one of/);
  });

  test('countPictures, pictureHeaders, renderViz, writers and dumpCorpus check their arguments', async () => {
    await expectInvalid(() => countPictures(7 as never), /countPictures: input must be/);
    await expectInvalid(() => pictureHeaders(STREAM, { headersOnly: false } as never), /pictureHeaders: unknown option headersOnly/);
    await expectInvalid(() => renderViz(STREAM, path.join(dir, 'v.png'), {}, { tiles: 3 } as never), /renderViz: unknown option tiles/);
    await expectInvalid(() => renderViz(STREAM, '' as never), /renderViz: output must be a file path/);
    await expectInvalid(() => writeNpyOutput(dir, { patches: 1 } as never), /writeNpyOutput: the tokenization must be the result of tokenize/);
    await expectInvalid(() => writeCanvases(dir, null as never), /writeCanvases: the tokenization must be/);
    await expectInvalid(() => readNpy(undefined as never), /readNpy: path must be a file path/);
    await expectInvalid(() => dumpCorpus(STREAM, dir, { residuals: false } as never), /dumpCorpus: unknown option residuals/);
  });
});

describe('the codec option of countPictures, pictureHeaders and dumpCorpus', () => {
  const H264 = path.join(ROOT, 'test', 'fixtures', 'h264-corpus', 'main_cabac_b.h264');
  const frames = (JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'h264-corpus', 'manifest.json'), 'utf8')) as Record<string, { frames: number }>).main_cabac_b!.frames;

  test('is checked like parsePictures: one of auto, hevc, h264', async () => {
    await expectInvalid(() => countPictures(H264, { codec: 'avc' as never }), /countPictures: options\.codec must be one of "auto", "hevc", "h264"/);
    await expectInvalid(() => pictureHeaders(H264, { codec: 264 as never }), /pictureHeaders: options\.codec must be one of/);
    await expectInvalid(() => dumpCorpus(H264, dir, { codec: 'H.264' as never }), /dumpCorpus: options\.codec must be one of/);
  });

  test('naming the standard reads bytes that carry no file name as it (H.264 and HEVC)', async () => {
    const bytes = new Uint8Array(readFileSync(H264));
    const headers = await pictureHeaders(bytes, { codec: 'h264' });
    expect(headers.length).toBe(frames);
    expect(new Set(headers.map((h) => h.codec))).toEqual(new Set(['h264']));
    expect(headers.map((h) => h.outIndex)).toEqual([...Array(frames).keys()]);
    expect(await countPictures(bytes, { codec: 'h264' })).toBe(frames);
    expect(await countPictures(H264, { codec: 'auto' })).toBe(frames);
    const hevc = await pictureHeaders(new Uint8Array(readFileSync(STREAM)), { codec: 'hevc' });
    expect(hevc.length).toBeGreaterThan(0);
    expect(new Set(hevc.map((h) => h.codec))).toEqual(new Set(['hevc']));
    const out = mkdtempSync(path.join(dir, 'dump-'));
    const r = await dumpCorpus(bytes, out, { codec: 'h264', name: 'b', residual: false });
    expect(r.frames).toBe(frames);
    const motion = await readNpy(path.join(out, 'b.motion.npy'));
    expect(motion.shape).toEqual([frames, 144 / 4, 176 / 4, 8]);
  });

  test('naming the wrong standard fails with a typed error, not a crash', async () => {
    // an H.264 NAL header read as HEVC's: its second byte has nuh_temporal_id_plus1 0
    const e = await thrown(() => countPictures(H264, { codec: 'hevc' }));
    expect(e).toBeInstanceOf(CodectokError);
    expect(e).toMatchObject({ code: 'ERR_INVALID_SYNTAX', message: expect.stringMatching(/nuh_temporal_id_plus1/) });
  });
});

describe('error codes', () => {
  test('error.code is one of the documented codes, for argument errors as for bad data', async () => {
    const e = await thrown(() => parseFile(STREAM, { pictures: [-3] }));
    expect((e as CodectokError).code).toBe('ERR_INVALID_OPTION');
    const cut = path.join(dir, 'cut.hevc');
    writeFileSync(cut, readFileSync(corpusStream('pan_known')).subarray(0, 50000));
    await expect(parseFile(cut)).rejects.toMatchObject({ code: 'ERR_TRUNCATED', file: cut });
  });
});

describe.skipIf(!ffmpegPath())('MP4 input to countPictures / pictureHeaders (needs the bundled ffmpeg)', () => {
  test('they read MP4/MOV like parsePictures, with the same answer as the raw stream', async () => {
    for (const [name, ext] of [['seed_gop16_224', 'mp4'], ['tiny_ipb', 'mov']] as const) {
      const file = path.join(dir, `${name}.${ext}`);
      ffmpeg(['-i', corpusStream(name), '-c', 'copy', '-tag:v', 'hvc1', file]);
      const raw = await pictureHeaders(corpusStream(name));
      expect(raw.length).toBeGreaterThan(0);
      // the same pictures; the slices' byte extents are those of the stream demuxed from the MP4 (one per slice all the same)
      const withoutBytes = (h: PictureHeader[]) => h.map(({ sliceBytes, ...rest }) => ({ ...rest, slices: sliceBytes.length }));
      expect(withoutBytes(await pictureHeaders(file))).toEqual(withoutBytes(raw));
      expect(await countPictures(file)).toBe(raw.length);
      expect(await countPictures(new Uint8Array(readFileSync(file)))).toBe(raw.length);
    }
  });

  test('mp4ToAnnexB checks its source', async () => {
    await expectInvalid(() => mp4ToAnnexB(12 as never), /mp4ToAnnexB: source must be/);
  });
});

// Worker threads run the compiled package (dist/): the errors they send back keep their fields.
const POOL = path.join(ROOT, 'dist', 'tokenize', 'pool.js');
const CLI = path.join(ROOT, 'dist', 'cli', 'cli.js');
describe.skipIf(!existsSync(POOL) || !existsSync(CLI))('errors from worker threads (needs dist/: npm run build)', () => {
  test('the tokenize pool rejects with a CodectokError carrying code, byteOffset, picture and file', async () => {
    const cut = path.join(dir, 'pool_cut.hevc');
    writeFileSync(cut, readFileSync(corpusStream('pan_known')).subarray(0, 50000));
    const direct = await thrown(() => tokenize(cut, { size: 64, budget: 20 }));
    const { createTokenizePool } = (await import(pathToFileURL(POOL).href)) as typeof import('../src/tokenize/pool.js');
    const errorsModule = (await import(pathToFileURL(path.join(ROOT, 'dist', 'errors.js')).href)) as typeof import('../src/errors.js');
    const pool = createTokenizePool(2)!;
    expect(pool).not.toBeNull();
    try {
      const viaWorker = await thrown(() => pool.tokenize(cut, { size: 64, budget: 20 }));
      expect(viaWorker).toBeInstanceOf(errorsModule.CodectokError);
      const d = direct as CodectokError;
      const w = viaWorker as CodectokError;
      expect(d.code).toBe('ERR_TRUNCATED');
      expect({ code: w.code, byteOffset: w.byteOffset, picture: w.picture, file: w.file, message: w.message }).toEqual({
        code: d.code,
        byteOffset: d.byteOffset,
        picture: d.picture,
        file: cut,
        message: d.message,
      });
      expect(w.byteOffset).toBeGreaterThanOrEqual(0);
    } finally {
      await pool.close();
    }
  });

  test('codectok tokenize --jobs 2 reports the same error line as --jobs 1 (code, byte, picture)', () => {
    const cut = path.join(dir, 'cli_cut.hevc');
    writeFileSync(cut, readFileSync(corpusStream('pan_known')).subarray(0, 50000));
    const run = (jobs: string) => {
      const r = spawnSync(process.execPath, [CLI, 'tokenize', cut, STREAM, '-o', path.join(dir, `out${jobs}`), '--size', '64', '--budget', '20', '--json', '--jobs', jobs], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      return (JSON.parse(r.stdout) as { files: { input: string; error?: { code: string; message: string } }[] }).files;
    };
    const one = run('1');
    const two = run('2');
    expect(one[0]!.error).toMatchObject({ code: 'ERR_TRUNCATED' });
    expect(one[0]!.error!.message).toMatch(/byte \d+/);
    expect(two[0]!.error).toEqual(one[0]!.error);
  });
});
