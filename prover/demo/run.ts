/**
 * The one-command demo as a library: a devnet, two example rollups with different circuits, two competing
 * keepers and a relay. Both channels, one batch each: on the calldata channel the rollups submit their
 * proofs (one invalid) in L1 transactions, the aggregated proof is verified on L1 and the invalid
 * submission refunded; on the off-chain channel they deposit, hand signed requests to the relay (which
 * refuses the tampered proof), the relay posts the batch and it is proven the same way. Returns what
 * happened, with each channel's all-in L1 gas per proof; every process it starts is registered with
 * `cleanup`. Each stage is a small function (chain.ts, relayProcess.ts, keepers.ts, rollups.ts,
 * offchain.ts, follow.ts, outcome.ts); this file only runs them in order.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildVerifier, startChain } from './chain.js';
import type { Cleanup } from './cleanup.js';
import { startDemoExplorer } from './explorer.js';
import { followProving, waitFulfil, waitLock } from './follow.js';
import { startKeepers } from './keepers.js';
import { depositFees, offchainFee, submitOffchainProofs, tamperedRefused } from './offchain.js';
import { collectOutcome, refundInvalid } from './outcome.js';
import { startRelay } from './relayProcess.js';
import type { Progress } from './progress.js';
import { baselineGas, proveRollups, registerPrograms, RollupBackend, submitProofs, suggestedFee } from './rollups.js';
import { short, StageRunner } from './stage.js';
import { DemoError, type DemoOptions, type DemoResult } from './types.js';

export { DemoError } from './types.js';
export type { DemoInclusion, DemoKeeperSummary, DemoOffchainResult, DemoOptions, DemoResult, DemoStatement, StageTime } from './types.js';

/** Capacity of the relay's batches: the devnet market's. */
const OFFCHAIN_BATCH = 4;

