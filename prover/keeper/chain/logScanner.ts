import type { Address, Log, PublicClient } from 'viem';
import type { KeeperDb } from '../db/keeperDb.js';
import type { Logger } from '../obs/logger.js';

export interface LogScannerOptions {
  readonly client: PublicClient;
  readonly db: KeeperDb;
  readonly address: Address;
  /** Cursor name in the database. */
  readonly name: string;
  readonly maxRange: number;
  readonly reorgDepth: number;
  readonly lookbackBlocks: number;
  /** Never scan below this block (the contract's deployment block). */
  readonly startBlock: bigint;
  readonly log: Logger;
  /**
   * Handles the logs of one block range. Runs inside the same database transaction as the cursor
   * update, so it must be synchronous and idempotent (ranges are re-read for reorgs).
   */
  readonly onLogs: (logs: Log[]) => void;
}

/**
 * Reads a contract's logs in bounded block ranges, persisting a cursor after each range.
 * On start it resumes from the cursor (or `lookbackBlocks` behind the head); every poll re-reads
 * the last `reorgDepth` blocks. A provider's "range too large" refusal halves the range.
 */
export class LogScanner {
  #range: number;

  constructor(private readonly o: LogScannerOptions) {
    this.#range = o.maxRange;
  }

  /** The range currently used (shrinks when the provider refuses larger ones). */
  get range(): number {
    return this.#range;
  }

  /** Scans up to the current head; returns the scanned interval and the number of logs. */
  async poll(): Promise<{ from: bigint; to: bigint; logs: number }> {
    const head = await this.o.client.getBlockNumber({ cacheTime: 0 });
    const cursor = this.o.db.getCursor(this.o.name);
    const floor = this.o.startBlock;
    let from = cursor === undefined ? head - BigInt(this.o.lookbackBlocks) : cursor + 1n - BigInt(this.o.reorgDepth);
    if (from < floor) from = floor;
    if (from < 0n) from = 0n;
    let total = 0;
    for (let a = from; a <= head;) {
      const b = min(a + BigInt(this.#range) - 1n, head);
      const logs = await this.#getLogs(a, b);
      this.o.db.tx(() => {
        this.o.onLogs(logs);
        const prev = this.o.db.getCursor(this.o.name);
        if (prev === undefined || b > prev) this.o.db.setCursor(this.o.name, b);
      });
      total += logs.length;
      a = b + 1n;
    }
    return { from, to: head, logs: total };
  }

  async #getLogs(from: bigint, to: bigint): Promise<Log[]> {
    try {
      return await this.o.client.getLogs({ address: this.o.address, fromBlock: from, toBlock: to });
    } catch (err) {
      if (to > from && isRangeError(err)) {
        const span = Number(to - from + 1n);
        this.#range = Math.max(1, Math.min(this.#range, Math.floor(span / 2)));
        this.o.log.warn('provider refused log range; splitting', { from, to, range: this.#range, error: err as Error });
        const mid = from + (to - from) / 2n;
        return [...(await this.#getLogs(from, mid)), ...(await this.#getLogs(mid + 1n, to))];
      }
      throw err;
    }
  }
}

const RANGE_ERROR = /range|too many|limit exceeded|exceed|more than \d+ results|response size|query returned|block span|too large/i;

/** True for the errors providers return when an eth_getLogs range or result is too large. */
export function isRangeError(err: unknown): boolean {
  const parts: string[] = [];
  if (/rate.?limit|too many requests|\b429\b/i.test(String((err as { message?: string })?.message ?? ''))) return false;
  for (let e: unknown = err; e && parts.length < 6; e = (e as { cause?: unknown }).cause) {
    const x = e as { message?: string; details?: string; shortMessage?: string; code?: number };
    parts.push(String(x.message ?? ''), String(x.details ?? ''), String(x.shortMessage ?? ''));
    if (x.code === -32005) return true;
  }
  return RANGE_ERROR.test(parts.join(' '));
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
