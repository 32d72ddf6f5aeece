/**
 * `codectok/shard`: Energon-ready WebDataset shards of tokenized videos (the writer, the
 * resumable manifest run, the metadata, reading back) and sequence packing.
 *
 * @module codectok/shard
 */
export { ShardWriter, validateKey } from './shard_writer.js';
export type { ShardSample, FinishedShard, ShardWriterOptions } from './shard_writer.js';
export { TarWriter } from './tar_writer.js';
export type { TarMemberRecord, TarWriterOptions } from './tar_writer.js';
export { scanShard, readTarIdx, readSampleAt } from './tar_reader.js';
export type { ScannedShard, ScannedSample, SamplePart, ReadSample } from './tar_reader.js';
export { finalizeDataset, iterateDataset, listShards } from './dataset.js';
export type { FinalizeOptions, FinalizeResult, DatasetSample } from './dataset.js';
export {
  DEFAULT_ENERGON_VERSION,
  SPLIT_NAMES,
  assignSplits,
  datasetYamlText,
  readInfoJson,
  readSplits,
  writeDatasetYaml,
  writeInfoJson,
  writeSplitYaml,
} from './energon_meta.js';
export type { DatasetYamlOptions, InfoJson, Splits, SplitName, ShardCount } from './energon_meta.js';
export { writeSqliteIndex, readSqliteIndex, type IndexedShard, type SqlitePartRow, type SqliteSampleRow } from './sqlite_index.js';
export { readManifest, parseManifestText } from './manifest.js';
export type { Manifest, ManifestEntry } from './manifest.js';
export { runSharding, mergeRuns } from './sharding_run.js';
export type { ShardRunOptions, ShardRunResult, MergeOptions, TokenizeFn, TokenizedVideo, Failure } from './sharding_run.js';
export { planPacking, firstFitDecreasing, knapsackPack, estimateTokens } from '../pack/packing.js';
export type { PackPlan, PackAlgorithm, PlanOptions, TokenEstimate, TokenEstimateOptions } from '../pack/packing.js';
export { packDataset } from '../pack/packed_writer.js';
export type { PackDatasetOptions, PackReport, SplitReport } from '../pack/packed_writer.js';
