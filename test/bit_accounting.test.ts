// A picture's totalBits and its bits map checked against the size of its slice data, measured
// without the parser: test/helpers/slice_extent.ts splits the Annex-B bytes, removes emulation
// prevention and reads the slice headers itself, giving for every slice the bit where slice_data()
// starts (S) and the bit of its rbsp_stop_one_bit.
//
// What the parser reports (cpp/bitstream/cabac_engine.h bits_consumed(), summed per slice in
// cpp/hevc/slice_decoder.cpp and cpp/h264/slice_decoder.cpp) is, for CABAC, the arithmetic
// decoder's position minus log2 of its range: m = c - 1 - log2(ivlCurrRange), c = bits read. It
// starts at c = 9, range 510 (clause 9.3.2.5 / H.264 9.3.1.2) and, for a slice, ends at the
// terminating bin equal to 1, whose range (after the subtraction of 2, no renormalisation,
// 9.3.4.3.5 / H.264 9.3.3.2.2.3) is in [254, 508]; the last bit read then is the
// rbsp_stop_one_bit. Substream restarts (WPP rows, tiles, PCM samples) move c forward without
// changing this end-to-end relation. So with D = (stop bit + 1) - S:
//     totalBits(slice) = D - 9 + log2(510 / range_end),   log2(510/508) <= that term <= log2(510/254)
// an interval 1 bit wide per slice, which is as tight as the bitstream allows (the final range is
// not in the bitstream).
//
// H.264 CAVLC: totalBits sums the bits of each macroblock from the slice data start, a
// mb_skip_run counted with the macroblock after it; a run that ends the slice has none, so
//     totalBits(slice) = (stop bit - S) - L,   L = 0 or the length of the ue(v) mb_skip_run that
// ends exactly at the stop bit (value 1..PicSizeInMbs); L = 0 for I slices. Exact, in whole bits.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../src/index.js';
import { avcSliceExtents, hevcSliceExtents, type SliceExtent } from './helpers/slice_extent.js';
import { BitReader, splitNals, toRbsp } from './helpers/bitstream.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const LOG2_MIN_END = Math.log2(510 / 508);
const LOG2_MAX_END = Math.log2(510 / 254);
// kLog2Range is float32 (relative error 6e-8 on values <= 9) summed in double: far below this.
const EPS = 1e-3;

/** Every stream of a fixture folder. */
const streams = (dir: string, ext: string) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => ({ dir, name: f, path: join(FIXTURES, dir, f) }));

/** Possible lengths of a ue(v) mb_skip_run (value 1..maxRun) that ends right before the stop bit. */
function trailingSkipRuns(rbsp: Uint8Array, s: SliceExtent): number[] {
  const out = [0];
  if (s.type === 'I') return out;
  const bit = (i: number) => (rbsp[i >> 3]! >> (7 - (i & 7))) & 1;
  for (let z = 0; 2 ** z - 1 <= s.picSizeInBlocks; z++) {
    const start = s.stopBit - (2 * z + 1);
    if (start < s.dataStart) break;
    let ok = bit(start + z) === 1;
    for (let i = 0; i < z && ok; i++) ok = bit(start + i) === 0;
    if (!ok) continue;
    const r = new BitReader(rbsp);
    r.pos = start;
    const v = r.ue();
    if (v >= 1 && v <= s.picSizeInBlocks) out.push(2 * z + 1);
  }
  return out;
}

/** The set of sums of one value taken from each list. */
function sums(lists: number[][]): number[] {
  let acc = new Set([0]);
  for (const l of lists) {
    const next = new Set<number>();
    for (const a of acc) for (const v of l) next.add(a + v);
    acc = next;
  }
  return [...acc];
}

interface Figures {
  pictures: number;
  slices: number;
  /** CABAC: smallest and largest (totalBits - (D - 9)) / slices over the pictures; CAVLC: bits of trailing skip runs. */
  lo: number;
  hi: number;
  /** x264's don't-care bit after the stop bit (H.264 CABAC): slices where it is 1. */
  dontCare: number;
  /** Largest |sum of the bits map - totalBits| / totalBits. */
  mapGap: number;
}

