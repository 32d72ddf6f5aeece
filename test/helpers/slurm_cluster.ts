// A one-node Slurm cluster on this machine, in a temporary folder, for the Slurm example's
// test: munged (its own key and socket), slurmctld and slurmd with a minimal slurm.conf
// (free ports, no accounting, no cgroups), all started here and stopped by their pids.
// Needs the Debian packages slurm-wlm and munge (`apt-get install -y slurm-wlm munge`) and
// root (slurmd runs jobs as their user). start() returns null plus the reason when Slurm
// cannot be started.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface SlurmCluster {
  dir: string;
  /** Environment for sbatch/squeue/scontrol/scancel (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  sbatch(args: string[], opts?: { env?: NodeJS.ProcessEnv; cwd?: string }): string;
  /** JobState of a job or array task (`123`, `123_1`), from scontrol. */
  state(job: string): { state: string; reason: string; exitCode: string } | null;
  /** Waits until every listed job is in a final state (or the timeout passes); returns their states. */
  waitDone(jobs: string[], timeoutMs: number): Promise<Record<string, string>>;
  stop(): void;
}

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startSlurmCluster(): Promise<{ cluster: SlurmCluster | null; reason?: string }> {
  const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scontrol', 'sinfo'].filter((c) => !which(c));
  if (missing.length) return { cluster: null, reason: `Slurm is not installed (no ${missing.join(', ')}; apt-get install -y slurm-wlm munge)` };
  if (process.getuid?.() !== 0) return { cluster: null, reason: 'slurmd must run as root to start jobs, and this is not root' };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codectok-slurm-'));
  const mungeDir = path.join(dir, 'munge');
  fs.mkdirSync(mungeDir, { mode: 0o700 });
  for (const d of ['state', 'spool', 'jobs']) fs.mkdirSync(path.join(dir, d));
  const key = path.join(mungeDir, 'munge.key');
  fs.writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = path.join(mungeDir, 'munge.sock');
  const host = os.hostname().split('.')[0];
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'slurm.conf');
  fs.writeFileSync(
    conf,
    [
      'ClusterName=codectok',
      `SlurmctldHost=${host}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'MpiDefault=none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'MinJobAge=3600',
      'KillWait=5',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${Math.max(2, os.cpus().length)} State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const procs: ChildProcess[] = [];
  let mungePid: number | null = null;
  const stop = () => {
    for (const p of procs.reverse()) if (p.exitCode === null && p.pid) try { process.kill(p.pid, 'SIGTERM'); } catch { /* gone */ }
    if (mungePid) try { process.kill(mungePid, 'SIGTERM'); } catch { /* gone */ }
  };
  const fail = (what: string) => {
    stop();
    const logs = ['slurmctld.log', 'slurmd.log', 'munge/munged.log']
      .map((f) => path.join(dir, f))
      .filter((f) => fs.existsSync(f))
      .map((f) => `${path.basename(f)}: ${fs.readFileSync(f, 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
    return { cluster: null, reason: `Slurm could not be started here: ${what} (${logs.join('; ')})` };
  };

  // munged daemonizes; its pid file says which process to stop
  const m = spawnSync('munged', [`--key-file=${key}`, `--socket=${socket}`, `--pid-file=${mungeDir}/munged.pid`,
    `--log-file=${mungeDir}/munged.log`, `--seed-file=${mungeDir}/seed`, '--force'], { encoding: 'utf8' });
  if (m.status !== 0) return fail(`munged exited ${m.status}: ${m.stderr.trim()}`);
  mungePid = Number(fs.readFileSync(path.join(mungeDir, 'munged.pid'), 'utf8'));

  const daemon = (cmd: string, args: string[]) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', fs.openSync(path.join(dir, `${cmd}.out`), 'w'), fs.openSync(path.join(dir, `${cmd}.err`), 'w')] });
    procs.push(p);
  };
  daemon('slurmctld', ['-D', '-c', '-i', '-f', conf]);
  daemon('slurmd', ['-D', '-f', conf]);
  const t0 = Date.now();
  for (;;) {
    const s = spawnSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8' });
    if (s.status === 0 && /^idle/m.test(s.stdout)) break;
    if (Date.now() - t0 > 30_000) return fail(`the node did not become idle within 30 s (sinfo: ${(s.stdout + s.stderr).trim()})`);
    await sleep(300);
  }

  const cluster: SlurmCluster = {
    dir,
    env,
    sbatch(args, opts = {}) {
      const out = execFileSync('sbatch', ['--parsable', ...args], { env: { ...env, ...opts.env }, cwd: opts.cwd ?? path.join(dir, 'jobs'), encoding: 'utf8' });
      return out.trim().split(';')[0];
    },
    state(job) {
      const r = spawnSync('scontrol', ['-o', 'show', 'job', job], { env, encoding: 'utf8' });
      if (r.status !== 0) return null;
      const field = (k: string) => new RegExp(`\\b${k}=(\\S+)`).exec(r.stdout)?.[1] ?? '';
      return { state: field('JobState'), reason: field('Reason'), exitCode: field('ExitCode') };
    },
    async waitDone(jobs, timeoutMs) {
      const t = Date.now();
      for (;;) {
        const states = Object.fromEntries(jobs.map((j) => [j, cluster.state(j)?.state ?? 'UNKNOWN']));
        if (Object.values(states).every((s) => FINAL.has(s)) || Date.now() - t > timeoutMs) return states;
        await sleep(250);
      }
    },
    stop,
  };
  return { cluster };
}
