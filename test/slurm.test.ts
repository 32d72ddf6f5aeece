// examples/slurm/ run for real on a one-node Slurm cluster started on this machine
// (test/helpers/slurm_cluster.ts): submit.sh submits the shard array (2 tasks) and the
// merge job (afterok); task 1 is cancelled after its first shard while it still has more to
// write, which leaves the merge waiting on a dependency that can no longer be satisfied;
// the task is resubmitted alone (NUM_SHARDS=2 --array=1) with a new merge after it. The
// dataset then holds every manifest entry exactly once, its shards are byte-identical to a
// one-machine run, the slot finished before the cancel was not redone, and the Energon
// read-back (test/shard_energon_reader.py) agrees. Skips with the reason when Slurm is
// not installed or cannot start (`.ci/run` installs slurm-wlm and munge).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { startSlurmCluster, type SlurmCluster } from './helpers/slurm_cluster.js';
import { ffmpeg, ffmpegPath } from './helpers/ffmpeg.js';
import { pythonReadBack, REPO, tmpDir } from './shard_helpers.js';
import { numpyReadBacks } from './numpy_read_backs.js';
import { iterateDataset } from '../src/shard/dataset.js';
import { readInfoJson } from '../src/shard/energon_meta.js';

const SLURM = path.join(REPO, 'examples', 'slurm');
const CLI = path.join(REPO, 'dist', 'cli', 'cli.js');
const VIDEOS = 10;
const OPTS = ['--samples-per-shard', '1', '--budget', '128', '--frames', '8', '-q'];

let cluster: SlurmCluster | null = null;
let reason = '';
beforeAll(async () => {
  if (!fs.existsSync(CLI)) reason = 'dist/ is not built (npm run build)';
  else if (!ffmpegPath()) reason = 'the bundled FFmpeg (@ffmpeg-installer/ffmpeg) is not installed';
  else {
    const r = await startSlurmCluster();
    cluster = r.cluster;
    reason = r.reason ?? '';
  }
  if (reason) console.warn(`skipping the Slurm test: ${reason}`);
}, 60_000);
afterAll(() => cluster?.stop());

