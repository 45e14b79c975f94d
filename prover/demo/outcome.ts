/**
 * The demo's last stages: the invalid proof's fee back to its submitter (version 2 credits an excluded
 * calldata statement's fee to the payer's earnings at fulfilment; the submitter claims it), then what
 * happened, read from the chain (for the calldata batch and the off-chain one).
 */
import { parseEventLogs, type Hex, type TransactionReceipt } from 'viem';
import {
  aggregationMarketAbi,
  claimEarnings,
  isVerified,
  verificationOf,
  type BatchView,
  type ClaimEarningsReturnType,
} from '../sdk/index.js';
import type { Baseline } from './baseline.js';
import type { DemoChain } from './chain.js';
import { isEvent, lockRefusal } from './follow.js';
import type { DemoKeepers } from './keepers.js';
import type { KeeperProcess } from './keeperProcess.js';
import type { Posted } from './rollups.js';
import { allInGas } from './allInGas.js';
import type { OffchainPost, RelayRefusal } from './offchain.js';
import {
  DemoError,
  type DemoKeeperSummary,
  type DemoOffchainResult,
  type DemoResult,
  type DemoStatement,
  type StageTime,
} from './types.js';

/** Refund: the invalid submission's owner claims its fee back (it must have been excluded). */
export async function refundInvalid(
  chain: DemoChain,
  posted: readonly Posted[],
): Promise<{ submission: Posted; refund: ClaimEarningsReturnType }> {
  const invalid = posted.find((p) => !p.valid)!;
  const st = await verificationOf(chain.reader, { submissionId: invalid.submission.submissionId });
  if (st?.state !== 'excluded')
    throw new DemoError(`the invalid submission ${invalid.submission.submissionId} is ${st?.state ?? 'pending'}, expected excluded`);
  return { submission: invalid, refund: await claimEarnings(invalid.client) };
}

/** Each statement's final state and whether L1 says it is verified. */
async function statementsOf(chain: DemoChain, posted: readonly Posted[]): Promise<DemoStatement[]> {
  const out: DemoStatement[] = [];
  for (const p of posted) {
    const st = await verificationOf(chain.reader, { submissionId: p.submission.submissionId });
    const programId = p.submission.programId;
    out.push({
      rollup: p.rollup,
      programId,
      publicInputs: p.proof.publicInputs,
      submissionId: p.submission.submissionId.toString(),
      valid: p.valid,
      fee: p.submission.feePerProof.toString(),
      verifiedOnChain: st?.inclusion
        ? await isVerified(chain.reader, { programId, publicInputs: p.proof.publicInputs, inclusion: st.inclusion })
        : false,
      state: st?.state ?? 'pending',
      inclusion: st?.inclusion
        ? { batchId: st.inclusion.batchId.toString(), index: st.inclusion.index, siblings: [...st.inclusion.siblings] }
        : undefined,
    });
  }
  return out;
}

/** The batch's one lock and one fulfilment (events and receipts); throws when there is not exactly one each. */
async function lockAndFulfil(chain: DemoChain, batchId: bigint) {
  const logs = await chain.reader.public.getContractEvents({ address: chain.addresses.market, abi: aggregationMarketAbi, fromBlock: 0n });
  const locks = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBatchLocked', logs }).filter(
    (e) => e.args.batchId === batchId,
  );
  const fulfils = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'MarketBatchFulfilled', logs }).filter(
    (e) => e.args.batchId === batchId,
  );
  if (locks.length !== 1) throw new DemoError(`expected exactly one MarketBatchLocked for batch ${batchId}, found ${locks.length}`);
  if (fulfils.length !== 1) throw new DemoError(`expected exactly one MarketBatchFulfilled for batch ${batchId}, found ${fulfils.length}`);
  const receipt = (hash: Hex): Promise<TransactionReceipt> => chain.reader.public.getTransactionReceipt({ hash });
  const [lockReceipt, fulfilReceipt] = await Promise.all([receipt(locks[0]!.transactionHash), receipt(fulfils[0]!.transactionHash)]);
  return { lockReceipt, fulfilReceipt, fulfilled: fulfils[0]!.args };
}

/** Who locked and proved the batch, who did not and why (from the keepers' typed events of that batch). */
function keeperSummaries(keepers: DemoKeepers, locker: KeeperProcess, batchId: bigint): DemoKeeperSummary[] {
  return keepers.all.map((k) => {
    const isLocker = k === locker;
    const refusal = isLocker ? undefined : lockRefusal(k, batchId);
    return {
      name: k.name,
      address: keepers.addressOf(k),
      pid: k.pid,
      locked: isLocker,
      provedJobs: k.lines.filter((l) => isEvent(l, 'proof.job.finished') && l.batchId === String(batchId)).length,
      note: isLocker ? 'locked, proved and fulfilled' : refusal ? `did not lock: ${refusal}` : 'did not lock',
    };
  });
}

export interface OutcomeInputs {
  readonly chain: DemoChain;
  readonly keepers: DemoKeepers;
  readonly locker: KeeperProcess;
  readonly lockedBy: `0x${string}`;
  readonly fulfilled: BatchView;
  readonly posted: readonly Posted[];
  readonly refunded: { submission: Posted; refund: ClaimEarningsReturnType };
  readonly provingJobs: { circuit: string; ms: number }[];
  readonly baseline: Baseline;
  readonly explorerUrl: string | undefined;
  readonly stages: StageTime[];
  readonly offchain: OffchainInputs;
  readonly relayPid: number | undefined;
}

