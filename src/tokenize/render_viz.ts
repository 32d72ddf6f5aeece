// `codectok viz`: tokenizes a video, decodes its sampled frames and writes the picture
// (src/writers/viz.ts) as a PNG.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrames } from '../input/ffmpeg/decode_frames.js';
import { locateFfmpeg } from '../input/ffmpeg/locate.js';
import { H264_WORK_FILE, HEVC_WORK_FILE } from '../input/ffmpeg/prepare.js';
import { encodePng } from '../writers/png.js';
import { composeViz, type VizOptions } from '../writers/viz.js';
import { checkNumber, checkOptions, checkPath } from '../validate.js';
import { checkTokenizeArguments, type TokenizeOptions } from './options.js';
import type { TokenizeResult } from './result.js';
import { tokenize } from './tokenize.js';

/** Tokenizes `input` and writes the picture to `output` (PNG). Returns the tokenization. */
export async function renderViz(input: string, output: string, options: TokenizeOptions = {}, viz: VizOptions = {}): Promise<TokenizeResult> {
  checkTokenizeArguments('renderViz', input, options);
  checkPath('renderViz', 'output', output);
  const v = checkOptions('renderViz', viz, ['tile', 'columns', 'dim']);
  for (const name of ['tile', 'columns', 'dim']) checkNumber('renderViz', v, name, Number.MIN_VALUE);
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'codectok-viz-')));
  try {
    const r = await tokenize(input, { ...options, workDir });
    const { route, codec } = r.meta.ffmpeg.input;
    const hevcPath = route === 'annexb' ? input : join(workDir, codec === 'h264' ? H264_WORK_FILE : HEVC_WORK_FILE);
    const ff = await locateFfmpeg({ prefer: options.ffmpeg ?? 'auto' });
    const frames: Uint8Array[] = [];
    for await (const fr of decodeFrames(hevcPath, { frames: r.meta.frames.sampled, geometry: r.meta.geometry, scaler: options.scaler, codec }, ff)) frames.push(fr.rgb);
    const img = composeViz(r, frames, viz);
    await writeFile(output, encodePng(img.rgb, img.width, img.height));
    return r;
  } finally {
    if (options.workDir === undefined) await rm(workDir, { recursive: true, force: true });
  }
}
