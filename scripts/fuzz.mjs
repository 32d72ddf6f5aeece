#!/usr/bin/env node
// `npm run fuzz -- [--seconds N | --cpu-seconds N] [--jobs J]
//                  [--targets decoder,headers,residual,h264]
//                  [--timeout S] [--rss-limit-mb M] [--max-len BYTES]`
// Coverage-guided fuzzing of the C++ core with clang's libFuzzer (cpp/fuzz/):
//   1. builds the libFuzzer targets with clang++ (+ AddressSanitizer and
//      UndefinedBehaviorSanitizer) in .fuzz/;
//   2. runs each target for N seconds (default 60) at `nice`, with J
//      processes (libFuzzer's -fork=J; default 1: J cores for N seconds give
//      about J x N seconds of fuzzing), seeded from
//      cpp/fuzz/seeds/<target>/ and the regression inputs
//      test/fixtures/fuzz/<target>/, growing .fuzz/corpus/<target>/;
//      a per-input time limit (-timeout, default 10 s) and memory limit
//      (-rss_limit_mb / -malloc_limit_mb, default 2048) make hangs and
//      out-of-memory failures like crashes (a timeout only if the input,
//      replayed alone at normal priority, still runs past the limit: libFuzzer's
//      limit is wall-clock, and a niced campaign can be starved past it; an
//      unconfirmed timeout is recorded as such and the target goes on);
//   3. every finding (crash, timeout, OOM) is minimised and copied into
//      test/fixtures/fuzz/<target>/ as a regression input: the replay tests of
//      ctest (cpp/CMakeLists.txt, CODECTOK_FUZZ_REPLAY) run it from then on.
// `--cpu-seconds N` is the campaign mode for a shared machine: every target runs
// at the same time at `nice -n 19` (so it only takes CPU nobody else wants) until
// its processes have used N seconds of CPU (user + system, read from /proc), not
// N seconds of wall time; the CPU used, executions and coverage of every run are
// added to the ledger .fuzz/campaign.json (rewritten each minute, so a run that is
// killed still counts what it did, and runs of several processes at once are merged), which
// `--report` prints as a table. `--top-up` makes N the target's total over the ledger: a target
// runs only for what its earlier runs lack (a campaign spread over several sessions).
// Prints executions, coverage (edges) and features per target, writes them to
// .fuzz/summary.json, and exits 1 when anything was found.
// `node scripts/fuzz.mjs --make-seeds` rewrites cpp/fuzz/seeds/ from the test
// fixtures (small cut pieces of test/fixtures/hevc-corpus/*.hevc).
// Needs clang and libFuzzer (Debian: apt-get install clang libfuzzer-14-dev);
// the replay tests need neither.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = ['decoder', 'headers', 'residual', 'h264'];
const DICT = { decoder: 'cpp/fuzz/hevc.dict', headers: 'cpp/fuzz/hevc.dict', h264: 'cpp/fuzz/h264.dict' };

