#!/usr/bin/env node
// `npm test`: the whole suite, in order:
//   1. the addon (cmake-js, incremental: rebuilds what cpp/ or bindings/ changed)
//   2. TypeScript (tsc -> dist/, used by the CLI tests), then the API documentation (TypeDoc ->
//      docs/api; any warning fails it: `npm run docs`)
//   3. the C++ tests (cpp/tests, ctest)           = npm run test:cpp
//   4. the JavaScript tests (test/*.test.ts, vitest) = npm run test:js
//   5. the consumer test (npm pack, then install in a fresh project with no compiler on
//      the PATH, and use the CLI and the API)        = npm run test:consumer
// Steps 3 to 5 all run even if one fails. Extra arguments go to vitest, and then step 5
// is left out (a targeted run):
//   npm test -- test/corpus.test.ts -t tiny
// Ends with one line "N passed, N failed, N skipped" over the suites.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args) => spawnSync(npm, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

for (const step of ['build:native', 'build', 'docs']) {
  if (run(['run', step]) !== 0) {
    console.error(`npm test: \`npm run ${step}\` failed`);
    process.exit(1);
  }
}

const junit = path.join(root, 'build', 'cpp-tests', 'ctest-junit.xml');
rmSync(junit, { force: true });
const cppStatus = run(['run', 'test:cpp']);
const cpp = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(junit)) {
  const xml = readFileSync(junit, 'utf8');
  const attr = (name) => Number(new RegExp(`<testsuite[^>]*\\s${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
  cpp.failed = attr('failures') + attr('errors');
  cpp.skipped = attr('skipped') + attr('disabled');
  cpp.passed = attr('tests') - cpp.failed - cpp.skipped;
} else if (cppStatus !== 0) {
  cpp.failed = 1; // did not build
}

const report = path.join(root, 'build', 'vitest-report.json');
mkdirSync(path.dirname(report), { recursive: true });
rmSync(report, { force: true });
const jsStatus = run([
  'run', 'test:js', '--',
  '--reporter=default', '--reporter=json', `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
const js = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  js.passed = r.numPassedTests ?? 0;
  js.failed = r.numFailedTests ?? 0;
  js.skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (js.failed === 0 && jsStatus !== 0) js.failed = 1; // e.g. a test file that failed to load
} else if (jsStatus !== 0) {
  js.failed = 1;
}

const consumer = { passed: 0, failed: 0, skipped: 0 };
let consumerStatus = 0;
if (process.argv.length > 2) {
  consumer.skipped = 1;
  console.log('\nconsumer test left out: a targeted run (arguments were given to vitest)');
} else {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'consumer-test.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(r.stdout ?? '');
  consumerStatus = r.status ?? 1;
  const m = /consumer: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.stdout ?? '');
  if (m) [consumer.passed, consumer.failed, consumer.skipped] = m.slice(1).map(Number);
  if (consumer.failed === 0 && consumerStatus !== 0) consumer.failed = 1;
}

const line = (s) => `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;
console.log(`\nC++ (ctest): ${line(cpp)}`);
console.log(`JS (vitest): ${line(js)}`);
console.log(`consumer (npm pack + install): ${line(consumer)}`);
const suites = [cpp, js, consumer];
const total = Object.fromEntries(['passed', 'failed', 'skipped'].map((k) => [k, suites.reduce((n, s) => n + s[k], 0)]));
console.log(`total: ${line(total)}`);
process.exit(cppStatus !== 0 || jsStatus !== 0 || consumerStatus !== 0 || total.failed > 0 ? 1 : 0);
