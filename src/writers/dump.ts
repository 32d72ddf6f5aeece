// Writes what the parser sees in a video in the format of the reference corpus
// (test/fixtures/hevc-corpus/README.md), uncompressed:
//   NAME.frames.json   one entry per picture, output order (y_md5: null)
//   NAME.motion.npy    int16 [frames, ceil(H/4), ceil(W/4), 8], output order
//   NAME.cu.npy        int16 [frames, ceil(H/8), ceil(W/8), 4], output order
//   NAME.residual.npy  int16 [frames, H, W], output order (unless residual: false)
//   NAME.tu.npy        int64 [transform blocks, 13], decoding order
// Arrays are streamed to disk picture by picture, so the dump of a long video
// never sits in memory (only the small frames.json list does).
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { CodectokError } from '../errors.js';
import { checkBoolean, checkFunction, checkOptions, checkPath, invalidArgument } from '../validate.js';
import { checkParseArguments, parsePictures, pictureShapes, TU_COLUMNS, type ParseInput, type ParseOptions, type Picture } from '../input/parser.js';
import { NpyStreamWriter } from './npy.js';

export interface DumpOptions extends Pick<ParseOptions, 'chunkSize' | 'container' | 'codec' | 'onContainer'> {
  /** Base name of the files (default: the input file name without extension, else "stream"). */
  name?: string;
  /** Write NAME.residual.npy (default true). */
  residual?: boolean;
  /** Called for each picture once it is written. */
  onPicture?: (picture: Picture) => void;
}

export interface DumpResult {
  name: string;
  frames: number;
  transformBlocks: number;
  /** Paths of the files written. */
  files: string[];
}

/** One frames.json entry, keys in the corpus order. */
export interface FrameRecord {
  out_index: number;
  decode_index: number;
  poc: number;
  nal_type: number;
  y_md5: string | null;
  slices: Array<{
    type: string;
    address: number;
    dependent: number;
    qp_delta: number;
    ref_l0: number[];
    ref_l1: number[];
  }>;
}

export function frameRecord(p: Picture): FrameRecord {
  return {
    out_index: p.outIndex,
    decode_index: p.decodeIndex,
    poc: p.poc,
    nal_type: p.nalType,
    y_md5: null,
    slices: p.slices.map((s) => ({
      type: s.type,
      address: s.address,
      dependent: s.dependent ? 1 : 0,
      qp_delta: s.qpDelta,
      ref_l0: [...s.refL0],
      ref_l1: [...s.refL1],
    })),
  };
}

