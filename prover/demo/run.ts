/**
 * The one-command demo as a library: a devnet, two example rollups with different circuits, one batch
 * of their proofs (one invalid), two competing keepers, the aggregated proof verified on L1, the invalid
 * submission refunded. Returns what happened; every process it starts is registered with `cleanup`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { bytesToHex, parseEther, parseEventLogs, type Address, type Hex } from 'viem';
import { startDevnet, type Devnet } from '../../deploy/devnet/devnet.js';
import { ensureVerifierBuild } from '../../deploy/devnet/build.js';
import { openBackend, type ProvingBackend, type RollupProof } from '../engine/backend.js';
import { nexTokenAbi, proverStakingAbi } from '../abi/v1.js';
import {
  addressesOf,
  createNexClient,
  estimateFee,
  getBatch,
  getSubmission,
  isVerified,
  aggregationMarketAbi,
  refund,
  registerProgram,
  submit,
  type BatchInfo,
  type NexClient,
} from '../sdk/index.js';
import type { VerifierVariantName } from '../sdk/deployments.js';
import { measureBaseline, type Baseline } from './baseline.js';
import type { Cleanup } from './cleanup.js';
import { KeeperProcess, type KeeperLine } from './keeperProcess.js';
import { formatMs, type Progress } from './progress.js';

export interface DemoOptions {
  /** Project root (where package.json is). */
  root: string;
  /** Per-run directory: keeper data dirs, deployments file, Ignition journal. */
  workDir: string;
  /** Port of the Hardhat node the demo starts (ignored with rpcUrl). */
  port?: number | undefined;
  /** Use this running devnet (chain id 31337/1337) instead of starting a node. */
  rpcUrl?: string | undefined;
  /** Cache of the single-proof gas baseline (per circuits build). */
  baselineCacheFile: string;
  /** Give up on the batch after this long (default 30 min). */
  batchTimeoutMs?: number | undefined;
}

export interface StageTime {
  stage: string;
  ms: number;
}

export interface DemoStatement {
  rollup: string;
  programId: Hex;
  publicInputs: Hex[];
  submissionId: string;
  valid: boolean;
  fee: string;
  /** isVerified(programId, publicInputs) on L1 at the end. */
  verifiedOnChain: boolean;
  /** Final submission state from the market. */
  state: string;
}

export interface DemoResult {
  rpcUrl: string;
  chainId: number;
  market: Address;
  batchId: string;
  capacity: number;
  stages: StageTime[];
  keepers: { name: string; address: Address; pid: number | undefined; locked: boolean; provedJobs: number; note: string }[];
  locker: { name: string; address: Address };
  provingJobs: { circuit: string; ms: number }[];
  statements: DemoStatement[];
  fees: { paid: string; proverEarned: string; protocolFee: string; refunded: string };
  gas: {
    fulfil: string;
    lock: string;
    perVerifiedProof: string;
    /** The deployed root verifier's variant; the single-proof baseline uses the same bb generator. */
    verifierVariant: VerifierVariantName;
    singleVerify: string;
    singleVerifyCached: boolean;
    verifiedCount: number;
  };
  refund: { submissionId: string; amount: string; txHash: Hex };
  /** Process ids the demo started (node, keepers); all stopped at the end. */
  pids: number[];
}

export class DemoError extends Error {
  override readonly name = 'DemoError';
}

const STAKE = parseEther('1000');

