// Scheduler and checkpoint logic with an injected fake job runner (test-only: the product code only
// has the worker pool). The fake derives each proof's root from its own inputs, so the data flow
// through the tree is checked, not assumed.
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AggProof } from '../../prover/engine/backend.js';
import { excludeSlots, type Batch } from '../../prover/engine/batch.js';
import { batchKey, CheckpointStore } from '../../prover/engine/checkpoint.js';
import { hashPair, type Hex, splitRoot, statementDigest, toWord, zeroSubtree } from '../../prover/protocol/index.js';
import type { Logger, LogLevel } from '../../prover/engine/logger.js';
import { planBatch, type Plan } from '../../prover/engine/planner.js';
import {
  JobFailedError,
  type JobResult,
  type JobRunner,
  type JobTask,
  type ProgressEvent,
  runPlan,
  WorkerCrashError,
} from '../../prover/engine/scheduler.js';
import { batchFromMask, KEY_HASHES, PROVER, randomRollup, rng } from './engineHelpers.js';

interface FakeOptions {
  delayMs?: number;
  /** Called before each job; may throw to simulate failures. */
  hook?: (task: JobTask, call: number) => void;
  /** Tamper with the produced root. */
  wrongRootFor?: string;
}

class FakeRunner implements JobRunner {
  readonly calls: string[] = [];
  readonly finished: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly o: FakeOptions = {}) {}

  async run(task: JobTask, signal: AbortSignal): Promise<JobResult> {
    const { job } = task;
    this.calls.push(job.id);
    this.o.hook?.(task, this.calls.length);
    // Every dependency must be proven before its parent starts.
    expect(task.inputs.map((p) => p.root)).to.have.length(job.deps.length);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (): void => {
          const e = new Error('aborted');
          e.name = 'AbortError';
          reject(e);
        };
        if (signal.aborted) return fail();
        const t = setTimeout(resolve, this.o.delayMs ?? 1);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            fail();
          },
          { once: true },
        );
      });
    } finally {
      this.inFlight--;
    }
    let root: Hex;
    if (job.kind === 'leaf') root = statementDigest(task.rollup!.vkHash, task.rollup!.publicInputs);
    else if (job.kind === 'pad') root = zeroSubtree(job.height);
    else root = hashPair(task.inputs[0]!.root, task.inputs[1]!.root);
    if (this.o.wrongRootFor === job.id) root = toWord('0x1234');
    const proof: AggProof = {
      circuit: job.circuit,
      target: job.target,
      root,
      proof: new TextEncoder().encode(`proof of ${job.id}`),
      publicInputs: [...splitRoot(root), toWord(task.prover), ...Object.values(KEY_HASHES)],
    };
    this.finished.push(job.id);
    return { proof, ms: 10, rssMiB: 42 };
  }
}

function memoryLogger(): Logger & { lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: (level, msg, fields) => lines.push({ level, msg, ...(fields ? { fields } : {}) }) };
}

