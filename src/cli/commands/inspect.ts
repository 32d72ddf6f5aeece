// codectok inspect VIDEO [--dump DIR] [--json] [--no-residual]
//
// Without flags: a readable per-picture summary. --json: one JSON document
// (streamed, picture by picture). --dump DIR: the corpus-format files
// (NAME.frames.json, NAME.motion.npy, NAME.cu.npy, NAME.residual.npy,
// NAME.tu.npy; see src/writers/dump.ts); --no-residual skips the residual (faster).
import { mkdir } from 'node:fs/promises';

import type { Command } from 'commander';

import { loadNative } from '../../input/native.js';
import { nalTypeName, parsePicturesAnalysed, type ContainerInfo, type Picture } from '../../input/parser.js';
import { defaultParseThreads, int } from '../arguments.js';
import { formatInt, writeOut } from '../output.js';

interface InspectOptions {
  dump?: string;
  json?: boolean;
  residual: boolean;
  threads?: number;
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('show what the HEVC or H.264 bitstream says about each picture (or dump it as arrays)')
    .argument('<video>', 'HEVC or H.264 video: Annex-B (.hevc/.h265/.265, .h264/.264) or MP4/MOV')
    .option('--dump <dir>', 'write NAME.frames.json and NAME.{motion,cu,residual,tu}.npy into DIR')
    .option('--json', 'print machine-readable JSON instead of the table')
    .option('--no-residual', 'with --dump: do not compute or write the residual')
    .option('--threads <n>', 'threads the bitstream is parsed on, cut at its random-access points (default: the cores available, up to 4)', int('--threads', 1))
    .action(async (video: string, opts: InspectOptions) => {
      await inspect(video, opts);
    });
}

/** Per-picture block statistics from the motion field (computed by the core: cpp/score/motion_summary.h). */
export interface PictureStats {
  /** Fractions of 4x4 blocks that are intra / inter (not skip) / skip. */
  intra: number;
  inter: number;
  skip: number;
  /** Mean length of the motion vectors used, in luma samples. */
  meanMv: number;
}

export function pictureStats(p: Picture): PictureStats | undefined {
  if (p.summary) return p.summary;
  if (!p.motion || p.motion.length === 0) return undefined;
  return loadNative().motionSummary(p.motion);
}

function sliceTypes(p: Picture): string {
  const t = p.slices.map((s) => s.type).join('');
  if (t.length <= 6) return t || '-';
  const uniq = [...new Set(t)].join('');
  return `${uniq}x${t.length}`;
}

function refs(p: Picture): string {
  const lists = p.slices
    .filter((s) => !s.dependent)
    .map((s) => {
      const parts: string[] = [];
      if (s.refL0.length) parts.push(`L0[${s.refL0.join(',')}]`);
      if (s.refL1.length) parts.push(`L1[${s.refL1.join(',')}]`);
      return parts.join(' ') || '-';
    });
  const uniq = [...new Set(lists)];
  return uniq.length ? uniq.join(' | ') : '-';
}

function pct(x: number | undefined): string {
  return x === undefined ? '    -' : `${(100 * x).toFixed(1)}%`;
}

function describeContainer(info: ContainerInfo | undefined): string {
  if (!info) return '';
  if (info.container === 'annexb') return `${info.codec === 'h264' ? 'H.264' : 'HEVC'} Annex-B`;
  return `MP4/MOV, track ${info.track?.trackId} '${info.track?.codec}'`;
}

