// The glibc baseline of the prebuilt Linux binary: the oldest glibc it loads on. Stated once,
// here; scripts/prebuild.mjs refuses a binary above it and the consumer test
// (scripts/consumer-test.mjs) checks the packed one. 2.28 is also what Node.js 18+ itself
// needs (Debian 10, Ubuntu 18.10+, RHEL/Rocky 8, Amazon Linux 2023).
// How it is kept low: CMakeLists.txt, option CODECTOK_PORTABLE.
import { spawnSync } from 'node:child_process';

export const GLIBC_BASELINE = '2.28';

/** Compares dotted versions: negative, 0, positive. */
export function compareVersions(a, b) {
  const x = a.split('.').map(Number), y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * What a Linux shared object needs from the system, read with binutils' objdump: its NEEDED
 * libraries, every GLIBC_ version its "Version References" require (what the dynamic loader
 * checks before it loads the file; sorted), the newest, and the imported symbols (`objdump -T`)
 * whose version is above `baseline` (plus any required version above it that no symbol names).
 */
export function glibcRequirements(file, baseline = GLIBC_BASELINE) {
  const run = (args) => {
    const r = spawnSync('objdump', [...args, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`objdump ${args.join(' ')} ${file}: ${r.error?.message ?? r.stderr.trim()}`);
    return r.stdout;
  };
  const dynamic = run(['-p']);
  const needed = [...dynamic.matchAll(/NEEDED\s+(\S+)/g)].map((m) => m[1]);
  const refs = dynamic.slice(Math.max(0, dynamic.indexOf('Version References')));
  const versions = [...new Set([...refs.matchAll(/\sGLIBC_(\d+(?:\.\d+)*)\s*$/gm)].map((m) => m[1]))].sort(compareVersions);
  const imports = [...run(['-T']).matchAll(/\*UND\*\s+\S+\s+\(?GLIBC_(\d+(?:\.\d+)*)\)?\s+(\S+)/g)].map((m) => ({ version: m[1], symbol: m[2] }));
  const newer = (v) => compareVersions(v, baseline) > 0;
  const above = imports.filter((i) => newer(i.version)).map((i) => `${i.symbol}@GLIBC_${i.version}`);
  for (const v of versions) if (newer(v) && !imports.some((i) => i.version === v)) above.push(`GLIBC_${v}`);
  return { needed, versions, newest: versions.at(-1) ?? null, above };
}