const readBacks = numpyReadBacks();
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('examples/slurm on a one-node Slurm cluster', () => {
  it.skipIf(!!process.env.CODECTOK_SKIP_SLURM)('runs the array and the merge; a task cancelled midway and resubmitted loses and duplicates nothing', async (ctx) => {
    if (!cluster) ctx.skip(reason);
    const c = cluster!;
    const dir = tmpDir('codectok-slurm-data-');
    fs.mkdirSync(path.join(dir, 'videos'));
    const lines: string[] = [];
    for (let i = 0; i < VIDEOS; i++) {
      const v = path.join(dir, 'videos', `clip${i}.mp4`);
      ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=2,hue=h=${i * 36}`, '-c:v', 'libx265',
        '-x265-params', 'log-level=error:keyint=25', '-pix_fmt', 'yuv420p', v]);
      lines.push(JSON.stringify({ video: `videos/clip${i}.mp4`, caption: `clip ${i}`, id: `clip${i}` }));
    }
    const manifest = path.join(dir, 'manifest.jsonl');
    fs.writeFileSync(manifest, lines.join('\n') + '\n');
    const out = path.join(dir, 'ds');
    const env = { CODECTOK: `${process.execPath} ${CLI}` };

    // submit.sh: array 0-1 + merge afterok
    const submitted = execFileSync(path.join(SLURM, 'submit.sh'), ['2', manifest, out, ...OPTS], {
      env: { ...c.env, ...env }, cwd: path.join(c.dir, 'jobs'), encoding: 'utf8',
    });
    const m = /array job (\d+) \(2 tasks\), merge job (\d+) \(afterok:(\d+)\)/.exec(submitted);
    expect(m, submitted).not.toBeNull();
    const [array, merge] = [m![1], m![2]];
    expect(m![3]).toBe(array);

    // cancel task 1 once its first shard (slot 1) is finished, while slot 9 is still to do
    const shard = (s: number) => path.join(out, 'shards', `shard_${String(s).padStart(6, '0')}.tar`);
    const record = (s: number) => path.join(out, '.codectok', 'slots', `slot_${String(s).padStart(6, '0')}.json`);
    const t0 = Date.now();
    while (!fs.existsSync(shard(1)) && Date.now() - t0 < 120_000) await sleep(50);
    expect(fs.existsSync(shard(1)), 'task 1 wrote its first shard').toBe(true);
    expect(fs.existsSync(shard(9)), 'task 1 had not finished when cancelled').toBe(false);
    spawnSync('scancel', [`${array}_1`], { env: c.env });
    const first = await c.waitDone([`${array}_0`, `${array}_1`], 180_000);
    expect(first).toEqual({ [`${array}_0`]: 'COMPLETED', [`${array}_1`]: 'CANCELLED' });
    const before = { shard: sha(shard(1)), record: fs.readFileSync(record(1), 'utf8'), mtime: fs.statSync(shard(1)).mtimeMs };

    // the merge cannot run: its dependency failed; nothing was finalized. Slurm's scheduler marks the
    // dependency on its next pass (the reason reads 'Dependency' until then): wait for that pass
    let waiting = c.state(merge)!;
    for (const t1 = Date.now(); !/DependencyNeverSatisfied/.test(waiting.reason ?? '') && Date.now() - t1 < 60_000; waiting = c.state(merge)!) await sleep(250);
    expect(waiting.state).toBe('PENDING');
    expect(waiting.reason).toMatch(/DependencyNeverSatisfied/);
    expect(fs.existsSync(path.join(out, '.nv-meta', '.info.json'))).toBe(false);
    spawnSync('scancel', [merge], { env: c.env });

    // resubmit task 1 alone (same N), and the merge after it
    const again = c.sbatch(['--array=1', path.join(SLURM, 'shard.sbatch'), manifest, out, ...OPTS], { env: { ...env, NUM_SHARDS: '2' } });
    const merge2 = c.sbatch([`--dependency=afterok:${again}`, path.join(SLURM, 'merge.sbatch'), out, ...OPTS], { env });
    const done = await c.waitDone([`${again}_1`, merge2], 240_000);
    const logs = fs.readdirSync(path.join(c.dir, 'jobs')).map((f) => `${f}:\n${fs.readFileSync(path.join(c.dir, 'jobs', f), 'utf8')}`).join('\n');
    expect(done, logs).toEqual({ [`${again}_1`]: 'COMPLETED', [merge2]: 'COMPLETED' });

    // the finished slot was kept as it was; the unfinished ones were written once
    expect(sha(shard(1))).toBe(before.shard);
    expect(fs.statSync(shard(1)).mtimeMs).toBe(before.mtime);
    expect(fs.readFileSync(record(1), 'utf8')).toBe(before.record);
    expect(fs.readdirSync(path.join(out, 'shards')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // every entry exactly once, in manifest order
    const keys = [...iterateDataset(out)].map((s) => s.key);
    expect(keys).toEqual(Array.from({ length: VIDEOS }, (_, i) => `clip${i}`));
    expect(Object.values(readInfoJson(out).shard_counts)).toEqual(Array(VIDEOS).fill(1));

    // the same bytes as one machine running the whole manifest
    const local = path.join(dir, 'ds-local');
    execFileSync(process.execPath, [CLI, 'shard', manifest, '-o', local, ...OPTS], { encoding: 'utf8' });
    for (let s = 0; s < VIDEOS; s++) {
      expect(sha(shard(s)), `shard ${s}`).toBe(sha(path.join(local, 'shards', `shard_${String(s).padStart(6, '0')}.tar`)));
    }

    readBacks.add(out, () => {
      const py = pythonReadBack(out);
      expect(py.samples.map((s) => s.key)).toEqual(keys);
      expect(py.checks).toContain('sqlite-matches-prepare');
    });
  }, 600_000);

  readBacks.test('the dataset the array and the merge wrote reads back with Python + NumPy (test/shard_energon_reader.py)', 1, 120_000,
    () => (process.env.CODECTOK_SKIP_SLURM ? 'CODECTOK_SKIP_SLURM is set' : cluster ? null : reason));
});
