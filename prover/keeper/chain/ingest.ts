import type { Address, Log } from 'viem';
import type { KeeperDb } from '../db/keeperDb.js';
import type { Logger } from '../obs/logger.js';
import { decodeMarketEvents, type MarketEvent } from './marketEvents.js';

/** What the ingest step reports to the daemon (for metrics and wake-ups). */
export interface IngestStats {
  /** Statements that entered batches (all channels). */
  statements: number;
  sealed: bigint[];
  locked: { batchId: bigint; prover: Address }[];
  fulfilled: { batchId: bigint; prover: Address }[];
  slashed: bigint[];
  closed: bigint[];
  released: bigint[];
}

type Of<K extends MarketEvent['kind']> = Extract<MarketEvent, { kind: K }>;

/**
 * Stores what the keeper needs from the market's events: programs (key bytes, registrant, key hash),
 * the batches to look at and the channels their statements came through, its own earnings and slash
 * rewards. Idempotent (ranges are re-read for reorgs): every write is an upsert. Events only tell the
 * keeper what to look at: decisions re-read the batch from chain state, and a batch's content is read
 * from its own events and transactions when the keeper considers it (work/content.ts).
 */
export function ingestMarketLogs(db: KeeperDb, logs: Log[], me: { prover: Address; account: Address }, log: Logger): IngestStats {
  const stats: IngestStats = { statements: 0, sealed: [], locked: [], fulfilled: [], slashed: [], closed: [], released: [] };
  const prover = me.prover.toLowerCase();
  const account = me.account.toLowerCase();
  const events = decodeMarketEvents(logs);
  // A blob submission's groups are MarketSubmitted events followed by one MarketBlobsSubmitted in the same transaction.
  const blobRanges = events.filter((e): e is Of<'blobs'> => e.kind === 'blobs');
  const isBlob = (e: Of<'submitted'>): boolean =>
    blobRanges.some(
      (b) => b.txHash === e.txHash && b.batchId === e.batchId && e.firstSlot >= b.firstSlot && e.firstSlot < b.firstSlot + b.count,
    );
  for (const ev of events) {
    switch (ev.kind) {
      case 'program':
        db.upsertProgram({
          programId: ev.programId,
          owner: ev.owner,
          vkHash: ev.vkHash,
          publicInputCount: ev.publicInputCount,
          vk: ev.vk,
          block: ev.block,
        });
        break;
      case 'submitted':
        db.noteChannel(ev.batchId, isBlob(ev) ? 'blob' : 'calldata');
        stats.statements += ev.count;
        break;
      case 'accepted':
        db.noteChannel(ev.batchId, 'offchain');
        stats.statements += ev.count;
        break;
      case 'sealed':
        db.noteBatch(ev.batchId);
        stats.sealed.push(ev.batchId);
        break;
      case 'locked':
        db.noteBatch(ev.batchId);
        stats.locked.push({ batchId: ev.batchId, prover: ev.prover });
        break;
      case 'fulfilled':
        stats.fulfilled.push({ batchId: ev.batchId, prover: ev.prover });
        if (ev.prover.toLowerCase() === prover) {
          db.recordEarning({
            batchId: ev.batchId,
            feesPaid: ev.proverFees,
            protocolFee: ev.protocolFee,
            late: ev.late,
            txHash: ev.txHash,
            block: ev.block,
          });
        }
        break;
      case 'slashed':
        stats.slashed.push(ev.batchId);
        db.noteBatch(ev.batchId);
        if (ev.caller.toLowerCase() === account)
          db.recordSlashReward({ batchId: ev.batchId, txHash: ev.txHash, rewarded: ev.rewarded, block: ev.block });
        break;
      case 'lockReleased':
        db.noteBatch(ev.batchId);
        break;
      case 'closed':
        stats.closed.push(ev.batchId);
        break;
      case 'released':
        stats.released.push(ev.batchId);
        break;
      default:
        break;
    }
  }
  const n = stats.statements + stats.sealed.length + stats.locked.length + stats.fulfilled.length + stats.slashed.length;
  if (n + stats.closed.length + stats.released.length > 0) {
    log.debug('ingested market events', {
      statements: stats.statements,
      sealed: stats.sealed.length,
      locked: stats.locked.length,
      fulfilled: stats.fulfilled.length,
      closed: stats.closed.length,
      released: stats.released.length,
    });
  }
  return stats;
}
