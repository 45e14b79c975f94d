import { parseEventLogs, type Address, type Log } from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import { batchOf, slotOf } from '../../protocol/index.js';
import type { KeeperDb } from '../db/keeperDb.js';
import type { Logger } from '../obs/logger.js';

/** What the ingest step reports to the daemon (for metrics and wake-ups). */
export interface IngestStats {
  submissions: number;
  sealed: bigint[];
  locked: { batchId: bigint; prover: Address }[];
  fulfilled: { batchId: bigint; prover: Address }[];
  slashed: bigint[];
}

/**
 * Stores the market's events in the keeper database. Idempotent (ranges are re-read for reorgs):
 * every write is an upsert keyed by a chain identifier. Events only tell the keeper what to look at;
 * decisions re-read the batch from chain state.
 */
export function ingestMarketLogs(db: KeeperDb, logs: Log[], me: { prover: Address; account: Address }, log: Logger): IngestStats {
  const stats: IngestStats = { submissions: 0, sealed: [], locked: [], fulfilled: [], slashed: [] };
  const prover = me.prover.toLowerCase();
  const account = me.account.toLowerCase();
  for (const ev of parseEventLogs({ abi: aggregationMarketAbi, logs, strict: false })) {
    if (ev.blockNumber === null || ev.transactionHash === null) continue;
    switch (ev.eventName) {
      case 'ProgramRegistered': {
        const a = ev.args;
        if (a.programId && a.owner && a.publicInputCount !== undefined && a.vk) {
          db.upsertProgram({
            programId: a.programId,
            owner: a.owner,
            publicInputCount: a.publicInputCount,
            vk: a.vk,
            block: ev.blockNumber,
          });
        }
        break;
      }
      case 'Submitted': {
        const a = ev.args;
        if (a.submissionId === undefined || !a.programId || !a.digest || !a.proofHash || a.fee === undefined) break;
        const batchId = batchOf(a.submissionId);
        db.noteBatch(batchId);
        db.upsertSubmission({
          submissionId: a.submissionId,
          batchId,
          slot: slotOf(a.submissionId),
          programId: a.programId,
          digest: a.digest,
          proofHash: a.proofHash,
          fee: a.fee,
          txHash: ev.transactionHash,
          block: ev.blockNumber,
        });
        stats.submissions++;
        break;
      }
      case 'BatchSealed':
        if (ev.args.batchId !== undefined) {
          db.noteBatch(ev.args.batchId);
          stats.sealed.push(ev.args.batchId);
        }
        break;
      case 'BatchLocked':
        if (ev.args.batchId !== undefined && ev.args.prover) {
          db.noteBatch(ev.args.batchId);
          stats.locked.push({ batchId: ev.args.batchId, prover: ev.args.prover });
        }
        break;
      case 'BatchFulfilled': {
        const a = ev.args;
        if (a.batchId === undefined || !a.prover) break;
        stats.fulfilled.push({ batchId: a.batchId, prover: a.prover });
        if (a.prover.toLowerCase() === prover && a.feesPaid !== undefined && a.protocolFee !== undefined) {
          db.recordEarning({
            batchId: a.batchId,
            feesPaid: a.feesPaid,
            protocolFee: a.protocolFee,
            late: a.late ?? false,
            txHash: ev.transactionHash,
            block: ev.blockNumber,
          });
        }
        break;
      }
      case 'BatchSlashed': {
        const a = ev.args;
        if (a.batchId === undefined) break;
        stats.slashed.push(a.batchId);
        db.noteBatch(a.batchId);
        if (a.caller?.toLowerCase() === account && a.rewarded !== undefined) {
          db.recordSlashReward({ batchId: a.batchId, txHash: ev.transactionHash, rewarded: a.rewarded, block: ev.blockNumber });
        }
        break;
      }
      default:
        break;
    }
  }
  if (stats.submissions + stats.sealed.length + stats.locked.length + stats.fulfilled.length + stats.slashed.length > 0) {
    log.debug('ingested market events', {
      submissions: stats.submissions,
      sealed: stats.sealed.length,
      locked: stats.locked.length,
      fulfilled: stats.fulfilled.length,
    });
  }
  return stats;
}
