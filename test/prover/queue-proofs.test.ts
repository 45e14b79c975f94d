// Distributed proving with real proofs: `nex worker` processes (prover/engine/queue/bin.ts, native bb,
// dev SRS, one bb thread each) on a private redis-server, the orchestrator in aggregateBatch. Small
// batches (capacity 2) so the whole file stays within minutes:
//   - a batch proven by two worker processes;
//   - a worker SIGKILLed mid-job: its bb dies with it, the other worker takes the job over;
//   - the orchestrator SIGKILLed mid-flow and started again: it joins its flow, nothing is proven twice;
//   - the queue server restarted empty mid-flow: no finished proof is lost (checkpoints);
//   - a worker meeting a job made for other circuits refuses it and exits 3, the job untouched.
// Runs in `npm test` and CI; NEX_SKIP_SLOW_TESTS=1 leaves it out of a local run.
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Queue } from 'bullmq';
import { circuitBuild, openBackend, type ProvingBackend, type RollupProof } from '../../prover/engine/backend.js';
import { batchToJson, type Batch } from '../../prover/engine/batch.js';
import { batchKey } from '../../prover/engine/checkpoint.js';
import type { Hex } from '../../prover/engine/commitment.js';
import { aggregateBatch, type ProgressEvent } from '../../prover/engine/index.js';
import type { Logger, LogLevel } from '../../prover/engine/logger.js';
import { planBatch } from '../../prover/engine/planner.js';
import { buildFlow, circuitsIdOf, EXIT_OK, EXIT_REFUSED } from '../../prover/engine/queue/index.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const slow = process.env.NEX_SKIP_SLOW_TESTS !== '1';
const BIN = fileURLToPath(new URL('../../prover/engine/queue/bin.ts', import.meta.url));
const ORCHESTRATOR = fileURLToPath(new URL('../helpers/queue-orchestrator-child.ts', import.meta.url));
const QUEUE = 'real';