export async function runDemo(opts: DemoOptions, progress: Progress, cleanup: Cleanup): Promise<DemoResult> {
  const stages = new StageRunner(progress);
  const timeoutMs = opts.batchTimeoutMs ?? 30 * 60_000;
  mkdirSync(opts.workDir, { recursive: true });

  const verifierBuild = await stages.run('setup', 'Setup: dev SRS and circuits build (cached after the first run)', buildVerifier);
  const chain = await stages.run(
    'devnet',
    opts.rpcUrl
      ? `Devnet: deploy and fund on ${opts.rpcUrl}`
      : `Devnet: ${opts.chain === 'anvil' ? 'anvil' : 'Hardhat node'} on 127.0.0.1:${opts.port ?? 8545}, deploy, fund`,
    (update) => startChain(opts, verifierBuild, cleanup, update),
    (c) => `chain ${c.devnet.chainId}, market ${c.addresses.market}`,
  );
  // The explorer is part of the demo (issue 14): a failure to start it fails the demo, like any other stage.
  const explorerPort = opts.explorerPort ?? 8548;
  const explorer =
    explorerPort === false
      ? undefined
      : await stages.run(
          'explorer',
          `Explorer: the market's page on 127.0.0.1${explorerPort === 0 ? '' : `:${explorerPort}`}`,
          () => startDemoExplorer(chain, explorerPort, cleanup),
          (e) => `${e.url} (open it to watch the batch)`,
        );
  const relay = await stages.run(
    'relay',
    'Relay: `nex relay` (SQLite store, bb checks every proof before it acknowledges) for the off-chain channel',
    () => {
      const poster = chain.devnet.accounts[5];
      if (!poster) throw new DemoError('the devnet funded fewer than 6 accounts (the relay posts with the sixth)');
      return startRelay(
        {
          root: opts.root,
          privateKey: poster.privateKey,
          rpcUrl: chain.devnet.rpcUrl,
          chainId: chain.devnet.chainId,
          market: chain.addresses.market,
          dataDir: path.join(opts.workDir, 'relay'),
          capacity: OFFCHAIN_BATCH,
          postTimeoutSeconds: 20,
        },
        cleanup,
      );
    },
    (r) => `${r.url}, pid ${r.relay.pid}`,
  );
  const keepers = await stages.run(
    'keepers',
    'Keepers: two operators stake 1,000 NEX each and start `nex keeper run`',
    (update) => startKeepers(chain, opts.root, opts.workDir, [relay.url], cleanup, update),
    (ks) => ks.all.map((k) => `${k.name} pid ${k.pid}`).join(', '),
  );

  const bb = new RollupBackend(cleanup);
  const proofs = await stages.run(
    'rollup proofs',
    'Rollup proofs: counter (1 public input) and transfer (2 public inputs), two of each, one tampered',
    async (update) => proveRollups(await bb.get(), update),
  );
  const baseline = await stages.run(
    'baseline',
    'Baseline: one rollup proof verified alone by its own Solidity verifier',
    async (update) => baselineGas(await bb.get(), chain, opts.baselineCacheFile, update),
    (b) =>
      `${b.gasPerProof.toLocaleString('en-US')} gas, ${b.variant} verifier${b.cached ? ' (measured on an earlier run with this circuits build)' : ''}`,
  );
  await bb.close();

  await stages.run(
    'registration',
    'Registration: rollup A (counter) and rollup B (transfer) register their keys',
    () => registerPrograms(chain, proofs),
    (p) => `A ${short(p.a)}, B ${short(p.b)}`,
  );
  await keepers.ready();
  const fee = await suggestedFee(chain);
  const posted = await stages.run(
    'submission',
    'Submission (calldata channel): 2 valid proofs and 1 invalid one, with fees, in L1 transactions',
    (update) => submitProofs(chain, proofs, fee, update),
    (o) =>
      `batch ${o[0]!.submission.batchId}, ids ${o.map((x) => x.submission.submissionId).join(', ')}, fee ${Number(fee) / 1e18} ETH each`,
  );
  const batchId = posted[0]!.submission.batchId;

  const locked = await stages.run(
    'lock',
    'Lock: batch seals on its timeout, the keepers compete for it',
    (update) => waitLock(chain, keepers, batchId, timeoutMs, update),
    (b) => `locked by ${keepers.keeperOf(b.locker)?.name ?? b.locker}`,
  );
  const locker = keepers.keeperOf(locked.locker);
  if (!locker) throw new DemoError(`batch ${batchId} was locked by ${locked.locker}, not by one of the demo's keepers`);
  const provingJobs = await stages.run(
    'proving',
    `Proving: ${locker.name} aggregates the batch (recursive UltraHonk proofs)`,
    (update) => followProving(chain, keepers, locker, batchId, timeoutMs, update),
    (jobs) => `${jobs.length} proofs`,
  );
  const fulfilled = await stages.run(
    'fulfil',
    'Fulfil: root proof verified on L1, the proven root stored for inclusion paths',
    (update) => waitFulfil(chain, keepers, batchId, timeoutMs, update),
    (b) => `proven root ${b.commitment}`,
  );
  const refunded = await stages.run(
    'refund',
    'Refund: rollup B takes back the fee of its excluded proof',
    () => refundInvalid(chain, posted),
    (r) => `${Number(r.refund.amount) / 1e18} ETH back`,
  );

  // The off-chain channel: the same rollups, their next statements, through the relay.
  const offFee = await offchainFee(chain, 2);
  const deposited = await stages.run(
    'deposit',
    'Deposit (off-chain channel): rollups A and B deposit ETH for their fees',
    (update) => depositFees(chain, offFee, 2, update),
    (d) => `${Number(d) / 1e18} ETH each, fee ${Number(offFee) / 1e18} ETH per proof`,
  );
  const refused = await stages.run(
    'relay check',
    'Relay check: rollup B hands the relay its tampered proof',
    () => tamperedRefused(chain, relay.url, proofs, offFee),
    (r) => `refused (${r.reason}): never posted, nothing charged`,
  );
  const post = await stages.run(
    'offchain submission',
    'Off-chain submission: A and B sign requests, the relay acknowledges and posts one batch (no proof in L1 calldata)',
    (update) => submitOffchainProofs(chain, relay.url, proofs, offFee, update),
    (p) => `batch ${p.batchId}, ids ${p.posted.map((x) => x.submission.submissionId).join(', ')}, post tx ${short(p.postTx)}`,
  );
  const offLocked = await stages.run(
    'offchain lock',
    'Off-chain lock: the posted batch is sealed, the keepers compete for it',
    (update) => waitLock(chain, keepers, post.batchId, timeoutMs, update),
    (b) => `locked by ${keepers.keeperOf(b.locker)?.name ?? b.locker}`,
  );
  const offLocker = keepers.keeperOf(offLocked.locker);
  if (!offLocker) throw new DemoError(`batch ${post.batchId} was locked by ${offLocked.locker}, not by one of the demo's keepers`);
  const offJobs = await stages.run(
    'offchain proving',
    `Off-chain proving: ${offLocker.name} fetches the proofs from the relay and aggregates them`,
    (update) => followProving(chain, keepers, offLocker, post.batchId, timeoutMs, update),
    (jobs) => `${jobs.length} proofs`,
  );
  const offFulfilled = await stages.run(
    'offchain fulfil',
    'Off-chain fulfil: root proof verified on L1, the fees debited from the deposits',
    (update) => waitFulfil(chain, keepers, post.batchId, timeoutMs, update),
    (b) => `proven root ${b.commitment}`,
  );

  return collectOutcome({
    chain,
    keepers,
    locker,
    lockedBy: locked.locker,
    fulfilled,
    posted,
    refunded,
    provingJobs,
    baseline,
    explorerUrl: explorer?.url,
    stages: stages.times,
    relayPid: relay.relay.pid,
    offchain: {
      relayUrl: relay.url,
      refused,
      deposit: deposited,
      post,
      locker: offLocker,
      lockedBy: offLocked.locker,
      fulfilled: offFulfilled,
      provingJobs: offJobs,
    },
  });
}
