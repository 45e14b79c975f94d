// Scheduler, checkpoint and exclusion logic with an injected fake job runner (test-only: the product
// code only has the worker pool). The fake derives each proof's root from its own inputs, so the data
// flow through the tree is checked, not assumed.
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AggProof, RollupProof } from '../../prover/engine/backend.js';
import { excludeSlots, type Batch } from '../../prover/engine/batch.js';
import { CheckpointStore, jobKeys } from '../../prover/engine/checkpoint.js';
import { proveBatch, rollupDigest } from '../../prover/engine/index.js';
import type { Logger, LogLevel } from '../../prover/engine/logger.js';
import { isRightSingle, planBatch, type Plan } from '../../prover/engine/planner.js';
import {
  BackendTransportError,
  JobFailedError,
  JobInputError,
  type JobResult,
  type JobRunner,
  type JobTask,
  type ProgressEvent,
  runPlan,
  SlotsFailedError,
  WorkerCrashError,
} from '../../prover/engine/scheduler.js';
import { hashPair, type Hex, splitRoot, toWord, ZERO_LEAF, zeroSubtree } from '../../prover/protocol/index.js';
import { batchFromMask, KEY_SET, PROVER, randomRollup, rng } from './engineHelpers.js';

interface FakeOptions {
  delayMs?: number;
  /** Called before each job; may throw to simulate failures. */
  hook?: (task: JobTask, call: number) => void;
  /** Tamper with the produced root. */
  wrongRootFor?: string;
  /** Rollup proofs a leaf circuit rejects (a leaf holding one fails with JobInputError). */
  bad?: ReadonlySet<RollupProof>;
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
    if (job.kind === 'leaf') {
      if (task.rollups.some((r) => this.o.bad?.has(r)))
        throw new JobInputError(`${job.circuit}: witness generation failed: proof word >= r`);
      const d = task.rollups.map(rollupDigest);
      root = d.length === 2 ? hashPair(d[0]!, d[1]!) : isRightSingle(job) ? hashPair(ZERO_LEAF, d[0]!) : hashPair(d[0]!, ZERO_LEAF);
    } else if (job.kind === 'pad') root = zeroSubtree(job.height);
    else root = hashPair(task.inputs[0]!.root, task.inputs[1]!.root);
    if (this.o.wrongRootFor === job.id) root = toWord('0x1234');
    const proof: AggProof = {
      circuit: job.circuit,
      target: job.target,
      root,
      proof: new TextEncoder().encode(`proof of ${job.id}`),
      publicInputs: [...splitRoot(root), toWord(task.prover), KEY_SET],
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

  const setup = (batch: Batch): { plan: Plan; store: CheckpointStore; keys: ReadonlyMap<string, string> } => {
    const plan = planBatch(batch);
    return { plan, store: new CheckpointStore(dir), keys: jobKeys(plan, batch, PROVER, KEY_SET) };
  };
  const run = (batch: Batch, runner: JobRunner, extra: Partial<Parameters<typeof runPlan>[0]> = {}) => {
    const { plan, store, keys } = setup(batch);
    return runPlan({ plan, batch, prover: PROVER, runner, parallelism: 1, store: { store, keys }, logger: memoryLogger(), ...extra });
  };
  const files = async (): Promise<string[]> => (await readdir(dir).catch(() => [] as string[])).sort();

  it('proves every job once, children first, and returns the root proof of the batch root', async () => {
    const batch = batchFromMask(rng(1), 16, 0b1011011100110111n);
    const { plan } = setup(batch);
    const runner = new FakeRunner();
    const events: ProgressEvent[] = [];
    const res = await run(batch, runner, { onProgress: (e) => events.push(e) });
    expect(res.root!.root).to.equal(plan.expectedRoot);
    expect(res.root!.target).to.equal('evm-no-zk');
    expect([...runner.calls].sort()).to.deep.equal(plan.jobs.map((j) => j.id).sort());
    // Breadth-first with parallelism 1: heights never decrease.
    const heights = runner.calls.map((id) => plan.jobs.find((j) => j.id === id)!.height);
    expect(heights).to.deep.equal([...heights].sort((a, b) => a - b));
    expect(res.stats.map((s) => s.id)).to.deep.equal(plan.jobs.map((j) => j.id));
    expect(res.stats.every((s) => !s.fromCheckpoint && s.ms === 10 && s.rssMiB === 42)).to.equal(true);
    // Progress: each level (height - 1) starts and finishes once, in order; done counts up to total.
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
    const batch = batchFromMask(rng(2), 32, 0xffffffffn);
    for (const parallelism of [1, 2, 4]) {
      const runner = new FakeRunner({ delayMs: 5 });
      await rm(dir, { recursive: true, force: true });
      await run(batch, runner, { parallelism });
      expect(runner.maxInFlight).to.equal(parallelism);
    }
  });

  it('rejects a parallelism or an attempt count below 1', async () => {
    const batch = batchFromMask(rng(3), 4, 0b11n);
    let err: unknown;
    await run(batch, new FakeRunner(), { parallelism: 0 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(RangeError);
    err = undefined;
    await run(batch, new FakeRunner(), { maxAttempts: 0 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(RangeError);
  });

  it('writes one checkpoint per job, named by its content key, and a rerun proves nothing', async () => {
    const batch = batchFromMask(rng(4), 8, 0b10110111n);
    const { plan, keys } = setup(batch);
    const first = await run(batch, new FakeRunner());
    expect(await files()).to.deep.equal(plan.jobs.map((j) => `${keys.get(j.id)}.json`).sort()); // no temp files left
    const again = new FakeRunner();
    const second = await run(batch, again);
    expect(again.calls).to.deep.equal([]);
    expect(second.root!.root).to.equal(first.root!.root);
    expect(Buffer.from(second.root!.proof)).to.deep.equal(Buffer.from(first.root!.proof));
    expect(second.stats.every((s) => s.fromCheckpoint)).to.equal(true);
  });

  it('resumes: only jobs without a checkpoint on the path to the root are proven', async () => {
    const batch = batchFromMask(rng(5), 16, 0xffffn);
    const { store, keys } = setup(batch);
    await run(batch, new FakeRunner());
    // Lose the root, the node above L0.1/L2.3 and leaf L0.1: L0.1 must be re-proven (N2.0 needs it), but not L2.3.
    for (const id of ['N4.0', 'N3.0', 'N2.0', 'L0.1']) await rm(store.fileFor(keys.get(id)!));
    // L14.15 is lost too, but its parent N2.3 is checkpointed, so L14.15 is not needed.
    await rm(store.fileFor(keys.get('L14.15')!));
    const runner = new FakeRunner();
    const res = await run(batch, runner);
    expect(runner.calls).to.deep.equal(['L0.1', 'N2.0', 'N3.0', 'N4.0']);
    expect(res.root!.root).to.equal(planBatch(batch).expectedRoot);
  });

  it('ignores corrupt, partial or mismatching checkpoints and proves those jobs again', async () => {
    const batch = batchFromMask(rng(6), 8, 0xffn);
    const { store, keys } = setup(batch);
    await run(batch, new FakeRunner());
    const file = (id: string): string => store.fileFor(keys.get(id)!);
    const l1 = JSON.parse(await readFile(file('L2.3'), 'utf8')) as { proof: { root: string } };
    await writeFile(file('L0.1'), '{"format":2,"key":'); // partial write
    l1.proof.root = toWord('0xbad');
    await writeFile(file('L2.3'), JSON.stringify(l1)); // wrong root
    await writeFile(file('L6.7'), await readFile(file('L4.5'), 'utf8')); // another job's checkpoint
    for (const id of ['N2.0', 'N2.1', 'N3.0']) await rm(file(id));
    const runner = new FakeRunner();
    const logger = memoryLogger();
    await run(batch, runner, { logger });
    expect([...runner.calls].sort()).to.deep.equal(['L0.1', 'L2.3', 'L6.7', 'N2.0', 'N2.1', 'N3.0']);
    const warned = logger.lines.filter((l) => l.msg.startsWith('ignoring invalid checkpoint')).map((l) => l.fields?.jobId);
    expect(warned).to.deep.equal(['L0.1', 'L2.3', 'L6.7']);
  });

  it('keys checkpoints by job content: an exclusion changes only the keys of its unit and the nodes above it', () => {
    const rand = rng(7);
    const batch = batchFromMask(rand, 16, 0xffffn);
    const keys = jobKeys(planBatch(batch), batch, PROVER, KEY_SET);
    expect(jobKeys(planBatch(structuredClone(batch)), structuredClone(batch), PROVER, KEY_SET)).to.deep.equal(keys);
    const excluded = excludeSlots(batch, [5]);
    const after = jobKeys(planBatch(excluded), excluded, PROVER, KEY_SET);
    const changed = [...after.keys()].filter((id) => after.get(id) !== keys.get(id)).sort();
    expect(changed).to.deep.equal(['L4', 'N2.1', 'N3.0', 'N4.0']);
    expect([...after.keys()].filter((id) => after.get(id) === keys.get(id))).to.have.length(after.size - 4);
    // Any change of proof bytes, prover or key set gives other keys.
    const flipped = structuredClone(batch);
    const s0 = flipped.slots[0]!;
    if (s0.kind === 'proof') s0.rollup.proof[0] = s0.rollup.proof[0]! ^ 1;
    const flippedKeys = jobKeys(planBatch(flipped), flipped, PROVER, KEY_SET);
    expect(flippedKeys.get('L0.1')).to.not.equal(keys.get('L0.1'));
    expect(flippedKeys.get('L2.3')).to.equal(keys.get('L2.3'));
    expect(jobKeys(planBatch(batch), batch, '0x00000000000000000000000000000000000b0b00', KEY_SET).get('L2.3')).to.not.equal(
      keys.get('L2.3'),
    );
    expect(jobKeys(planBatch(batch), batch, PROVER, toWord('0x31')).get('P0@h1')).to.equal(undefined);
    expect(jobKeys(planBatch(batch), batch, PROVER, toWord('0x31')).get('L2.3')).to.not.equal(keys.get('L2.3'));
  });

  it('cancellation stops the run, keeps finished checkpoints, and a rerun resumes from them', async () => {
    const batch = batchFromMask(rng(8), 8, 0xffn);
    const { keys } = setup(batch);
    const ac = new AbortController();
    const runner = new FakeRunner({ delayMs: 20, hook: (_t, call) => call === 3 && ac.abort() });
    let err: Error | undefined;
    await run(batch, runner, { signal: ac.signal }).catch((e: Error) => (err = e));
    expect(err?.name).to.equal('AbortError');
    expect(runner.finished).to.deep.equal(['L0.1', 'L2.3']);
    expect(await files()).to.deep.equal(['L0.1', 'L2.3'].map((id) => `${keys.get(id)}.json`).sort());
    const rerun = new FakeRunner();
    await run(batch, rerun);
    expect(rerun.calls).to.deep.equal(['L4.5', 'L6.7', 'N2.0', 'N2.1', 'N3.0']);
  });

  it('an already aborted signal proves nothing', async () => {
    const runner = new FakeRunner();
    let err: Error | undefined;
    await run(batchFromMask(rng(9), 4, 0b11n), runner, { signal: AbortSignal.abort() }).catch((e: Error) => (err = e));
    expect(err?.name).to.equal('AbortError');
    expect(runner.calls).to.deep.equal([]);
  });

  for (const [what, make] of [
    ['a worker crash', () => new WorkerCrashError('prover worker pid 1 killed by SIGKILL while proving job L2.3')],
    [
      'bb not answering',
      () =>
        new BackendTransportError('prover worker pid 1: bb stopped answering while proving job L2.3: Socket connection ended unexpectedly'),
    ],
  ] as const) {
    it(`retries a job once after ${what}`, async () => {
      const batch = batchFromMask(rng(10), 4, 0b1111n);
      let failed = false;
      const runner = new FakeRunner({
        hook: (t) => {
          if (t.job.id === 'L2.3' && !failed) {
            failed = true;
            throw make();
          }
        },
      });
      const events: ProgressEvent[] = [];
      const res = await run(batch, runner, { onProgress: (e) => events.push(e) });
      expect(runner.calls).to.deep.equal(['L0.1', 'L2.3', 'L2.3', 'N2.0']);
      expect(events.filter((e) => e.type === 'job-retry').map((e) => (e.type === 'job-retry' ? e.jobId : ''))).to.deep.equal(['L2.3']);
      const started = events.filter((e) => e.type === 'job-started' && e.jobId === 'L2.3');
      expect(started.map((e) => (e.type === 'job-started' ? e.attempt : 0))).to.deep.equal([1, 2]);
      expect(res.root!.root).to.equal(planBatch(batch).expectedRoot);
    });
  }

  it('fails the batch with a retryable JobFailedError when bb keeps failing on a job (bounded retries)', async () => {
    const batch = batchFromMask(rng(11), 4, 0b11n);
    const runner = new FakeRunner({
      hook: (t) => {
        if (t.job.id === 'L0.1') throw new BackendTransportError('bb stopped answering: Native backend process exited with code 134');
      },
    });
    let err: unknown;
    await run(batch, runner, { maxAttempts: 3 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(JobFailedError);
    expect((err as JobFailedError).jobId).to.equal('L0.1');
    expect((err as JobFailedError).retryable).to.equal(true);
    expect((err as Error).message).to.match(/job L0\.1 \(leaf_\d_\d\) failed after 3 attempt\(s\): bb stopped answering/);
    expect(runner.calls.filter((id) => id === 'L0.1')).to.have.length(3);
    expect(runner.calls).to.not.include('N2.0');
  });

  it('does not retry another proving error and stops the other jobs', async () => {
    const batch = batchFromMask(rng(12), 8, 0xffn);
    const runner = new FakeRunner({
      delayMs: 10,
      hook: (t) => {
        if (t.job.id === 'L2.3') throw new Error('bb returned unexpected public inputs');
      },
    });
    let err: unknown;
    await run(batch, runner, { parallelism: 2 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(JobFailedError);
    expect((err as JobFailedError).retryable).to.equal(false);
    expect((err as Error).message).to.match(/job L2\.3 \(leaf_\d_\d\) failed after 1 attempt\(s\): bb returned unexpected public inputs/);
    expect(runner.calls.filter((id) => id === 'L2.3')).to.have.length(1);
    expect(runner.calls.some((id) => id.startsWith('N'))).to.equal(false);
  });

  it('a leaf rejected for its inputs fails only its ancestors: every other job is proven and checkpointed, then SlotsFailedError names its slots', async () => {
    const batch = batchFromMask(rng(13), 8, 0xffn);
    const bad = (batch.slots[5] as { rollup: RollupProof }).rollup;
    const { keys } = setup(batch);
    const runner = new FakeRunner({ bad: new Set([bad]) });
    const events: ProgressEvent[] = [];
    let err: unknown;
    await run(batch, runner, { parallelism: 2, onProgress: (e) => events.push(e) }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(SlotsFailedError);
    expect((err as SlotsFailedError).failures.map((f) => [f.jobId, f.slots])).to.deep.equal([['L4.5', [4, 5]]]);
    expect([...runner.finished].sort()).to.deep.equal(['L0.1', 'L2.3', 'L6.7', 'N2.0']);
    expect(runner.calls).to.not.include('N2.1');
    expect(await files()).to.deep.equal(['L0.1', 'L2.3', 'L6.7', 'N2.0'].map((id) => `${keys.get(id)}.json`).sort());
    expect(events.filter((e) => e.type === 'job-failed').map((e) => (e.type === 'job-failed' ? e.slots : []))).to.deep.equal([[4, 5]]);
  });

  it('fails when a proof commits a root other than its subtree root, and does not checkpoint it', async () => {
    const batch = batchFromMask(rng(13), 4, 0b01n);
    let err: unknown;
    await run(batch, new FakeRunner({ wrongRootFor: 'L0' })).catch((e: unknown) => (err = e));
    expect((err as Error).message).to.match(/job L0 .* proof root 0x0+1234 differs from the expected subtree root/);
    expect(await files()).to.deep.equal([]);
  });

  it("passes leaf jobs their slots' rollup proofs and node jobs their children's proofs", async () => {
    const rand = rng(14);
    const [a, b, c] = [randomRollup(rand, 4), randomRollup(rand, 1), randomRollup(rand, 2)];
    const batch: Batch = {
      capacity: 4,
      slots: [{ kind: 'proof', rollup: a }, { kind: 'proof', rollup: b }, { kind: 'excluded' }, { kind: 'proof', rollup: c }],
    };
    const seen: JobTask[] = [];
    await run(batch, new FakeRunner({ hook: (t) => void seen.push(t) }));
    const byId = new Map(seen.map((t) => [t.job.id, t]));
    expect(byId.get('L0.1')!.rollups).to.deep.equal([a, b]);
    expect(byId.get('L0.1')!.job.circuit).to.equal('leaf_1_4');
    expect(byId.get('L3')!.rollups).to.deep.equal([c]);
    expect(byId.get('L3')!.prover).to.equal(PROVER);
    expect(byId.get('N2.0')!.rollups).to.deep.equal([]);
    expect(byId.get('N2.0')!.inputs.map((p) => p.circuit)).to.deep.equal(['leaf_1_4', 'leaf_2']);
  });

  it('proves only the requested targets', async () => {
    const batch = batchFromMask(rng(15), 8, 0xffn);
    const runner = new FakeRunner();
    const res = await run(batch, runner, { targets: ['L2.3', 'N2.1'] });
    expect([...runner.calls].sort()).to.deep.equal(['L2.3', 'L4.5', 'L6.7', 'N2.1']);
    expect(res.root).to.equal(undefined);
    expect([...res.proofs.keys()]).to.deep.equal(['L2.3', 'N2.1']);
  });
});

describe('engine: one bad slot never fails a batch (proveBatch, fake runner)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nex-engine-excl-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const prove = (batch: Batch, runner: JobRunner, extra: Partial<Parameters<typeof proveBatch>[0]> = {}) =>
    proveBatch({ batch, prover: PROVER, runner, parallelism: 1, checkpointDir: dir, keySet: KEY_SET, logger: memoryLogger(), ...extra });
  const rollupAt = (batch: Batch, i: number): RollupProof => (batch.slots[i] as { rollup: RollupProof }).rollup;

  it('a bad single leaf: its slot is excluded, the tree is planned again, every other proof reused', async () => {
    const batch = batchFromMask(rng(20), 8, 0b01111111n); // slot 6 is a single leaf (slot 7 zero)
    const runner = new FakeRunner({ bad: new Set([rollupAt(batch, 6)]) });
    const events: ProgressEvent[] = [];
    const res = await prove(batch, runner, { onProgress: (e) => events.push(e) });
    expect(res.failedSlots).to.deep.equal([6]);
    expect(res.rounds).to.equal(2);
    expect(res.plan.expectedRoot).to.equal(planBatch(excludeSlots(batch, [6])).expectedRoot);
    expect(res.result.root!.root).to.equal(res.plan.expectedRoot);
    expect(res.plan.excludedMask & (1n << 6n)).to.equal(1n << 6n);
    // Round 1 proved L0.1, L2.3, L4.5, N2.0 (and failed L6); round 2 proves only what changed: a pad and the nodes above it.
    expect(runner.calls).to.deep.equal(['L0.1', 'L2.3', 'L4.5', 'L6', 'N2.0', 'P3@h1', 'N2.1', 'N3.0']);
    expect(events.filter((e) => e.type === 'slots-excluded').map((e) => (e.type === 'slots-excluded' ? e.slots : []))).to.deep.equal([[6]]);
  });

  for (const badSide of ['left', 'right'] as const) {
    it(`a bad pair leaf (${badSide} slot bad): its other slot is proven alone to find the bad one, and that proof is reused`, async () => {
      const batch = batchFromMask(rng(21), 8, 0xffn);
      const badSlot = badSide === 'left' ? 4 : 5;
      const runner = new FakeRunner({ bad: new Set([rollupAt(batch, badSlot)]) });
      const res = await prove(batch, runner);
      expect(res.failedSlots).to.deep.equal([badSlot]);
      const good = badSlot === 4 ? 5 : 4;
      expect(res.plan.jobs.find((j) => j.kind === 'leaf' && j.index === 2)!.id).to.equal(`L${good}`);
      expect(res.result.root!.root).to.equal(planBatch(excludeSlots(batch, [badSlot])).expectedRoot);
      // The good slot's single leaf is proven once: as the diagnosis when it is the left slot, else in the re-plan.
      expect(runner.calls.filter((id) => id === `L${good}`)).to.have.length(1);
      expect(runner.calls.filter((id) => id === 'L4')).to.have.length(1); // the diagnosis always tries the left slot alone
      // Nothing outside the unit and its ancestors is proven twice.
      for (const id of ['L0.1', 'L2.3', 'L6.7', 'N2.0'])
        expect(
          runner.calls.filter((c) => c === id),
          id,
        ).to.have.length(1);
    });
  }

  it('both slots of a pair bad, and a bad slot elsewhere: every bad slot excluded, the batch still proven', async () => {
    const batch = batchFromMask(rng(22), 16, 0xffffn);
    const bad = new Set([2, 3, 9].map((i) => rollupAt(batch, i)));
    const res = await prove(batch, new FakeRunner({ bad }));
    expect([...res.failedSlots].sort((a, b) => a - b)).to.deep.equal([2, 3, 9]);
    expect(res.result.root!.root).to.equal(planBatch(excludeSlots(batch, [2, 3, 9])).expectedRoot);
  });

  it('with autoExclude off a failed leaf fails the call (SlotsFailedError), and when every slot fails nothing is proven', async () => {
    const batch = batchFromMask(rng(23), 4, 0b0011n);
    let err: unknown;
    await prove(batch, new FakeRunner({ bad: new Set([rollupAt(batch, 1)]) }), { autoExclude: false }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(SlotsFailedError);
    err = undefined;
    await prove(batch, new FakeRunner({ bad: new Set([rollupAt(batch, 0), rollupAt(batch, 1)]) })).catch((e: unknown) => (err = e));
    expect((err as Error).name).to.equal('BatchError');
    expect((err as Error).message).to.match(/every included slot failed or was excluded \(failed: 0, 1\)/);
  });

  it('a failure of bb (not of the inputs) excludes nothing: the job is retried, then the call fails retryably', async () => {
    const batch = batchFromMask(rng(24), 4, 0b1111n);
    const runner = new FakeRunner({
      hook: (t) => {
        if (t.job.id === 'L2.3') throw new BackendTransportError('Socket connection ended unexpectedly');
      },
    });
    let err: unknown;
    await prove(batch, runner).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(JobFailedError);
    expect((err as JobFailedError).retryable).to.equal(true);
    expect(runner.calls.filter((id) => id === 'L2.3')).to.have.length(2);
  });
});