type LogLine = { msg?: string; jobId?: string; [k: string]: unknown };
interface WorkerProc {
  name: string;
  child: ChildProcess;
  logs: LogLine[];
  exit: Promise<number | null>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function descendantsOf(root: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p)).map(Number);
  const parent = new Map<number, number>();
  for (const pid of pids) {
    try {
      parent.set(pid, Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  for (let todo = [root]; todo.length > 0; ) {
    const kids = [...parent].filter(([, pp]) => todo.includes(pp)).map(([pid]) => pid);
    out.push(...kids);
    todo = kids;
  }
  return out;
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function memoryLogger(): Logger & { lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: (level, msg, fields) => lines.push({ level, msg, ...(fields ? { fields } : {}) }) };
}

(slow ? describe : describe.skip)('distributed proving with real proofs (worker processes, redis-server)', function () {
  this.timeout(1_800_000);
  let redis: TestRedis;
  let backend: ProvingBackend;
  let dir: string;
  const workers: WorkerProc[] = [];
  const proofs: RollupProof[] = [];

  function spawnWorker(name: string, queueName = QUEUE): WorkerProc {
    const child = spawn(process.execPath, [
      '--import', import.meta.resolve('tsx'), BIN, '--queue', redis.url, '--queue-name', queueName, '--threads', '1', '--name', name,
      '--lock-duration', '30', '--stalled-interval', '5',
    ], { stdio: ['ignore', 'inherit', 'pipe'], env: process.env });
    const logs: LogLine[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        process.stderr.write(`[${name}] ${line}\n`);
      }
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const w = { name, child, logs, exit };
    workers.push(w);
    return w;
  }
  const ready = (w: WorkerProc): Promise<void> => waitFor(() => w.logs.some((l) => l.msg === 'worker ready'), 600_000, `worker ${w.name} to start`);
  /** Plan job ids this worker finished for the batch with key `key`. */
  const finished = (w: WorkerProc, key: string): string[] =>
    w.logs.filter((l) => l.msg === 'job finished' && typeof l.jobId === 'string' && l.jobId.startsWith(`${key}-`)).map((l) => l.jobId!.slice(key.length + 1));
  const alive = (): WorkerProc[] => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  const keyOf = (batch: Batch, prover: Hex): string => batchKey(batch, prover, backend.artifacts.keyHashes);

  before(async () => {
    redis = await startRedis();
    await circuitBuild({}); // cache hit after `npm run circuits`; the workers then find the same build
    backend = await openBackend({});
    dir = await mkdtemp(path.join(os.tmpdir(), 'nex-queue-proofs-'));
    for (const [i, n] of ([1, 2, 4, 2, 1, 4, 1] as const).entries()) proofs.push(await backend.proveExampleRollup({ publicInputCount: n, seed: `queue-proofs-${i}` }));
    const [a, b] = [spawnWorker('w1'), spawnWorker('w2')];
    await Promise.all([ready(a), ready(b)]);
  });

  after(async () => {
    for (const w of alive()) w.child.kill('SIGKILL');
    await backend?.close();
    await redis?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('proves a batch with two worker processes (one bb thread each): each proves a leaf, the root is checked', async () => {
    const batch: Batch = { capacity: 2, slots: [{ kind: 'proof', rollup: proofs[0]! }, { kind: 'proof', rollup: proofs[1]! }] };
    const prover: Hex = '0x00000000000000000000000000000000000a0001';
    const res = await aggregateBatch({ batch, prover, checkpointDir: path.join(dir, 'a'), queue: { url: redis.url, name: QUEUE, pollMs: 1_000 } });
    expect(res.root).to.equal(planBatch(batch).expectedRoot);
    expect(res.stats.jobs.map((j) => [j.id, j.fromCheckpoint])).to.deep.equal([['L0', false], ['L1', false], ['N1.0', false]]);
    expect(await backend.verifyAggProof({ circuit: 'node', target: 'evm', proof: res.proof, publicInputs: res.publicInputs, root: res.root })).to.equal(true);
    const key = keyOf(batch, prover);
    const [w1, w2] = workers;
    const byWorker = [finished(w1!, key), finished(w2!, key)];
    expect(byWorker.every((ids) => ids.some((id) => id.startsWith('L')))).to.equal(true);
    expect(byWorker.flat().sort()).to.deep.equal(['L0', 'L1', 'N1.0']);
    // The node's worker verified both input proofs before using them.
    const nodeWorker = workers.find((w) => finished(w, key).includes('N1.0'))!;
    expect(nodeWorker.logs.find((l) => l.msg === 'job started' && l.jobId === `${key}-N1.0`)).to.include({ inputs: 2 });
  });

  it('a worker SIGKILLed mid-job takes its bb with it; the other worker proves the job after the lock expires', async () => {
    const batch: Batch = { capacity: 2, slots: [{ kind: 'proof', rollup: proofs[2]! }, { kind: 'empty' }] };
    const prover: Hex = '0x00000000000000000000000000000000000a0002';
    const key = keyOf(batch, prover);
    const events: ProgressEvent[] = [];
    const run = aggregateBatch({
      batch, prover, checkpointDir: path.join(dir, 'b'), queue: { url: redis.url, name: QUEUE, pollMs: 1_000 }, onProgress: (e) => events.push(e),
    });
    const started = (w: WorkerProc): boolean => w.logs.some((l) => l.msg === 'job started' && l.jobId === `${key}-L0`);
    await waitFor(() => alive().some(started), 300_000, 'a worker to start the leaf');
    const victim = alive().find(started)!;
    await new Promise((r) => setTimeout(r, 3_000)); // bb is proving now
    const bbAndCo = await descendantsOf(victim.child.pid!);
    expect(bbAndCo.length).to.be.at.least(1);
    victim.child.kill('SIGKILL');
    await victim.exit;
    await waitFor(() => bbAndCo.every((pid) => !isAlive(pid)), 30_000, 'the killed worker\'s bb to exit');
    const res = await run;
    expect(res.root).to.equal(planBatch(batch).expectedRoot);
    expect(events.some((e) => e.type === 'job-retry' && e.jobId === 'L0' && /worker was lost/.test(e.reason))).to.equal(true);
    const rescuer = alive().find((w) => finished(w, key).includes('L0'));
    expect(rescuer, 'the surviving worker proved the leaf').not.to.equal(undefined);
    expect(finished(victim, key)).to.deep.equal([]);
    await ready(spawnWorker('w3')); // two workers again for the next tests
  });

  it('the orchestrator SIGKILLed mid-flow and started again joins its flow and proves nothing twice', async () => {
    const batch: Batch = { capacity: 2, slots: [{ kind: 'proof', rollup: proofs[3]! }, { kind: 'proof', rollup: proofs[4]! }] };
    const prover: Hex = '0x00000000000000000000000000000000000a0003';
    const key = keyOf(batch, prover);
    const checkpointDir = path.join(dir, 'c');
    const batchFile = path.join(dir, 'c.json');
    await writeFile(batchFile, JSON.stringify(batchToJson(batch)));
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), ORCHESTRATOR, batchFile, prover, checkpointDir, redis.url, QUEUE], {
      stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NEX_QUEUE_ORCHESTRATOR_CHILD: '1' },
    });
    const events: ProgressEvent[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        events.push(JSON.parse(l) as ProgressEvent);
      } catch {
        /* not an event */
      }
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
    await waitFor(() => events.some((e) => e.type === 'job-finished'), 600_000, 'a first finished job');
    child.kill('SIGKILL');
    expect(await exited).to.equal('SIGKILL');
    const before = events.filter((e) => e.type === 'job-finished').map((e) => (e as { jobId: string }).jobId);
    const logger = memoryLogger();
    const res = await aggregateBatch({ batch, prover, checkpointDir, queue: { url: redis.url, name: QUEUE, pollMs: 1_000 }, logger });
    expect(res.root).to.equal(planBatch(batch).expectedRoot);
    expect(logger.lines.some((l) => l.msg === 'joined the flow already in the queue')).to.equal(true);
    expect(logger.lines.some((l) => l.msg === 'flow added to the queue')).to.equal(false);
    for (const id of before) expect(res.stats.jobs.find((j) => j.id === id)?.fromCheckpoint, id).to.equal(true);
    expect(workers.flatMap((w) => finished(w, key)).sort()).to.deep.equal(['L0', 'L1', 'N1.0']); // each proven once
  });

  it('the queue server restarted without its data mid-flow loses no finished proof', async () => {
    const batch: Batch = { capacity: 2, slots: [{ kind: 'proof', rollup: proofs[5]! }, { kind: 'proof', rollup: proofs[6]! }] };
    const prover: Hex = '0x00000000000000000000000000000000000a0004';
    const key = keyOf(batch, prover);
    const events: ProgressEvent[] = [];
    const logger = memoryLogger();
    const run = aggregateBatch({
      batch, prover, checkpointDir: path.join(dir, 'd'), queue: { url: redis.url, name: QUEUE, pollMs: 1_000 }, logger, onProgress: (e) => events.push(e),
    });
    await waitFor(() => events.some((e) => e.type === 'job-finished'), 600_000, 'a first finished job');
    await redis.restart({ wipe: true });
    const before = events.filter((e) => e.type === 'job-finished').map((e) => (e as { jobId: string }).jobId);
    const res = await run;
    expect(res.root).to.equal(planBatch(batch).expectedRoot);
    expect(logger.lines.some((l) => l.msg === 'jobs of the flow are missing from the queue; adding them again')).to.equal(true);
    for (const id of before) expect(workers.flatMap((w) => finished(w, key)).filter((x) => x === id), id).to.have.length(1);
  });

  it('a worker refuses a job made for other circuits: exit code 3, the job back in the queue', async () => {
    const batch: Batch = { capacity: 2, slots: [{ kind: 'proof', rollup: proofs[0]! }, { kind: 'empty' }] };
    const prover: Hex = '0x00000000000000000000000000000000000a0005';
    // What a keeper with another build would queue: the same plan, other key hashes.
    const mine = backend.artifacts.keyHashes;
    const other = Object.fromEntries(Object.entries(mine).map(([c, kh]) => [c, `0x${(BigInt(kh) ^ 1n).toString(16).padStart(64, '0')}`])) as typeof mine;
    const plan = planBatch(batch);
    const flow = buildFlow({
      plan, batch, prover, batchKey: batchKey(batch, prover, other), circuits: { id: circuitsIdOf(other), keyHashes: other },
      done: new Map(), queueName: 'foreign', prefix: 'nex',
    })!;
    const producer = new FlowProducer({ connection: { url: redis.url }, prefix: 'nex' });
    await producer.add(flow);
    await producer.close();
    const w = spawnWorker('w-other', 'foreign');
    expect(await w.exit).to.equal(EXIT_REFUSED);
    const refusal = w.logs.find((l) => l.msg === 'refusing a job made for other circuits; the job goes back to the queue and this worker stops');
    expect(refusal).to.include({ wanted: circuitsIdOf(other), have: circuitsIdOf(backend.artifacts.keyHashes) });
    expect(w.logs.some((l) => l.msg === 'job finished')).to.equal(false);
    const q = new Queue('foreign', { connection: { url: redis.url }, prefix: 'nex' });
    try {
      const counts = await q.getJobCounts('prioritized', 'active', 'failed', 'completed');
      expect(counts).to.deep.include({ active: 0, failed: 0, completed: 0 });
      expect(counts.prioritized).to.equal(2); // the two leaves-level jobs (leaf and pad), untouched
    } finally {
      await q.close();
    }
  });

  it('SIGTERM stops an idle worker cleanly (exit 0)', async () => {
    const idle = alive();
    expect(idle.length).to.be.at.least(2);
    for (const w of idle) w.child.kill('SIGTERM');
    expect(await Promise.all(idle.map((w) => w.exit))).to.deep.equal(idle.map(() => EXIT_OK));
  });
});
