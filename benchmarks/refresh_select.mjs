// The refresh policy's selection time (issue target: under 50 ms at T = 64 and 1296 patches per
// frame). Process CPU time of selectRefresh (the C++ allocation and seam refinement, through the
// addon) on synthetic change volumes: 40 % of the changes non-zero, uniform in [0, 5), a fixed
// seed; median of --runs (5). Needs `npm run build` (dist/) and the addon.
//   node benchmarks/refresh_select.mjs [--runs N]
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { selectRefresh } = await import(join(root, 'dist', 'policies', 'refresh.js'));
const at = process.argv.indexOf('--runs');
const runs = at > 0 ? Number(process.argv[at + 1]) : 5;

/** The same numbers on every machine (a linear congruential generator). */
function lcg(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

console.log('| T x patches | K | without seams (ms CPU) | with seams (ms CPU) | kept slots moved |');
console.log('| :-- | --: | --: | --: | --: |');
for (const [T, H, W, budgets] of [[32, 12, 24, [256, 1024, 4096]], [64, 36, 36, [1296, 10368]]]) {
  const S = H * W;
  const rnd = lcg(1);
  const change = new Float32Array(T * S);
  for (let i = S; i < change.length; i++) change[i] = rnd() < 0.4 ? rnd() * 5 : 0;
  const cells = { off: [], on: [], moves: [] };
  for (const K of budgets) {
    for (const seams of [false, true]) {
      const ms = [];
      let sel;
      for (let k = 0; k < runs; k++) {
        const c0 = process.cpuUsage();
        sel = selectRefresh({ T, gridH: H, gridW: W, change }, { budget: K, seams });
        const c = process.cpuUsage(c0);
        ms.push((c.user + c.system) / 1000);
      }
      ms.sort((a, b) => a - b);
      cells[seams ? 'on' : 'off'].push(ms[Math.floor(runs / 2)].toFixed(1));
      if (seams) cells.moves.push(sel.seamMoves);
    }
  }
  console.log(`| ${T} x ${S} | ${budgets.join(' / ')} | ${cells.off.join(' / ')} | ${cells.on.join(' / ')} | ${cells.moves.join(' / ')} |`);
}
