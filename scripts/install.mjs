#!/usr/bin/env node
// The package's "install" script (`npm install`, `npm ci`, `npm rebuild`). Says what it does:
//   - in a git clone (a .git next to package.json) it builds the addon from source with
//     cmake-js, as development needs (`npm test` then tests the current sources);
//   - in an installed package it uses the prebuilt Node-API binary of
//     prebuilds/<platform>-<arch>/ when one fits this machine and loads (no compiler needed);
//   - otherwise, or with CODECTOK_BUILD_FROM_SOURCE=1, it builds from source
//     (needs a C++17 compiler and CMake >= 3.16), and says why. The build runs cmake-js: the
//     installed one when there is one (a devDependency in a clone; an optional peer dependency
//     that an application may install), else cmake-js@CMAKE_JS_RANGE fetched on demand with
//     `npm exec` (where a prebuilt binary fits, as on linux-x64, cmake-js and its 37 dependencies
//     are not installed at all).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const say = (msg) => console.log(`codectok install: ${msg}`);
const tuple = `${process.platform}-${process.arch}`;

/** The prebuilt binary node-gyp-build would load here, if it loads and is Node-API 8; else the reason. */
function prebuilt() {
  const probe = `
    const p = require('node-gyp-build').path(${JSON.stringify(root)});
    const a = require(p);
    if (a.napiVersion !== 8) throw new Error('napiVersion ' + a.napiVersion + ' (expected 8)');
    process.stdout.write(p);`;
  const r = spawnSync(process.execPath, ['-e', probe], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PREBUILDS_ONLY: '1' },
  });
  if (r.status === 0) return { file: r.stdout.trim() };
  const why = (r.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? `exit ${r.status}`;
  return { reason: why.replace(/^\s*\w*Error:\s*/, '').trim() };
}

/** The cmake-js the source build fetches when none is installed: major 8, as package.json's peerDependencies (no caret: cmd.exe would eat it). */
const CMAKE_JS_RANGE = '8';

/** How to run cmake-js: the installed one, else `npm exec` of CMAKE_JS_RANGE (fetched on demand). */
function cmakeJsCommand() {
  try {
    const bin = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
    return { cmd: process.execPath, args: [bin], how: 'the installed cmake-js' };
  } catch {
    // npm runs this script with npm_execpath set to its own CLI; else the npm on the PATH
    const npmCli = process.env.npm_execpath;
    const npm = npmCli && /\.c?js$/.test(npmCli) ? { cmd: process.execPath, args: [npmCli] } : { cmd: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
    return {
      cmd: npm.cmd,
      args: [...npm.args, 'exec', '--yes', `--package=cmake-js@${CMAKE_JS_RANGE}`, '--', 'cmake-js'],
      how: `cmake-js@${CMAKE_JS_RANGE} fetched with npm exec (it is not installed; \`npm install cmake-js\` provides it)`,
      shell: process.platform === 'win32',
    };
  }
}

function buildFromSource(why) {
  const cm = cmakeJsCommand();
  say(`building the addon from source (${why}): cmake-js compile -> build/Release/codectok.node with ${cm.how}; needs a C++17 compiler and CMake >= 3.16`);
  const r = spawnSync(cm.cmd, [...cm.args, 'compile', '--parallel', process.env.JOBS ?? '2'], { cwd: root, stdio: 'inherit', shell: cm.shell });
  if (r.status !== 0) {
    console.error(
      `codectok install: the source build failed (${r.error?.message ?? `exit ${r.status}`}). ` +
        `There is no prebuilt binary for ${tuple}: install a C++17 compiler and CMake >= 3.16 and run \`npm rebuild codectok\`.`,
    );
    process.exit(1);
  }
  say('built build/Release/codectok.node');
}

if (process.env.CODECTOK_BUILD_FROM_SOURCE && process.env.CODECTOK_BUILD_FROM_SOURCE !== '0') {
  buildFromSource('CODECTOK_BUILD_FROM_SOURCE is set');
} else if (existsSync(path.join(root, '.git'))) {
  buildFromSource('a git clone: development builds test the current sources');
} else {
  const p = prebuilt();
  if (p.file) say(`using the prebuilt binary ${path.relative(root, p.file)} (Node-API 8; nothing to compile)`);
  else buildFromSource(`no prebuilt binary fits ${tuple}: ${p.reason}`);
}
