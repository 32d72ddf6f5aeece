// Public API of the token-budget benchmark (re-exported by index.ts).
export { runBudgetBench, benchVideo, autoGroupSize, ALL_POLICIES, DEFAULT_BUDGETS, DEFINITIONS as BENCH_DEFINITIONS, type BudgetBenchOptions, type BenchResults, type VideoResult, type RunResult, type RunTiming, type BenchEvent } from './budget_bench.js';
export { coverage, type Coverage } from './coverage.js';
export { fillSources, rebuildFrames, compareFrames, prepareReference, reconstructionQuality, NEVER_KEPT_LUMA, type ReconstructionQuality, type ReferenceFrames, type Rebuilt } from './reconstruction.js';
export { changeMap, changeRecall, DEFAULT_CHANGE_THRESHOLD, type ChangeMap, type ChangeRecall } from './change_recall.js';
export { psnr, psnrFromMse, ssim, mse, lumaOf, SsimReference, PSNR_CAP_DB } from './quality.js';
export { keptMask, type KeptGrid } from './selection.js';
export { chartPng, panelPng, renderChart, renderPanel, type ChartSpec, type ChartSeries } from './plot_png.js';
export { writeReport, markdownReport, aggregate, aggregateTable, compareWithUniform, comparisonSummary, comparisonTable, chartSpec as benchChartSpec, resultsJson, type AggregateRow, type Comparison } from './report.js';
