// Compiled (not run) by test/public_api.test.ts against the built package (dist/*.d.ts through
// package.json "exports"): what the public types allow and refuse.
import { CodectokError, type CodectokErrorCode, type Picture, type ScoreTensor, type TokenizeOptions, type TokenizeResult, parsePictures, tokenize, writeNpy } from 'codectok';
import { mp4ToAnnexB, type Mp4TrackInfo } from 'codectok/parser';
import { ShardWriter, type ShardWriterOptions } from 'codectok/shard';
import { runBudgetBench, type BudgetBenchOptions } from 'codectok/bench';

export function codeOf(e: CodectokError): CodectokErrorCode {
  return e.code; // the union of the codes...
}

// @ts-expect-error ...not any string
export const notACode: CodectokError['code'] = 'ERR_NOT_A_CODE';

// @ts-expect-error the test seam pictureSource is not a public option
export const seam: TokenizeOptions = { pictureSource: undefined };

export const uses = [parsePictures, tokenize, mp4ToAnnexB, ShardWriter, runBudgetBench];
export type Uses = [Picture, Mp4TrackInfo, ShardWriterOptions, BudgetBenchOptions];

// @ts-expect-error internals stay out of the subpaths
export { benchChartSpec, renderPanel, fillSources } from 'codectok/bench';
// @ts-expect-error
export { idxPathFor } from 'codectok/shard';
// @ts-expect-error
export { formatFramesJson } from 'codectok/parser';
// @ts-expect-error deep imports are not part of the package
export { tokenizeWith } from 'codectok/dist/tokenize/tokenize.js';

// tokenize()'s tensors are ndarrays with their dtype and layout in the type
export async function tensors(r: TokenizeResult): Promise<[number, number, number | undefined]> {
  const patch: number = r.patches.get(0, 0, 0, 0);
  const row: number = r.positions.get(0, 0);
  const layout: 'nhwc' | 'nchw' = r.patches.layout;
  // @ts-expect-error the score volume is null for policies that do not score
  const bare: number = r.scores.get(0, 0, 0);
  const s: ScoreTensor | null = r.scores;
  const kind: 'fused' | 'change' | undefined = s?.kind;
  const thw: 'thw' | undefined = s?.layout;
  const dtype: 'float32' | undefined = s?.dtype;
  // @ts-expect-error the score volume has three axes
  const four: [number, number, number, number] | undefined = s?.shape;
  if (s) await writeNpy('scores.npy', s); // the writers take ndarrays
  void [layout, bare, kind, thw, dtype, four];
  return [patch, row, s?.get(0, 0, 0)];
}
