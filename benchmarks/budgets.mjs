#!/usr/bin/env node
// npm run bench:budgets [-- --out DIR --seconds 4 --segments 2 --frames 32 --synthetic-only --no-build --report-only]
//
// The token-budget benchmark (codectok bench budgets) on an evaluation set:
//   - always, synthetic clips made here with FFmpeg's lavfi sources, each deciding one question:
//       static       a still picture (nothing changes: the codec policy's static fallback)
//       pan          a pure camera pan over the still (everything moves, nothing changes in the scene)
//       life         fast-changing content (Conway's life, most patches change every frame)
//       testsrc2     FFmpeg's test card (moving shapes, a running counter)
//       scenecut     a scene cut half-way (testsrc2, then the still, with no I-frame at the cut)
//       object       a small object moving over the still background
//       cutgop       a scene cut on a GOP boundary (frame 48 of 100): coded as an I picture, between sampled frames
//       fade         the still fading to black and back
//       panobject    the pan with an object moving against it
//       zoom         a steady zoom into the still
//   - when ../shared/media exists (relative to the repository root), several segments of every
//     video in it and in its sub-folders, scaled to 360 px on the short side. Nothing from there
//     is copied into the repository.
// Every clip is encoded once with OneVision-Encoder's x265 recipe (preset fast, CRF 23, GOP 16,
// no B-frames, one reference) into MP4, so tokenize() reads the HEVC as it is and the container
// gives the frame rate. Output: DIR/results.json, DIR/results.md, DIR/plots/ (default
// out/bench-budgets, ignored by git), clips in DIR/clips; DIR/sets.md and plots/summary_<set>.png
// give the synthetic and the real clips apart.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const flag = (name) => process.argv.includes(`--${name}`);

const out = path.resolve(root, arg('out', 'out/bench-budgets'));
const seconds = Number(arg('seconds', '4'));
const segments = Number(arg('segments', '2'));
const frames = arg('frames', '32');
const budgets = arg('budgets', '256,512,1024,2048,4096');
const policies = arg('policies', 'codec,grouped,adaptive,refresh,rlt,uniform');
// Qwen2-VL style resize with no letterbox padding: a 16:9 clip becomes 336x168 = 12 x 24 patches of
// 14 px (288 per frame), so the budgets run from under one frame to 14 of the 32 sampled frames.
const geometry = ['--resize', 'qwen', '--patch', '14', '--max-pixels', String(336 * 196)];
const W = 640;
const H = 360;
const FPS = 25;

const ffmpeg = process.env.FFMPEG_PATH || require('@ffmpeg-installer/ffmpeg').path;
const X265 = ['-c:v', 'libx265', '-preset', 'fast', '-crf', '23', '-x265-params', 'keyint=16:min-keyint=16:scenecut=0:bframes=0:ref=1:log-level=error', '-pix_fmt', 'yuv420p', '-tag:v', 'hvc1', '-an'];

function ff(args, what) {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ffmpeg failed (${what}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r;
}

// ---------------------------------------------------------------- build
if (!flag('no-build')) {
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('bench:budgets: tsc failed; run `npm run build` and retry (or pass --no-build to use dist/ as it is)');
    process.exit(1);
  }
}
const cli = path.join(root, 'dist', 'cli', 'cli.js');
if (!existsSync(cli)) {
  console.error('bench:budgets: dist/cli/cli.js is missing: run `npm run build`');
  process.exit(1);
}

const reportOnly = flag('report-only'); // rewrite the reports from DIR/results.json, run nothing
const inputs = [];

