/**
 * The one-command demo as a library: a devnet, two example rollups with different circuits, one batch
 * of their proofs (one invalid), two competing keepers, the aggregated proof verified on L1, the invalid
 * submission refunded. Returns what happened; every process it starts is registered with `cleanup`.
 * Each stage is a small function (chain.ts, keepers.ts, rollups.ts, follow.ts, outcome.ts); this file
 * only runs them in order.
 */
import { mkdirSync } from 'node:fs';
import { buildVerifier, startChain } from './chain.js';
import type { Cleanup } from './cleanup.js';
import { startDemoExplorer } from './explorer.js';
import { followProving, waitFulfil, waitLock } from './follow.js';
import { startKeepers } from './keepers.js';
import { collectOutcome, refundInvalid } from './outcome.js';
import type { Progress } from './progress.js';
import { baselineGas, proveRollups, registerPrograms, RollupBackend, submitProofs, suggestedFee } from './rollups.js';
import { short, StageRunner } from './stage.js';
import { DemoError, type DemoOptions, type DemoResult } from './types.js';

export { DemoError } from './types.js';
export type { DemoInclusion, DemoKeeperSummary, DemoOptions, DemoResult, DemoStatement, StageTime } from './types.js';

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
  const keepers = await stages.run(
    'keepers',
    'Keepers: two operators stake 1,000 NEX each and start `nex keeper run`',
    (update) => startKeepers(chain, opts.root, opts.workDir, cleanup, update),
    (ks) => ks.all.map((k) => `${k.name} pid ${k.pid}`).join(', '),
  );

  const bb = new RollupBackend(cleanup);
  const proofs = await stages.run(
    'rollup proofs',
    'Rollup proofs: counter (1 public input) and transfer (2 public inputs), one tampered',
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
    'Submission: 2 valid proofs and 1 invalid one, with fees',
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
  });
}
