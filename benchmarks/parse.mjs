#!/usr/bin/env node
// npm run bench:parse — parser speed against FFmpeg's full decode, same run.
//
// For each 1080p stream in ../shared/bench/*.hevc (or, when that folder is
// absent, a 1080p stream encoded here from a synthetic source), each H.264
// stream of ../shared/bench (*.h264, *.264) else a 1080p H.264 stream encoded
// here with libx264 (testsrc2, 10 s, default settings: CABAC, B-frames), and
// ../shared/media/bbb_720p_h264.mp4 when present, it times:
//   - FFmpeg single-threaded full decode: ffmpeg -threads 1 -i X -f null -
//   - codectok, one decoder (single-threaded), three workloads:
//       motion only; motion + coefficient statistics; motion + residual planes
// and prints frames per second and the ratio to FFmpeg; then the end-to-end
// cost of tokenizing the stream (default options: codec policy, 64 frames,
// 576 letterbox, |residual| and motion scores, pixels decoded by FFmpeg)
// against only decoding it with FFmpeg, wall time and CPU time (this process and its
// children, FFmpeg included, from /proc/self/stat); then `codectok inspect X --json`
// as a whole process (node included) against FFmpeg's decode as a whole process.
// Each measurement is the best of --runs (default 3) to damp the noise of a
// shared machine; the load average is printed before and after each table (the
// wall-time ratios mean little on a loaded machine). --h264-only keeps the
// H.264 streams only; --quick: one run each, the HEVC streams only, no residual
// planes workload (a few minutes on 2 cores).
//
// The targets (issue 9), printed with the rows they read: tokenize wall
// <= 1.3x and CPU <= 1.8x FFmpeg's decode; parser motion only >= 4x and motion +
// coefficient statistics >= 3x FFmpeg's speed; one file on 2 threads >= 1.7x
// single-threaded (parsePictures' `threads`: the motion-only workload on 2
// threads against 1, timed in turn in the same loop, best of --runs each; the
// stream is cut into segments, printed with the bound its random-access points
// set: pictures / the most pictures one of 2 threads decodes when segments go, in
// order, to the first free thread);
// inspect --json >= 2x faster than FFmpeg's
// decode. tokenize is timed on 1 thread and on the CLI's default for one video
// (the cores but one, up to 4); inspect runs with the CLI's default (the cores, up to 4).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { defaultParseThreads, defaultTokenizeParseThreads } from '../dist/cli/arguments.js';
import { loadNative } from '../dist/input/native.js';
import { parsePictures } from '../dist/input/parser.js';
import { locateFfmpeg } from '../dist/input/ffmpeg/locate.js';
import { tokenize } from '../dist/tokenize/tokenize.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const QUICK = process.argv.includes('--quick');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : QUICK ? 1 : 3;
// --h264-only: only the H.264 rows.
const H264_ONLY = process.argv.includes('--h264-only');
const CLI = path.join(root, 'dist', 'cli', 'cli.js');

function load() {
  return `load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min) on ${availableCores()} cores`;
}

function availableCores() {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? '?';
  } catch {
    return '?';
  }
}

