// The distributed-proving section of `npm run bench:prover -- --queue local|redis://...`: one batch
// proven through the queue by N worker processes (`nex worker --threads t` each),
// beside the in-process engine, with the queue's overhead: the wall time not explained by bb, i.e.
// (wall − makespan of the same jobs' bb times on N workers) / wall.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  aggregateBatch,
  type AggregateResult,
  type BackendOptions,
  type Batch,
  type Hex,
  type JobStat,
  type Logger,
  planBatch,
  type Plan,
} from '../prover/engine/index.js';

const BIN = fileURLToPath(new URL('../prover/cli/bin.mjs', import.meta.url));

export interface QueueSetup {
  workers: number;
  threads: number;
}

export interface QueueRun extends QueueSetup {
  wallMs: number;
  bbSumMs: number;
  /** Makespan of the measured bb times on `workers` workers (list scheduling in plan order). */
  idealMs: number;
  /** (wall − ideal) / wall. */
  overhead: number;
  jobsPerWorker: Record<string, number>;
  res: AggregateResult;
}

/**
 * Makespan of the plan's jobs with these durations on `workers` identical workers: a job starts when
 * its dependencies are done and a worker is free (lowest height first, then plan order), as the queue
 * hands them out. This is the wall time if nothing but bb took time.
 */
export function makespan(plan: Plan, ms: ReadonlyMap<string, number>, workers: number): number {
  const finish = new Map<string, number>();
  const free = new Array<number>(workers).fill(0);
  const pending = [...plan.jobs].filter((j) => ms.has(j.id));
  const doneAt = (id: string): number => finish.get(id) ?? 0; // a dependency not run (checkpoint) is ready at 0
  while (pending.length > 0) {
    // The job that can start earliest; ties: lower height, then plan order.
    let best = 0;
    let bestStart = Infinity;
    const w = free.indexOf(Math.min(...free));
    for (const [i, j] of pending.entries()) {
      if (j.deps.some((d) => ms.has(d) && !finish.has(d))) continue;
      const start = Math.max(free[w]!, ...j.deps.map(doneAt));
      if (start < bestStart || (start === bestStart && j.height < pending[best]!.height)) {
        best = i;
        bestStart = start;
      }
    }
    const job = pending.splice(best, 1)[0]!;
    const end = bestStart + ms.get(job.id)!;
    finish.set(job.id, end);
    free[w] = end;
  }
  return Math.max(0, ...finish.values());
}

interface Proc {
  child: ChildProcess;
  ready: Promise<void>;
  exit: Promise<unknown>;
  finished: string[];
}

function startWorker(url: string, queueName: string, name: string, threads: number, bopts: BackendOptions): Proc {
  const args = [
    BIN,
    'worker',
    '--no-build',
    '--queue',
    url,
    '--queue-name',
    queueName,
    '--name',
    name,
    '--threads',
    String(threads),
    '--log-level',
    'info',
  ];
  if (bopts.buildDir) args.push('--build-dir', bopts.buildDir);
  if (bopts.srsDir) args.push('--srs-dir', bopts.srsDir);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const finished: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      let m: { msg?: string; jobId?: string };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        return;
      }
      if (m.msg === 'worker ready') resolve();
      if (m.msg === 'job finished' && m.jobId) finished.push(m.jobId);
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${String(code)} before it was ready`)));
  });
  const exit = new Promise((resolve) => child.once('exit', resolve));
  return { child, ready, exit, finished };
}

/** Proves `batch` through the queue with `setup.workers` worker processes of `setup.threads` bb threads. */
export async function benchQueueRun(opts: {
  url: string;
  batch: Batch;
  prover: Hex;
  setup: QueueSetup;
  bopts: BackendOptions;
  logger: Logger;
}): Promise<QueueRun> {
  const { url, batch, prover, setup, bopts, logger } = opts;
  const queueName = `bench-${setup.workers}x${setup.threads}-${process.pid}`;
  const procs = Array.from({ length: setup.workers }, (_, i) => startWorker(url, queueName, `bench-w${i}`, setup.threads, bopts));
  const checkpointDir = await mkdtemp(path.join(os.tmpdir(), 'nex-bench-queue-'));
  try {
    await Promise.all(procs.map((p) => p.ready));
    const res = await aggregateBatch({
      batch,
      prover,
      checkpointDir,
      backend: bopts,
      logger,
      queue: { url, name: queueName, pollMs: 1_000 },
    });
    const plan = planBatch(batch);
    const bb = new Map(res.stats.jobs.map((j: JobStat) => [j.id, j.bbMs ?? j.ms]));
    const idealMs = makespan(plan, bb, setup.workers);
    const wallMs = res.stats.totalMs;
    return {
      ...setup,
      wallMs,
      idealMs,
      res,
      bbSumMs: [...bb.values()].reduce((a, b) => a + b, 0),
      overhead: (wallMs - idealMs) / wallMs,
      jobsPerWorker: Object.fromEntries(procs.map((p, i) => [`bench-w${i}`, p.finished.length])),
    };
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => Promise.race([p.exit, new Promise((r) => setTimeout(r, 15_000))])));
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await rm(checkpointDir, { recursive: true, force: true });
  }
}
