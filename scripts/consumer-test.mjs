#!/usr/bin/env node
// `npm run test:consumer` (and the last suite of `npm test`): codectok as a user gets it.
//   1. `npm pack` (prepare: tsc; prepack: the prebuilt linux-x64 addon, scripts/prebuild.mjs)
//   2. a fresh project in a temp folder, with a PATH that holds only node, npm, npx and a few
//      basic tools (symlinks); cmake, make, cc, gcc, g++, c++, clang, clang++, python3 there
//      are shims that log their call and fail: `npm install ./codectok-*.tgz --prefer-offline`
//      must use the prebuilt binary and call none of them
//   3. `npx codectok tokenize` on a synthetic HEVC clip made with the bundled FFmpeg
//   4. the API from an ES module, from CommonJS (require(esm): Node >= 20.19 / 22.12), and
//      its types from TypeScript (`tsc --noEmit` with the project's typescript, plus a file
//      with a deliberate type error that tsc must reject)
//   5. a forced source build (CODECTOK_BUILD_FROM_SOURCE=1) fetches cmake-js (an optional peer,
//      not installed) with npm exec, reaches the cmake shim and fails with its message (so the
//      "nothing compiled" check can fail)
//   6. `du` of the consumer's node_modules (the installed size)
// and that the installed prebuilt binary needs no glibc newer than the baseline of
// scripts/glibc_baseline.mjs and no shared libstdc++ (objdump).
// Prints one line per check ("ok" / "FAIL") and ends with "N passed, N failed, N skipped";
// exit 1 on a failure. Registry dependencies come from the npm cache (--prefer-offline).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GLIBC_BASELINE, glibcRequirements } from './glibc_baseline.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const t0 = Date.now();
const counts = { passed: 0, failed: 0, skipped: 0 };
const check = (name, ok, detail = '') => {
  counts[ok ? 'passed' : 'failed']++;
  console.log(`consumer: ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  return ok;
};
const finish = () => {
  console.log(`consumer: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(counts.failed ? 1 : 0);
};
const tail = (s, n = 1500) => (s ?? '').slice(-n);

if (process.platform !== 'linux' || process.arch !== 'x64') {
  counts.skipped++;
  console.log(`consumer: skipped — the prebuilt binary is built for linux-x64 only here (this is ${process.platform}-${process.arch})`);
  finish();
}

const work = mkdtempSync(path.join(tmpdir(), 'codectok-consumer-'));
const keep = !!process.env.CODECTOK_KEEP_CONSUMER;

// 1. npm pack
const pack = spawnSync('npm', ['pack', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
const tgzName = readdirSync(work).find((f) => /^codectok-.*\.tgz$/.test(f));
const tgz = tgzName && path.join(work, tgzName);
if (!check('npm pack', pack.status === 0 && tgz && existsSync(tgz), pack.status === 0 ? path.basename(tgz ?? '') : tail(pack.stderr))) finish();
const list = spawnSync('tar', ['tzf', tgz], { encoding: 'utf8' }).stdout.split('\n');
check('the tarball carries the prebuilt binary and no build/', list.includes('package/prebuilds/linux-x64/codectok.napi.glibc.node') && !list.some((f) => f.startsWith('package/build/')));

// 2. PATH without compilers
const bin = path.join(work, 'bin');
mkdirSync(bin);
const which = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
const link = (name, target) => symlinkSync(realpathSync(target), path.join(bin, name));
link('node', process.execPath);
for (const name of ['npm', 'npx']) link(name, which(name));
for (const name of ['sh', 'bash', 'env', 'cat', 'ls', 'mkdir', 'rm', 'cp', 'mv', 'ln', 'chmod', 'uname', 'sed', 'grep', 'tar', 'gzip', 'dirname', 'basename', 'readlink', 'file', 'du']) {
  const p = which(name);
  if (p) link(name, p);
}
const compilerLog = path.join(work, 'compiler-calls.log');
for (const name of ['cmake', 'make', 'ninja', 'cc', 'gcc', 'g++', 'c++', 'clang', 'clang++', 'python', 'python3']) {
  const shim = path.join(bin, name);
  writeFileSync(shim, `#!/bin/sh\necho "${name} $*  (in $PWD)" >> '${compilerLog}'\nexit 127\n`);
  chmodSync(shim, 0o755);
}
const env = { ...process.env, PATH: bin, CODECTOK_NATIVE: '', CC: '', CXX: '' };
delete env.CODECTOK_NATIVE;
for (const k of Object.keys(env)) if (k.startsWith('npm_') || k === 'INIT_CWD') delete env[k]; // not the outer npm's settings

const app = path.join(work, 'app');
mkdirSync(app);
writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
const npmIn = (args) => spawnSync('npm', args, { cwd: app, env, encoding: 'utf8', timeout: 240_000 });
const inst = npmIn(['install', tgz, '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts']);
const instOut = `${inst.stdout}\n${inst.stderr}`;
if (!check('npm install ./codectok-*.tgz with no compiler on the PATH', inst.status === 0, inst.status === 0 ? '' : tail(instOut))) finish();
const prebuiltLine = instOut.split('\n').find((l) => l.includes('codectok install:')) ?? '(no line from scripts/install.mjs)';
check('the install script used the prebuilt binary', /using the prebuilt binary prebuilds\/linux-x64\/codectok\.napi\.glibc\.node/.test(instOut), prebuiltLine.trim());
const calls = existsSync(compilerLog) ? readFileSync(compilerLog, 'utf8').trim() : '';
check('no compiler, make or cmake was called', calls === '', calls);
const pkgDir = path.join(app, 'node_modules', 'codectok');
check('nothing was built in the installed package', !existsSync(path.join(pkgDir, 'build')));
{
  const file = path.join(pkgDir, 'prebuilds', 'linux-x64', 'codectok.napi.glibc.node');
  let req = null;
  try {
    req = glibcRequirements(file);
  } catch (e) {
    check(`the prebuilt binary's glibc versions (objdump)`, false, e.message);
  }
  if (req) {
    check(`the prebuilt binary needs glibc <= ${GLIBC_BASELINE} and no shared libstdc++`, req.above.length === 0 && req.newest !== null && !req.needed.some((n) => /libstdc\+\+/.test(n)),
      req.above.length ? `newer than the baseline: ${req.above.join(', ')}` : `newest GLIBC_${req.newest}; needs ${req.needed.join(', ')}`);
  }
}
for (const optional of ['better-sqlite3', '@ffmpeg/core', 'cmake-js']) {
  check(`${optional} (optional peer) is not installed`, !existsSync(path.join(app, 'node_modules', optional)));
}

// 3. the CLI on a synthetic clip from the bundled FFmpeg
const ffmpeg = path.join(app, 'node_modules', '@ffmpeg-installer', 'linux-x64', 'ffmpeg');
const clip = path.join(app, 'clip.mp4');
const ff = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10:duration=2',
  '-c:v', 'libx265', '-x265-params', 'log-level=error:keyint=10', '-pix_fmt', 'yuv420p', clip], { env, encoding: 'utf8' });
check('the bundled FFmpeg makes an HEVC clip', ff.status === 0 && existsSync(clip), tail(ff.stderr));
const tok = spawnSync('npx', ['codectok', 'tokenize', clip, '-o', 'out', '--budget', '64', '--frames', '4'], { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
const npyShape = (file) => {
  const b = readFileSync(file);
  const m = /'shape': \(([^)]*)\)/.exec(b.subarray(10, 10 + b.readUInt16LE(8)).toString('latin1'));
  return m ? m[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number) : null;
};
if (check('npx codectok tokenize', tok.status === 0, tok.status === 0 ? '' : tail(tok.stderr))) {
  const p = npyShape(path.join(app, 'out', 'patches.npy'));
  const q = npyShape(path.join(app, 'out', 'positions.npy'));
  check('patches.npy [64, 16, 16, 3] and positions.npy [64, 3]', JSON.stringify(p) === '[64,16,16,3]' && JSON.stringify(q) === '[64,3]', `patches ${JSON.stringify(p)}, positions ${JSON.stringify(q)}`);
}

// 4. ESM, CommonJS, TypeScript
writeFileSync(path.join(app, 'use.mjs'), `import { tokenize, CodectokError } from 'codectok';
const r = await tokenize(${JSON.stringify(clip)}, { budget: 64, frames: 4 });
console.log(JSON.stringify({ shape: Array.from(r.patches.shape), positions: Array.from(r.positions.shape), scores: [...r.scores.shape, r.scores.kind], policy: r.meta.policy.name, ndarray: Array.isArray(r.patches.stride) && typeof r.positions.get === 'function' && r.positions.get(0, 0) === r.positions.data[0] && r.scores.get(0, 0, 1) === r.scores.data[1], error: typeof CodectokError }));
`);
const esm = spawnSync('node', ['use.mjs'], { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
let esmOut = null;
try {
  esmOut = JSON.parse(esm.stdout.trim().split('\n').at(-1));
} catch {
  /* reported below */
}
check('import from an ES module (patches, positions and scores [4, 36, 36] as ndarray views; the default policy, refresh: scores are its change volume)', esm.status === 0 && JSON.stringify(esmOut?.shape) === '[64,16,16,3]' && esmOut?.error === 'function' && JSON.stringify(esmOut?.positions) === '[64,3]' && JSON.stringify(esmOut?.scores) === '[4,36,36,"change"]' && esmOut?.policy === 'refresh' && esmOut?.ndarray === true, esm.status === 0 ? esm.stdout.trim() : tail(esm.stderr));

writeFileSync(path.join(app, 'use.cjs'), `const c = require('codectok');
const s = require('codectok/shard');
console.log(typeof c.tokenize, typeof s.ShardWriter);
`);
const cjs = spawnSync('node', ['use.cjs'], { cwd: app, env, encoding: 'utf8' });
if (process.features.require_module) {
  check('require() from CommonJS (require(esm))', cjs.status === 0 && cjs.stdout.trim() === 'function function', cjs.status === 0 ? cjs.stdout.trim() : tail(cjs.stderr));
} else {
  check(`require() on Node ${process.versions.node} fails with ERR_REQUIRE_ESM (documented: ESM-only before Node 20.19 / 22.12)`, cjs.status !== 0 && /ERR_REQUIRE_ESM/.test(cjs.stderr), tail(cjs.stderr, 300));
}

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const tsconfig = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
    skipLibCheck: false, types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')],
  },
};
writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ ...tsconfig, files: ['use.ts'] }, null, 2));
writeFileSync(path.join(app, 'tsconfig.bad.json'), JSON.stringify({ ...tsconfig, files: ['bad.ts'] }, null, 2));
writeFileSync(path.join(app, 'use.ts'), `import { tokenize, CodectokError, type ScoreTensor, type TokenizeResult, type TokenizeOptions } from 'codectok';
import { ShardWriter } from 'codectok/shard';
const options: TokenizeOptions = { budget: 64, frames: 4 };
const r: TokenizeResult = await tokenize('clip.mp4', options);
const rows: number = r.patches.shape[0];
const dtype: 'uint8' | 'float32' = r.patches.dtype;
const t0: number = r.positions.get(0, 0); // ndarray
const layout: 'nhwc' | 'nchw' = r.patches.layout;
const s: ScoreTensor | null = r.scores; // float32 [T, H, W], null for uniform and rlt
const kind: 'fused' | 'change' | undefined = s?.kind;
const w = new ShardWriter('ds', { samplesPerShard: 2 });
export { rows, dtype, t0, layout, kind, w, CodectokError };
`);
writeFileSync(path.join(app, 'bad.ts'), `import { tokenize } from 'codectok';
const r = await tokenize('clip.mp4', { budget: 64 });
const rows: string = r.patches.shape[0];
export { rows };
`);
const tsOk = spawnSync('node', [tsc, '-p', 'tsconfig.json'], { cwd: app, env, encoding: 'utf8' });
check('tsc --noEmit on a consumer .ts file', tsOk.status === 0, tail(tsOk.stdout));
const tsBad = spawnSync('node', [tsc, '-p', 'tsconfig.bad.json'], { cwd: app, env, encoding: 'utf8' });
check('tsc rejects a consumer file with a type error (the types are real)', tsBad.status !== 0 && /bad\.ts.*TS2322/.test(tsBad.stdout), tail(tsBad.stdout, 300));

