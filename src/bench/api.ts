/**
 * `codectok/bench`: the token-budget benchmark (`codectok bench budgets`) and its metrics:
 * temporal coverage, reconstruction quality (PSNR, SSIM), change recall, and the report.
 *
 * @module codectok/bench
 */
export { runBudgetBench, benchVideo, autoGroupSize, ALL_POLICIES, DEFAULT_BUDGETS, DEFINITIONS as BENCH_DEFINITIONS, type BudgetBenchOptions, type BenchResults, type VideoResult, type RunResult, type RunTiming, type BenchEvent } from './budget_bench.js';
export { coverage, type Coverage } from './coverage.js';
export { rebuildFrames, prepareReference, reconstructionQuality, NEVER_KEPT_LUMA, type ReconstructionQuality, type ReferenceFrames, type Rebuilt } from './reconstruction.js';
export { changeMap, changeRecall, DEFAULT_CHANGE_THRESHOLD, type ChangeMap, type ChangeRecall } from './change_recall.js';
export { psnr, psnrFromMse, ssim, mse, lumaOf, SsimReference, PSNR_CAP_DB, type Rect } from './quality.js';
export { keptMask, type KeptGrid, type GridGeometry } from './selection.js';
export type { GridPlacement } from '../geometry/content_mask.js';
export { chartPng, type ChartSpec, type ChartSeries, type Rgb, type Marker } from './plot_png.js';
export { writeReport, markdownReport, aggregate, aggregateTable, compareWithUniform, comparisonSummary, type AggregateRow, type Comparison } from './report.js';
