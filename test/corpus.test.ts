// Golden corpus: for every stream of test/fixtures/hevc-corpus, the corpus-format
// dump made through the public API (what `codectok inspect --dump` writes) must
// equal the reference decoder's files exactly: frames.json (every field but
// y_md5), motion, cu, tu and, where given, residual.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { dumpCorpus } from '../src/writers/dump.js';
import { readMaybeGzip } from '../src/writers/npy.js';
import { compareDumpWithGolden, corpusFile, corpusManifest, corpusStream } from './helpers/corpus.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const manifest = corpusManifest();
const tmpDirs: string[] = [];

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'codectok-corpus-'));
  tmpDirs.push(d);
  return d;
}

afterAll(async () => {
  await Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('golden corpus (dump through the public API)', () => {
  test('manifest lists every stream with its golden files', () => {
    expect(manifest.length).toBe(22);
    for (const e of manifest) {
      for (const f of ['hevc', 'frames.json', 'motion.npy.gz', 'cu.npy.gz', 'tu.npy.gz']) {
        expect(existsSync(corpusFile(e.name, f)), `${e.name}.${f}`).toBe(true);
      }
      expect(existsSync(corpusFile(e.name, 'residual.npy.gz')), `${e.name}.residual.npy.gz`).toBe(e.residual_given);
    }
  });

  for (const entry of manifest) {
    test(`${entry.name}: ${entry.note}`, { timeout: 600_000 }, async () => {
      const dir = await tempDir();
      const result = await dumpCorpus(corpusStream(entry.name), dir, { residual: entry.residual_given });
      const problems = await compareDumpWithGolden(entry.name, dir, { residual: entry.residual_given });
      if (problems.length > 0) {
        expect.fail(
          `${entry.name}: ${result.frames} pictures decoded, ${entry.frames} expected; first mismatches:\n  ` +
            problems.join('\n  '),
        );
      }
      expect(result.frames).toBe(entry.frames);
    });
  }
});

describe('codectok inspect --dump (CLI)', () => {
  const cli = path.join(ROOT, 'dist', 'cli', 'cli.js');
  const name = 'tiny_ipb';

  test('writes the corpus files, byte for byte what numpy.save writes', async () => {
    expect(existsSync(cli), 'dist/cli/cli.js (run `npm run build`)').toBe(true);
    const dir = await tempDir();
    const r = spawnSync(process.execPath, [cli, 'inspect', corpusStream(name), '--dump', dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const problems = await compareDumpWithGolden(name, dir, { residual: true });
    expect(problems).toEqual([]);
    for (const kind of ['motion', 'cu', 'residual', 'tu']) {
      const dumped = await readFile(path.join(dir, `${name}.${kind}.npy`));
      const golden = await readMaybeGzip(corpusFile(name, `${kind}.npy.gz`));
      // Same arrays (checked above) and the same bytes: header layout included.
      expect(Buffer.compare(dumped, golden), `${kind}.npy bytes`).toBe(0);
    }
    const frames = await readFile(path.join(dir, `${name}.frames.json`), 'utf8');
    const golden = await readFile(corpusFile(name, 'frames.json'), 'utf8');
    // The compact corpus layout, with y_md5 null (no pixels are reconstructed).
    expect(frames).toBe(golden.replace(/"y_md5":"[0-9a-f]{32}"/g, '"y_md5":null'));
  });

  const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  test.skipIf(!numpy)('numpy loads the dumped .npy files (needs python3 + numpy, else skipped)', async () => {
    const dir = await tempDir();
    const r = spawnSync(process.execPath, [cli, 'inspect', corpusStream(name), '--dump', dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const script = [
      'import sys, gzip, numpy as np',
      'd, corpus, name = sys.argv[1:4]',
      "for kind in ('motion', 'cu', 'residual', 'tu'):",
      "    a = np.load(f'{d}/{name}.{kind}.npy')",
      "    b = np.load(gzip.open(f'{corpus}/{name}.{kind}.npy.gz'))",
      "    assert a.dtype == b.dtype and a.shape == b.shape, (kind, a.dtype, a.shape, b.dtype, b.shape)",
      "    assert np.array_equal(a, b), kind",
      "    print(kind, a.dtype, a.shape)",
    ].join('\n');
    const out = execFileSync('python3', ['-c', script, dir, path.dirname(corpusStream(name)), name], { encoding: 'utf8' });
    expect(out).toContain('motion int16');
  });
});
