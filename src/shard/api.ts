// Public API of the Energon shard writer and the sequence packer (re-exported by src/index.ts).
export { ShardWriter, ShardFile, shardRelName, idxPathFor, keyProblem, validateKey } from './shard_writer.js';
export type { ShardSample, FinishedShard, ShardWriterOptions, ShardFileOptions } from './shard_writer.js';
export { TarWriter } from './tar_writer.js';
export type { TarMemberRecord, TarWriterOptions } from './tar_writer.js';
export { scanShard, readTarIdx, readSampleAt } from './tar_reader.js';
export type { ScannedShard, ScannedSample, SamplePart } from './tar_reader.js';
export { finalizeDataset, iterateDataset, listShards } from './dataset.js';
export type { FinalizeOptions, FinalizeResult, DatasetSample } from './dataset.js';
export {
  DEFAULT_ENERGON_VERSION,
  assignSplits,
  datasetYamlText,
  readInfoJson,
  readSplits,
  writeDatasetYaml,
  writeInfoJson,
  writeSplitYaml,
} from './energon_meta.js';
export type { DatasetYamlOptions, InfoJson, Splits, SplitName } from './energon_meta.js';
export { writeSqliteIndex, readSqliteIndex } from './sqlite_index.js';
export { readManifest, parseManifestText } from './manifest.js';
export type { Manifest, ManifestEntry } from './manifest.js';
export { runSharding, mergeRuns, finalizeRun, toShardSample, sampleJson } from './sharding_run.js';
export type { ShardRunOptions, ShardRunResult, MergeOptions, TokenizeFn, TokenizedVideo, Failure } from './sharding_run.js';
export { planPacking, firstFitDecreasing, knapsackPack, estimateTokens } from '../pack/packing.js';
export type { PackPlan, PackAlgorithm, PlanOptions, TokenEstimate, TokenEstimateOptions } from '../pack/packing.js';
export { packDataset } from '../pack/packed_writer.js';
export type { PackDatasetOptions, PackReport, SplitReport } from '../pack/packed_writer.js';