describe('engine scheduler and checkpoints (fake runner)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nex-engine-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const setup = (batch: Batch): { plan: Plan; store: CheckpointStore } => ({
    plan: planBatch(batch),
    store: new CheckpointStore(dir, batchKey(batch, PROVER, KEY_HASHES)),
  });
  const run = (batch: Batch, runner: JobRunner, extra: Partial<Parameters<typeof runPlan>[0]> = {}) => {
    const { plan, store } = setup(batch);
    return runPlan({ plan, batch, prover: PROVER, runner, parallelism: 1, store, logger: memoryLogger(), ...extra });
  };

  it('proves every job once, children first, and returns the root proof of the batch root', async () => {
    const batch = batchFromMask(rng(1), 8, 0b10110111);
    const { plan } = setup(batch);
    const runner = new FakeRunner();
    const events: ProgressEvent[] = [];
    const res = await run(batch, runner, { onProgress: (e) => events.push(e) });
    expect(res.root.root).to.equal(plan.expectedRoot);
    expect(res.root.target).to.equal('evm');
    expect([...runner.calls].sort()).to.deep.equal(plan.jobs.map((j) => j.id).sort());
    // Breadth-first with parallelism 1: heights never decrease.
    const heights = runner.calls.map((id) => plan.jobs.find((j) => j.id === id)!.height);
    expect(heights).to.deep.equal([...heights].sort((a, b) => a - b));
    expect(res.stats.map((s) => s.id)).to.deep.equal(plan.jobs.map((j) => j.id));
    expect(res.stats.every((s) => !s.fromCheckpoint && s.ms === 10 && s.rssMiB === 42)).to.equal(true);
    // Progress: each level starts and finishes once, in order; done counts up to total.
    const levelEvents = events.filter((e) => e.type === 'level-started' || e.type === 'level-finished');
    expect(levelEvents.map((e) => `${e.type}:${e.level}/${e.levels}`)).to.deep.equal([
      'level-started:0/4',
      'level-finished:0/4',
      'level-started:1/4',
      'level-finished:1/4',
      'level-started:2/4',
      'level-finished:2/4',
      'level-started:3/4',
      'level-finished:3/4',
    ]);
    const finished = events.filter((e) => e.type === 'job-finished');
    expect(finished.map((e) => (e.type === 'job-finished' ? e.done : 0))).to.deep.equal(plan.jobs.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'job-started')).to.have.length(plan.jobs.length);
  });

  it('runs up to `parallelism` jobs at once and never more', async () => {
    const batch = batchFromMask(rng(2), 16, 0xffff);
    for (const parallelism of [1, 2, 4]) {
      const runner = new FakeRunner({ delayMs: 5 });
      await rm(dir, { recursive: true, force: true });
      await run(batch, runner, { parallelism });
      expect(runner.maxInFlight).to.equal(parallelism);
    }
  });

  it('rejects a parallelism below 1', async () => {
    const batch = batchFromMask(rng(3), 2, 0b11);
    let err: unknown;
    await run(batch, new FakeRunner(), { parallelism: 0 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(RangeError);
  });

  it('writes one checkpoint per job and a rerun proves nothing', async () => {
    const batch = batchFromMask(rng(4), 4, 0b1011);
    const { plan, store } = setup(batch);
    const first = await run(batch, new FakeRunner());
    const files = (await readdir(store.dir)).sort();
    expect(files).to.deep.equal(plan.jobs.map((j) => `${j.id}.json`).sort()); // no temp files left
    const again = new FakeRunner();
    const second = await run(batch, again);
    expect(again.calls).to.deep.equal([]);
    expect(second.root.root).to.equal(first.root.root);
    expect(Buffer.from(second.root.proof)).to.deep.equal(Buffer.from(first.root.proof));
    expect(second.stats.every((s) => s.fromCheckpoint)).to.equal(true);
  });

  it('resumes: only jobs without a checkpoint on the path to the root are proven', async () => {
    const batch = batchFromMask(rng(5), 8, 0xff);
    const { store } = setup(batch);
    await run(batch, new FakeRunner());
    // Lose the root, the node above L0/L1 and leaf L0: L0 must be re-proven (N1.0 needs it), but not L1.
    for (const id of ['N3.0', 'N2.0', 'N1.0', 'L0']) await rm(store.fileFor(id));
    // L7 is lost too, but its parent N1.3 is checkpointed, so L7 is not needed.
    await rm(store.fileFor('L7'));
    const runner = new FakeRunner();
    const res = await run(batch, runner);
    expect(runner.calls).to.deep.equal(['L0', 'N1.0', 'N2.0', 'N3.0']);
    expect(res.root.root).to.equal(planBatch(batch).expectedRoot);
  });

  it('ignores corrupt, partial or mismatching checkpoints and proves those jobs again', async () => {
    const batch = batchFromMask(rng(6), 4, 0b1111);
    const { store } = setup(batch);
    await run(batch, new FakeRunner());
    const l1 = JSON.parse(await readFile(store.fileFor('L1'), 'utf8')) as { proof: { root: string } };
    await writeFile(store.fileFor('L0'), '{"format":1,"batchKey":'); // partial write
    l1.proof.root = toWord('0xbad');
    await writeFile(store.fileFor('L1'), JSON.stringify(l1)); // wrong root
    const l2 = await readFile(store.fileFor('L2'), 'utf8');
    await writeFile(store.fileFor('L3'), l2); // another job's checkpoint
    for (const id of ['N1.0', 'N1.1', 'N2.0']) await rm(store.fileFor(id));
    const runner = new FakeRunner();
    const logger = memoryLogger();
    await run(batch, runner, { logger });
    expect([...runner.calls].sort()).to.deep.equal(['L0', 'L1', 'L3', 'N1.0', 'N1.1', 'N2.0']);
    const warned = logger.lines.filter((l) => l.msg.startsWith('ignoring invalid checkpoint')).map((l) => l.fields?.jobId);
    expect(warned).to.deep.equal(['L0', 'L1', 'L3']);
  });

  it('keys checkpoints by batch content, prover and circuit key hashes', () => {
    const rand = rng(7);
    const batch = batchFromMask(rand, 4, 0b0111);
    const key = batchKey(batch, PROVER, KEY_HASHES);
    expect(batchKey(structuredClone(batch), PROVER, KEY_HASHES)).to.equal(key);
    const flipped = structuredClone(batch);
    const s0 = flipped.slots[0]!;
    if (s0.kind === 'proof') s0.rollup.proof[0] = s0.rollup.proof[0]! ^ 1;
    expect(batchKey(flipped, PROVER, KEY_HASHES)).to.not.equal(key);
    expect(batchKey(excludeSlots(batch, [1]), PROVER, KEY_HASHES)).to.not.equal(key);
    expect(batchKey(batch, '0x00000000000000000000000000000000000b0b00', KEY_HASHES)).to.not.equal(key);
    expect(batchKey(batch, PROVER, { ...KEY_HASHES, node: toWord('0x31') })).to.not.equal(key);
    const swapped = { capacity: 4, slots: [batch.slots[1]!, batch.slots[0]!, batch.slots[2]!, batch.slots[3]!] };
    expect(batchKey(swapped, PROVER, KEY_HASHES)).to.not.equal(key);
  });

  it('cancellation stops the run, keeps finished checkpoints, and a rerun resumes from them', async () => {
    const batch = batchFromMask(rng(8), 4, 0b1111);
    const { store } = setup(batch);
    const ac = new AbortController();
    const runner = new FakeRunner({ delayMs: 20, hook: (_t, call) => call === 3 && ac.abort() });
    let err: Error | undefined;
    await run(batch, runner, { signal: ac.signal }).catch((e: Error) => (err = e));
    expect(err?.name).to.equal('AbortError');
    expect(runner.finished).to.deep.equal(['L0', 'L1']);
    expect((await readdir(store.dir)).sort()).to.deep.equal(['L0.json', 'L1.json']);
    const rerun = new FakeRunner();
    await run(batch, rerun);
    expect(rerun.calls).to.deep.equal(['L2', 'L3', 'N1.0', 'N1.1', 'N2.0']);
  });

  it('an already aborted signal proves nothing', async () => {
    const runner = new FakeRunner();
    let err: Error | undefined;
    await run(batchFromMask(rng(9), 2, 0b11), runner, { signal: AbortSignal.abort() }).catch((e: Error) => (err = e));
    expect(err?.name).to.equal('AbortError');
    expect(runner.calls).to.deep.equal([]);
  });

  it('retries a job once after a worker crash', async () => {
    const batch = batchFromMask(rng(10), 2, 0b11);
    let crashed = false;
    const runner = new FakeRunner({
      hook: (t) => {
        if (t.job.id === 'L1' && !crashed) {
          crashed = true;
          throw new WorkerCrashError('prover worker pid 1 killed by SIGKILL while proving job L1');
        }
      },
    });
    const events: ProgressEvent[] = [];
    const res = await run(batch, runner, { onProgress: (e) => events.push(e) });
    expect(runner.calls).to.deep.equal(['L0', 'L1', 'L1', 'N1.0']);
    expect(events.filter((e) => e.type === 'job-retry').map((e) => (e.type === 'job-retry' ? e.jobId : ''))).to.deep.equal(['L1']);
    const started = events.filter((e) => e.type === 'job-started' && e.jobId === 'L1');
    expect(started.map((e) => (e.type === 'job-started' ? e.attempt : 0))).to.deep.equal([1, 2]);
    expect(res.root.root).to.equal(planBatch(batch).expectedRoot);
  });

  it('fails the batch with a clear error when the worker crashes twice on a job', async () => {
    const batch = batchFromMask(rng(11), 2, 0b11);
    const runner = new FakeRunner({
      hook: (t) => {
        if (t.job.id === 'L0') throw new WorkerCrashError('prover worker pid 7 exited with code 134 while proving job L0');
      },
    });
    let err: unknown;
    await run(batch, runner).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(JobFailedError);
    expect((err as JobFailedError).jobId).to.equal('L0');
    expect((err as Error).message).to.match(/job L0 \(leaf\d\) failed after 2 attempt\(s\): prover worker pid 7 exited with code 134/);
    expect(runner.calls.filter((id) => id === 'L0')).to.have.length(2);
    expect(runner.calls).to.not.include('N1.0');
  });

  it('does not retry a proving error and stops the other jobs', async () => {
    const batch = batchFromMask(rng(12), 4, 0b1111);
    const runner = new FakeRunner({
      delayMs: 10,
      hook: (t) => {
        if (t.job.id === 'L1') throw new Error('bb: circuit is unsatisfiable');
      },
    });
    let err: unknown;
    await run(batch, runner, { parallelism: 2 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(JobFailedError);
    expect((err as Error).message).to.match(/job L1 \(leaf\d\) failed after 1 attempt\(s\): bb: circuit is unsatisfiable/);
    expect(runner.calls.filter((id) => id === 'L1')).to.have.length(1);
    expect(runner.calls.some((id) => id.startsWith('N'))).to.equal(false);
  });

  it('fails when a proof commits a root other than its subtree root, and does not checkpoint it', async () => {
    const batch = batchFromMask(rng(13), 2, 0b01);
    const { store } = setup(batch);
    let err: unknown;
    await run(batch, new FakeRunner({ wrongRootFor: 'L0' })).catch((e: unknown) => (err = e));
    expect((err as Error).message).to.match(/job L0 .* proof root 0x0+1234 differs from the expected subtree root/);
    expect(await readdir(store.dir).catch(() => [])).to.not.include('L0.json');
  });

  it("passes leaf jobs their slot's rollup proof and node jobs their children's proofs", async () => {
    const rand = rng(14);
    const rollup = randomRollup(rand, 4);
    const batch: Batch = { capacity: 2, slots: [{ kind: 'excluded' }, { kind: 'proof', rollup }] };
    const seen: JobTask[] = [];
    await run(batch, new FakeRunner({ hook: (t) => void seen.push(t) }));
    const byId = new Map(seen.map((t) => [t.job.id, t]));
    expect(byId.get('L1')!.rollup).to.equal(rollup);
    expect(byId.get('L1')!.prover).to.equal(PROVER);
    expect(byId.get('P0@h0')!.rollup).to.equal(undefined);
    expect(byId.get('N1.0')!.inputs.map((p) => p.circuit)).to.deep.equal(['pad', 'leaf4']);
  });
});
