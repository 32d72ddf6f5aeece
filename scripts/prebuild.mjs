#!/usr/bin/env node
// `npm run prebuild` (also run by `npm pack` / `npm publish` through "prepack"):
// builds the Node-API addon for this platform and architecture in its own build
// folder (build/prebuild, Release) and copies it to
//   prebuilds/<platform>-<arch>/codectok.napi.glibc.node   (Linux, glibc)
//   prebuilds/<platform>-<arch>/codectok.napi.node         (macOS, Windows)
// the prebuildify layout that node-gyp-build (src/input/native.ts) loads. One
// binary serves every Node.js version (Node-API 8).
//
// Portable on Linux: libstdc++ and libgcc are linked statically
// (-static-libstdc++ -static-libgcc), so the binary needs only the C library,
// libm and the Node process; the newest glibc symbol version it references (its
// glibc baseline) is measured with `objdump -T` and printed. It is built on the
// machine that packs (Debian 12 here), so the baseline is whatever that machine's
// toolchain references; see README "Set up".
//
// Other platforms use the same script on a machine of that platform (not done here):
// linux-arm64, darwin-arm64 (Xcode clang), win32-x64 (MSVC).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { platform, arch } = process;
const isLinux = platform === 'linux';
const tuple = `${platform}-${arch}`;
const outDir = path.join(root, 'prebuilds', tuple);
const outFile = path.join(outDir, isLinux ? 'codectok.napi.glibc.node' : 'codectok.napi.node');
const buildDir = path.join(root, 'build', 'prebuild');

const say = (msg) => console.log(`codectok prebuild: ${msg}`);
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`codectok prebuild: \`${cmd} ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
};

const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const args = [cmakeJs, 'compile', '--out', buildDir, '--config', 'Release', '--parallel', process.env.JOBS ?? '2'];
if (isLinux) args.push('--CDCMAKE_SHARED_LINKER_FLAGS=-static-libstdc++ -static-libgcc');
say(`building ${tuple} in ${path.relative(root, buildDir)}${isLinux ? ' (static libstdc++/libgcc)' : ''}`);
run(process.execPath, args);

const built = path.join(buildDir, 'Release', 'codectok.node');
if (!existsSync(built)) {
  console.error(`codectok prebuild: ${built} was not produced`);
  process.exit(1);
}
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
copyFileSync(built, outFile);
if (isLinux) run('strip', ['--strip-unneeded', outFile]);

// What the binary needs from the system.
if (isLinux) {
  const dyn = spawnSync('objdump', ['-p', outFile], { encoding: 'utf8' }).stdout ?? '';
  const needed = [...dyn.matchAll(/NEEDED\s+(\S+)/g)].map((m) => m[1]);
  const syms = spawnSync('objdump', ['-T', outFile], { encoding: 'utf8' }).stdout ?? '';
  const versions = [...new Set([...syms.matchAll(/GLIBC_(\d+(?:\.\d+)*)/g)].map((m) => m[1]))];
  const cmp = (a, b) => {
    const x = a.split('.').map(Number), y = b.split('.').map(Number);
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  };
  versions.sort(cmp);
  if (needed.some((n) => /libstdc\+\+|libgcc_s/.test(n))) {
    console.error(`codectok prebuild: ${outFile} still needs ${needed.join(', ')} (static libstdc++/libgcc did not apply)`);
    process.exit(1);
  }
  say(`needs ${needed.join(', ')}; glibc baseline GLIBC_${versions.at(-1)} (newest GLIBC_ symbol version referenced)`);
}

// It loads, and it is the Node-API 8 addon.
const check = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(outFile)}); if (a.napiVersion !== 8) { console.error('napiVersion', a.napiVersion); process.exit(1); }`], { stdio: 'inherit' });
if (check.status !== 0) {
  console.error(`codectok prebuild: ${outFile} does not load`);
  process.exit(1);
}
say(`${path.relative(root, outFile)} (${(statSync(outFile).size / 1024).toFixed(0)} KiB); prebuilds/: ${readdirSync(path.join(root, 'prebuilds')).join(', ')}`);
