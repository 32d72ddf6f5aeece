/**
 * Which encoders made a dataset's samples, and the check that a dataset — one run, a resumed run, or
 * the parts of a split run joined by `shard --merge` — does not mix transcoders: the same video
 * transcoded by two libx265 builds gives two different token sets.
 *
 * Each slot record keeps the encoder identities of its samples (`encoders`) and which part of the
 * run made it (`made_by`); the dataset's `encoders.json` sums them up.
 */
import { type EncoderIdentity, describeIdentity } from '../input/ffmpeg/encoder_identity.js';
import { CodectokError } from '../errors.js';

/** Samples of one identity in one slot. */
export interface EncoderCount {
  identity: EncoderIdentity;
  samples: number;
}

/** Which part of a run wrote a slot. */
export interface SlotMaker {
  /** `i/n` of `--shard-index i --num-shards n` (`0/1` for a run that was not split). */
  part: string;
  host: string;
}

/** What the check reads from a slot record. */
export interface SlotEncoderRecord {
  shard: string | null;
  count: number;
  /** Absent in records written before codectok recorded encoders. */
  encoders?: EncoderCount[];
  /** Samples whose tokenizer reported no encoder identity. */
  unknown_encoder?: number;
  made_by?: SlotMaker;
}

/** Counts the encoder identities of a slot's samples as they are written. */
export class EncoderTally {
  private readonly byId = new Map<string, EncoderCount>();
  private unknown = 0;

  add(identity: EncoderIdentity | undefined): void {
    if (!identity || typeof identity.id !== 'string') {
      this.unknown++;
      return;
    }
    const e = this.byId.get(identity.id);
    if (e) e.samples++;
    else this.byId.set(identity.id, { identity, samples: 1 });
  }

  /** The slot record's fields. */
  record(): Pick<SlotEncoderRecord, 'encoders' | 'unknown_encoder'> {
    return { encoders: [...this.byId.values()], ...(this.unknown ? { unknown_encoder: this.unknown } : {}) };
  }
}

export interface DatasetEncoder extends EncoderIdentity {
  samples: number;
  shards: string[];
  /** Parts (and hosts) that wrote those shards. */
  parts: string[];
}

/** The content of the dataset's `encoders.json`. */
export interface DatasetEncoders {
  /** More than one transcoder, or a transcoder and samples whose encoder is not known. */
  mixed: boolean;
  /** Written although mixed (`--force-mixed-encoders`). */
  forced: boolean;
  /** Every identity, transcoders first, then `none` (HEVC read as it is). */
  encoders: DatasetEncoder[];
  /** Samples with no recorded identity (older runs, or a tokenizer that reports none), and their shards. */
  unknown: { samples: number; shards: string[] };
}

function maker(m: SlotMaker | undefined): string {
  return m ? `part ${m.part} on ${m.host}` : 'an unrecorded part';
}

/** Sums up the slot records of a dataset. */
export function datasetEncoders(records: SlotEncoderRecord[], forced = false): DatasetEncoders {
  const byId = new Map<string, DatasetEncoder>();
  const unknown = { samples: 0, shards: [] as string[] };
  for (const r of records) {
    if (!r.shard || r.count === 0) continue;
    const counts = r.encoders ?? [];
    const missing = r.encoders ? (r.unknown_encoder ?? 0) : r.count;
    if (missing > 0) {
      unknown.samples += missing;
      unknown.shards.push(r.shard);
    }
    for (const c of counts) {
      let e = byId.get(c.identity.id);
      if (!e) byId.set(c.identity.id, (e = { ...c.identity, samples: 0, shards: [], parts: [] }));
      e.samples += c.samples;
      e.shards.push(r.shard);
      const who = maker(r.made_by);
      if (!e.parts.includes(who)) e.parts.push(who);
    }
  }
  const encoders = [...byId.values()].sort((a, b) => (a.encoder === b.encoder ? 0 : a.encoder === 'none' ? 1 : -1));
  const transcoders = encoders.filter((e) => e.encoder !== 'none').length;
  const mixed = transcoders > 1 || (transcoders === 1 && unknown.samples > 0);
  return { mixed, forced: mixed && forced, encoders, unknown };
}

function shardList(shards: string[]): string {
  return shards.length <= 4 ? shards.join(', ') : `${shards.slice(0, 4).join(', ')} and ${shards.length - 4} more`;
}

/** Throws ERR_MIXED_ENCODERS when the dataset mixes transcoders and mixing was not forced. */
export function checkDatasetEncoders(d: DatasetEncoders): void {
  if (!d.mixed || d.forced) return;
  const lines = d.encoders
    .filter((e) => e.encoder !== 'none')
    .map((e) => `  - ${describeIdentity(e)}: ${e.samples} sample(s) in ${shardList(e.shards)}, made by ${e.parts.join('; ')}`);
  if (d.unknown.samples) lines.push(`  - unknown encoder: ${d.unknown.samples} sample(s) in ${shardList(d.unknown.shards)}`);
  throw new CodectokError(
    'ERR_MIXED_ENCODERS',
    `the shards were transcoded by different encoders, so the same video would give different tokens in them:\n${lines.join('\n')}\n` +
      'Redo the shards of one encoder with the other (--transcoder), or pass --force-mixed-encoders to write the dataset anyway (encoders.json records the mix).',
  );
}