/** The off-chain batch's part of the outcome. */
export interface OffchainInputs {
  readonly relayUrl: string;
  readonly refused: RelayRefusal;
  readonly deposit: bigint;
  readonly post: OffchainPost;
  readonly locker: KeeperProcess;
  readonly lockedBy: `0x${string}`;
  readonly fulfilled: BatchView;
  readonly provingJobs: { circuit: string; ms: number }[];
}

/** The off-chain batch read from the chain: its statements, its three transactions, its fees. */
async function offchainOutcome(chain: DemoChain, o: OffchainInputs, verifyAlone: bigint): Promise<DemoOffchainResult> {
  const batchId = o.post.batchId;
  const statements = await statementsOf(chain, o.post.posted);
  const { lockReceipt, fulfilReceipt, fulfilled } = await lockAndFulfil(chain, batchId);
  const post = (await chain.reader.public.getTransactionReceipt({ hash: o.post.postTx })).gasUsed;
  const verifiedCount = statements.filter((s) => s.verifiedOnChain).length;
  if (verifiedCount !== o.post.posted.length) {
    throw new DemoError(`the off-chain batch ${batchId} verified ${verifiedCount} of its ${o.post.posted.length} statements`);
  }
  const allIn = allInGas({
    intake: [post],
    lock: lockReceipt.gasUsed,
    fulfil: fulfilReceipt.gasUsed,
    verifiedProofs: verifiedCount,
    verifyAlone,
  });
  return {
    relayUrl: o.relayUrl,
    refused: { ...o.refused },
    deposit: o.deposit.toString(),
    batchId: batchId.toString(),
    capacity: o.fulfilled.capacity,
    locker: { name: o.locker.name, address: o.lockedBy },
    provingJobs: o.provingJobs,
    statements,
    fees: {
      paid: o.post.posted.reduce((a, p) => a + p.submission.feePerProof, 0n).toString(),
      proverEarned: (fulfilled.proverFees ?? 0n).toString(),
      protocolFee: (fulfilled.protocolFee ?? 0n).toString(),
      posterFee: (fulfilled.posterFee ?? 0n).toString(),
    },
    gas: {
      post: post.toString(),
      lock: lockReceipt.gasUsed.toString(),
      fulfil: fulfilReceipt.gasUsed.toString(),
      allInPerProof: allIn.perProof.toString(),
      verifiedCount,
    },
  };
}

/** Summary: what happened, read from the chain (statements, gas, fees) and from the keepers' events. */
export async function collectOutcome(o: OutcomeInputs): Promise<DemoResult> {
  const { chain, fulfilled: batch } = o;
  const batchId = batch.batchId;
  const statements = await statementsOf(chain, o.posted);
  const { lockReceipt, fulfilReceipt, fulfilled } = await lockAndFulfil(chain, batchId);
  const verifiedCount = statements.filter((s) => s.verifiedOnChain).length;
  // Every transaction that brought the batch's statements on chain (one per distinct submit).
  const intakeHashes = [...new Set(o.posted.map((p) => p.txHash))];
  const intake = await Promise.all(intakeHashes.map(async (hash) => (await chain.reader.public.getTransactionReceipt({ hash })).gasUsed));
  const allIn =
    verifiedCount > 0
      ? allInGas({
          intake,
          lock: lockReceipt.gasUsed,
          fulfil: fulfilReceipt.gasUsed,
          verifiedProofs: verifiedCount,
          verifyAlone: o.baseline.gasPerProof,
        })
      : undefined;
  const paid = o.posted.reduce((a, p) => a + p.submission.feePerProof, 0n);
  return {
    rpcUrl: chain.devnet.rpcUrl,
    chainId: chain.devnet.chainId,
    market: chain.addresses.market,
    deploymentsFile: chain.devnet.deploymentsFile,
    explorerUrl: o.explorerUrl,
    batchId: batchId.toString(),
    capacity: batch.capacity,
    stages: o.stages,
    keepers: keeperSummaries(o.keepers, o.locker, batchId),
    locker: { name: o.locker.name, address: o.lockedBy },
    provingJobs: o.provingJobs,
    statements,
    fees: {
      paid: paid.toString(),
      proverEarned: (fulfilled.proverFees ?? 0n).toString(),
      protocolFee: (fulfilled.protocolFee ?? 0n).toString(),
      refunded: o.refunded.refund.amount.toString(),
    },
    gas: {
      fulfil: fulfilReceipt.gasUsed.toString(),
      lock: lockReceipt.gasUsed.toString(),
      intake: intake.reduce((a, b) => a + b, 0n).toString(),
      allInPerProof: allIn ? allIn.perProof.toString() : '0',
      verifierVariant: o.baseline.variant,
      singleVerify: o.baseline.gasPerProof.toString(),
      singleVerifyCached: o.baseline.cached,
      verifiedCount,
    },
    refund: {
      submissionId: o.refunded.submission.submission.submissionId.toString(),
      amount: o.refunded.refund.amount.toString(),
      txHash: o.refunded.refund.txHash,
    },
    offchain: await offchainOutcome(chain, o.offchain, o.baseline.gasPerProof),
    pids: [...o.keepers.all.map((k) => k.pid), o.relayPid].flatMap((pid) => (pid === undefined ? [] : [pid])),
  };
}
