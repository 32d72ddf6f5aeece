// Stopping work in progress: the native decoder's cancel() (a call already running on the
// thread pool stops at its next NAL unit), parsePictures' `signal`, and tokenize's `timeout`,
// which at the deadline kills the FFmpeg child it started and cancels the native decode, so a
// pathological file leaves nothing running behind its ERR_TIMEOUT.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { CodectokError } from '../src/errors.js';
import { loadNative, type NativePicture } from '../src/input/native.js';
import { parsePictures } from '../src/input/parser.js';
import { tokenize } from '../src/tokenize/tokenize.js';
import { corpusStream } from './helpers/corpus.js';
import { ffmpeg, ffmpegPath } from './helpers/ffmpeg.js';
import { tmpDir } from './shard_helpers.js';

/** seed_gop16_224 (32 pictures) `copies` times over: a valid stream that takes a while to decode. */
function longStream(copies: number): Uint8Array {
  const one = readFileSync(corpusStream('seed_gop16_224'));
  const out = new Uint8Array(one.length * copies);
  for (let i = 0; i < copies; i++) out.set(one, i * one.length);
  return out;
}

async function outcome<T>(p: Promise<T>): Promise<{ value?: T; error?: { code?: string; message: string } }> {
  return p.then(
    (value) => ({ value }),
    (error: { code?: string; message: string }) => ({ error }),
  );
}

describe('NativeDecoder.cancel()', () => {
  it('stops a call already running (one push of 640 pictures) with ERR_CANCELLED; later calls too', async () => {
    const { NativeDecoder } = loadNative();
    const stream = longStream(20);
    // Without cancel the same call decodes every picture.
    const whole = new NativeDecoder({ motion: true, cu: true, bits: true });
    const all: NativePicture[] = [...(await whole.push(stream)), ...(await whole.finish())];
    expect(all.length).toBe(20 * 32);

    const d = new NativeDecoder({ motion: true, cu: true, bits: true });
    const running = outcome(d.push(stream));
    d.cancel();
    const r = await running;
    expect(r.error?.code, r.error?.message).toBe('ERR_CANCELLED');
    expect((await outcome(d.finish())).error?.code).toMatch(/ERR_CANCELLED|ERR_INVALID_STATE/);
    // A decoder cancelled before its first call decodes nothing.
    const early = new NativeDecoder({});
    early.cancel();
    expect((await outcome(early.push(readFileSync(corpusStream('tiny_i'))))).error?.code).toBe('ERR_CANCELLED');
  });
});

describe('parsePictures({ signal })', () => {
  it('aborted mid-stream: the iteration throws ERR_CANCELLED, or the reason when it is a CodectokError', async () => {
    const stream = longStream(4);
    for (const reason of [undefined, new CodectokError('ERR_TIMEOUT', 'took longer than the timeout of 1 s')]) {
      const controller = new AbortController();
      let seen = 0;
      const r = await outcome(
        (async () => {
          for await (const _ of parsePictures(stream, { signal: controller.signal })) if (++seen === 3) controller.abort(reason);
        })(),
      );
      expect(r.error?.code, r.error?.message).toBe(reason ? 'ERR_TIMEOUT' : 'ERR_CANCELLED');
      expect(seen).toBeLessThan(4 * 32);
    }
    // Aborted before the call: nothing is read.
    const controller = new AbortController();
    controller.abort();
    const r = await outcome((async () => {
      for await (const _ of parsePictures('/no/such/file.hevc', { signal: controller.signal }));
    })());
    expect(r.error?.code).toBe('ERR_CANCELLED');
    expect(() => parsePictures(stream, { signal: 'stop' as never })).toThrow(/options\.signal must be an AbortSignal/);
  });
});

/** Processes whose command line mentions `text` (Linux /proc). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe.skipIf(!ffmpegPath() || process.platform !== 'linux')('tokenize({ timeout }) stops FFmpeg (needs the bundled ffmpeg, Linux /proc)', () => {
  it('a transcode far longer than the timeout: ERR_TIMEOUT, and no FFmpeg left running', async () => {
    const dir = tmpDir('codectok-cancel-');
    // 20 s of MPEG-4 Part 2: quick to make, and libx265 takes many times the 3 s timeout to transcode it.
    const input = path.join(dir, 'long.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=20', '-c:v', 'mpeg4', '-q:v', '5', input]);
    const workDir = path.join(dir, 'work');
    mkdirSync(workDir);
    const started = Date.now();
    const r = await outcome(tokenize(input, { frames: 4, size: 64, patch: 16, budget: 8, timeout: 3, workDir }));
    expect(r.error?.code, r.error?.message).toBe('ERR_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(15_000);
    // The transcode was running when the deadline came (its output file is in workDir); it is killed.
    expect(existsSync(path.join(workDir, 'input.hevc')), 'the transcode had not started by the deadline').toBe(true);
    let left = processesMentioning(workDir);
    for (let i = 0; i < 20 && left.length; i++) {
      await new Promise((res) => setTimeout(res, 100));
      left = processesMentioning(workDir);
    }
    expect(left).toEqual([]);
  }, 60_000);
});
