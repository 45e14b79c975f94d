import { parseEventLogs, type Hash } from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import type { NexClient } from '../client.js';
import { NexError, NotRefundableError } from '../errors.js';
import { getSubmission } from './getSubmission.js';
import { sendContractTx } from './internal.js';

export interface RefundReturnType {
  /** Every refunded submission with its fee and its submitter. */
  readonly refunds: readonly { submissionId: bigint; submitter: `0x${string}`; amount: bigint }[];
  /** Fees sent to the caller (the submissions it submitted itself). */
  readonly sent: bigint;
  /** Fees credited to other submitters' claimable earnings (they collect them with `claimEarnings`). */
  readonly credited: bigint;
  readonly txHash: Hash;
}

export interface RefundOptions {
  /** Skip the client-side refundability check and let the market judge (default false). */
  skipChecks?: boolean | undefined;
}

/**
 * Refunds submissions that were excluded from a fulfilled batch or whose batch expired, and frees their
 * statements so they can be posted again. Anyone may refund: the caller's own fees are sent to it, other
 * submitters' fees are credited to their claimable earnings (this is how a rollup frees a statement that
 * somebody else posted with a bad proof). Throws {@link NotRefundableError} naming the first submission that
 * is not refundable (pending, verified, already refunded).
 */
export async function refund(client: NexClient, submissionIds: readonly bigint[], opts: RefundOptions = {}): Promise<RefundReturnType> {
  if (submissionIds.length === 0) throw new NexError('nothing to refund');
  if (!opts.skipChecks) {
    for (const id of submissionIds) {
      const s = await getSubmission(client, id);
      if (!s.refundable) {
        const why =
          s.state === 'pending'
            ? `its batch ${s.batchId} is ${s.batch.state}; refundable after ${new Date(s.batch.expiry * 1000).toISOString()} if not verified by then`
            : `it is ${s.state}`;
        throw new NotRefundableError(id, why);
      }
    }
  }
  const first = submissionIds[0]!;
  const { hash, receipt } =
    submissionIds.length === 1
      ? await sendContractTx(client, 'refund', {
          address: client.addresses.market,
          abi: aggregationMarketAbi,
          functionName: 'refund',
          args: [first],
        })
      : await sendContractTx(client, 'refundMany', {
          address: client.addresses.market,
          abi: aggregationMarketAbi,
          functionName: 'refundMany',
          args: [[...submissionIds]],
        });
  const refunds = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'Refunded', logs: receipt.logs }).map((e) => ({
    submissionId: e.args.submissionId,
    submitter: e.args.submitter,
    amount: e.args.amount,
  }));
  const credited = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'RefundCredited', logs: receipt.logs }).reduce(
    (a, e) => a + e.args.amount,
    0n,
  );
  const total = refunds.reduce((a, r) => a + r.amount, 0n);
  return { refunds, sent: total - credited, credited, txHash: hash };
}
