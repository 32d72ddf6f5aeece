/**
 * Writes a tokenization to a directory: `patches.npy` (uint8 [N, P, P, 3] by default), `positions.npy`
 * (int32 [N, 3]: t, h, w) and `meta.json`. numpy.load and torch (via numpy) read them as they are.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkTokenizeResult, type TokenizeResult } from '../tokenize/result.js';
import { checkPath } from '../validate.js';
import { writeNpy } from './npy.js';

export interface WrittenFiles {
  patches: string;
  positions: string;
  meta: string;
}

export async function writeNpyOutput(dir: string, r: TokenizeResult): Promise<WrittenFiles> {
  checkPath('writeNpyOutput', 'dir', dir);
  checkTokenizeResult('writeNpyOutput', r);
  await mkdir(dir, { recursive: true });
  const files = { patches: join(dir, 'patches.npy'), positions: join(dir, 'positions.npy'), meta: join(dir, 'meta.json') };
  await writeNpy(files.patches, { shape: [...r.patches.shape], data: r.patches.data });
  await writeNpy(files.positions, r.positions);
  await writeFile(files.meta, `${JSON.stringify(r.meta, null, 1)}\n`);
  return files;
}
