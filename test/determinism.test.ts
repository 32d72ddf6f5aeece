// The same video gives the same tokens on every machine (issue 15), from the user's side: the CLI
// (dist/cli/cli.js: run `npm run build` first) on clips made with FFmpeg's synthetic sources.
// - tokenize: 1 or 16 libx265 threads, --jobs 1 or 2, two working directories, another ffmpeg on
//   the PATH: byte-identical positions.npy / patches.npy, and the stream hash of the documented
//   recipe encoded independently;
// - shard: a split run whose parts transcoded with different FFmpeg builds is refused at merge, and
//   accepted with --force-mixed-encoders.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iterateDataset } from '../src/shard/dataset.js';
import { ffmpegPath as bundledFfmpeg } from './helpers/ffmpeg.js';
import { ROOT, tempDir } from './helpers/tokenize_helpers.js';

const cli = join(ROOT, 'dist', 'cli', 'cli.js');
const BUNDLED = bundledFfmpeg();
/** README, "Reproducible tokens": the default recipe and what codectok pins. */
const RECIPE = 'keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1';
const PINNED = 'frame-threads=1:info=0';

/** Runs a command without blocking the test worker (runs take minutes). */
function exec(bin: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr }));
  });
}

const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) => exec(process.execPath, [cli, ...args], { cwd, env });

