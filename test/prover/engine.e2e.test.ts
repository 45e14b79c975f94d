// Real proofs through the engine (native bb, dev SRS), version-2 tree. A capacity-4 batch with one invalid
// slot: [counter, garbage, empty, empty] -> single leaf L0 + pad P1@h1 + root N2.0. A first run in a child
// process is SIGKILLed while proving the root; a second run resumes from its checkpoints (the leaf and the
// pad are not proven again), and the root proof is verified by the generated Solidity verifier on
// Hardhat's EVM. Also: the pre-check's verdicts come from bb and survive a failing bb (issue 10 item 13,
// with a fault-injecting wrapper around the real backend), and a worker killed mid-job fails with a clear
// error. Rollup proofs and the leaf and pad come from the shared test proof cache when a previous run of
// this circuits build made them (the root is always proven: that is what the kill interrupts).
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { network } from 'hardhat';
import type { Address } from 'viem';
import type { RollupProof } from '../../prover/engine/backend.js';
import { backendHandle, BackendUnavailableError } from '../../prover/engine/backendHandle.js';
import { batchToJson, type Batch } from '../../prover/engine/batch.js';
import { CheckpointStore, jobKeys } from '../../prover/engine/checkpoint.js';
import {
  aggregateBatch,
  precheckSlots,
  rollupDigest,
  type AggregateResult,
  type ProgressEvent,
  silentLogger,
} from '../../prover/engine/index.js';
import { planBatch } from '../../prover/engine/planner.js';
import { WorkerCrashError } from '../../prover/engine/scheduler.js';
import { WorkerPool } from '../../prover/engine/workerPool.js';
import { aggregationPublicInputs, batchRoot, type Hex, toWord } from '../../prover/protocol/index.js';
import {
  circuitBuild,
  deployVerifier,
  evmVerify,
  type ExampleBackend,
  fromVerifierBuild,
  openExampleBackend,
} from '../../prover/toolchain/index.js';
import { faultyBackend } from './faultyBackend.js';
import { exampleBatch4, openProofCache, provenExampleBatch4, type ProofCache } from './proofCache.js';