// The shims do catch a compile: a forced source build calls cmake and fails with the reason.
const forced = spawnSync('npm', ['rebuild', 'codectok', '--foreground-scripts', '--prefer-offline'], { cwd: app, env: { ...env, CODECTOK_BUILD_FROM_SOURCE: '1' }, encoding: 'utf8', timeout: 120_000 });
const forcedCalls = existsSync(compilerLog) ? readFileSync(compilerLog, 'utf8') : '';
const forcedOut = `${forced.stdout}${forced.stderr}`;
check('a forced source build (CODECTOK_BUILD_FROM_SOURCE=1) fetches cmake-js with npm exec, calls cmake and fails, saying what is needed',
  forced.status !== 0 && /cmake-js@8 fetched with npm exec/.test(forcedOut) && /^cmake /m.test(forcedCalls) && /install a C\+\+17 compiler and CMake/.test(forcedOut),
  forcedCalls.split('\n')[0].slice(0, 100) || tail(forcedOut, 600));
rmSync(path.join(pkgDir, 'build'), { recursive: true, force: true });

// 6. installed size
const du = (dir) => spawnSync('du', ['-sk', dir], { encoding: 'utf8' }).stdout.split('\t')[0];
const mb = (kb) => `${(Number(kb) / 1024).toFixed(1)} MB`;
const top = readdirSync(path.join(app, 'node_modules'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
  .flatMap((d) => (d.name.startsWith('@') ? readdirSync(path.join(app, 'node_modules', d.name)).map((n) => `${d.name}/${n}`) : [d.name]))
  .map((n) => [n, Number(du(path.join(app, 'node_modules', n)))])
  .sort((a, b) => b[1] - a[1]);
console.log(`consumer: installed size (du -sk node_modules): ${mb(du(path.join(app, 'node_modules')))}; largest: ${top.slice(0, 5).map(([n, k]) => `${n} ${mb(k)}`).join(', ')}`);

if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`consumer: kept ${work}`);
finish();
