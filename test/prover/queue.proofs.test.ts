// Distributed proving with real proofs: `nex worker` processes (native bb, dev SRS, one bb thread each)
// on a private redis-server, the orchestrator in aggregateBatch. Small batches (capacity 4: one or two
// leaves, a pad, the root) so the whole file stays within minutes; rollup proofs from the shared proof
// cache, fresh checkpoint directories (the queue must prove):
//   - a batch proven by two worker processes;
//   - a worker SIGKILLed mid-job: its bb dies with it, the other worker takes the job over;
//   - the orchestrator SIGKILLed mid-flow and started again: it joins its flow, nothing is proven twice;
//   - the queue server restarted empty mid-flow: no finished proof is lost (checkpoints);
//   - a worker meeting a job made for another key set refuses it and exits 3, the job untouched.
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Queue } from 'bullmq';
import type { Address } from 'viem';
import {
  aggregateBatch,
  type Batch,
  batchToJson,
  type Hex,
  jobKeys,
  type ProgressEvent,
  type RollupProof,
} from '../../prover/engine/index.js';
import type { Logger, LogLevel } from '../../prover/engine/logger.js';
import { planBatch } from '../../prover/engine/planner.js';
import { buildFlows, EXIT_OK, EXIT_REFUSED, queueJobId } from '../../prover/engine/queue/index.js';
import { EXAMPLE_FOR, circuitBuild, type ExampleBackend, openExampleBackend } from '../../prover/toolchain/index.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { openProofCache, type ProofCache } from './proofCache.js';

