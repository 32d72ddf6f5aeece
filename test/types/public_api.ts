// Compiled (not run) by test/public_api.test.ts against the built package (dist/*.d.ts through
// package.json "exports"): what the public types allow and refuse.
import { CodectokError, type CodectokErrorCode, type Picture, type TokenizeOptions, parsePictures, tokenize } from 'codectok';
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