async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new DemoError(`timed out after ${formatMs(timeoutMs)} waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function short(a: string): string {
  return `${a.slice(0, 6)}…${a.slice(-4)}`;
}

export async function runDemo(opts: DemoOptions, progress: Progress, cleanup: Cleanup): Promise<DemoResult> {
  const stages: StageTime[] = [];
  const pids: number[] = [];
  const timed = async <T>(stage: string, label: string, body: (update: (d: string, f?: number) => void) => Promise<T>, note?: (v: T) => string): Promise<T> => {
    const h = progress.stage(label);
    try {
      const v = await body((d, f) => h.update(d, f));
      stages.push({ stage, ms: h.done(note?.(v)) });
      return v;
    } catch (err) {
      h.fail();
      throw err;
    }
  };
  mkdirSync(opts.workDir, { recursive: true });

  // 1. Setup: the INSECURE dev SRS and the circuits build (both cached after the first run).
  const verifierBuild = await timed('setup', 'Setup: dev SRS and circuits build (cached after the first run)', (update) =>
    ensureVerifierBuild({
      log: (event, fields) => {
        if (event === 'circuits' && fields && typeof fields.step === 'string') {
          // Circuits build progress (a cache miss: minutes): step, circuit, detail.
          update(['circuits', fields.step, fields.circuit, fields.detail].filter((x) => typeof x === 'string' && x).join(' ').slice(0, 100));
        }
        else if (event === 'devnet.build' && fields?.step) update(`${String(fields.step)}${fields.cacheHit === true ? ' (cached)' : ''}`);
      },
      onSrsProgress: (p) => update(`dev SRS ${p.phase} ${p.done}/${p.total}`, p.total > 0 ? p.done / p.total : undefined),
    }),
  );

  // 2. Devnet: Hardhat node on loopback, deploy, fund the well-known accounts.
  const devnet: Devnet = await timed(
    'devnet',
    opts.rpcUrl ? `Devnet: deploy and fund on ${opts.rpcUrl}` : `Devnet: Hardhat node on 127.0.0.1:${opts.port ?? 8545}, deploy, fund`,
    async (update) => {
      const d = await startDevnet({
        rpcUrl: opts.rpcUrl,
        port: opts.port,
        verifierBuild,
        root: opts.root,
        deploymentsDir: path.join(opts.workDir, 'deployments'),
        ignitionDir: path.join(opts.workDir, 'ignition'),
        log: (event, fields) => update(`${event}${fields?.step ? ` ${String(fields.step)}` : ''}${fields?.module ? ` ${String(fields.module)}` : ''}`),
      });
      cleanup.add('devnet node', () => d.stop());
      return d;
    },
    (d) => `chain ${d.chainId}, market ${d.deployments.contracts.AggregationMarket.address}`,
  );
  const addresses = addressesOf(devnet.deployments);
  const [, op1, op2, rollupA, rollupB] = devnet.accounts;
  if (!op1 || !op2 || !rollupA || !rollupB) throw new DemoError('the devnet funded fewer than 5 accounts');
  const clientFor = (privateKey: Hex): Promise<NexClient> => createNexClient({ rpcUrl: devnet.rpcUrl, privateKey, addresses, pollingIntervalMs: 500 });
  const [clientOp1, clientOp2, clientA, clientB] = await Promise.all([op1, op2, rollupA, rollupB].map((a) => clientFor(a.privateKey)));
  const reader = clientA!;
  // Batch timeouts and windows are judged by block time: a devnet that mines only on transactions has a
  // frozen clock between them, and an open batch would never time out. Mine a block every second.
  await reader.public.request({ method: 'evm_setIntervalMining' as never, params: [1_000] as never }).catch((err: unknown) => {
    throw new DemoError(`the devnet refused evm_setIntervalMining (needed so batches time out): ${err instanceof Error ? err.message : String(err)}`);
  });

  // 3. Two prover operators stake NEX and start their keepers (child processes, own data dirs).
  const keepers = await timed('keepers', 'Keepers: two operators stake 1,000 NEX each and start `nex keeper run`', async (update) => {
    const out: KeeperProcess[] = [];
    for (const [i, [acct, client]] of ([[op1, clientOp1!], [op2, clientOp2!]] as const).entries()) {
      const name = `keeper-${i + 1}`;
      update(`${name} (${short(acct.address)}) stakes`);
      const w = client.wallet!;
      const approve = await w.writeContract({ address: addresses.token, abi: nexTokenAbi, functionName: 'approve', args: [addresses.staking, STAKE], chain: w.chain });
      await client.public.waitForTransactionReceipt({ hash: approve });
      const stake = await w.writeContract({ address: addresses.staking, abi: proverStakingAbi, functionName: 'stake', args: [STAKE], chain: w.chain });
      const r = await client.public.waitForTransactionReceipt({ hash: stake });
      if (r.status !== 'success') throw new DemoError(`${name}: stake reverted`);
      const k = new KeeperProcess({ name, root: opts.root, privateKey: acct.privateKey, rpcUrl: devnet.rpcUrl, deploymentsFile: devnet.deploymentsFile, dataDir: path.join(opts.workDir, name) });
      k.start();
      cleanup.add(name, () => k.stop());
      if (k.pid !== undefined) pids.push(k.pid);
      out.push(k);
    }
    return out;
  }, (ks) => ks.map((k) => `${k.name} pid ${k.pid}`).join(', '));
  const keeperOf = (a: Address): KeeperProcess | undefined => keepers.find((k) => k.opts.privateKey === devnet.accounts.find((x) => x.address.toLowerCase() === a.toLowerCase())?.privateKey);
  const failIfKeeperDied = (): void => {
    for (const k of keepers) if (!k.running) throw new DemoError(`${k.name} exited unexpectedly (log: ${k.logFile}); last errors: ${k.lastErrors().join(' | ') || 'none'}`);
  };

  // 4. The rollups' own proofs (what each rollup's prover would produce), and the single-proof baseline.
  let backend: ProvingBackend | undefined;
  const closeBackend = cleanup.add('bb (rollup proofs)', async () => backend?.close());
  const proofs = await timed('rollup proofs', 'Rollup proofs: counter (1 public input) and transfer (2 public inputs), one tampered', async (update) => {
    backend = await openBackend({});
    update('rollup_counter statement');
    const counter = await backend.proveExampleRollup({ publicInputCount: 1, seed: 'nex-demo-counter-1' });
    update('rollup_transfer statement');
    const transfer = await backend.proveExampleRollup({ publicInputCount: 2, seed: 'nex-demo-transfer-1' });
    update('rollup_transfer statement, then one proof byte flipped');
    const tampered = await backend.proveExampleRollup({ publicInputCount: 2, seed: 'nex-demo-transfer-2', valid: false });
    if (await backend.verifyRollupProof(tampered)) throw new DemoError('the tampered proof still verifies');
    return { counter, transfer, tampered };
  });
  const baseline: Baseline = await timed('baseline', 'Baseline: one rollup proof verified alone by its own Solidity verifier', async (update) => {
    update('proving for the EVM, compiling and deploying its verifier');
    return measureBaseline({
      backend: backend!,
      rpcUrl: devnet.rpcUrl,
      privateKey: devnet.accounts[0]!.privateKey,
      cacheFile: opts.baselineCacheFile,
      variant: devnet.deployments.verifier.variant ?? 'standard',
    });
  }, (b) => `${b.gasPerProof.toLocaleString('en-US')} gas, ${b.variant} verifier${b.cached ? ' (measured on an earlier run with this circuits build)' : ''}`);
  await backend?.close();
  backend = undefined;
  closeBackend();

  // 5. Registration: each rollup team registers its circuit's verification key.
  const programs = await timed('registration', 'Registration: rollup A (counter) and rollup B (transfer) register their keys', async () => {
    const a = await registerProgram(clientA!, { vkHash: proofs.counter.vkHash, vk: bytesToHex(proofs.counter.vk), publicInputCount: 1 });
    const b = await registerProgram(clientB!, { vkHash: proofs.transfer.vkHash, vk: bytesToHex(proofs.transfer.vk), publicInputCount: 2 });
    return { a: a.programId, b: b.programId };
  }, (p) => `A ${short(p.a)}, B ${short(p.b)}`);

  // 6. Submission: 2 valid + 1 invalid proofs into one batch (devnet capacity 4, sealed on timeout).
  await until('both keepers to be ready', 120_000, async () => {
    failIfKeeperDied();
    return keepers.every((k) => k.find((l) => l.msg === 'keeper ready')) ? true : undefined;
  });
  const fee = (await estimateFee(reader, { batchSize: 1 })).suggestedFee;
  const posted = await timed('submission', 'Submission: 2 valid proofs and 1 invalid one, with fees', async (update) => {
    const items: { rollup: string; client: NexClient; proof: RollupProof; valid: boolean }[] = [
      { rollup: 'A (counter)', client: clientA!, proof: proofs.counter, valid: true },
      { rollup: 'B (transfer)', client: clientB!, proof: proofs.transfer, valid: true },
      { rollup: 'B (transfer)', client: clientB!, proof: proofs.tampered, valid: false },
    ];
    const out = [];
    for (const it of items) {
      update(`rollup ${it.rollup}${it.valid ? '' : ' (tampered)'}`);
      const s = await submit(it.client, { programId: it.proof.vkHash, publicInputs: it.proof.publicInputs, proof: bytesToHex(it.proof.proof), fee });
      out.push({ ...it, submission: s });
    }
    const batchIds = new Set(out.map((o) => o.submission.batchId));
    if (batchIds.size !== 1) throw new DemoError(`the submissions landed in ${batchIds.size} batches (another client is using this devnet?)`);
    return out;
  }, (o) => `batch ${o[0]!.submission.batchId}, ids ${o.map((x) => x.submission.submissionId).join(', ')}, fee ${Number(fee) / 1e18} ETH each`);
  const batchId = posted[0]!.submission.batchId;
  const timeoutMs = opts.batchTimeoutMs ?? 30 * 60_000;

  // 7. Lock: the batch seals after the timeout; the keepers compete, exactly one locks.
  const locked: BatchInfo = await timed('lock', 'Lock: batch seals on its timeout, the keepers compete for it', async (update) => {
    return until('the batch to be locked', timeoutMs, async () => {
      failIfKeeperDied();
      const b = await getBatch(reader, batchId);
      if (b.state === 'locked' || b.state === 'fulfilled') return b;
      if (b.state === 'expired') throw new DemoError(`batch ${batchId} expired before anyone locked it`);
      update(b.state === 'sealed' ? `sealed, assigned to ${keeperOf(b.assigned)?.name ?? short(b.assigned)}` : `${b.state}, ${b.count}/${b.capacity} slots`);
      return undefined;
    });
  }, (b) => `locked by ${keeperOf(b.locker)?.name ?? b.locker}`);
  const lockerKeeper = keeperOf(locked.locker);
  if (!lockerKeeper) throw new DemoError(`batch ${batchId} was locked by ${locked.locker}, not by one of the demo's keepers`);

  // 8. Proving: leaves, pad and nodes, the root for the EVM (progress from the locker's log).
  const jobs: { circuit: string; ms: number }[] = [];
  await timed('proving', `Proving: ${lockerKeeper.name} aggregates the batch (recursive UltraHonk proofs)`, async (update) => {
    const off = lockerKeeper.onLine((l: KeeperLine) => {
      if (l.msg === 'job finished') {
        jobs.push({ circuit: String(l.circuit), ms: Number(l.ms) });
        update(`${String(l.circuit)} done (${l.done}/${l.total})`, Number(l.done) / Number(l.total));
      } else if (l.msg === 'job started') update(`proving ${String(l.circuit)} (job ${String(l.jobId)})…`);
    });
    try {
      await until('the aggregated proof', timeoutMs, async () => {
        failIfKeeperDied();
        if (lockerKeeper.find((l) => l.msg === 'batch proven' && l.batchId === String(batchId))) return true;
        const b = await getBatch(reader, batchId);
        return b.state === 'fulfilled' ? true : undefined;
      });
    } finally {
      off();
    }
  }, () => `${jobs.length} proofs`);

  // 9. Fulfil: the root proof verified on L1 through the router; statements marked verified.
  const fulfilled = await timed('fulfil', 'Fulfil: root proof verified on L1, statements marked verified', async (update) => {
    update('waiting for the fulfil transaction');
    return until('the batch to be fulfilled', timeoutMs, async () => {
      failIfKeeperDied();
      const b = await getBatch(reader, batchId);
      if (b.state === 'expired') throw new DemoError(`batch ${batchId} expired unfulfilled`);
      return b.state === 'fulfilled' ? b : undefined;
    });
  }, (b) => `included mask 0b${b.includedMask.toString(2).padStart(b.capacity, '0')}`);

  // 10. The invalid submission's owner takes its fee back.
  const invalid = posted.find((p) => !p.valid)!;
  const refunded = await timed('refund', 'Refund: rollup B takes back the fee of its excluded proof', async () => {
    const st = await getSubmission(reader, invalid.submission.submissionId);
    if (st.state !== 'excluded') throw new DemoError(`the invalid submission ${invalid.submission.submissionId} is ${st.state}, expected excluded`);
    return refund(invalid.client, [invalid.submission.submissionId]);
  }, (r) => `${Number(r.sent) / 1e18} ETH back`);

  // What happened, read from the chain.
  const statements: DemoStatement[] = [];
  for (const p of posted) {
    const st = await getSubmission(reader, p.submission.submissionId);
    statements.push({
      rollup: p.rollup,
      programId: p.proof.vkHash,
      publicInputs: p.proof.publicInputs,
      submissionId: p.submission.submissionId.toString(),
      valid: p.valid,
      fee: p.submission.fee.toString(),
      verifiedOnChain: await isVerified(reader, p.proof.vkHash, p.proof.publicInputs),
      state: st.state,
    });
  }
  const logs = await reader.public.getContractEvents({ address: addresses.market, abi: aggregationMarketAbi, fromBlock: 0n });
  const lockEvents = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchLocked', logs }).filter((e) => e.args.batchId === batchId);
  const fulfilEvents = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchFulfilled', logs }).filter((e) => e.args.batchId === batchId);
  if (lockEvents.length !== 1) throw new DemoError(`expected exactly one BatchLocked for batch ${batchId}, found ${lockEvents.length}`);
  if (fulfilEvents.length !== 1) throw new DemoError(`expected exactly one BatchFulfilled for batch ${batchId}, found ${fulfilEvents.length}`);
  const [lockReceipt, fulfilReceipt] = await Promise.all([lockEvents[0]!, fulfilEvents[0]!].map((e) => reader.public.getTransactionReceipt({ hash: e.transactionHash })));
  const f = fulfilEvents[0]!.args;
  const verifiedCount = statements.filter((s) => s.verifiedOnChain).length;
  const paid = posted.reduce((a, p) => a + p.submission.fee, 0n);
  const proverEarned = f.feesPaid ?? 0n;

  return {
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    market: addresses.market,
    batchId: batchId.toString(),
    capacity: fulfilled.capacity,
    stages,
    keepers: keepers.map((k) => {
      const addr = (k === keepers[0] ? op1 : op2).address;
      const isLocker = k === lockerKeeper;
      const lastLockRefusal = [...k.lines].reverse().find((l) => l.batchId === String(batchId) && (l.msg === 'lock not sent' || l.msg.startsWith('decision: wait')));
      const note = isLocker
        ? 'locked, proved and fulfilled'
        : lastLockRefusal
          ? `did not lock: ${String(lastLockRefusal.reason ?? lastLockRefusal.msg)}`
          : 'did not lock';
      return { name: k.name, address: addr, pid: k.pid, locked: isLocker, provedJobs: k.lines.filter((l) => l.msg === 'job finished').length, note };
    }),
    locker: { name: lockerKeeper.name, address: locked.locker },
    provingJobs: jobs,
    statements,
    fees: { paid: paid.toString(), proverEarned: proverEarned.toString(), protocolFee: (f.protocolFee ?? 0n).toString(), refunded: refunded.sent.toString() },
    gas: {
      fulfil: fulfilReceipt!.gasUsed.toString(),
      lock: lockReceipt!.gasUsed.toString(),
      perVerifiedProof: verifiedCount > 0 ? (fulfilReceipt!.gasUsed / BigInt(verifiedCount)).toString() : '0',
      verifierVariant: baseline.variant,
      singleVerify: baseline.gasPerProof.toString(),
      singleVerifyCached: baseline.cached,
      verifiedCount,
    },
    refund: { submissionId: invalid.submission.submissionId.toString(), amount: refunded.sent.toString(), txHash: refunded.txHash },
    pids,
  };
}