const PROVER: Address = '0x00000000000000000000000000000000c0ffee01';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Live child processes of `parent` (Linux /proc). */
async function childrenOf(parent: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p)).map(Number);
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(parent);
    } catch {
      return false;
    }
  });
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('[proofs] engine end to end (real proofs, version-2 tree)', function () {
  this.timeout(60 * 60_000);
  let backend: ExampleBackend;
  let cache: ProofCache;
  let dir: string;
  let valid: RollupProof;
  let garbage: RollupProof;
  let batch: Batch;

  before(async () => {
    await circuitBuild({}); // cache hit after `npm run circuits`; builds otherwise
    backend = await openExampleBackend({});
    cache = openProofCache(backend.artifacts);
    dir = await mkdtemp(path.join(os.tmpdir(), 'nex-engine-e2e-'));
    ({ valid, garbage, batch } = await exampleBatch4(cache, backend));
  });

  after(async () => {
    await backend?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pre-check: the valid proof passes, the garbage proof and a wrong vk hash fail (bb, stored VK)', async () => {
    expect(await backend.checkRollupProof(valid)).to.equal(undefined);
    expect(await backend.checkRollupProof(garbage)).to.match(/proof does not verify|bb refused/);
    expect(await backend.vkHashOf(valid.vk)).to.equal(valid.vkHash);
    expect(await backend.vkHashOf(garbage.vk)).to.not.equal(valid.vkHash);
  });

  it("pre-check with a real bb behind a failing transport: bb failures are retried and never exclude; verdicts stay bb's (issue 10 item 13)", async () => {
    const shared = { calls: 0, injected: 0, closed: 0 };
    const flaky = backendHandle(async () => faultyBackend(backend, { failures: 2, mode: 'socket' }, shared).backend);
    const report = await precheckSlots(flaky, batch, silentLogger, undefined, { attempts: 3, timeoutMs: 60_000, delayMs: 10 });
    expect(report.invalidSlots).to.deep.equal([1]);
    expect(report.checks.map((c) => c.valid)).to.deep.equal([true, false]);
    expect(shared.injected).to.equal(2);
    const dead = backendHandle(async () => faultyBackend(backend, { failures: 'always', mode: 'crash' }).backend);
    let err: unknown;
    await precheckSlots(dead, batch, silentLogger, undefined, { attempts: 2, timeoutMs: 60_000, delayMs: 10 }).catch(
      (e: unknown) => (err = e),
    );
    expect(err).to.be.instanceOf(BackendUnavailableError);
  });

  it('aggregates after a SIGKILL mid-tree by resuming from checkpoints; the root verifies on the EVM', async () => {
    const checkpointDir = path.join(dir, 'checkpoints');
    const batchFile = path.join(dir, 'batch.json');
    await writeFile(batchFile, JSON.stringify(batchToJson(batch)));
    const effective: Batch = { capacity: 4, slots: [batch.slots[0]!, { kind: 'excluded' }, { kind: 'empty' }, { kind: 'empty' }] };
    const plan = planBatch(effective);
    expect(plan.jobs.map((j) => j.id)).to.deep.equal(['L0', 'P1@h1', 'N2.0']);
    const keys = jobKeys(plan, effective, PROVER, backend.artifacts.keySet);
    const store = new CheckpointStore(checkpointDir);
    // Warm runs take the leaf and the pad from the shared cache: the child then goes straight to the root.
    const shared = new CheckpointStore(cache.checkpointDir);
    const fileOf = (s: CheckpointStore, id: string): string => s.fileFor(keys.get(id)!);
    await mkdir(checkpointDir, { recursive: true });
    for (const id of ['L0', 'P1@h1']) if (existsSync(fileOf(shared, id))) copyFileSync(fileOf(shared, id), fileOf(store, id));

    // 1. First run in a child process; kill it once the leaf and the pad are checkpointed and the root started.
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), path.join(import.meta.dirname, 'engineChild.ts'), batchFile, PROVER, checkpointDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, NEX_ENGINE_CHILD: '1' },
      },
    );
    const events: ProgressEvent[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        events.push(JSON.parse(line) as ProgressEvent);
      } catch {
        /* not an event */
      }
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await waitFor(() => events.some((e) => e.type === 'job-started' && e.jobId === 'N2.0'), 20 * 60_000, 'the root job to start');
    expect((await readdir(checkpointDir)).sort()).to.deep.equal(['L0', 'P1@h1'].map((id) => `${keys.get(id)}.json`).sort());
    // The worker proving the root is the child's child: find it before the kill to check it dies too.
    // The engine's descendants: its own bb (pre-check, root verification), the worker and the worker's bb.
    const descendants: number[] = [];
    for (let todo = [child.pid!]; todo.length > 0;) {
      const kids = (await Promise.all(todo.map(childrenOf))).flat();
      descendants.push(...kids);
      todo = kids;
    }
    expect(descendants.length).to.be.at.least(3);
    child.kill('SIGKILL');
    expect(await exited).to.equal('SIGKILL');
    // Neither the orphaned worker nor any bb keeps proving for nobody.
    await waitFor(() => descendants.every((pid) => !isAlive(pid)), 15_000, 'the orphaned worker and bb processes to exit');

    // 2. Rerun in this process: only the root is proven.
    const progress: ProgressEvent[] = [];
    const res: AggregateResult = await aggregateBatch({
      batch,
      prover: PROVER,
      checkpointDir,
      logger: silentLogger,
      onProgress: (e) => progress.push(e),
    });
    expect(res.invalidSlots).to.deep.equal([1]);
    expect(res.failedSlots).to.deep.equal([]);
    expect(res.excludedMask).to.equal(0b10n);
    const expectedRoot = batchRoot([rollupDigest(valid), rollupDigest(garbage)], 4, 0b10n);
    expect(res.root).to.equal(expectedRoot);
    expect(plan.expectedRoot).to.equal(expectedRoot);
    expect(res.stats.jobs.map((j) => [j.id, j.fromCheckpoint])).to.deep.equal([
      ['L0', true],
      ['P1@h1', true],
      ['N2.0', false],
    ]);
    expect(progress.filter((e) => e.type === 'job-started').map((e) => (e.type === 'job-started' ? e.jobId : ''))).to.deep.equal(['N2.0']);
    expect(res.publicInputs).to.deep.equal(aggregationPublicInputs(expectedRoot, PROVER, backend.artifacts.keySet));
    for (const id of ['L0', 'P1@h1', 'N2.0']) copyFileSync(fileOf(store, id), fileOf(shared, id)); // for later runs and other tests

    // 3. The generated Solidity verifier (standard non-ZK) accepts the root, and rejects a changed root or prover.
    const { ethers } = await network.create();
    const [signer] = await ethers.getSigners();
    const verifier = fromVerifierBuild(await backend.rootVerifier());
    const { address } = await deployVerifier(verifier, signer!);
    const ok = await evmVerify(verifier, address, signer!, res.proof, res.publicInputs);
    expect(ok.verified, ok.error).to.equal(true);
    const otherRoot = [...res.publicInputs];
    otherRoot[1] = toWord(BigInt(otherRoot[1]!) ^ 1n);
    expect((await evmVerify(verifier, address, signer!, res.proof, otherRoot)).verified).to.equal(false);
    const otherProver = [...res.publicInputs];
    otherProver[2] = toWord('0x00000000000000000000000000000000c0ffee02');
    expect((await evmVerify(verifier, address, signer!, res.proof, otherProver)).verified).to.equal(false);
  });

  it('the shared proven example batch: another aggregation for the same prover proves nothing (test proof cache)', async () => {
    const res = await provenExampleBatch4(cache, backend, PROVER);
    expect(res.stats.jobs.map((j) => [j.id, j.fromCheckpoint])).to.deep.equal([
      ['L0', true],
      ['P1@h1', true],
      ['N2.0', true],
    ]);
    expect(res.root).to.equal(batchRoot([rollupDigest(valid), rollupDigest(garbage)], 4, 0b10n));
    expect(
      await backend.verifyAggProof({
        circuit: 'node',
        target: 'evm-no-zk',
        proof: res.proof,
        publicInputs: res.publicInputs,
        root: res.root,
      }),
    ).to.equal(true);
  });

  it('with autoExclude off, an invalid slot fails the call before any proving', async () => {
    let err: Error | undefined;
    await aggregateBatch({ batch, prover: PROVER, checkpointDir: path.join(dir, 'strict'), autoExclude: false }).catch(
      (e: Error) => (err = e),
    );
    expect(err?.name).to.equal('InvalidSlotsError');
    expect(err?.message).to.match(/pre-check rejected slot\(s\) 1: slot 1: (proof does not verify|bb refused)/);
    expect(existsSync(path.join(dir, 'strict'))).to.equal(false);
  });

  it('a worker killed mid-job fails that job with a WorkerCrashError; the pool goes on with a new worker', async () => {
    const pool = new WorkerPool({ size: 1, backend: {}, logger: silentLogger });
    const plan = planBatch({
      capacity: 4,
      slots: [{ kind: 'proof', rollup: valid }, { kind: 'empty' }, { kind: 'empty' }, { kind: 'empty' }],
    });
    const leaf = plan.jobs.find((j) => j.kind === 'leaf')!;
    const pad = plan.jobs.find((j) => j.kind === 'pad')!;
    const signal = new AbortController().signal;
    try {
      const first = pool.run({ job: leaf, prover: PROVER as Hex, rollups: [valid], inputs: [] }, signal);
      await waitFor(() => pool.pids().length === 1, 60_000, 'the worker to start');
      const [pid] = pool.pids();
      // The job is sent as soon as the worker's bb answers; a leaf proof then takes tens of seconds.
      const end = Date.now() + 60_000;
      while ((await childrenOf(pid!)).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 3_000));
      process.kill(pid!, 'SIGKILL');
      let err: unknown;
      await first.catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(WorkerCrashError);
      expect((err as Error).message).to.equal(`prover worker pid ${pid} killed by SIGKILL while proving job L0`);
      const next = await pool.run({ job: pad, prover: PROVER as Hex, rollups: [], inputs: [] }, signal);
      expect(pool.pids()).to.not.include(pid);
      expect(next.proof.root).to.equal(pad.root);
      expect(await backend.verifyAggProof(next.proof)).to.equal(true);
    } finally {
      await pool.close();
    }
  });
});