const BIN = fileURLToPath(new URL('../../prover/cli/bin.mjs', import.meta.url));
const ORCHESTRATOR = fileURLToPath(new URL('./helpers/queueOrchestratorChild.ts', import.meta.url));
const QUEUE = 'real';
const OWNER: Address = '0x00000000000000000000000000000000000e0e0e';

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
  for (let todo = [root]; todo.length > 0;) {
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

describe('[proofs] distributed proving with real proofs (worker processes, redis-server)', function () {
  this.timeout(1_800_000);
  let redis: TestRedis;
  let backend: ExampleBackend;
  let cache: ProofCache;
  let dir: string;
  const workers: WorkerProc[] = [];
  const proofs: RollupProof[] = [];

  function spawnWorker(name: string, queueName = QUEUE): WorkerProc {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'worker',
        '--no-build',
        '--queue',
        redis.url,
        '--queue-name',
        queueName,
        '--threads',
        '1',
        '--name',
        name,
        '--lock-duration',
        '30',
        '--stalled-interval',
        '5',
      ],
      { stdio: ['ignore', 'inherit', 'pipe'], env: process.env },
    );
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
  const ready = (w: WorkerProc): Promise<void> =>
    waitFor(() => w.logs.some((l) => l.msg === 'worker ready'), 600_000, `worker ${w.name} to start`);
  /** Queue job id -> plan job id for the jobs of `batch` proven for `prover`. */
  const idsOf = (batch: Batch, prover: Hex): Map<string, string> => {
    const plan = planBatch(batch);
    const keys = jobKeys(plan, batch, prover, backend.artifacts.keySet);
    return new Map(plan.jobs.map((j) => [queueJobId(keys.get(plan.rootJobId)!, j.id), j.id]));
  };
  /** Plan job ids this worker finished among `ids`. */
  const finished = (w: WorkerProc, ids: Map<string, string>): string[] =>
    w.logs.filter((l) => l.msg === 'job finished' && ids.has(String(l.jobId))).map((l) => ids.get(String(l.jobId))!);
  const startedJob = (w: WorkerProc, queueId: string): boolean => w.logs.some((l) => l.msg === 'job started' && l.jobId === queueId);
  const alive = (): WorkerProc[] => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  const queue = { url: '', name: QUEUE, pollMs: 1_000 };
  const slots = (...xs: (RollupProof | undefined)[]): Batch['slots'] =>
    xs.map((r) => (r ? { kind: 'proof' as const, rollup: r } : { kind: 'empty' as const }));

  before(async () => {
    redis = await startRedis();
    queue.url = redis.url;
    await circuitBuild({}); // cache hit after `npm run circuits`; the workers then find the same build
    backend = await openExampleBackend({});
    cache = openProofCache(backend.artifacts);
    dir = await mkdtemp(path.join(os.tmpdir(), 'nex-queue-proofs-'));
    for (const [i, n] of ([1, 2, 4, 2, 1, 4, 1] as const).entries()) {
      const seed = `queue-proofs-${i}`;
      proofs.push(
        await cache.rollup(EXAMPLE_FOR[n], seed, OWNER, () => backend.proveExampleRollup({ publicInputCount: n, seed, owner: OWNER })),
      );
    }
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
    const batch: Batch = { capacity: 4, slots: slots(proofs[0], undefined, proofs[1], undefined) }; // L0, L2, N2.0
    const prover: Hex = '0x00000000000000000000000000000000000a0001';
    const res = await aggregateBatch({ batch, prover, checkpointDir: path.join(dir, 'a'), queue });
    expect(res.root).to.equal(planBatch(batch).expectedRoot);
    expect(res.stats.jobs.map((j) => [j.id, j.fromCheckpoint])).to.deep.equal([
      ['L0', false],
      ['L2', false],
      ['N2.0', false],
    ]);
    expect(
      await backend.verifyAggProof({
        circuit: 'node',
        target: 'evm-no-zk',
        proof: res.proof,
        publicInputs: res.publicInputs,
        root: res.root,
      }),
    ).to.equal(true);
    const ids = idsOf(batch, prover);
    const [w1, w2] = workers;
    const byWorker = [finished(w1!, ids), finished(w2!, ids)];
    expect(byWorker.every((done) => done.some((id) => id.startsWith('L')))).to.equal(true);
    expect(byWorker.flat().sort()).to.deep.equal(['L0', 'L2', 'N2.0']);
    // The node's worker verified both input proofs before using them.
    const rootQueueId = [...ids].find(([, id]) => id === 'N2.0')![0];
    const nodeWorker = workers.find((w) => finished(w, ids).includes('N2.0'))!;
    expect(nodeWorker.logs.find((l) => l.msg === 'job started' && l.jobId === rootQueueId)).to.include({ inputs: 2 });
  });

  it('a worker SIGKILLed mid-job takes its bb with it; the other worker proves the job after the lock expires', async () => {
    const batch: Batch = { capacity: 4, slots: slots(proofs[2], undefined, undefined, undefined) }; // L0, P1@h1, N2.0
    const prover: Hex = '0x00000000000000000000000000000000000a0002';
    const ids = idsOf(batch, prover);
    const leafId = [...ids].find(([, id]) => id === 'L0')![0];
    const events: ProgressEvent[] = [];
    const run = aggregateBatch({ batch, prover, checkpointDir: path.join(dir, 'b'), queue, onProgress: (e) => events.push(e) });
    await waitFor(() => alive().some((w) => startedJob(w, leafId)), 300_000, 'a worker to start the leaf');
    const victim = alive().find((w) => startedJob(w, leafId))!;
    await new Promise((r) => setTimeout(r, 3_000)); // bb is proving now
    const bbAndCo = await descendantsOf(victim.child.pid!);
    expect(bbAndCo.length).to.be.at.least(1);
    victim.child.kill('SIGKILL');
    await victim.exit;
    await waitFor(() => bbAndCo.every((pid) => !isAlive(pid)), 30_000, "the killed worker's bb to exit");
    const res = await run;
    expect(res.root).to.equal(planBatch(batch).expectedRoot);
    expect(events.some((e) => e.type === 'job-retry' && e.jobId === 'L0' && /worker was lost/.test(e.reason))).to.equal(true);
    const rescuer = alive().find((w) => finished(w, ids).includes('L0'));
    expect(rescuer, 'the surviving worker proved the leaf').not.to.equal(undefined);
    expect(finished(victim, ids)).to.deep.equal([]);
    await ready(spawnWorker('w3')); // two workers again for the next tests
  });

  it('the orchestrator SIGKILLed mid-flow and started again joins its flow and proves nothing twice', async () => {
    const batch: Batch = { capacity: 4, slots: slots(proofs[3], proofs[4], undefined, undefined) }; // L0.1, P1@h1, N2.0
    const prover: Hex = '0x00000000000000000000000000000000000a0003';
    const ids = idsOf(batch, prover);
    const checkpointDir = path.join(dir, 'c');
    const batchFile = path.join(dir, 'c.json');
    await writeFile(batchFile, JSON.stringify(batchToJson(batch)));
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), ORCHESTRATOR, batchFile, prover, checkpointDir, redis.url, QUEUE],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, NEX_QUEUE_ORCHESTRATOR_CHILD: '1' },
      },
    );
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
    const res = await aggregateBatch({ batch, prover, checkpointDir, queue, logger });
    expect(res.root).to.equal(planBatch(batch).expectedRoot);
    expect(logger.lines.some((l) => l.msg === 'joined the flow already in the queue')).to.equal(true);
    expect(logger.lines.some((l) => l.msg === 'flow added to the queue')).to.equal(false);
    for (const id of before) expect(res.stats.jobs.find((j) => j.id === id)?.fromCheckpoint, id).to.equal(true);
    expect(workers.flatMap((w) => finished(w, ids)).sort()).to.deep.equal(['L0.1', 'N2.0', 'P1@h1']); // each proven once
  });

  it('the queue server restarted without its data mid-flow loses no finished proof', async () => {
    const batch: Batch = { capacity: 4, slots: slots(proofs[5], undefined, proofs[6], undefined) }; // L0, L2, N2.0
    const prover: Hex = '0x00000000000000000000000000000000000a0004';
    const ids = idsOf(batch, prover);
    const events: ProgressEvent[] = [];
    const logger = memoryLogger();
    const run = aggregateBatch({ batch, prover, checkpointDir: path.join(dir, 'd'), queue, logger, onProgress: (e) => events.push(e) });
    await waitFor(() => events.some((e) => e.type === 'job-finished'), 600_000, 'a first finished job');
    await redis.restart({ wipe: true });
    const before = events.filter((e) => e.type === 'job-finished').map((e) => (e as { jobId: string }).jobId);
    const res = await run;
    expect(res.root).to.equal(planBatch(batch).expectedRoot);
    expect(logger.lines.some((l) => l.msg === 'jobs of the flow are missing from the queue; adding them again')).to.equal(true);
    for (const id of before)
      expect(
        workers.flatMap((w) => finished(w, ids)).filter((x) => x === id),
        id,
      ).to.have.length(1);
  });

  it('a worker refuses a job made for another key set: exit code 3, the job back in the queue', async () => {
    const batch: Batch = { capacity: 4, slots: slots(proofs[0], undefined, undefined, undefined) };
    const prover: Hex = '0x00000000000000000000000000000000000a0005';
    // What a keeper with another build would queue: the same plan, another key set.
    const mine = backend.artifacts.keySet;
    const other = `0x${(BigInt(mine) ^ 1n).toString(16).padStart(64, '0')}` as Hex;
    const plan = planBatch(batch);
    const flows = buildFlows({
      plan,
      batch,
      prover,
      keys: jobKeys(plan, batch, prover, other),
      circuits: { keySet: other, buildId: 'another-build', keyHashes: { node: other } },
      done: new Map(),
      queueName: 'foreign',
      prefix: 'nex',
    });
    const producer = new FlowProducer({ connection: { url: redis.url }, prefix: 'nex' });
    await producer.addBulk(flows);
    await producer.close();
    const w = spawnWorker('w-other', 'foreign');
    expect(await w.exit).to.equal(EXIT_REFUSED);
    const refusal = w.logs.find(
      (l) => l.msg === 'refusing a job made for other circuits; the job goes back to the queue and this worker stops',
    );
    expect(refusal).to.include({ wanted: other, wantedBuild: 'another-build', have: mine, haveBuild: backend.artifacts.buildId });
    expect(w.logs.some((l) => l.msg === 'job finished')).to.equal(false);
    const q = new Queue('foreign', { connection: { url: redis.url }, prefix: 'nex' });
    try {
      const counts = await q.getJobCounts('prioritized', 'active', 'failed', 'completed');
      expect(counts).to.deep.include({ active: 0, failed: 0, completed: 0 });
      expect(counts.prioritized).to.equal(2); // the leaf and the pad, untouched
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
