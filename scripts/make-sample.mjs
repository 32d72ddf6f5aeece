#!/usr/bin/env node
// Makes a small HEVC sample clip with the static ffmpeg of the
// @ffmpeg-installer/ffmpeg npm package (FFmpeg's synthetic test source, libx265):
//   node scripts/make-sample.mjs [OUT.mp4]      (default: out/sample.mp4)
// 640x360, 25 fps, 4 s, GOP 16 with B-frames, hvc1 in MP4.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const out = path.resolve(process.argv[2] ?? 'out/sample.mp4');
const ffmpeg = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg').path;
mkdirSync(path.dirname(out), { recursive: true });
const args = [
  '-hide_banner', '-loglevel', 'error', '-y',
  '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '4',
  '-c:v', 'libx265', '-preset', 'fast', '-pix_fmt', 'yuv420p',
  '-x265-params', 'keyint=16:bframes=3:log-level=error',
  '-tag:v', 'hvc1', '-movflags', 'faststart',
  out,
];
const r = spawnSync(ffmpeg, args, { stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`make-sample: ffmpeg failed (${r.error?.message ?? `exit ${r.status}`})`);
  process.exit(1);
}
console.log(out);
