#!/usr/bin/env node
// `npm run prebuild` (also run by `npm pack` / `npm publish` through "prepack"):
// builds the Node-API addon for this platform and architecture in its own build
// folder (build/prebuild, Release) and copies it to
//   prebuilds/<platform>-<arch>/codectok.napi.glibc.node   (Linux, glibc)
//   prebuilds/<platform>-<arch>/codectok.napi.node         (macOS, Windows)
// the prebuildify layout that node-gyp-build (src/input/native.ts) loads. One
// binary serves every Node.js version (Node-API 8).
//
// Portable on Linux (CMake option CODECTOK_PORTABLE, see CMakeLists.txt): libstdc++ linked
// statically and kept private, libgcc_s shared, and nothing imported from glibc above the
// baseline of scripts/glibc_baseline.mjs (2.28): the script reads the binary's GLIBC_ symbol
// versions with `objdump -T` and fails, naming the symbols, if any is newer.
//
// Other platforms use the same script on a machine of that platform (not done here):
// linux-arm64, darwin-arm64 (Xcode clang), win32-x64 (MSVC).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GLIBC_BASELINE, glibcRequirements } from './glibc_baseline.mjs';

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
const where = ['--out', buildDir, '--config', 'Release'];
// configured every time (cmake-js compile keeps an existing configuration and its old options),
// then built incrementally
const defines = isLinux ? ['--CDCODECTOK_PORTABLE=ON'] : [];
say(`building ${tuple} in ${path.relative(root, buildDir)}${isLinux ? ` (portable: static libstdc++, glibc >= ${GLIBC_BASELINE})` : ''}`);
run(process.execPath, [cmakeJs, 'configure', ...where, ...defines]);
run(process.execPath, [cmakeJs, 'build', ...where, '--parallel', process.env.JOBS ?? '2']);

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
  const req = glibcRequirements(outFile);
  if (req.needed.some((n) => /libstdc\+\+/.test(n))) {
    console.error(`codectok prebuild: ${outFile} still needs ${req.needed.join(', ')} (static libstdc++ did not apply)`);
    process.exit(1);
  }
  if (req.above.length) {
    console.error(`codectok prebuild: ${outFile} imports glibc symbols newer than the baseline GLIBC_${GLIBC_BASELINE}: ${req.above.join(', ')} (see CMakeLists.txt, CODECTOK_PORTABLE)`);
    process.exit(1);
  }
  say(`needs ${req.needed.join(', ')}; newest glibc symbol version GLIBC_${req.newest} (baseline GLIBC_${GLIBC_BASELINE})`);
}

// It loads, and it is the Node-API 8 addon.
const check = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(outFile)}); if (a.napiVersion !== 8) { console.error('napiVersion', a.napiVersion); process.exit(1); }`], { stdio: 'inherit' });
if (check.status !== 0) {
  console.error(`codectok prebuild: ${outFile} does not load`);
  process.exit(1);
}
say(`${path.relative(root, outFile)} (${(statSync(outFile).size / 1024).toFixed(0)} KiB); prebuilds/: ${readdirSync(path.join(root, 'prebuilds')).join(', ')}`);
