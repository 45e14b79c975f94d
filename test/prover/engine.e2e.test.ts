// Real proofs through the engine (native bb, dev SRS): one capacity-2 batch with one invalid slot.
// A first run in a child process is SIGKILLed while proving the root; a second run resumes from its
// checkpoints (the leaf and the pad are not proven again), and the root proof is verified by the
// generated Solidity verifier on Hardhat's EVM. Also: a worker killed mid-job fails with a clear error.
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { network } from 'hardhat';
import type { RollupProof } from '../../prover/engine/backend.js';
import { batchToJson, type Batch } from '../../prover/engine/batch.js';
import { CheckpointStore, batchKey } from '../../prover/engine/checkpoint.js';
import { aggregateBatch, type AggregateResult, type ProgressEvent, silentLogger } from '../../prover/engine/index.js';
import { planBatch } from '../../prover/engine/planner.js';
import { WorkerCrashError } from '../../prover/engine/scheduler.js';
import { WorkerPool } from '../../prover/engine/workerPool.js';
import { batchRoot, type Hex, splitRoot, statementDigest, toWord } from '../../prover/protocol/index.js';
import {
  circuitBuild,
  deployVerifier,
  evmVerify,
  type ExampleBackend,
  fromVerifierBuild,
  openExampleBackend,
} from '../../prover/toolchain/index.js';

const PROVER: Hex = '0x00000000000000000000000000000000c0ffee01';

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

describe('[proofs] engine end to end', function () {
  this.timeout(600_000);
  let backend: ExampleBackend;
  let dir: string;
  let valid: RollupProof;
  let garbage: RollupProof;
  let batch: Batch;

  before(async () => {
    await circuitBuild({}); // cache hit after `npm run circuits`; builds otherwise
    backend = await openExampleBackend({});
    dir = await mkdtemp(path.join(os.tmpdir(), 'nex-engine-e2e-'));
    valid = await backend.proveExampleRollup({ publicInputCount: 1, seed: 'engine-e2e-0' });
    const other = await backend.proveExampleRollup({ publicInputCount: 2, seed: 'engine-e2e-1' });
    // Garbage: the right shape and program, random proof bytes (kept canonical field by field).
    const proof = Uint8Array.from(other.proof, (b, i) => (i % 32 === 0 ? 0 : (b * 31 + i) & 0xff));
    garbage = { ...other, proof };
    batch = {
      capacity: 2,
      slots: [
        { kind: 'proof', rollup: valid },
        { kind: 'proof', rollup: garbage },
      ],
    };
  });

  after(async () => {
    await backend?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pre-check: the valid proof passes, the garbage proof and a wrong vk hash fail (bb, stored VK)', async () => {
    expect(await backend.verifyRollupProof(valid)).to.equal(true);
    expect(await backend.verifyRollupProof(garbage)).to.equal(false);
    expect(await backend.vkHashOf(valid.vk)).to.equal(valid.vkHash);
    expect(await backend.vkHashOf(garbage.vk)).to.not.equal(valid.vkHash);
  });

  it('aggregates after a SIGKILL mid-tree by resuming from checkpoints; the root verifies on the EVM', async () => {
    const checkpointDir = path.join(dir, 'checkpoints');
    const batchFile = path.join(dir, 'batch.json');
    await writeFile(batchFile, JSON.stringify(batchToJson(batch)));

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
    await waitFor(() => events.some((e) => e.type === 'job-started' && e.jobId === 'N1.0'), 300_000, 'the root job to start');
    expect(events.filter((e) => e.type === 'job-finished').map((e) => (e.type === 'job-finished' ? e.jobId : ''))).to.have.members([
      'L0',
      'P1@h0',
    ]);
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

    const effective = { capacity: 2, slots: [batch.slots[0]!, { kind: 'excluded' as const }] };
    const store = new CheckpointStore(checkpointDir, batchKey(effective, PROVER, backend.artifacts.keyHashes));
    expect((await readdir(store.dir)).sort()).to.deep.equal(['L0.json', 'P1@h0.json']);

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
    expect(res.excludedMask).to.equal(0b10);
    const expectedRoot = batchRoot([statementDigest(valid.vkHash, valid.publicInputs)], 2);
    expect(res.root).to.equal(expectedRoot);
    expect(planBatch(effective).expectedRoot).to.equal(expectedRoot);
    expect(res.stats.jobs.map((j) => [j.id, j.fromCheckpoint])).to.deep.equal([
      ['L0', true],
      ['P1@h0', true],
      ['N1.0', false],
    ]);
    expect(progress.filter((e) => e.type === 'job-started').map((e) => (e.type === 'job-started' ? e.jobId : ''))).to.deep.equal(['N1.0']);
    const kh = backend.artifacts.keyHashes;
    expect(res.publicInputs).to.deep.equal(
      [...splitRoot(expectedRoot), toWord(PROVER), kh.leaf1, kh.leaf2, kh.leaf4, kh.pad, kh.node].map((x) => toWord(x as Hex)),
    );

    // 3. The generated Solidity verifier accepts the root, and rejects a changed root or prover.
    const { ethers } = await network.create();
    const [signer] = await ethers.getSigners();
    const verifier = fromVerifierBuild(await backend.rootVerifier());
    const { address } = await deployVerifier(verifier, signer!);
    const ok = await evmVerify(verifier, address, signer!, res.proof, res.publicInputs);
    expect(ok.verified, ok.error).to.equal(true);
    const otherRoot = [...res.publicInputs];
    otherRoot[1] = toWord(`0x${(BigInt(otherRoot[1]!) ^ 1n).toString(16)}`);
    expect((await evmVerify(verifier, address, signer!, res.proof, otherRoot)).verified).to.equal(false);
    const otherProver = [...res.publicInputs];
    otherProver[2] = toWord('0x00000000000000000000000000000000c0ffee02');
    expect((await evmVerify(verifier, address, signer!, res.proof, otherProver)).verified).to.equal(false);
  });

  it('with autoExclude off, an invalid slot fails the call before any proving', async () => {
    let err: Error | undefined;
    await aggregateBatch({ batch, prover: PROVER, checkpointDir: path.join(dir, 'strict'), autoExclude: false }).catch(
      (e: Error) => (err = e),
    );
    expect(err?.name).to.equal('InvalidSlotsError');
    expect(err?.message).to.match(/pre-check rejected slot\(s\) 1: slot 1: proof does not verify/);
  });

  it('a worker killed mid-job fails that job with a WorkerCrashError; the pool goes on with a new worker', async () => {
    const pool = new WorkerPool({ size: 1, backend: {}, logger: silentLogger });
    const plan = planBatch({ capacity: 2, slots: [{ kind: 'proof', rollup: valid }, { kind: 'empty' }] });
    const leaf = plan.jobs.find((j) => j.kind === 'leaf')!;
    const pad = plan.jobs.find((j) => j.kind === 'pad')!;
    const signal = new AbortController().signal;
    try {
      const first = pool.run({ job: leaf, prover: PROVER, rollup: valid, inputs: [] }, signal);
      await waitFor(() => pool.pids().length === 1, 30_000, 'the worker to start');
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
      const next = await pool.run({ job: pad, prover: PROVER, inputs: [] }, signal);
      expect(pool.pids()).to.not.include(pid);
      expect(next.proof.root).to.equal(pad.root);
      expect(await backend.verifyAggProof(next.proof)).to.equal(true);
    } finally {
      await pool.close();
    }
  });
});