function parseArgs(argv) {
  const o = {
    seconds: 60, cpuSeconds: 0, jobs: 1, targets: TARGETS, timeout: 10, rssLimitMb: 2048, maxLen: 0,
    makeSeeds: false, report: false, topUp: false,
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const number = () => {
      const v = Number(value());
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      return v;
    };
    if (a === '--seconds') o.seconds = number();
    else if (a === '--cpu-seconds') o.cpuSeconds = number();
    else if (a === '--report') o.report = true;
    else if (a === '--top-up') o.topUp = true;
    else if (a === '--timeout') o.timeout = number();
    else if (a === '--jobs') {
      o.jobs = number();
      if (!Number.isInteger(o.jobs)) throw new Error('--jobs needs a whole number of processes');
    }
    else if (a === '--rss-limit-mb') o.rssLimitMb = number();
    else if (a === '--max-len') o.maxLen = number();
    else if (a === '--targets') o.targets = value().split(',').filter(Boolean);
    else if (a === '--make-seeds') o.makeSeeds = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (o.topUp && !o.cpuSeconds) throw new Error('--top-up needs --cpu-seconds N (the total each target should reach)');
  for (const t of o.targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t} (${TARGETS.join(', ')})`);
  return o;
}

// ---- seeds: small cut pieces of the fixtures ----

// NAL units of an Annex-B stream: [{ start (of the start code), end, type }]
// (type: the HEVC nal_unit_type, or with h264 the H.264 one).
function splitAnnexB(buf, h264 = false) {
  const starts = [];
  for (let i = 0; i + 2 < buf.length; ++i)
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) starts.push(i), (i += 2);
  return starts.map((s, k) => {
    const end = k + 1 < starts.length ? starts[k + 1] : buf.length;
    return { start: s, end, type: h264 ? buf[s + 3] & 31 : (buf[s + 3] >> 1) & 63 };
  });
}

function makeSeeds() {
  const corpus = path.join(root, 'test/fixtures/hevc-corpus');
  const out = path.join(root, 'cpp/fuzz/seeds');
  for (const t of TARGETS) {
    rmSync(path.join(out, t), { recursive: true, force: true });
    mkdirSync(path.join(out, t), { recursive: true });
  }
  const maxDecoderSeed = 12 * 1024;
  for (const file of readdirSync(corpus).filter((f) => f.endsWith('.hevc')).sort()) {
    const buf = readFileSync(path.join(corpus, file));
    const nals = splitAnnexB(buf);
    const name = file.replace(/\.hevc$/, '');
    // decoder: parameter sets and the first slice segments, up to 12 KiB.
    const pieces = [];
    let size = 0;
    for (const n of nals) {
      const isParam = n.type >= 32 && n.type <= 34;
      if (!isParam && size + (n.end - n.start) > maxDecoderSeed) break;
      pieces.push(buf.subarray(n.start, n.end));
      size += n.end - n.start;
    }
    if (pieces.some((p) => ((p[3] >> 1) & 63) < 32)) writeFileSync(path.join(out, 'decoder', name), Buffer.concat(pieces));
    // headers: parameter sets and the first 48 bytes of up to 8 slice segments.
    const heads = [];
    let slices = 0;
    for (const n of nals) {
      if (n.type < 32) {
        if (++slices > 8) break;
        heads.push(buf.subarray(n.start, Math.min(n.end, n.start + 48)));
      } else if (n.type <= 34) {
        heads.push(buf.subarray(n.start, n.end));
      }
    }
    writeFileSync(path.join(out, 'headers', name), Buffer.concat(heads));
  }
  // h264: parameter sets and the first slices of each H.264 corpus stream, up to 12 KiB.
  const h264Corpus = path.join(root, 'test/fixtures/h264-corpus');
  for (const file of readdirSync(h264Corpus).filter((f) => f.endsWith('.h264')).sort()) {
    const buf = readFileSync(path.join(h264Corpus, file));
    const pieces = [];
    let size = 0;
    for (const n of splitAnnexB(buf, true)) {
      const isParam = n.type === 7 || n.type === 8;
      if (!isParam && size + (n.end - n.start) > maxDecoderSeed) break;
      pieces.push(buf.subarray(n.start, n.end));
      size += n.end - n.start;
    }
    if (pieces.some((p) => p[3] % 32 === 1 || p[3] % 32 === 5))
      writeFileSync(path.join(out, 'h264', file.replace(/\.h264$/, '')), Buffer.concat(pieces));
  }
  // residual: one block per size and mode (byte layout in cpp/fuzz/fuzz_residual.cpp).
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16);
  for (let log2 = 2; log2 <= 5; ++log2)
    for (const [flags, label] of [[0, 'dct'], [1, 'tskip'], [2, 'bypass'], [4, 'dst'], [8, 'scaled']]) {
      if (flags === 4 && log2 !== 2) continue;
      const n = 1 << log2;
      const b = Buffer.alloc(4 + 2 * n * n + (flags === 8 ? n * n : 0));
      b[0] = log2 - 2;
      b[1] = flags;
      b[2] = log2 % 3;
      b[3] = 20 + 4 * log2;
      const low = Math.min(n, 4);  // low frequencies, where real levels are
      for (let i = 0; i < 6; ++i) b.writeInt16LE((rand() % 41) - 20, 4 + 2 * ((rand() % low) * n + (rand() % low)));
      for (let i = 4 + 2 * n * n; i < b.length; ++i) b[i] = 8 + (rand() % 32);
      writeFileSync(path.join(out, 'residual', `${label}${n}`), b);
    }
  for (const t of TARGETS) console.log(`seeds: cpp/fuzz/seeds/${t}: ${readdirSync(path.join(out, t)).length} files`);
}

// ---- build and run ----

function have(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
  return r;
}

function build(buildDir) {
  run('cmake', ['-S', 'cpp', '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release', '-DCMAKE_CXX_COMPILER=clang++',
    '-DCODECTOK_LIBFUZZER=ON', '-DCODECTOK_BUILD_TESTS=OFF'], { stdio: ['ignore', 'ignore', 'inherit'] });
  run('nice', ['-n', '10', 'cmake', '--build', buildDir, '-j2']);
}

// The last "#N ... cov: E ft: F corp: C/..." status line and libFuzzer's final stats; with
// -fork the parent's "#N: cov: E ft: F corp: C exec/s S ..." lines (N: executions of all jobs).
// Only the figures found in `log` are returned (it may be the tail of a running log).
function parseStats(log) {
  const stats = {};
  for (const m of log.matchAll(/^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/gm)) {
    stats.executions = Number(m[1]);
    stats.edges = Number(m[2]);
    stats.features = Number(m[3]);
    stats.corpus = Number(m[4]);
  }
  const units = /stat::number_of_executed_units: (\d+)/.exec(log);
  if (units) stats.executions = Number(units[1]);
  const speed = /stat::average_exec_per_sec:\s+(\d+)/.exec(log);
  if (speed) stats.execPerSec = Number(speed[1]);
  for (const m of log.matchAll(/^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec\/s:? (\d+)/gm)) {
    stats.executions = Number(m[1]);
    stats.edges = Number(m[2]);
    stats.features = Number(m[3]);
    stats.corpus = Number(m[4]);
    stats.execPerSec = Number(m[5]);
  }
  return stats;
}

// ---- CPU used by a process tree (Linux /proc) ----

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

// CPU seconds (user + system) used so far by process `pid` and its live descendants
// (with -fork the fuzzing happens in child processes), plus those they have reaped.
function treeCpuSeconds(pid) {
  const procs = new Map();  // pid -> { ppid, ticks }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;  // exited meanwhile
    }
    // after "pid (comm) ": state ppid ... utime(14) stime(15) cutime(16) cstime(17)
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    procs.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
  }
  let ticks = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    const e = procs.get(p);
    if (!e) continue;
    ticks += e.ticks;
    for (const [child, v] of procs) if (v.ppid === p) stack.push(child);
  }
  return ticks / CLK_TCK;
}

// ---- the campaign ledger: every run's CPU, executions and coverage, per target ----

function ledgerPath(buildDir) {
  return path.join(buildDir, 'campaign.json');
}

function readLedger(buildDir) {
  try {
    return JSON.parse(readFileSync(ledgerPath(buildDir), 'utf8'));
  } catch {
    return {};
  }
}

// Writes this process's run records (by target) into the ledger, keeping every other run there,
// also those of other fuzz.mjs processes running at the same time.
function saveRecords(buildDir, records) {
  const ledger = readLedger(buildDir);
  for (const [target, record] of Object.entries(records)) {
    const runs = (ledger[target] ??= []);
    const i = runs.findIndex((r) => r.started === record.started && r.pid === record.pid);
    if (i >= 0) runs[i] = record;
    else runs.push(record);
  }
  writeFileSync(ledgerPath(buildDir), `${JSON.stringify(ledger, null, 2)}\n`);
}

// Totals per target: CPU and executions add up over runs; coverage is the newest run's
// (each run starts from the corpus the earlier ones grew).
function ledgerTotals(ledger) {
  return Object.entries(ledger).map(([target, runs]) => {
    const last = runs[runs.length - 1] ?? {};
    return {
      target,
      runs: runs.length,
      cpuSeconds: runs.reduce((n, r) => n + (r.cpuSeconds ?? 0), 0),
      executions: runs.reduce((n, r) => n + (r.executions ?? 0), 0),
      edges: Math.max(0, ...runs.map((r) => r.edges ?? 0)),
      features: Math.max(0, ...runs.map((r) => r.features ?? 0)),
      corpus: last.corpus ?? 0,
      findings: runs.flatMap((r) => r.findings ?? []),
    };
  });
}

function printReport(buildDir) {
  const totals = ledgerTotals(readLedger(buildDir));
  if (totals.length === 0) {
    console.log(`fuzz: no campaign recorded in ${path.relative(root, ledgerPath(buildDir))}`);
    return;
  }
  console.log('| target | CPU (runs) | executions (per CPU s) | edges | features | corpus | findings |');
  console.log('|---|---|---|---|---|---|---|');
  for (const t of totals) {
    const perSec = t.cpuSeconds > 0 ? Math.round(t.executions / t.cpuSeconds) : 0;
    const findings = t.findings.length ? t.findings.map((f) => `${f.kind} ${f.file}`).join('; ') : 'none';
    console.log(`| ${t.target} | ${(t.cpuSeconds / 3600).toFixed(2)} h (${t.runs}) | ${t.executions} (${perSec}) | ` +
      `${t.edges} | ${t.features} | ${t.corpus} | ${findings} |`);
  }
}

// ---- one target ----

// A timeout is libFuzzer's wall clock: a campaign at nice 19 on a busy machine can be starved past
// it by an input that runs in milliseconds. A timeout counts only if the input, replayed alone at
// normal priority, still runs past the limit; otherwise it is reported as unconfirmed (time it
// took), not copied as a regression input.
function confirmTimeout(bin, file, o) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, [`-timeout=${o.timeout}`, `-rss_limit_mb=${o.rssLimitMb}`, file], { cwd: root, stdio: 'ignore', timeout: 4 * o.timeout * 1000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { confirmed: r.status !== 0, ms: Math.round(ms) };
}

function collectFindings(target, o, bin, artifacts, regressions, unconfirmed) {
  // Findings: crash-*, timeout-*, oom-*, leak-*; slow-unit-* is not one.
  const findings = [];
  for (const f of readdirSync(artifacts)) {
    const kind = /^(crash|timeout|oom|leak)-/.exec(f)?.[1];
    if (!kind) continue;
    const file = path.join(artifacts, f);
    if (kind === 'timeout') {
      const replay = confirmTimeout(bin, file, o);
      if (!replay.confirmed) {
        unconfirmed.push({ kind, replayMs: replay.ms, bytes: statSync(file).size });
        continue;
      }
    }
    let input = file;
    if (kind === 'crash' || kind === 'leak') {
      const min = `${file}.min`;
      spawnSync('nice', ['-n', '10', bin, '-minimize_crash=1', '-runs=20000', `-timeout=${o.timeout}`,
        `-exact_artifact_path=${min}`, file], { cwd: root, stdio: 'ignore' });
      if (existsSync(min) && statSync(min).size > 0) input = min;
    }
    const bytes = readFileSync(input);
    const name = `${kind}-${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}`;
    mkdirSync(regressions, { recursive: true });
    copyFileSync(input, path.join(regressions, name));
    findings.push({ kind, file: path.relative(root, path.join(regressions, name)), bytes: bytes.length });
  }
  return findings;
}

// Runs one target; `record` is this run's entry in the ledger, kept up to date while it runs.
function fuzzTarget(target, o, buildDir, record) {
  const bin = path.join(buildDir, `fuzz_${target}`);
  const corpus = path.join(buildDir, 'corpus', target);
  const artifacts = path.join(buildDir, 'artifacts', target) + path.sep;
  const regressions = path.join(root, 'test/fixtures/fuzz', target);
  const seeds = path.join(root, 'cpp/fuzz/seeds', target);
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(corpus, { recursive: true });
  mkdirSync(artifacts, { recursive: true });
  const args = [
    '-n', o.cpuSeconds ? '19' : '10', bin,
    `-max_total_time=${o.cpuSeconds ? 0 : o.seconds}`,
    `-timeout=${o.timeout}`,
    `-rss_limit_mb=${o.rssLimitMb}`,
    `-malloc_limit_mb=${o.rssLimitMb}`,
    `-artifact_prefix=${artifacts}`,
    '-print_final_stats=1',
    '-close_fd_mask=3',
  ];
  if (o.jobs > 1) args.push(`-fork=${o.jobs}`);
  if (o.maxLen) args.push(`-max_len=${o.maxLen}`);
  else if (target === 'decoder' || target === 'h264') args.push('-max_len=16384');
  if (DICT[target]) args.push(`-dict=${path.join(root, DICT[target])}`);
  args.push(corpus);
  for (const d of [seeds, regressions]) if (existsSync(d)) args.push(d);
  const budget = o.cpuSeconds ? `${o.cpuSeconds} s of CPU` : `${o.seconds} s`;
  console.log(`fuzz: ${target}: ${budget}${o.jobs > 1 ? ` x ${o.jobs} processes` : ''}`);
  return new Promise((resolve) => {
    const child = spawn('nice', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    let tail = '';
    const onData = (d) => {
      chunks.push(d);
      tail = (tail + d.toString('utf8')).slice(-65536);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let stopped = false;
    let lastPrint = Date.now();
    const poll = setInterval(() => {
      const cpu = treeCpuSeconds(child.pid);
      if (cpu > 0) record.cpuSeconds = cpu;
      Object.assign(record, parseStats(tail));
      if (o.cpuSeconds && cpu >= o.cpuSeconds && !stopped) {
        stopped = true;
        child.kill('SIGINT');  // libFuzzer prints its final stats and exits
      }
      if (Date.now() - lastPrint >= 60000) {
        lastPrint = Date.now();
        console.log(`fuzz: ${target}: ${Math.round(record.cpuSeconds)} s of CPU, ${record.executions} executions, ` +
          `${record.edges} edges, corpus ${record.corpus}`);
      }
    }, 2000);
    child.on('close', (status) => {
      clearInterval(poll);
      const log = Buffer.concat(chunks).toString('utf8');
      writeFileSync(path.join(buildDir, `${target}.log`), log);
      Object.assign(record, parseStats(log));
      const unconfirmed = [];
      const findings = collectFindings(target, o, bin, artifacts, regressions, unconfirmed);
      if (unconfirmed.length) record.unconfirmed = [...(record.unconfirmed ?? []), ...unconfirmed];
      // Stopped for its CPU budget, libFuzzer exits non-zero (interrupted): not a finding.
      if (findings.length === 0 && status !== 0 && !stopped && !unconfirmed.length)
        findings.push({ kind: 'error', file: path.relative(root, path.join(buildDir, `${target}.log`)), bytes: 0 });
      record.findings = findings;
      const found = findings.length ? `, FINDINGS: ${findings.map((f) => `${f.kind} ${f.file}`).join('; ')}` : ', no findings';
      console.log(`fuzz: ${target}: ${Math.round(record.cpuSeconds)} s of CPU, ${record.executions} executions ` +
        `(${record.execPerSec}/s), ${record.edges} edges, ${record.features} features, corpus ${record.corpus}${found}`);
      resolve({ target, seconds: o.seconds, jobs: o.jobs, ...record, stoppedEarly: !stopped && unconfirmed.length > 0 && findings.length === 0 });
    });
  });
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`fuzz: ${e.message}`);
    process.exit(2);
  }
  if (o.makeSeeds) {
    makeSeeds();
    return;
  }
  // Outside build/: cmake-js may wipe build/, and the corpus grows from run to run.
  const buildDir = path.join(root, '.fuzz');
  if (o.report) {
    printReport(buildDir);
    return;
  }
  if (!have('clang++')) {
    console.error('fuzz: clang++ not found. npm run fuzz needs clang and libFuzzer ' +
      '(Debian: apt-get install clang libfuzzer-14-dev). The regression replay runs without them: npm run test:cpp.');
    process.exit(2);
  }
  try {
    build(buildDir);
  } catch (e) {
    console.error(`fuzz: build failed: ${e.message} (is libFuzzer installed? Debian: libfuzzer-14-dev)`);
    process.exit(2);
  }
  if (o.cpuSeconds) {
    // On kernels with autogroup scheduling (sched_autogroup_enabled), nice works only inside a
    // session's group: a campaign started from its own terminal (or setsid) would take half of
    // the machine from the rest whatever its nice. Lower the whole group too, where allowed.
    try {
      writeFileSync('/proc/self/autogroup', '19');
    } catch {
      // not Linux, or no autogroup: nice alone
    }
  }
  const started = new Date().toISOString();
  const done = Object.fromEntries(ledgerTotals(readLedger(buildDir)).map((t) => [t.target, t.cpuSeconds]));
  const targets = o.topUp ? o.targets.filter((t) => (done[t] ?? 0) < o.cpuSeconds) : o.targets;
  const budget = Object.fromEntries(targets.map((t) => [t, o.topUp ? o.cpuSeconds - (done[t] ?? 0) : o.cpuSeconds]));
  if (o.topUp) for (const t of o.targets) console.log(`fuzz: ${t}: ${Math.round(done[t] ?? 0)} s of CPU in the ledger, ${Math.round(budget[t] ?? 0)} s to go`);
  const records = Object.fromEntries(targets.map((t) => [t, {
    started, pid: process.pid, jobs: o.jobs, cpuSeconds: 0, executions: 0, execPerSec: 0, edges: 0, features: 0, corpus: 0, findings: [],
  }]));
  const flush = setInterval(() => saveRecords(buildDir, records), 60000);
  let results;
  try {
    if (o.cpuSeconds) {
      // A target stopped by an unconfirmed timeout goes on with what its budget has left (a new run in the ledger).
      const campaign = async (t) => {
        let r = await fuzzTarget(t, { ...o, cpuSeconds: budget[t] }, buildDir, records[t]);
        let spent = r.cpuSeconds;
        for (let run = 1; r.stoppedEarly && budget[t] - spent > 10; run++) {
          saveRecords(buildDir, records);
          records[t] = { ...records[t], started: `${started}+${run}`, cpuSeconds: 0, executions: 0, findings: [], unconfirmed: undefined };
          r = await fuzzTarget(t, { ...o, cpuSeconds: budget[t] - spent }, buildDir, records[t]);
          spent += r.cpuSeconds;
        }
        return r;
      };
      results = await Promise.all(targets.map(campaign));
    } else {
      results = [];
      for (const t of targets) results.push(await fuzzTarget(t, o, buildDir, records[t]));
    }
  } finally {
    clearInterval(flush);
    saveRecords(buildDir, records);
  }
  writeFileSync(path.join(buildDir, 'summary.json'), `${JSON.stringify(results, null, 2)}\n`);
  printReport(buildDir);
  const total = results.reduce((n, r) => n + r.findings.length, 0);
  if (total > 0) {
    console.error(`fuzz: ${total} finding(s), copied into test/fixtures/fuzz/ (replayed by npm run test:cpp)`);
    process.exit(1);
  }
  console.log('fuzz: no findings');
}

main();