// ---------------------------------------------------------------- synthetic clips
const clips = path.join(out, 'clips');
if (!reportOnly) {
mkdirSync(clips, { recursive: true });
const still = path.join(clips, 'still_1600x900.png');
if (!existsSync(still)) {
  // a detailed region of the Mandelbrot set: fine texture next to smooth gradients
  ff(['-f', 'lavfi', '-i', 'mandelbrot=s=1600x900:start_x=-0.743643887037151:start_y=0.131825904205330:start_scale=0.0005:maxiter=1024', '-frames:v', '1', still], 'still picture');
}
const n = Math.round(seconds * FPS);
const half = Math.round(n / 2);
const synthetic = {
  static: ['-loop', '1', '-framerate', String(FPS), '-i', still, '-vf', `scale=${W}:${H}:flags=bicubic,format=yuv420p`],
  // a 640x360 window sliding 8 px right and 3 px down per frame over the 1600x900 still
  pan: ['-loop', '1', '-framerate', String(FPS), '-i', still, '-vf', `crop=${W}:${H}:x='min(n*8\\,${1600 - W})':y='min(n*3\\,${900 - H})',format=yuv420p`],
  life: ['-f', 'lavfi', '-i', `life=s=${W / 4}x${H / 4}:mold=10:r=${FPS}:ratio=0.5:seed=7:death_color=#202050:life_color=#f0e060,scale=${W}:${H}:flags=neighbor,format=yuv420p`],
  testsrc2: ['-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=${FPS}`, '-vf', 'format=yuv420p'],
  scenecut: ['-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=${FPS}`, '-loop', '1', '-framerate', String(FPS), '-i', still, '-filter_complex', `[0:v]trim=end_frame=${half},setpts=PTS-STARTPTS,format=yuv420p[a];[1:v]scale=${W}:${H}:flags=bicubic,trim=end_frame=${n - half},setpts=PTS-STARTPTS,format=yuv420p[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p[v]`, '-map', '[v]'],
  object: ['-loop', '1', '-framerate', String(FPS), '-i', still, '-f', 'lavfi', '-i', `color=c=0xd02020:s=40x40:r=${FPS}`, '-filter_complex', `[0:v]scale=${W}:${H}:flags=bicubic[bg];[bg][1:v]overlay=x='20+n*${Math.floor((W - 80) / n)}':y='${H / 2 - 20}+80*sin(n/8)':shortest=0,format=yuv420p[v]`, '-map', '[v]'],
  // the still, then testsrc2 from frame 48: a multiple of the GOP (16), so the cut is an I picture
  cutgop: ['-loop', '1', '-framerate', String(FPS), '-i', still, '-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=${FPS}`, '-filter_complex', `[0:v]scale=${W}:${H}:flags=bicubic,trim=end_frame=48,setpts=PTS-STARTPTS,format=yuv420p[a];[1:v]trim=end_frame=${n - 48},setpts=PTS-STARTPTS,format=yuv420p[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p[v]`, '-map', '[v]'],
  fade: ['-loop', '1', '-framerate', String(FPS), '-i', still, '-vf', `scale=${W}:${H}:flags=bicubic,fade=t=out:st=${(seconds / 4).toFixed(2)}:d=${(seconds / 4).toFixed(2)},fade=t=in:st=${(seconds / 2).toFixed(2)}:d=${(seconds / 4).toFixed(2)},format=yuv420p`],
  // the pan of \`pan\`, and a 48x48 square crossing the picture right to left against it
  panobject: ['-loop', '1', '-framerate', String(FPS), '-i', still, '-f', 'lavfi', '-i', `color=c=0x20d040:s=48x48:r=${FPS}`, '-filter_complex', `[0:v]crop=${W}:${H}:x='min(n*8\\,${1600 - W})':y='min(n*3\\,${900 - H})'[bg];[bg][1:v]overlay=x='${W - 60}-n*${Math.floor((W - 80) / n)}':y='${H / 2 - 24}':shortest=0,format=yuv420p[v]`, '-map', '[v]'],
  // zooming into the middle of the still, 0.5 % per frame
  zoom: ['-loop', '1', '-framerate', String(FPS), '-i', still, '-vf', `scale=${W * 2}:${H * 2}:flags=bicubic,zoompan=z='1+0.005*on':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=${W}x${H}:fps=${FPS},format=yuv420p`],
};
for (const [name, src] of Object.entries(synthetic)) {
  const file = path.join(clips, `syn_${name}_${seconds}s.mp4`);
  if (!existsSync(file)) {
    process.stderr.write(`making ${path.basename(file)}\n`);
    ff([...src, '-frames:v', String(n), '-r', String(FPS), ...X265, file], name);
  }
  inputs.push(file);
}

// ---------------------------------------------------------------- real clips
const media = path.resolve(root, '..', 'shared', 'media');
const VIDEO = /\.(mp4|mkv|mov|webm|265|hevc|h265|264|h264|avi)$/i;
function listVideos(dir, depth = 0) {
  const found = [];
  for (const e of readdirSync(dir).sort()) {
    const p = path.join(dir, e);
    const s = statSync(p);
    if (s.isDirectory() && depth < 1) found.push(...listVideos(p, depth + 1));
    else if (s.isFile() && VIDEO.test(e)) found.push(p);
  }
  return found;
}
function durationOf(file) {
  const probe = spawnSync(ffmpeg, ['-hide_banner', '-nostdin', '-i', file], { encoding: 'utf8' }).stderr;
  const fps = Number(/(\d+(?:\.\d+)?) fps/.exec(probe)?.[1] ?? 25);
  const dur = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(probe);
  if (dur) return Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]);
  // a raw stream has no duration: count its frames by remuxing them to nothing
  const r = spawnSync(ffmpeg, ['-hide_banner', '-nostdin', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const frames = Number([...r.stderr.matchAll(/frame=\s*(\d+)/g)].pop()?.[1] ?? 0);
  return frames / fps;
}
if (!flag('synthetic-only') && existsSync(media)) {
  for (const file of listVideos(media)) {
    const stem = path.basename(file).replace(/\.[^.]+$/, '');
    const duration = durationOf(file);
    if (!(duration >= seconds)) {
      console.error(`bench:budgets: skipping ${file}: shorter than ${seconds} s or unreadable`);
      continue;
    }
    const k = Math.max(1, Math.min(segments, Math.floor(duration / seconds)));
    for (let i = 0; i < k; i++) {
      const start = Math.max(0, Math.min(duration - seconds, ((i + 0.5) * duration) / k - seconds / 2));
      const outFile = path.join(clips, `${stem}_at${start.toFixed(1)}s_${seconds}s.mp4`);
      if (!existsSync(outFile)) {
        process.stderr.write(`cutting ${path.basename(outFile)}\n`);
        // 360 px on the short side, the source frame rate kept; seeking after the input (decoding up
        // to the start) works for raw streams too, which have no timestamps to seek on
        ff(['-i', file, '-ss', start.toFixed(3), '-t', String(seconds), '-map', '0:v:0', '-vf', "scale='if(gt(iw,ih),-2,360)':'if(gt(iw,ih),360,-2)':flags=bicubic,format=yuv420p", ...X265, outFile], outFile);
      }
      inputs.push(outFile);
    }
  }
} else if (!flag('synthetic-only')) {
  console.log(`bench:budgets: ${media} not found: real clips skipped, synthetic clips only`);
}
}

// ---------------------------------------------------------------- run
const args = [cli, 'bench', 'budgets', ...inputs, '--budgets', budgets, '--policies', policies, '--frames', frames, ...geometry, '-o', out];
if (!reportOnly) console.log(`bench:budgets: ${inputs.length} clips, budgets ${budgets}, policies ${policies}, ${frames} frames, ${geometry.join(' ')}`);
const t0 = Date.now();
const r = reportOnly ? { status: 0 } : spawnSync(process.execPath, args, { stdio: 'inherit' });
const secs = ((Date.now() - t0) / 1000).toFixed(0);
const rel = path.relative(root, out) || out;

// ---------------------------------------------------------------- synthetic and real clips apart
const resultsFile = path.join(out, 'results.json');
if (existsSync(resultsFile)) {
  const { aggregateTable, comparisonSummary, comparisonTable, chartSpec, writeReport } = await import(pathToFileURL(path.join(root, 'dist', 'bench', 'report.js')).href);
  const { panelPng } = await import(pathToFileURL(path.join(root, 'dist', 'bench', 'plot_png.js')).href);
  const res = JSON.parse(readFileSync(resultsFile, 'utf8'));
  if (reportOnly) await writeReport(out, res);
  const sets = [
    ['synthetic', res.videos.filter((v) => v.ok && v.name.startsWith('syn_'))],
    ['real', res.videos.filter((v) => v.ok && !v.name.startsWith('syn_'))],
  ].filter(([, vs]) => vs.length);
  const md = [`# Token budgets by clip set (${res.createdAt.slice(0, 10)})`, ''];
  for (const [name, vs] of sets) {
    md.push(`## ${name} clips: mean over ${vs.length}`, '', aggregateTable(res, vs), '');
    for (const p of ['codec', 'refresh', 'rlt']) {
      if (!policies.includes(p) || !policies.includes('uniform')) continue;
      md.push(`### ${p} against uniform`, '', comparisonSummary(res, p, vs.map((v) => v.name)), '');
      md.push(comparisonTable({ ...res, videos: vs }, p), '');
    }
    const four = ['psnr', 'ssim', 'recall', 'frames'].map((m) => chartSpec(res, m, vs));
    writeFileSync(path.join(out, 'plots', `summary_${name}.png`), panelPng(four, 2, `${name} clips: mean of ${vs.length}, ${vs[0].grid.T} sampled frames, ${vs[0].grid.H * vs[0].grid.W} patches per frame`));
  }
  writeFileSync(path.join(out, 'sets.md'), `${md.join('\n')}\n`);
}
console.log(`bench:budgets: ${secs} s; results in ${rel}/results.md and ${rel}/sets.md, plots in ${rel}/plots/`);
process.exit(r.status ?? 1);
