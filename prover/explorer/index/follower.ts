/**
 * Follows the chain into the index: from the start block to the head at start, then every poll. Logs are
 * read in ranges of at most `maxLogRange` blocks, decoded (chain/events.ts) and applied in chain order; the
 * statements of new intake transactions are then decoded from their calldata (chain/content.ts). An RPC
 * failure stops the pass where it is (nothing half-applied: a range is applied only once all its logs are
 * read) and is reported in `status` until a pass succeeds. Reorganisations are not followed: the index
 * keeps what it read (restart the explorer after a deep reorg; a devnet has none).
 */
import type { Hex } from 'viem';
import { acceptedDigests, decodeIntake, type AcceptedGroup } from '../chain/content.js';
import { byChainOrder, decodeMarketLogs, decodeStakingLogs } from '../chain/events.js';
import type { ChainReader } from '../chain/reader.js';
import type { ChainIndex } from './chainIndex.js';

export interface RpcStatus {
  readonly ok: boolean;
  /** One line saying what failed (no URL: the RPC URL may carry a key). */
  readonly error?: string;
  /** Unix ms of the last successful pass. */
  readonly lastOkAt?: number;
  /** Unix ms since when it has been failing. */
  readonly failingSince?: number;
}

export interface FollowerLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export class Follower {
  #next: bigint;
  #head = -1n;
  #status: RpcStatus = { ok: false, error: 'not read yet' };

  constructor(
    private readonly reader: ChainReader,
    private readonly index: ChainIndex,
    private readonly opts: { readonly startBlock: bigint; readonly maxLogRange: number; readonly log: FollowerLog },
  ) {
    this.#next = opts.startBlock;
  }

  get status(): RpcStatus {
    return this.#status;
  }

  /** The last block applied (startBlock - 1 before the first pass). */
  get syncedTo(): bigint {
    return this.#next - 1n;
  }

  get head(): bigint {
    return this.#head;
  }

  /** One pass: read to the head, decode new intake transactions. Never throws; the outcome is in `status`. */
  async poll(): Promise<void> {
    try {
      this.#head = await this.reader.head();
      while (this.#next <= this.#head) {
        const to = minBig(this.#head, this.#next + BigInt(this.opts.maxLogRange) - 1n);
        const [market, staking] = await Promise.all([this.reader.marketLogs(this.#next, to), this.reader.stakingLogs(this.#next, to)]);
        const events = [...decodeMarketLogs(market), ...decodeStakingLogs(staking)].sort(byChainOrder);
        this.index.apply(events);
        this.#next = to + 1n;
      }
      await this.#decodePending();
      if (!this.#status.ok) this.opts.log.info('chain readable', { head: this.#head.toString() });
      this.#status = { ok: true, lastOkAt: Date.now() };
    } catch (err) {
      const error = oneLine(err);
      if (this.#status.ok || this.#status.error !== error) this.opts.log.warn('chain read failed', { error });
      const prev = this.#status;
      this.#status = {
        ok: false,
        error,
        ...(prev.lastOkAt !== undefined ? { lastOkAt: prev.lastOkAt } : {}),
        failingSince: prev.ok ? Date.now() : (prev.failingSince ?? Date.now()),
      };
    }
  }

  /** Decodes the statements of intake transactions not decoded yet (one getTransaction per transaction). */
  async #decodePending(): Promise<void> {
    for (const b of this.index.batches.values()) {
      for (const tx of [...b.pendingTxs]) {
        const info = await this.reader.transaction(tx);
        const call = decodeIntake(info.to, this.reader.market, info.input);
        b.pendingTxs.delete(tx);
        if (!call) continue; // entered through another contract: digests stay unknown
        const groups = b.groups.filter((g) => g.at.tx === tx).sort((x, y) => x.firstSlot - y.firstSlot);
        if (call.fn === 'postBatch') {
          const accepted: AcceptedGroup[] = groups.map((g) => ({
            programId: g.programId,
            nonce: g.nonce ?? -1n,
            count: g.count,
            feePerProof: g.feePerProof,
            firstSlot: g.firstSlot,
          }));
          const digests = acceptedDigests(call.groups, accepted);
          if (!digests) continue;
          groups.forEach((g, i) =>
            this.index.setSlots(
              b.id,
              g.firstSlot,
              digests[i]!.map((digest: Hex) => ({ digest, publicInputs: undefined })),
            ),
          );
        } else {
          // The call's statements fill this transaction's groups in slot order.
          const first = groups[0]?.firstSlot ?? 0;
          this.index.setSlots(
            b.id,
            first,
            call.statements.map((s) => ({ digest: s.digest, publicInputs: s.publicInputs })),
          );
        }
      }
    }
  }
}

const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** The first line of an error's short message (viem's messages carry the request body and URL after it). */
export function oneLine(err: unknown): string {
  const e = err as { shortMessage?: string; details?: string; message?: string };
  const text = e?.shortMessage ? (e.details ? `${e.shortMessage} (${e.details})` : e.shortMessage) : (e?.message ?? String(err));
  return text.split('\n')[0]!;
}
