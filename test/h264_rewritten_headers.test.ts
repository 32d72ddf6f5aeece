// POC type 1 (ITU-T H.264 8.2.1.2), long-term reference pictures (8.2.4, 8.2.5) and frame_num gaps
// (8.2.5.2), which libx264 does not write: test/fixtures/h264-x264's
// poc2_p_only (POC type 2) rewritten header by header into POC type 1 streams whose pictures are
// the same (test/helpers/h264_header_rewrite.ts; every slice's data copied byte for byte). FFmpeg
// decodes each to the same frames as the original; `codectok inspect --dump` must then match the
// original's golden data exactly, and the parser must derive the POCs the standard gives (worked
// out by hand below).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

import { parseFile, type Picture } from '../src/input/parser.js';
import { compareH264Dump, H264_X264_DIR } from './helpers/h264_corpus.js';
import { type HeaderRewrite, rewriteH264Headers } from './helpers/h264_header_rewrite.js';
import { ffmpegPath } from './helpers/tokenize_helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'cli.js');
const SOURCE = path.join(H264_X264_DIR, 'poc2_p_only.h264');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The rewritten stream, saved as poc2_p_only.h264 (the dump's names are the golden data's) in a new folder. */
function rewritten(o: HeaderRewrite): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'codectok-poc1-'));
  dirs.push(dir);
  const file = path.join(dir, 'poc2_p_only.h264');
  writeFileSync(file, rewriteH264Headers(readFileSync(SOURCE), o));
  return file;
}