async function inspect(video: string, opts: InspectOptions): Promise<void> {
  let container: ContainerInfo | undefined;
  const onContainer = (c: ContainerInfo) => {
    container = c;
  };

  if (opts.dump) {
    // The writers load only for --dump.
    const { dumpCorpus } = await import('../../writers/dump.js');
    await mkdir(opts.dump, { recursive: true });
    let json: JsonPrinter | undefined;
    if (opts.json) json = new JsonPrinter(video, () => container);
    const result = await dumpCorpus(video, opts.dump, {
      residual: opts.residual,
      onContainer,
      onPicture: json ? (p) => json!.queue(p) : undefined,
    });
    if (json) {
      await json.flushQueued();
      await json.end();
    } else {
      await writeOut(
        `${video}: ${result.frames} pictures, ${formatInt(result.transformBlocks)} transform blocks -> ${opts.dump}\n` +
          result.files.map((f) => `  ${f}\n`).join(''),
      );
    }
    return;
  }

  // The decoder summarises each motion field itself (no array crosses into JavaScript).
  const pictures = parsePicturesAnalysed('inspect', video, { motion: false, cu: false, bits: false, onContainer, recycle: true, threads: opts.threads ?? defaultParseThreads() }, { summary: true });
  if (opts.json) {
    const json = new JsonPrinter(video, () => container);
    for await (const p of pictures) await json.picture(p);
    await json.end();
    return;
  }

  let header = false;
  let count = 0;
  let totalBits = 0;
  for await (const p of pictures) {
    if (!header) {
      header = true;
      const cropped = `${p.width - p.crop.left - p.crop.right}x${p.height - p.crop.top - p.crop.bottom}`;
      const coded = `${p.width}x${p.height}`;
      await writeOut(
        `${video}: ${describeContainer(container)}, ${cropped}${cropped !== coded ? ` (coded ${coded})` : ''}, ${p.bitDepth}-bit\n` +
          `${'out'.padStart(5)} ${'poc'.padStart(5)} ${'dec'.padStart(5)}  ${'nal'.padEnd(10)} ${'slices'.padEnd(6)}  ` +
          `${'intra'.padStart(6)} ${'inter'.padStart(6)} ${'skip'.padStart(6)} ${'|mv|px'.padStart(7)} ${'bits'.padStart(11)}  refs\n`,
      );
    }
    const s = pictureStats(p);
    count++;
    totalBits += p.totalBits;
    await writeOut(
      `${String(p.outIndex).padStart(5)} ${String(p.poc).padStart(5)} ${String(p.decodeIndex).padStart(5)}  ` +
        `${nalTypeName(p.nalType, p.codec).padEnd(10)} ${sliceTypes(p).padEnd(6)}  ` +
        `${pct(s?.intra).padStart(6)} ${pct(s?.inter).padStart(6)} ${pct(s?.skip).padStart(6)} ` +
        `${(s ? s.meanMv.toFixed(2) : '-').padStart(7)} ${formatInt(p.totalBits).padStart(11)}  ${refs(p)}\n`,
    );
  }
  if (!header) await writeOut(`${video}: ${describeContainer(container)}: no pictures\n`);
  else await writeOut(`${count} pictures, ${formatInt(totalBits)} bits (${formatInt(totalBits / 8)} bytes of slice data)\n`);
}

/** Streams {"file", "container", "pictures": [...]} to stdout. */
class JsonPrinter {
  private first = true;
  private started = false;
  private pending: object[] = [];
  constructor(
    private readonly file: string,
    private readonly container: () => ContainerInfo | undefined,
  ) {}

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await writeOut(
      `{"file":${JSON.stringify(this.file)},"container":${JSON.stringify(this.container() ?? null)},"pictures":[`,
    );
  }

  static record(p: Picture): object {
    return {
      outIndex: p.outIndex,
      poc: p.poc,
      decodeIndex: p.decodeIndex,
      nalType: p.nalType,
      nalTypeName: nalTypeName(p.nalType, p.codec),
      codec: p.codec,
      width: p.width,
      height: p.height,
      bitDepth: p.bitDepth,
      crop: p.crop,
      slices: p.slices,
      totalBits: p.totalBits,
      stats: pictureStats(p) ?? null,
    };
  }

  /** Keeps the record of a picture (no arrays) to print later. */
  queue(p: Picture): void {
    this.pending.push(JsonPrinter.record(p));
  }

  async flushQueued(): Promise<void> {
    for (const r of this.pending) await this.write(r);
    this.pending = [];
  }

  async picture(p: Picture): Promise<void> {
    await this.write(JsonPrinter.record(p));
  }

  private async write(record: object): Promise<void> {
    await this.start();
    await writeOut(`${this.first ? '\n' : ',\n'}${JSON.stringify(record)}`);
    this.first = false;
  }

  async end(): Promise<void> {
    await this.start();
    await writeOut(`${this.first ? '' : '\n'}]}\n`);
  }
}