// Wall seconds of a whole process (its output discarded).
async function timeProcess(cmd, args) {
  const t0 = process.hrtime.bigint();
  await run(cmd, args);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-500)}`))));
  });
}

// CPU seconds of this process plus its waited-for children (FFmpeg), from /proc (Linux).
function cpuSeconds() {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(f[13]) + Number(f[14])) / 100; // cutime + cstime, clock ticks (USER_HZ = 100)
  } catch {
    children = NaN;
  }
  return (own.user + own.system) / 1e6 + children;
}

async function timeFfmpeg(ff, file) {
  const t0 = process.hrtime.bigint();
  const c0 = cpuSeconds();
  const log = await run(ff.path, ['-hide_banner', '-threads', '1', '-i', file, '-f', 'null', '-']);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = [...log.matchAll(/frame=\s*(\d+)/g)].pop();
  return { seconds: s, frames: m ? Number(m[1]) : NaN, cpu: cpuSeconds() - c0 };
}

async function timeParser(file, options) {
  const t0 = process.hrtime.bigint();
  let frames = 0;
  for await (const pic of parsePictures(file, { ...options, recycle: true })) {
    frames += pic ? 1 : 0;
  }
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, frames };
}

// Pictures per segment of a file (the cut points of the native SegmentPlanner) and the speed-up
// bound on `threads` threads: segments handed, in stream order, to the first free thread, each
// picture costing the same.
function segmentBound(file, codec, threads) {
  const planner = new (loadNative().SegmentPlanner)({ codec });
  const data = readFileSync(file);
  const cuts = [...planner.push(data).cuts, ...planner.finish().cuts].map((c) => c.start.decodeIndex);
  return { cuts, bound: (frames) => {
    const sizes = [...cuts, frames].map((c, i) => c - (i ? cuts[i - 1] : 0));
    const busy = new Array(threads).fill(0);
    for (const n of sizes) busy[busy.indexOf(Math.min(...busy))] += n;
    return frames / Math.max(...busy);
  } };
}

async function best(fn) {
  let b = null;
  for (let i = 0; i < RUNS; i++) {
    const r = await fn();
    if (!b || r.seconds < b.seconds) b = r;
  }
  return b;
}

const WORKLOADS = [
  ['motion only', { motion: true, cu: false, bits: false }, '>= 4x'],
  ['motion + coefficient statistics', { motion: true, cu: true, bits: true, tuStats: true }, '>= 3x'],
  ['motion + residual planes', { motion: true, cu: true, bits: true, residual: true }, ''],
].filter(([label]) => !QUICK || label !== 'motion + residual planes');

async function main() {
  const ff = await locateFfmpeg();
  const benchDir = path.resolve(root, '..', 'shared', 'bench');
  let streams = [];
  let tmp = null;
  if (existsSync(benchDir)) {
    streams = readdirSync(benchDir).filter((f) => f.endsWith('.hevc')).sort().map((f) => path.join(benchDir, f));
  }
  if (streams.length === 0) {
    console.log(`${benchDir} not found: encoding a 1080p synthetic stream (testsrc2, 10 s, libx265 -preset fast -crf 23)`);
    tmp = mkdtempSync(path.join(tmpdir(), 'codectok-bench-'));
    const out = path.join(tmp, 'synthetic_1080p.hevc');
    await run(ff.path, ['-hide_banner', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-t', '10',
      '-c:v', 'libx265', '-preset', 'fast', '-crf', '23', '-x265-params', 'log-level=error', '-f', 'hevc', out]);
    streams = [out];
  }
  // H.264: the bench folder's streams, else one made here; the 720p MP4 of the tokenize target.
  let h264 = existsSync(benchDir)
    ? readdirSync(benchDir).filter((f) => /\.(h264|264)$/.test(f)).sort().map((f) => path.join(benchDir, f))
    : [];
  if (h264.length === 0) {
    console.log('no H.264 bench stream: encoding a 1080p synthetic one (testsrc2, 10 s, libx264 -preset medium -crf 23)');
    tmp ??= mkdtempSync(path.join(tmpdir(), 'codectok-bench-'));
    const out = path.join(tmp, 'synthetic_1080p.h264');
    await run(ff.path, ['-hide_banner', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-t', '10',
      '-c:v', 'libx264', '-preset', 'medium', '-crf', '23', '-f', 'h264', out]);
    h264 = [out];
  }
  const media = path.resolve(root, '..', 'shared', 'media', 'bbb_720p_h264.mp4');
  if (existsSync(media)) h264.push(media);
  streams = H264_ONLY ? h264 : QUICK ? streams : [...streams, ...h264];
  console.log(`FFmpeg: ${ff.path} (${ff.source}); best of ${RUNS} runs each; node ${process.version}`);
  console.log(`start: ${load()}\n`);
  const rows = [];
  for (const file of streams) {
    const name = path.basename(file);
    const base = await best(() => timeFfmpeg(ff, file));
    const baseFps = base.frames / base.seconds;
    rows.push([name, 'FFmpeg full decode (-threads 1)', base.frames, base.seconds, baseFps, 1, base.cpu, '']);
    for (const [label, options, target] of WORKLOADS) {
      const r = await best(() => timeParser(file, options));
      const fps = r.frames / r.seconds;
      rows.push([name, `codectok: ${label}`, r.frames, r.seconds, fps, fps / baseFps, undefined, target]);
    }
  }
  // One file on 2 threads: the motion-only workload on 1 and on 2 threads, in turn.
  const threaded = [];
  for (const file of streams) {
    if (file.endsWith('.mp4')) continue;  // an MP4's track: the same parser as its Annex-B stream
    const name = path.basename(file);
    let one = null;
    let two = null;
    for (let i = 0; i < RUNS; i++) {
      const a = await timeParser(file, { ...WORKLOADS[0][1], threads: 1 });
      const b = await timeParser(file, { ...WORKLOADS[0][1], threads: 2 });
      if (!one || a.seconds < one.seconds) one = a;
      if (!two || b.seconds < two.seconds) two = b;
    }
    const { cuts, bound } = segmentBound(file, /\.(h264|264)$/.test(file) ? 'h264' : 'hevc', 2);
    threaded.push([name, `${cuts.length + 1} segments`, one.seconds, two.seconds, one.seconds / two.seconds, `${bound(two.frames).toFixed(2)}x`]);
  }
  const e2e = [];
  const cliThreads = defaultTokenizeParseThreads();
  for (const file of streams) {
    const base = rows.find((r) => r[0] === path.basename(file));
    for (const threads of [...new Set([1, cliThreads])]) {
      const t = await best(async () => {
        const t0 = process.hrtime.bigint();
        const c0 = cpuSeconds();
        const r = await tokenize(file, { threads });
        return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, tokens: r.positions.shape[0], cpu: cpuSeconds() - c0 };
      });
      e2e.push([path.basename(file), threads, t.tokens, base[3], t.seconds, t.seconds / base[3], base[6], t.cpu, t.cpu / base[6]]);
    }
  }
  const afterParse = load();
  // inspect --json, a whole process (node startup and module loading included) against FFmpeg's
  // decode as a whole process, each the best of RUNS, measured one after the other per stream.
  const inspectRows = [];
  if (existsSync(CLI)) {
    for (const file of streams) {
      const dec = await best(() => timeProcess(ff.path, ['-hide_banner', '-threads', '1', '-i', file, '-f', 'null', '-']));
      const ins = await best(() => timeProcess(process.execPath, [CLI, 'inspect', file, '--json']));
      inspectRows.push([path.basename(file), dec.seconds, ins.seconds, dec.seconds / ins.seconds]);
    }
  }
  console.log('| stream | workload | frames | seconds | frames/s | vs FFmpeg | target |');
  console.log('|---|---|---:|---:|---:|---:|---|');
  for (const [name, label, frames, s, fps, ratio, , target] of rows)
    console.log(`| ${name} | ${label} | ${frames} | ${s.toFixed(2)} | ${fps.toFixed(0)} | ${ratio.toFixed(2)}x | ${target} |`);
  console.log('\n| stream | split | motion only, 1 thread (s) | 2 threads (s) | speed-up (target >= 1.7x) | bound of its random-access points (segments) |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const [name, split, one, two, ratio, bound] of threaded)
    console.log(`| ${name} | ${split} | ${one.toFixed(2)} | ${two.toFixed(2)} | ${ratio.toFixed(2)}x | ${bound} |`);
  console.log(`\n${afterParse} (after the parser and tokenize rows)`);
  console.log('\n| stream | parse threads | tokens | FFmpeg decode only (s) | codectok tokenize, end to end (s) | wall vs decoding (target <= 1.3x) | FFmpeg CPU (s) | tokenize CPU (s) | CPU vs decoding (target <= 1.8x) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, threads, tokens, dec, tok, ratio, decCpu, tokCpu, cpuRatio] of e2e)
    console.log(`| ${name} | ${threads} | ${tokens} | ${dec.toFixed(2)} | ${tok.toFixed(2)} | ${ratio.toFixed(2)}x | ${decCpu.toFixed(2)} | ${tokCpu.toFixed(2)} | ${cpuRatio.toFixed(2)}x |`);
  if (inspectRows.length) {
    console.log(`\n| stream | FFmpeg decode, whole process (s) | codectok inspect --json (--threads ${defaultParseThreads()}), whole process (s) | inspect faster than decoding (target >= 2x) |`);
    console.log('|---|---:|---:|---:|');
    for (const [name, dec, ins, ratio] of inspectRows) console.log(`| ${name} | ${dec.toFixed(2)} | ${ins.toFixed(2)} | ${ratio.toFixed(2)}x |`);
  } else {
    console.log(`\ninspect --json: not measured (${CLI} missing: npm run build)`);
  }
  console.log(`\nend: ${load()}`);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