async function check(path: string, hevc: boolean): Promise<Figures> {
  const bytes = new Uint8Array(readFileSync(path));
  const extents = hevc ? hevcSliceExtents(bytes) : avcSliceExtents(bytes);
  const rbsps = new Map<SliceExtent, Uint8Array>();
  if (!hevc) {
    const nals = splitNals(bytes).filter((n) => [1, 5].includes(bytes[n.header]! & 0x1f));
    extents.forEach((e, i) => rbsps.set(e, toRbsp(bytes.subarray(nals[i]!.header, nals[i]!.end))));
  }
  const pics = await parseFile(path, { bits: true, motion: false, cu: false });
  const byPicture = new Map<number, SliceExtent[]>();
  for (const e of extents) byPicture.set(e.picture, [...(byPicture.get(e.picture) ?? []), e]);
  expect(pics.length, 'pictures the parser returns vs slice-start pictures counted here').toBe(byPicture.size);
  const f: Figures = { pictures: pics.length, slices: extents.length, lo: Infinity, hi: -Infinity, dontCare: 0, mapGap: 0 };
  for (const p of pics) {
    const slices = byPicture.get(p.decodeIndex);
    expect(slices, `picture ${p.decodeIndex} in decoding order`).toBeDefined();
    const n = slices!.length;
    // the pictures are paired right: the POC LSBs read here are the parser's
    const lsb = slices![0]!;
    if (lsb.pocLsb >= 0) {
      const max = 2 ** lsb.log2MaxPocLsb;
      // (H.264 frames: the POC is TopFieldOrderCnt, whose LSBs are pic_order_cnt_lsb)
      expect(((p.poc % max) + max) % max, `POC of picture ${p.decodeIndex}`).toBe(lsb.pocLsb);
    }
    const where = `picture ${p.decodeIndex} (${n} slice${n > 1 ? 's' : ''}): totalBits ${p.totalBits}`;
    if (slices![0]!.cabac) {
      // Candidates for the stop bit's position per slice: the last 1 bit; and where that is the last
      // bit of its byte, the 1 bit before it in the same byte (x264 writes a don't-care bit there,
      // x264_cabac_encode_flush: `i_low |= ... << 10`, the last bit of the last byte, after the
      // stop bit).
      const candidates = slices!.map((s) => {
        const d = [s.stopBit + 1 - s.dataStart - 9];
        if (!hevc && s.stopBit % 8 === 7) {
          const rbsp = rbsps.get(s)!;
          const byte = rbsp[s.stopBit >> 3]! & 0xfe;
          if (byte !== 0) d.push(((s.stopBit >> 3) << 3) + (7 - Math.log2(byte & -byte)) + 1 - s.dataStart - 9);
        }
        return d;
      });
      const fits = sums(candidates).filter((d) => p.totalBits - d >= n * LOG2_MIN_END - EPS && p.totalBits - d <= n * LOG2_MAX_END + EPS);
      expect(fits.length, `${where} outside [D - 9 + ${n} x ${LOG2_MIN_END.toFixed(4)}, D - 9 + ${n} x ${LOG2_MAX_END.toFixed(4)}] for D in ${JSON.stringify(sums(candidates))}`).toBeGreaterThan(0);
      const d = fits[0]!;
      f.lo = Math.min(f.lo, (p.totalBits - d) / n);
      f.hi = Math.max(f.hi, (p.totalBits - d) / n);
      if (d !== sums(candidates.map((c) => [c[0]!]))[0]) f.dontCare++;
    } else {
      const runs = slices!.map((s) => trailingSkipRuns(rbsps.get(s)!, s));
      const full = slices!.reduce((a, s) => a + s.stopBit - s.dataStart, 0);
      const fits = sums(runs).filter((l) => Math.abs(p.totalBits - (full - l)) < 1e-9);
      expect(fits.length, `${where}: not (stop bit - S) = ${full} less a trailing mb_skip_run in ${JSON.stringify(sums(runs))}`).toBeGreaterThan(0);
      f.lo = Math.min(f.lo, Math.min(...fits));
      f.hi = Math.max(f.hi, Math.min(...fits));
    }
    // the bits map holds every bit of the picture's slice data that totalBits counts
    let sum = 0;
    for (const v of p.bits!) sum += v;
    const gap = Math.abs(sum - p.totalBits) / Math.max(1, p.totalBits);
    f.mapGap = Math.max(f.mapGap, gap);
    expect(gap, `${where}, its bits map sums to ${sum}`).toBeLessThan(1e-5);
  }
  return f;
}

const report: string[] = [];
const show = (name: string, f: Figures) =>
  report.push(`${name.padEnd(26)} ${String(f.pictures).padStart(3)} pictures ${String(f.slices).padStart(4)} slices  ${f.lo.toFixed(4)}..${f.hi.toFixed(4)}  don't-care ${f.dontCare}  map ${f.mapGap.toExponential(1)}`);

describe('totalBits and the bits map against the slice data size (slice headers read independently)', () => {
  for (const s of streams('hevc-corpus', '.hevc')) {
    it(`HEVC ${s.name}`, async () => show(s.name, await check(s.path, true)));
  }
  for (const s of [...streams('h264-corpus', '.h264'), ...streams('h264-x264', '.h264')]) {
    const mbaff = s.name === 'interlaced_mbaff.h264';
    it.skipIf(mbaff)(`H.264 ${s.dir}/${s.name}${mbaff ? ' (skipped: the parser refuses MBAFF, ERR_UNSUPPORTED)' : ''}`, async () => show(s.name, await check(s.path, false)));
  }
  it('report', () => {
    console.log(report.join('\n'));
  });
});
