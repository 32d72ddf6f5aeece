// The options that describe a dataset's .nv-meta (`shard` and `pack`).
import type { Command } from 'commander';

import { DEFAULT_ENERGON_VERSION, type DatasetYamlOptions } from '../shard/energon_meta.js';
import { collect, keyValues } from './arguments.js';

/** Options that describe the dataset's .nv-meta (shared by shard and pack). */
export function addDatasetOptions(cmd: Command): Command {
  return cmd
    .option('--energon-version <v>', 'energon_version written to .nv-meta/.info.json', DEFAULT_ENERGON_VERSION)
    .option('--sample-type <module:Class>', 'write dataset.yaml with this sample_type and a field_map instead of a CrudeWebdataset')
    .option('--field-map <field=part,...>', 'field_map for --sample-type (default patches=patches.npy,positions=positions.npy,meta=json)', collect)
    .option('--subflavor <key=value>', 'subflavor for the crude dataset.yaml (repeatable)', collect)
    .option('--no-sqlite', 'do not write .nv-meta/index.sqlite and index.uuid');
}

export interface DatasetCliOptions {
  energonVersion: string;
  sampleType?: string;
  fieldMap?: string[];
  subflavor?: string[];
  sqlite: boolean;
}

export function datasetYamlFrom(o: DatasetCliOptions): DatasetYamlOptions {
  const fieldMap = keyValues(o.fieldMap, '--field-map');
  if (fieldMap && !o.sampleType) throw new Error('--field-map needs --sample-type');
  return { sampleType: o.sampleType, fieldMap, subflavors: keyValues(o.subflavor, '--subflavor') };
}
