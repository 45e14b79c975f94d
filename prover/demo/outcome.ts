/** The demo's last stages: the refund of the invalid proof, then what happened, read from the chain. */
import { parseEventLogs, type Hex, type TransactionReceipt } from 'viem';
import { aggregationMarketAbi, getSubmission, isVerified, refund, type BatchInfo, type RefundReturnType } from '../sdk/index.js';
import type { Baseline } from './baseline.js';
import type { DemoChain } from './chain.js';
import { isEvent, lockRefusal } from './follow.js';
import type { DemoKeepers } from './keepers.js';
import type { KeeperProcess } from './keeperProcess.js';
import type { Posted } from './rollups.js';
import { DemoError, type DemoKeeperSummary, type DemoResult, type DemoStatement, type StageTime } from './types.js';

/** Refund: the invalid submission's owner takes its fee back (it must have been excluded). */
export async function refundInvalid(
  chain: DemoChain,
  posted: readonly Posted[],
): Promise<{ submission: Posted; refund: RefundReturnType }> {
  const invalid = posted.find((p) => !p.valid)!;
  const st = await getSubmission(chain.reader, invalid.submission.submissionId);
  if (st.state !== 'excluded')
    throw new DemoError(`the invalid submission ${invalid.submission.submissionId} is ${st.state}, expected excluded`);
  return { submission: invalid, refund: await refund(invalid.client, [invalid.submission.submissionId]) };
}

/** Each statement's final state and whether L1 says it is verified. */
async function statementsOf(chain: DemoChain, posted: readonly Posted[]): Promise<DemoStatement[]> {
  const out: DemoStatement[] = [];
  for (const p of posted) {
    const st = await getSubmission(chain.reader, p.submission.submissionId);
    out.push({
      rollup: p.rollup,
      programId: p.proof.vkHash,
      publicInputs: p.proof.publicInputs,
      submissionId: p.submission.submissionId.toString(),
      valid: p.valid,
      fee: p.submission.fee.toString(),
      verifiedOnChain: await isVerified(chain.reader, p.proof.vkHash, p.proof.publicInputs),
      state: st.state,
    });
  }
  return out;
}

/** The batch's one lock and one fulfilment (events and receipts); throws when there is not exactly one each. */
async function lockAndFulfil(chain: DemoChain, batchId: bigint) {
  const logs = await chain.reader.public.getContractEvents({ address: chain.addresses.market, abi: aggregationMarketAbi, fromBlock: 0n });
  const locks = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchLocked', logs }).filter((e) => e.args.batchId === batchId);
  const fulfils = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'BatchFulfilled', logs }).filter(
    (e) => e.args.batchId === batchId,
  );
  if (locks.length !== 1) throw new DemoError(`expected exactly one BatchLocked for batch ${batchId}, found ${locks.length}`);
  if (fulfils.length !== 1) throw new DemoError(`expected exactly one BatchFulfilled for batch ${batchId}, found ${fulfils.length}`);
  const receipt = (hash: Hex): Promise<TransactionReceipt> => chain.reader.public.getTransactionReceipt({ hash });
  const [lockReceipt, fulfilReceipt] = await Promise.all([receipt(locks[0]!.transactionHash), receipt(fulfils[0]!.transactionHash)]);
  return { lockReceipt, fulfilReceipt, fulfilled: fulfils[0]!.args };
}

/** Who locked and proved, who did not and why (from the keepers' typed events). */
function keeperSummaries(keepers: DemoKeepers, locker: KeeperProcess, batchId: bigint): DemoKeeperSummary[] {
  return keepers.all.map((k) => {
    const isLocker = k === locker;
    const refusal = isLocker ? undefined : lockRefusal(k, batchId);
    return {
      name: k.name,
      address: keepers.addressOf(k),
      pid: k.pid,
      locked: isLocker,
      provedJobs: k.lines.filter((l) => isEvent(l, 'proof.job.finished')).length,
      note: isLocker ? 'locked, proved and fulfilled' : refusal ? `did not lock: ${refusal}` : 'did not lock',
    };
  });
}

export interface OutcomeInputs {
  readonly chain: DemoChain;
  readonly keepers: DemoKeepers;
  readonly locker: KeeperProcess;
  readonly lockedBy: `0x${string}`;
  readonly fulfilled: BatchInfo;
  readonly posted: readonly Posted[];
  readonly refunded: { submission: Posted; refund: RefundReturnType };
  readonly provingJobs: { circuit: string; ms: number }[];
  readonly baseline: Baseline;
  readonly stages: StageTime[];
}

/** Summary: what happened, read from the chain (statements, gas, fees) and from the keepers' events. */
export async function collectOutcome(o: OutcomeInputs): Promise<DemoResult> {
  const { chain, fulfilled: batch } = o;
  const batchId = batch.batchId;
  const statements = await statementsOf(chain, o.posted);
  const { lockReceipt, fulfilReceipt, fulfilled } = await lockAndFulfil(chain, batchId);
  const verifiedCount = statements.filter((s) => s.verifiedOnChain).length;
  const paid = o.posted.reduce((a, p) => a + p.submission.fee, 0n);
  return {
    rpcUrl: chain.devnet.rpcUrl,
    chainId: chain.devnet.chainId,
    market: chain.addresses.market,
    batchId: batchId.toString(),
    capacity: batch.capacity,
    stages: o.stages,
    keepers: keeperSummaries(o.keepers, o.locker, batchId),
    locker: { name: o.locker.name, address: o.lockedBy },
    provingJobs: o.provingJobs,
    statements,
    fees: {
      paid: paid.toString(),
      proverEarned: (fulfilled.feesPaid ?? 0n).toString(),
      protocolFee: (fulfilled.protocolFee ?? 0n).toString(),
      refunded: o.refunded.refund.sent.toString(),
    },
    gas: {
      fulfil: fulfilReceipt.gasUsed.toString(),
      lock: lockReceipt.gasUsed.toString(),
      perVerifiedProof: verifiedCount > 0 ? (fulfilReceipt.gasUsed / BigInt(verifiedCount)).toString() : '0',
      verifierVariant: o.baseline.variant,
      singleVerify: o.baseline.gasPerProof.toString(),
      singleVerifyCached: o.baseline.cached,
      verifiedCount,
    },
    refund: {
      submissionId: o.refunded.submission.submission.submissionId.toString(),
      amount: o.refunded.refund.sent.toString(),
      txHash: o.refunded.refund.txHash,
    },
    pids: o.keepers.all.flatMap((k) => (k.pid === undefined ? [] : [k.pid])),
  };
}
