// The glibc baseline check of the prebuilt Linux binary (scripts/glibc_baseline.mjs, used by
// scripts/prebuild.mjs and the consumer test): it finds a symbol newer than the baseline in a
// small shared object made here, and the prebuilt binary (when `npm pack` / `npm run
// build:prebuilt` made one) has none.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GLIBC_BASELINE, compareVersions, glibcRequirements } from '../scripts/glibc_baseline.mjs';
import { ROOT } from './helpers/tokenize_helpers.js';

const linux = process.platform === 'linux' && process.arch === 'x64';
const tool = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
const glibc = spawnSync('getconf', ['GNU_LIBC_VERSION'], { encoding: 'utf8' }).stdout?.trim().split(' ')[1] ?? '';
const canCompile = linux && !!tool('cc') && !!tool('objdump') && glibc !== '' && compareVersions(glibc, '2.25') >= 0;
const PREBUILT = path.join(ROOT, 'prebuilds', 'linux-x64', 'codectok.napi.glibc.node');

describe('glibc baseline of the prebuilt binary', () => {
  it.skipIf(!canCompile)(`names the symbols newer than a baseline (a shared object calling getentropy, GLIBC_2.25)${canCompile ? '' : ' — skipped: needs linux-x64, cc, objdump and glibc >= 2.25'}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'codectok-glibc-'));
    try {
      writeFileSync(path.join(dir, 'g.c'), '#include <unistd.h>\nint f(void *b) { return getentropy(b, 16); }\n');
      const so = path.join(dir, 'g.so');
      const cc = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', so, path.join(dir, 'g.c')], { encoding: 'utf8' });
      expect(cc.status, cc.stderr).toBe(0);
      const r = glibcRequirements(so, '2.18');
      expect(r.versions).toContain('2.25');
      expect(r.newest).toBe('2.25');
      expect(r.above).toEqual(['getentropy@GLIBC_2.25']);
      expect(r.needed).toContain('libc.so.6');
      expect(glibcRequirements(so, '2.28').above).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!linux || !existsSync(PREBUILT) || !tool('objdump'))(
    `prebuilds/linux-x64 needs glibc <= ${GLIBC_BASELINE}, libgcc_s and no shared libstdc++${existsSync(PREBUILT) ? '' : ' — skipped: no prebuilt binary (npm run build:prebuilt; the consumer test checks the packed one)'}`,
    () => {
      const r = glibcRequirements(PREBUILT);
      expect(r.above).toEqual([]);
      expect(compareVersions(r.newest!, GLIBC_BASELINE)).toBeLessThanOrEqual(0);
      expect(r.needed.filter((n: string) => /libstdc\+\+/.test(n))).toEqual([]);
    },
  );
});
