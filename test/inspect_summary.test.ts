// `codectok inspect`: the per-picture summary (intra / inter / skip shares, mean vector length),
// computed by the decoder, against the same figures computed here from the reference decoder's
// golden motion fields.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, goldenPictures } from './helpers/golden_pictures.js';
import { ROOT } from './helpers/tokenize_helpers.js';

function expected(m: Int16Array) {
  let intra = 0, inter = 0, skip = 0, sum = 0, count = 0;
  const n = m.length / 8;
  for (let i = 0; i < m.length; i += 8) {
    if (m[i] === 0) {
      intra++;
      continue;
    }
    if (m[i] === 2) skip++;
    else inter++;
    for (const l of [0, 1]) {
      if (!(m[i + 1]! & (1 << l))) continue;
      sum += Math.sqrt(m[i + 2 + 2 * l]! ** 2 + m[i + 3 + 2 * l]! ** 2);
      count++;
    }
  }
  return { intra: intra / n, inter: inter / n, skip: skip / n, meanMv: count ? sum / count / 4 : 0 };
}

describe('codectok inspect --json (summary computed natively)', () => {
  for (const name of ['pan_known', 'ctu32_bframes']) {
    it(`${name}: shares and mean vector length of every picture`, () => {
      const cli = join(ROOT, 'dist', 'cli', 'cli.js');
      const r = spawnSync(process.execPath, [cli, 'inspect', join(CORPUS, `${name}.hevc`), '--json'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { pictures: { poc: number; stats: ReturnType<typeof expected> }[] };
      const golden = goldenPictures(name, { residual: false });
      expect(doc.pictures.length).toBe(golden.length);
      doc.pictures.forEach((p, i) => {
        const want = expected(golden[i]!.motion!);
        expect(p.poc).toBe(golden[i]!.poc);
        for (const k of ['intra', 'inter', 'skip', 'meanMv'] as const) expect(p.stats[k], `${name} picture ${i} ${k}`).toBeCloseTo(want[k], 9);
      });
    });
  }
});
