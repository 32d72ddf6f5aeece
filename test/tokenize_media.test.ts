// tokenize() on real videos from ../shared/media (not part of the repository: skipped when absent).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../src/tokenize/tokenize.js';
import { SHARED_MEDIA, expectPatchesMatchFrames, expectValidPositions, referenceFrames } from './helpers/tokenize_helpers.js';

const camera = join(SHARED_MEDIA, 'camera_1080p_rockchip.265');

describe.skipIf(!existsSync(camera))(`real videos${existsSync(camera) ? '' : ` (skipped: needs ${camera})`}`, () => {
  it('1080p HEVC from a hardware camera encoder, read as it is', { timeout: 300_000 }, async () => {
    const K = 5 * 64 + 37;
    const r = await tokenize(camera, { frames: 12, size: 128, patch: 16, budget: K, compensation: 'similarity' });
    expect(r.meta.ffmpeg.input.route).toBe('annexb');
    expect(r.meta.frames.total).toBe(806);
    expect(r.meta.geometry).toMatchObject({ srcWidth: 1920, srcHeight: 1080, scaledWidth: 128, scaledHeight: 72, padTop: 28 });
    expectValidPositions(r, K);
    expectPatchesMatchFrames(r, await referenceFrames(camera, r.meta.geometry));
  });
});