/** A P-only libx264 stream with one reference per picture (10 pictures, frame_num 0..9, POC type 2), made once here (x264 is deterministic). */
let pRef1Made: string | undefined;
async function pRef1(): Promise<string> {
  if (pRef1Made) return pRef1Made;
  const dir = mkdtempSync(path.join(tmpdir(), 'codectok-pref1-'));
  dirs.push(dir);
  const source = path.join(dir, 'p_ref1.h264');
  const made = spawnSync(await ffmpegPath(), ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=128x96:rate=25', '-t', '0.4', '-c:v', 'libx264', '-preset', 'fast', '-x264-params', 'bframes=0:ref=1', '-f', 'h264', source], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  pRef1Made = source;
  return source;
}

/** p_ref1 with its headers rewritten by `o`, saved beside it as NAME.h264. */
async function pRef1Rewritten(name: string, o: HeaderRewrite): Promise<{ source: string; file: string }> {
  const source = await pRef1();
  const file = path.join(path.dirname(source), `${name}.h264`);
  writeFileSync(file, rewriteH264Headers(readFileSync(source), o));
  return { source, file };
}

/** The bundled FFmpeg decodes `file` without an error (for rewrites whose frames differ from the original's). */
async function expectFfmpegDecodesCleanly(file: string): Promise<void> {
  const ff = spawnSync(await ffmpegPath(), ['-v', 'error', '-f', 'h264', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  expect(ff.status).toBe(0);
  expect(ff.stderr).toBe('');
}

/**
 * The rewritten p_ref1 stream's vectors against the original's: every picture of the original
 * refers to the one before (POC 2(n - 1)); the rewritten one has the same vectors, with reference
 * POC `refPoc(n)` where that is defined. Returns the inter blocks whose reference POC was replaced.
 */
function expectVectorsWithRefPocs(before: Picture[], after: Picture[], refPoc: (n: number) => number | undefined): number {
  let replaced = 0;
  for (let n = 0; n < before.length; n++) {
    const expected = Int16Array.from(before[n]!.motion!);
    const poc = refPoc(n);
    for (let i = 6; i < expected.length; i += 8) {
      if (expected[i] === -32768) continue;
      expect(expected[i], `picture ${n} refers to the one before`).toBe(2 * (n - 1));
      if (poc !== undefined) {
        expected[i] = poc;
        replaced++;
      }
    }
    expect(Array.from(after[n]!.motion!), `picture ${n}`).toEqual(Array.from(expected));
  }
  return replaced;
}

/** MD5 of every decoded frame, in output order, by the bundled FFmpeg. */
async function frameMd5s(file: string): Promise<string[]> {
  const r = spawnSync(await ffmpegPath(), ['-v', 'error', '-f', 'h264', '-i', file, '-f', 'framemd5', '-'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').at(-1)!.trim());
}

// poc2_p_only: an IDR picture then 9 P pictures, frame_num 0..9, every one a reference picture
// (nal_ref_idc 2), one SPS with log2_max_frame_num 4 or more (no wrap in 10 pictures).
const CASES: { name: string; o: HeaderRewrite; poc: number[] }[] = [
  {
    // offset_for_ref_frame {1, 3}: ExpectedDeltaPerPicOrderCntCycle 4. A reference picture with
    // absFrameNum n >= 1: 4 * floor((n - 1) / 2) + (1 if (n - 1) is even, else 4); the IDR picture 0.
    // The last picture made non-reference: absFrameNum 9 - 1 = 8 -> 12 + 4 = 16, plus
    // offset_for_non_ref_pic 1 = 17.
    name: 'delta_pic_order_always_zero, a 2-entry cycle, a non-reference picture',
    o: { pocType1: { offsetForRefFrame: [1, 3], offsetForNonRefPic: 1 }, nonReference: [9] },
    poc: [0, 1, 4, 5, 8, 9, 12, 13, 16, 17],
  },
  {
    // offset_for_ref_frame {2}: 2n, plus delta_pic_order_cnt[0] of each picture (0, 1, 0, 1, ...)
    name: 'delta_pic_order_cnt[0] in every slice header, a 1-entry cycle',
    o: { pocType1: { offsetForRefFrame: [2], offsetForNonRefPic: -5, deltas: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1] } },
    poc: [0, 3, 4, 7, 8, 11, 12, 15, 16, 19],
  },
];

describe('POC type 1, long-term references, frame_num gaps (libx264 streams rewritten)', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s: the golden data of the original, and the POCs of the standard', async (_, c) => {
    const file = rewritten(c.o);
    expect(readFileSync(file).equals(readFileSync(SOURCE))).toBe(false);
    // an independent decoder reads the rewritten stream as the same pictures in the same order
    expect(await frameMd5s(file)).toEqual(await frameMd5s(SOURCE));
    const dump = mkdtempSync(path.join(tmpdir(), 'codectok-poc1-dump-'));
    dirs.push(dump);
    const r = spawnSync(process.execPath, [CLI, 'inspect', file, '--dump', dump, '--no-residual'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(await compareH264Dump(dump, 'poc2_p_only', 8, 8, H264_X264_DIR)).toEqual([]);
    const pics = await parseFile(file, { motion: false, cu: false, bits: false });
    expect(pics.map((p) => p.poc)).toEqual(c.poc);
  });

  test('a long-term IDR picture (long_term_reference_flag 1): later pictures refer to it where they referred to their second previous picture', async () => {
    // max_num_ref_frames 2, P pictures with 2 active references (list 0: previous, second previous;
    // the first P picture 1). With the IDR picture long-term, the sliding window (8.2.5.3) counts it:
    // after picture 2 only picture 1's short-term slot is freed, so from picture 3 on list 0 is
    // {previous picture (short-term), the IDR picture (long-term, after the short-term ones,
    // 8.2.4.2.1)}: a block that referred to picture n - 2 (POC 2(n - 2)) now refers to POC 0. The
    // syntax, and so every vector, is the same.
    const file = rewritten({ longTermIdr: true });
    await expectFfmpegDecodesCleanly(file);
    const before = await parseFile(SOURCE, { cu: false, bits: false });
    const after = await parseFile(file, { cu: false, bits: false });
    expect(after.length).toBe(10);
    let moved = 0;
    for (let n = 0; n < 10; n++) {
      const a = before[n]!.motion!;
      const b = after[n]!.motion!;
      expect(b.length).toBe(a.length);
      const expected = Int16Array.from(a);
      for (let i = 6; i < expected.length; i += 8) {
        if (n >= 3 && expected[i] === 2 * (n - 2)) {
          expected[i] = 0;
          moved++;
        }
      }
      expect(Array.from(b), `picture ${n}`).toEqual(Array.from(expected));
    }
    expect(moved).toBeGreaterThan(0);
  });

  test('a frame_num gap: the non-existing frame takes a sliding-window slot, the picture after it reorders list 0; the same pictures', { timeout: 60_000 }, async () => {
    const { source, file } = await pRef1Rewritten('p_ref1_gap', { frameNumGap: 5 });
    // 8.2.5.2: frame_num 5 is skipped; picture 5 (frame_num 6) finds list 0 {non-existing 5,
    // picture 4} and its modification puts picture 4 first: every picture refers to the one before
    // it, as coded, so FFmpeg decodes the same frames
    expect(await frameMd5s(file)).toEqual(await frameMd5s(source));
    const before = await parseFile(source, { cu: false, bits: false });
    const after = await parseFile(file, { cu: false, bits: false });
    expect(before.map((p) => p.poc)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    // POC type 2: 2 x frame_num from the gap on
    expect(after.map((p) => p.poc)).toEqual([0, 2, 4, 6, 8, 12, 14, 16, 18, 20]);
    // from picture 6 on, the picture before has the POC of its own frame_num
    expect(expectVectorsWithRefPocs(before, after, (n) => (n > 5 ? 2 * n : undefined))).toBeGreaterThan(0);
  });

  test('memory_management_control_operation 5: the picture is then a reference of POC 0 and frame_num 0, and the POCs after it restart', { timeout: 60_000 }, async () => {
    // picture 4 given MMCO 5, the frame_num of pictures 5..9 renumbered 1..5 (7.4.3: after MMCO 5
    // PrevRefFrameNum is 0). 8.2.1: after decoding picture 4, tempPicOrderCnt = PicOrderCnt(4) = 8 is
    // subtracted from its POC, which becomes 0; POC type 2 restarts from prevFrameNumOffset 0, so
    // pictures 5..9 have POC 2 x frame_num = 2..10, and picture 5 refers to picture 4 as POC 0 (not 8)
    const { source, file } = await pRef1Rewritten('p_ref1_mmco5', { mmco5At: 4 });
    expect(await frameMd5s(file)).toEqual(await frameMd5s(source));
    const before = await parseFile(source, { cu: false, bits: false });
    const after = await parseFile(file, { cu: false, bits: false });
    expect(after.map((p) => p.poc)).toEqual([0, 2, 4, 6, 0, 2, 4, 6, 8, 10]);
    expect(after.map((p) => p.decodeIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // from picture 5 on, the picture before: POC 0 for picture 4, then 2 x its new frame_num
    expect(expectVectorsWithRefPocs(before, after, (n) => (n >= 5 ? 2 * (n - 5) : undefined))).toBeGreaterThan(0);
  });

  test('MMCOs on long-term pictures (4, 1, 6, then 2, 3, 4, 6, then 4): list 0 takes the short-term pictures, then the long-term ones by LongTermPicNum', { timeout: 60_000 }, async () => {
    // The P-only stream with one active reference, max_num_ref_frames raised to 2, and marking
    // written into pictures 2, 5 and 6 (8.2.5.4); list 0 (8.2.4.2.1): short-term pictures by
    // descending PicNum, then long-term ones by ascending LongTermPicNum (= LongTermFrameIdx):
    //  2: MMCO 4 (MaxLongTermFrameIdx 0), 1 (unmark PicNum 2 - 2 = 0), 6 (itself long-term, index 0)
    //     -> {1 short, 2 long}; picture 3's list 0 is {1, 2}: it refers to picture 1 (POC 2), not 2
    //     (POC 4). Sliding windows (8.2.5.3) after 3 and 4 unmark 1, then 3 -> {2 long, 4 short}.
    //  5: MMCO 2 (unmark long-term 0: picture 2), 3 (PicNum 5 - 1 = 4 -> long-term index 0),
    //     4 (MaxLongTermFrameIdx 1), 6 (itself long-term, index 1) -> {4 long 0, 5 long 1};
    //     picture 6's list 0 is {4, 5}: it refers to picture 4 (POC 8), not 5 (POC 10).
    //  6: MMCO 4 (MaxLongTermFrameIdx 0: picture 5 unmarked) -> {4 long 0, 6 short}; from
    //     picture 7 on the previous picture is first again.
    // The syntax, and so every vector, is the original's; FFmpeg decodes it without an error.
    const { source, file } = await pRef1Rewritten('p_ref1_long_term', { maxNumRefFrames: 2, mmco: { 2: [[4, 1], [1, 1], [6, 0]], 5: [[2, 0], [3, 0, 0], [4, 2], [6, 1]], 6: [[4, 1]] } });
    await expectFfmpegDecodesCleanly(file);
    const before = await parseFile(source, { cu: false, bits: false });
    const after = await parseFile(file, { cu: false, bits: false });
    expect(after.map((p) => p.poc)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    const refersTo = new Map([[3, 2], [6, 8]]);
    expect(expectVectorsWithRefPocs(before, after, (n) => refersTo.get(n))).toBeGreaterThan(0);
  });

  test('the original, POC type 2: 2 x frame_num for reference pictures', async () => {
    const pics = await parseFile(SOURCE, { motion: false, cu: false, bits: false });
    expect(pics.map((p) => p.poc)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });
});
