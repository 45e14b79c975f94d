import { parseEventLogs, type Hash } from 'viem';
import { marketAbi } from '../abi.js';
import type { NexClient } from '../client.js';
import { NexError, NotRefundableError } from '../errors.js';
import { getSubmission } from './getSubmission.js';
import { sendContractTx } from './internal.js';

export interface RefundReturnType {
  readonly refunds: readonly { submissionId: bigint; amount: bigint }[];
  readonly total: bigint;
  readonly txHash: Hash;
}

export interface RefundOptions {
  /** Skip the client-side refundability check and let the market judge (default false). */
  skipChecks?: boolean | undefined;
}

/**
 * Takes back the fees of submissions that were excluded from a fulfilled batch or whose batch expired.
 * Only the submitter may refund. Throws {@link NotRefundableError} naming the first one that is not
 * refundable (pending, verified, already refunded).
 */
export async function refund(
  client: NexClient,
  submissionIds: readonly bigint[],
  opts: RefundOptions = {},
): Promise<RefundReturnType> {
  if (submissionIds.length === 0) throw new NexError('nothing to refund');
  if (!opts.skipChecks) {
    const me = client.wallet?.account.address.toLowerCase();
    for (const id of submissionIds) {
      const s = await getSubmission(client, id);
      if (!s.refundable) {
        const why =
          s.state === 'pending'
            ? `its batch ${s.batchId} is ${s.batch.state}; refundable after ${new Date(s.batch.expiry * 1000).toISOString()} if not verified by then`
            : `it is ${s.state}`;
        throw new NotRefundableError(id, why);
      }
      if (me && s.digest !== `0x${'0'.repeat(64)}`) {
        const st = await client.public.readContract({
          address: client.addresses.market,
          abi: marketAbi,
          functionName: 'statementOf',
          args: [s.digest],
        });
        if (st.submitter.toLowerCase() !== me) {
          throw new NotRefundableError(id, `only its submitter ${st.submitter} may refund it`);
        }
      }
    }
  }
  const first = submissionIds[0]!;
  const { hash, receipt } =
    submissionIds.length === 1
      ? await sendContractTx(client, 'refund', {
          address: client.addresses.market,
          abi: marketAbi,
          functionName: 'refund',
          args: [first],
        })
      : await sendContractTx(client, 'refundMany', {
          address: client.addresses.market,
          abi: marketAbi,
          functionName: 'refundMany',
          args: [[...submissionIds]],
        });
  const refunds = parseEventLogs({ abi: marketAbi, eventName: 'Refunded', logs: receipt.logs }).map((e) => ({
    submissionId: e.args.submissionId,
    amount: e.args.amount,
  }));
  return { refunds, total: refunds.reduce((a, r) => a + r.amount, 0n), txHash: hash };
}
