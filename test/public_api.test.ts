// The public API as a user of the built package sees it: the names each entry point exports
// (package.json "exports": codectok, codectok/parser, codectok/shard, codectok/bench), deep
// imports refused, and the public types (test/types/public_api.ts, compiled with tsc).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const built = existsSync(path.join(ROOT, 'dist', 'index.js')) && existsSync(path.join(ROOT, 'dist', 'index.d.ts'));

/** Runs an ES module snippet with Node from the repository root (the package imports itself by name). */
function node(code: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
}

function exportedNames(specifier: string): string[] {
  const r = node(`const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()));`);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as string[];
}

const EXPECTED: Record<string, string[]> = {
  codectok: [
    'CodectokError', 'DEFAULT_POLICY', 'ERROR_CODES', 'PRESETS', 'countPictures', 'decodeNpy', 'encodeNpy', 'letterboxGeometry', 'parseFile',
    'parsePictures', 'pictureHeaders', 'qwenGeometry', 'readNpy', 'renderViz', 'tokenize', 'transcoderLocation', 'writeCanvases', 'writeNpy', 'writeNpyOutput',
  ],
  'codectok/parser': [
    'CodectokError', 'DEFAULT_CHUNK_SIZE', 'ERROR_CODES', 'TU_COLUMNS', 'countPictures', 'dumpCorpus', 'mp4ToAnnexB', 'nalTypeName',
    'parseFile', 'parsePictures', 'pictureHeaders', 'pictureShapes',
  ],
  'codectok/shard': [
    'DEFAULT_ENERGON_VERSION', 'SPLIT_NAMES', 'ShardWriter', 'TarWriter', 'assignSplits', 'datasetYamlText', 'estimateTokens',
    'finalizeDataset', 'firstFitDecreasing', 'iterateDataset', 'knapsackPack', 'listShards', 'mergeRuns', 'packDataset',
    'parseManifestText', 'planPacking', 'readInfoJson', 'readManifest', 'readSampleAt', 'readSplits', 'readSqliteIndex', 'readTarIdx',
    'runSharding', 'scanShard', 'validateKey', 'writeDatasetYaml', 'writeInfoJson', 'writeSplitYaml', 'writeSqliteIndex',
  ],
  'codectok/bench': [
    'ALL_POLICIES', 'BENCH_DEFINITIONS', 'DEFAULT_BUDGETS', 'DEFAULT_CHANGE_THRESHOLD', 'NEVER_KEPT_LUMA', 'PSNR_CAP_DB', 'SsimReference',
    'aggregate', 'aggregateTable', 'autoGroupSize', 'benchVideo', 'changeMap', 'changeRecall', 'chartPng', 'compareWithUniform',
    'comparisonSummary', 'coverage', 'keptMask', 'lumaOf', 'markdownReport', 'mse', 'prepareReference', 'psnr', 'psnrFromMse',
    'rebuildFrames', 'reconstructionQuality', 'runBudgetBench', 'ssim', 'writeReport',
  ],
};

describe.skipIf(!built)('the built package (needs dist/: npm run build)', () => {
  for (const [specifier, names] of Object.entries(EXPECTED)) {
    test(`${specifier} exports exactly the documented names`, () => {
      expect(exportedNames(specifier)).toEqual([...names].sort());
    });
  }

  test('internals and test seams are not exported anywhere', () => {
    const all = Object.keys(EXPECTED).flatMap(exportedNames);
    for (const internal of ['benchChartSpec', 'renderPanel', 'fillSources', 'idxPathFor', 'formatFramesJson', 'tokenizeWith', 'pictureSource', 'loadNative', 'checkParseArguments', 'parsePicturesAnalysed']) {
      expect(all).not.toContain(internal);
    }
  });

  test('the subpaths are the same objects as the main entry where they overlap', () => {
    const r = node(`const a = await import('codectok'); const p = await import('codectok/parser');
      console.log(a.parsePictures === p.parsePictures && a.CodectokError === p.CodectokError && a.countPictures === p.countPictures);`);
    expect(r.stdout.trim()).toBe('true');
  });

  test('deep imports into dist/ are refused (only the subpaths are public)', () => {
    const r = node(`await import('codectok/dist/tokenize/tokenize.js');`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  test('the public types: error.code is the union of codes, no test seam, no internals (tsc on test/types)', () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'test', 'types', 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