async function ffmpeg(args: string[]): Promise<Buffer> {
  const r = await exec(BUNDLED!, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The bundled FFmpeg's libx265 encode of `input` to Annex-B on stdout, hashed. */
async function encodeHash(input: string, x265Params: string): Promise<string> {
  return sha256(await ffmpeg(['-i', input, '-map', '0:v:0', '-an', '-vsync', '0', '-c:v', 'libx265', '-preset', 'fast', '-crf', '23', '-x265-params', `${x265Params}:log-level=error`, '-sws_flags', 'bicubic+accurate_rnd+bitexact', '-pix_fmt', 'yuv420p', '-f', 'hevc', 'pipe:1']));
}

/** An executable that says it is another FFmpeg build and runs the bundled one for everything else. */
function otherFfmpeg(dir: string, version: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, 'ffmpeg');
  writeFileSync(p, `#!/bin/sh\nfor a in "$@"; do [ "$a" = "-version" ] && { echo "${version}"; exit 0; }; done\nexec "${BUNDLED}" "$@"\n`, { mode: 0o755 });
  return p;
}

const bundledVersion = async () => (await ffmpeg(['-version'])).toString().split('\n')[0]!.trim();
const noBundled = BUNDLED ? false : 'the bundled FFmpeg (@ffmpeg-installer/ffmpeg) is not installed';

describe('reproducible tokens', () => {
  it.skipIf(noBundled)('one H.264 clip: the same stream and byte-identical tokens with 1 or 16 encoder threads, --jobs 1 or 2, from two working directories', { timeout: 900_000 }, async () => {
    expect(existsSync(cli), 'dist/cli/cli.js (run `npm run build`)').toBe(true);
    const dirA = tempDir();
    // 2 s of 1280x720: tall enough for libx265's automatic frame threads to change its stream
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'mandelbrot=size=1280x720:rate=25', '-filter_complex', '[0][1]blend=all_mode=average', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dirA, 'clip.mp4')]);
    const clip = join(dirA, 'clip.mp4');

    // control: left to itself, libx265 derives frame threads from its pool size, and the stream changes
    expect(await encodeHash(clip, `${RECIPE}:info=0:pools=1`)).not.toBe(await encodeHash(clip, `${RECIPE}:info=0:pools=16`));
    // what codectok must parse: the documented recipe with the pinned settings, encoded here directly
    const expected = await encodeHash(clip, `${RECIPE}:${PINNED}:pools=2`);

    const opts = ['--frames', '8', '--size', '128', '--budget', '120', '--reencode', 'always']; // H.264 is parsed directly by default: transcoding is what is tested
    const a = await run(['tokenize', 'clip.mp4', '-o', 'out', ...opts, '--x265-threads', '1'], dirA);
    expect(a.status, a.stderr).toBe(0);

    // elsewhere: another ffmpeg first on the PATH (used for pixels, never for transcoding by default)
    const dirB = tempDir();
    copyFileSync(clip, join(dirB, 'one.mp4'));
    copyFileSync(clip, join(dirB, 'two.mp4'));
    otherFfmpeg(join(dirB, 'bin'), 'ffmpeg version 0.0-on-the-path (test wrapper)');
    const { FFMPEG_PATH: _unset, ...env } = process.env;
    const b = await run(['tokenize', 'one.mp4', 'two.mp4', '-o', 'out', ...opts, '--x265-threads', '16', '--jobs', '2'], dirB, { ...env, PATH: `${join(dirB, 'bin')}:${env.PATH ?? ''}` });
    expect(b.status, b.stderr).toBe(0);

    const outs = [join(dirA, 'out'), join(dirB, 'out', 'one'), join(dirB, 'out', 'two')];
    const metas = outs.map((o) => JSON.parse(readFileSync(join(o, 'meta.json'), 'utf8')));
    for (const f of ['positions.npy', 'patches.npy']) {
      const first = readFileSync(join(outs[0]!, f));
      for (const o of outs.slice(1)) expect(readFileSync(join(o, f)).equals(first), `${o}/${f}`).toBe(true);
    }
    for (const m of metas) {
      expect(m.hevcSha256).toBe(expected);
      expect(m.encoder).toEqual(metas[0].encoder);
    }
    expect(metas[0].encoder).toMatchObject({ encoder: 'libx265', ffmpeg: await bundledVersion(), params: { preset: 'fast', crf: 23, x265Params: `${RECIPE}:${PINNED}`, pixFmt: 'yuv420p' } });
    expect(metas[0].encoder.x265).toMatch(/^\d+\.\d+/);
    expect(metas[0].ffmpeg.input.transcode.threads).toBe(1);
    expect(metas[1].ffmpeg.input.transcode.threads).toBe(16);
    expect(metas[1].ffmpeg.input.ffmpeg.source).toBe('npm');
    expect(metas[1].ffmpeg.decode.version).toBe('ffmpeg version 0.0-on-the-path (test wrapper)');
  });

  it.skipIf(noBundled)('a split run whose parts transcoded with different FFmpeg builds is refused at merge, accepted when forced', { timeout: 600_000 }, async () => {
    const dir = tempDir();
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'a.mp4')]);
    await ffmpeg(['-f', 'lavfi', '-i', 'mandelbrot=size=320x240:rate=25', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'b.mp4')]);
    writeFileSync(join(dir, 'manifest.jsonl'), '{"video": "a.mp4"}\n{"video": "b.mp4"}\n');
    const other = otherFfmpeg(join(dir, 'other'), 'ffmpeg version 0.0-other-build (test wrapper)');
    const opts = ['--frames', '4', '--size', '64', '--budget', '20', '--samples-per-shard', '1', '--num-shards', '2', '-q', '--reencode', 'always'];
    const out = join(dir, 'ds');
    const p0 = await run(['shard', 'manifest.jsonl', '-o', out, ...opts, '--shard-index', '0'], dir);
    expect(p0.status, p0.stderr).toBe(0);
    const p1 = await run(['shard', 'manifest.jsonl', '-o', out, ...opts, '--shard-index', '1', '--transcoder', other], dir);
    expect(p1.status, p1.stderr).toBe(0);

    const refused = await run(['shard', '--merge', '-o', out], dir);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('transcoded by different encoders');
    expect(refused.stderr).toMatch(/ffmpeg version N-[^\n]*shard_000000\.tar, made by part 0\/2/);
    expect(refused.stderr).toMatch(/ffmpeg version 0\.0-other-build[^\n]*shard_000001\.tar, made by part 1\/2/);
    expect(existsSync(join(out, '.nv-meta', '.info.json'))).toBe(false);

    const forced = await run(['shard', '--merge', '-o', out, '--force-mixed-encoders'], dir);
    expect(forced.status, forced.stderr).toBe(0);
    expect(existsSync(join(out, '.nv-meta', '.info.json'))).toBe(true);
    const enc = JSON.parse(readFileSync(join(out, 'encoders.json'), 'utf8'));
    expect(enc).toMatchObject({ mixed: true, forced: true });
    expect(enc.encoders.map((e: { ffmpeg: string; shards: string[] }) => [e.ffmpeg, e.shards]).sort()).toEqual([
      ['ffmpeg version 0.0-other-build (test wrapper)', ['shards/shard_000001.tar']],
      [await bundledVersion(), ['shards/shard_000000.tar']],
    ]);
    // every sample's JSON says which encoder made its stream, and that stream's hash
    const samples: Record<string, { encoder: { ffmpeg: string; id: string }; hevc_sha256: string }> = {};
    for (const s of iterateDataset(out)) samples[s.key] = JSON.parse(s.parts.get('json')!.toString('utf8'));
    expect(samples.a!.encoder.ffmpeg).toBe(await bundledVersion());
    expect(samples.b!.encoder.ffmpeg).toBe('ffmpeg version 0.0-other-build (test wrapper)');
    // the wrapper runs the same libx265: a different identity, the same stream as the bundled binary makes
    expect(samples.b!.hevc_sha256).toBe(await encodeHash(join(dir, 'b.mp4'), `${RECIPE}:${PINNED}:pools=1`));

    // the same split run with one encoder merges without being forced
    const out2 = join(dir, 'ds2');
    for (const i of ['0', '1']) {
      const r = await run(['shard', 'manifest.jsonl', '-o', out2, ...opts, '--shard-index', i, '--x265-threads', i === '0' ? '1' : '3'], dir);
      expect(r.status, r.stderr).toBe(0);
    }
    const merged = await run(['shard', '--merge', '-o', out2], dir);
    expect(merged.status, merged.stderr).toBe(0);
    const enc2 = JSON.parse(readFileSync(join(out2, 'encoders.json'), 'utf8'));
    expect(enc2).toMatchObject({ mixed: false, forced: false });
    expect(enc2.encoders).toHaveLength(1);
    expect(readdirSync(join(out2, 'shards')).filter((f) => f.endsWith('.tar'))).toHaveLength(2);
  });
});
