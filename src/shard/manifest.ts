/**
 * JSONL manifests for `codectok shard`: one JSON object per line naming a video, with
 * an optional caption or conversation and an optional id.
 *
 *   {"video": "clips/a.mp4", "caption": "a dog runs", "id": "a"}
 *   {"video": "/data/b.hevc", "conversation": [{"from": "human", "value": "..."}, ...]}
 *
 * Accepted names: `video` (or `path`, `video_path`, `file`), `caption` (or `text`,
 * `txt`), `conversation` (or `conversations`, `messages`), `id` (or `key`). Other
 * fields are kept and copied into the sample's JSON under `extra`. Relative video
 * paths are resolved against the manifest's folder. Blank lines are skipped.
 *
 * Sample keys are derived from the manifest alone (so every machine of a split run
 * derives the same keys): the id, else the video's file name without extension;
 * characters other than `A-Za-z0-9_-` become `_`; a key already taken gets `_<n>`
 * appended (n = the entry's 0-based position). Keys never contain a dot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { keyProblem } from './shard_writer.js';

export interface ManifestEntry {
  /** 0-based position among the manifest's entries (non-blank lines). */
  index: number;
  /** 1-based line number in the file. */
  line: number;
  /** Absolute video path ('' when the line had none). */
  video: string;
  /** The video path as written in the manifest. */
  videoRaw: string;
  id?: string;
  caption?: string;
  conversation?: unknown;
  /** Other fields of the line. */
  extra: Record<string, unknown>;
  /** Sample key (unique in the manifest). */
  key: string;
  /** Set when the line cannot be used (bad JSON, no video): the run reports it as a failure. */
  error?: string;
}

const VIDEO_FIELDS = ['video', 'path', 'video_path', 'file'];
const CAPTION_FIELDS = ['caption', 'text', 'txt'];
const CONVERSATION_FIELDS = ['conversation', 'conversations', 'messages'];
const ID_FIELDS = ['id', 'key'];

function pick(obj: Record<string, unknown>, names: string[], used: Set<string>): unknown {
  for (const n of names) {
    if (obj[n] !== undefined && obj[n] !== null) {
      used.add(n);
      return obj[n];
    }
  }
  for (const n of names) used.add(n);
  return undefined;
}

/** Turn an arbitrary string into a usable key (no dot, slash, control character or leading `__`). */
export function sanitizeKey(s: string): string {
  let k = s.replace(/[^A-Za-z0-9_-]/g, '_');
  if (k.startsWith('__')) k = 'k' + k;
  if (!k) k = 'sample';
  return k;
}

function baseKey(entry: { id?: string; videoRaw: string; index: number }): string {
  if (entry.id !== undefined && entry.id !== '') return sanitizeKey(entry.id);
  if (entry.videoRaw) {
    const base = path.basename(entry.videoRaw.replace(/\\/g, '/'));
    const dot = base.indexOf('.');
    return sanitizeKey(dot > 0 ? base.slice(0, dot) : base);
  }
  return `line${entry.index}`;
}

export function parseManifestText(text: string, baseDir: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (!raw.trim()) return;
    const index = entries.length;
    const entry: ManifestEntry = { index, line: i + 1, video: '', videoRaw: '', extra: {}, key: '' };
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      entry.error = `line ${i + 1}: invalid JSON (${(e as Error).message})`;
      entries.push(entry);
      return;
    }
    if (typeof obj === 'string') obj = { video: obj };
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      entry.error = `line ${i + 1}: expected a JSON object`;
      entries.push(entry);
      return;
    }
    const o = obj as Record<string, unknown>;
    const used = new Set<string>();
    const video = pick(o, VIDEO_FIELDS, used);
    const caption = pick(o, CAPTION_FIELDS, used);
    const conversation = pick(o, CONVERSATION_FIELDS, used);
    const id = pick(o, ID_FIELDS, used);
    for (const [k, v] of Object.entries(o)) if (!used.has(k)) entry.extra[k] = v;
    if (typeof video !== 'string' || !video) {
      entry.error = `line ${i + 1}: no video path (field "video")`;
    } else {
      entry.videoRaw = video;
      entry.video = path.resolve(baseDir, video);
    }
    if (caption !== undefined) {
      if (typeof caption !== 'string') entry.error ??= `line ${i + 1}: caption must be a string`;
      else entry.caption = caption;
    }
    if (conversation !== undefined) entry.conversation = conversation;
    if (id !== undefined) entry.id = String(id);
    entries.push(entry);
  });
  assignKeys(entries);
  return entries;
}

/** Give every entry a unique, valid key (see the module comment). */
export function assignKeys(entries: ManifestEntry[]): void {
  const taken = new Set<string>();
  for (const e of entries) {
    let k = baseKey(e);
    if (taken.has(k)) {
      let n = 0;
      let cand = `${k}_${e.index}`;
      while (taken.has(cand)) cand = `${k}_${e.index}_${++n}`;
      k = cand;
    }
    const problem = keyProblem(k);
    if (problem) throw new Error(`internal: derived key is invalid: ${problem}`);
    taken.add(k);
    e.key = k;
  }
}

export interface Manifest {
  path: string;
  sha256: string;
  entries: ManifestEntry[];
}

export function readManifest(file: string): Manifest {
  const buf = fs.readFileSync(file);
  const sha256 = createHash('sha256').update(buf).digest('hex');
  return { path: path.resolve(file), sha256, entries: parseManifestText(buf.toString('utf8'), path.dirname(path.resolve(file))) };
}

/** Text of a caption or conversation, for token estimates: all string values joined. */
export function textOf(caption: unknown, conversation: unknown): string {
  const parts: string[] = [];
  if (typeof caption === 'string') parts.push(caption);
  const walk = (v: unknown) => {
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // message formats: {from, value} (LLaVA), {role, content} (OpenAI), content may be a list of {type, text}
      for (const k of ['value', 'content', 'text']) if (k in o) walk(o[k]);
    }
  };
  walk(conversation);
  return parts.join('\n');
}