/** frames.json text in the corpus layout: one compact entry per line. */
export function formatFramesJson(records: FrameRecord[]): string {
  if (records.length === 0) return '[\n]\n';
  return `[\n${records.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
}

export function defaultDumpName(input: ParseInput): string {
  if (typeof input !== 'string') return 'stream';
  const base = path.basename(input);
  const ext = path.extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}

/** Puts transform-block rows, which arrive per picture in output order, back in decoding order. */
class DecodeOrderQueue {
  private pending = new Map<number, BigInt64Array>();
  private next = 0;
  // A picture that is never output (e.g. a RASL picture skipped at a random
  // access point) leaves a hole; pictures are reordered over at most 16, so a
  // hole older than this many pending pictures is given up on.
  private static readonly MAX_PENDING = 64;

  constructor(private readonly write: (rows: BigInt64Array) => Promise<void>) {}

  async add(decodeIndex: number, rows: BigInt64Array): Promise<void> {
    this.pending.set(decodeIndex, rows);
    for (;;) {
      while (this.pending.has(this.next)) {
        const r = this.pending.get(this.next)!;
        this.pending.delete(this.next);
        this.next++;
        await this.write(r);
      }
      if (this.pending.size <= DecodeOrderQueue.MAX_PENDING) return;
      this.next = Math.min(...this.pending.keys());
    }
  }

  async flush(): Promise<void> {
    for (const k of [...this.pending.keys()].sort((a, b) => a - b)) await this.write(this.pending.get(k)!);
    this.pending.clear();
  }
}

/** Decodes `input` and writes the corpus-format files into `dir` (which must exist). */
export async function dumpCorpus(input: ParseInput, dir: string, options: DumpOptions = {}): Promise<DumpResult> {
  const o = checkOptions('dumpCorpus', options, ['name', 'residual', 'onPicture', 'chunkSize', 'container', 'codec', 'onContainer']);
  const { name: _n, residual: _r, onPicture: _p, ...parse } = o;
  checkParseArguments('dumpCorpus', input, parse);
  checkPath('dumpCorpus', 'dir', dir);
  checkBoolean('dumpCorpus', o, 'residual');
  checkFunction('dumpCorpus', o, 'onPicture');
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) throw invalidArgument('dumpCorpus', 'options.name', 'a non-empty string', o.name);
  const name = options.name ?? defaultDumpName(input);
  const wantResidual = options.residual ?? true;
  const file = (suffix: string) => path.join(dir, `${name}.${suffix}`);
  const records: FrameRecord[] = [];
  const created: string[] = [];
  let writers:
    | { motion: NpyStreamWriter; cu: NpyStreamWriter; residual?: NpyStreamWriter; tu: NpyStreamWriter }
    | undefined;
  let size: { width: number; height: number } | undefined;
  let transformBlocks = 0;

  const openWriters = async (width: number, height: number) => {
    const s = pictureShapes({ width, height });
    const open = async (suffix: string, dtype: 'int16' | 'int64', inner: number[]) => {
      const w = await NpyStreamWriter.open(file(suffix), dtype, inner);
      created.push(file(suffix));
      return w;
    };
    writers = {
      motion: await open('motion.npy', 'int16', s.motion),
      cu: await open('cu.npy', 'int16', s.cu),
      tu: await open('tu.npy', 'int64', [TU_COLUMNS]),
    };
    if (wantResidual) writers.residual = await open('residual.npy', 'int16', s.residual);
  };
  let tuQueue: DecodeOrderQueue | undefined;

  try {
    const pictures = parsePictures(input, {
      motion: true,
      cu: true,
      bits: false,
      tuStats: true,
      residual: wantResidual,
      chunkSize: options.chunkSize,
      container: options.container,
      codec: options.codec,
      onContainer: options.onContainer,
    });
    for await (const p of pictures) {
      if (!size) {
        size = { width: p.width, height: p.height };
        await openWriters(p.width, p.height);
        tuQueue = new DecodeOrderQueue(async (rows) => {
          transformBlocks += rows.length / TU_COLUMNS;
          await writers!.tu.append(rows);
        });
      } else if (p.width !== size.width || p.height !== size.height) {
        throw new CodectokError(
          'ERR_UNSUPPORTED',
          `picture ${p.outIndex} is ${p.width}x${p.height} but earlier ones are ${size.width}x${size.height}: a dump needs one picture size`,
          { picture: p.decodeIndex, file: typeof input === 'string' ? input : undefined },
        );
      }
      const w = writers!;
      await w.motion.append(need(p.motion, 'motion', p));
      await w.cu.append(need(p.cu, 'cu', p));
      if (w.residual) await w.residual.append(need(p.residual, 'residual', p));
      await tuQueue!.add(p.decodeIndex, p.tu ?? new BigInt64Array(0));
      records.push(frameRecord(p));
      options.onPicture?.(p);
    }
    if (!writers) await openWriters(0, 0);
    await tuQueue?.flush();
    const w = writers!;
    await w.motion.close();
    await w.cu.close();
    await w.residual?.close();
    await w.tu.close();
    await writeFile(file('frames.json'), formatFramesJson(records));
    created.unshift(file('frames.json'));
    return { name, frames: records.length, transformBlocks, files: created };
  } catch (e) {
    if (writers) {
      await Promise.all(Object.values(writers).map((w) => (w as NpyStreamWriter).abort()));
    }
    await Promise.all(created.map((f) => unlink(f).catch(() => {})));
    throw e;
  }
}

function need<T>(array: T | undefined, what: string, p: Picture): T {
  if (array === undefined) {
    throw new CodectokError('ERR_INTERNAL', `the decoder returned no ${what} array for picture ${p.outIndex}`, {
      picture: p.decodeIndex,
    });
  }
  return array;
}
