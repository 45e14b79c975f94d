import { keccak256, type Address, type Hex, type PublicClient, type TransactionReceipt } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { NexError } from '../../protocol/index.js';
import { decodeRevert, type RevertErrorName } from '../../protocol/index.js';
import type { GasPolicy } from '../config/config.js';
import type { KeeperDb, TxPurpose, TxRow } from '../db/keeperDb.js';
import type { Logger } from '../obs/logger.js';
import { sleep } from '../chain/backoff.js';
import { bumpedFees, currentFees, type Fees } from './fees.js';

export interface TxRequest {
  readonly purpose: TxPurpose;
  readonly batchId?: bigint;
  readonly to: Address;
  readonly data: Hex;
  readonly value?: bigint;
  /** Gas limit; estimated (which also simulates the call) when omitted. */
  readonly gas?: bigint;
  /**
   * Runs inside the database transaction that records the intent (e.g. a batch phase change), so
   * both are recorded or neither. Throwing here cancels the send before broadcast.
   */
  readonly within?: () => void;
}

export type TxOutcome =
  | { status: 'mined'; tx: TxRow; receipt: TransactionReceipt }
  | { status: 'reverted'; tx: TxRow; receipt: TransactionReceipt }
  /** The nonce was used by a transaction the keeper did not sign here (another tool, same key). */
  | { status: 'dropped'; tx: TxRow };

export interface TxManagerOptions {
  readonly client: PublicClient;
  readonly account: PrivateKeyAccount;
  readonly chainId: number;
  readonly db: KeeperDb;
  readonly gas: GasPolicy;
  readonly log: Logger;
  readonly pollMs?: number;
  readonly onSent?: (purpose: TxPurpose) => void;
  readonly now?: () => number;
}

/**
 * A simulated call reverted; `errorName` is the contract's custom error when it could be decoded (by the
 * protocol's one revert decoder, through the ABIs of every NEX contract).
 */
export class RevertError extends NexError {
  override readonly name = 'RevertError';
  constructor(
    readonly errorName: RevertErrorName | undefined,
    readonly args: readonly unknown[],
    options: { cause: unknown },
  ) {
    super(
      errorName ? `reverted: ${errorName}(${args.map(String).join(', ')})` : `reverted: ${errorText(options.cause).split('\n')[0]}`,
      options,
    );
  }
}

/** Turns a contract revert into a RevertError naming the custom error; other errors pass through. */
export function toRevertError(err: unknown): unknown {
  const revert = decodeRevert(err);
  return revert ? new RevertError(revert.errorName, revert.args, { cause: err }) : err;
}

/** A JSON-RPC error from the node that definitely rejected a raw transaction. */
function isDefinitiveRejection(err: unknown): boolean {
  const text = errorText(err);
  return /insufficient funds|intrinsic gas too low|exceeds block gas limit|invalid sender|gas limit reached|fee cap less than block base fee|max fee per gas less than block base fee/i.test(
    text,
  );
}
function isAlreadyKnown(err: unknown): boolean {
  return /already known|known transaction|nonce too low|already imported|replacement transaction underpriced|same hash/i.test(
    errorText(err),
  );
}
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e && parts.length < 6; e = (e as { cause?: unknown }).cause) {
    const x = e as { message?: string; details?: string };
    parts.push(String(x.message ?? ''), String(x.details ?? ''));
  }
  return parts.join(' ');
}

/**
 * The keeper's only way to send transactions. Each transaction is an intent with one nonce,
 * recorded in SQLite together with its signed bytes BEFORE broadcast, so that after a crash the
 * keeper can find it (receipt by hash) or rebroadcast it. Stuck transactions are replaced with
 * bumped fees at the same nonce, so at most one of the attempts is ever mined.
 */
export class TxManager {
  #queue: Promise<unknown> = Promise.resolve();
  readonly #now: () => number;

  constructor(private readonly o: TxManagerOptions) {
    this.#now = o.now ?? (() => Math.floor(Date.now() / 1000));
  }

  get address(): Address {
    return this.o.account.address;
  }

  /** Estimates (simulating the call: reverts throw here, nothing is recorded), signs, records and broadcasts. */
  send(req: TxRequest): Promise<TxRow> {
    const run = this.#queue.then(() => this.#send(req));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #send(req: TxRequest): Promise<TxRow> {
    const { client, account, db, log } = this.o;
    const value = req.value ?? 0n;
    const gas = req.gas ?? (await this.estimateGas(req));
    const fees = await currentFees(client, this.o.gas);
    const chainNonce = await client.getTransactionCount({ address: account.address, blockTag: 'pending' });
    const dbPending = db.maxPendingNonce();
    const nonce = Math.max(chainNonce, dbPending === undefined ? 0 : dbPending + 1);
    const raw = await this.#sign({ nonce, to: req.to, data: req.data, value, gas }, fees);
    const hash = keccak256(raw);
    const id = db.tx(() => {
      req.within?.();
      return db.insertTx(
        { purpose: req.purpose, batchId: req.batchId ?? null, nonce, to: req.to, data: req.data, value, gas },
        { hash, raw, maxFee: fees.maxFeePerGas, maxPriorityFee: fees.maxPriorityFeePerGas },
      );
    });
    log.info('tx sending', { purpose: req.purpose, batchId: req.batchId, nonce, hash, gas, maxFeePerGas: fees.maxFeePerGas });
    this.o.onSent?.(req.purpose);
    await this.#broadcast(id, raw);
    return db.getTx(id)!;
  }

  /** Gas limit with a margin; throws a RevertError (custom error decoded) when the call would fail. */
  async estimateGas(req: Pick<TxRequest, 'to' | 'data' | 'value'>): Promise<bigint> {
    try {
      const est = await this.o.client.estimateGas({ account: this.o.account.address, to: req.to, data: req.data, value: req.value });
      return (est * 125n) / 100n + 25_000n;
    } catch (err) {
      throw toRevertError(err);
    }
  }

  async #sign(t: { nonce: number; to: Address; data: Hex; value: bigint; gas: bigint }, fees: Fees): Promise<Hex> {
    return this.o.account.signTransaction({
      type: 'eip1559',
      chainId: this.o.chainId,
      nonce: t.nonce,
      to: t.to,
      data: t.data,
      value: t.value,
      gas: t.gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
  }

  async #broadcast(txId: number, raw: Hex): Promise<void> {
    try {
      await this.o.client.sendRawTransaction({ serializedTransaction: raw });
    } catch (err) {
      if (isAlreadyKnown(err)) return;
      if (isDefinitiveRejection(err)) {
        // Not in any mempool: free the nonce so that later transactions do not wait behind it.
        this.o.db.settleTx(txId, 'dropped');
        this.o.log.error('tx rejected by the node', { txId, error: err as Error });
        throw err;
      }
      // Timeouts and transport errors are ambiguous: the node may have it. Keep it pending; the
      // receipt poll finds it, or the stuck check rebroadcasts it.
      this.o.log.warn('tx broadcast uncertain; will reconcile', { txId, error: err as Error });
    }
  }

  /**
   * Checks one pending tx: returns its outcome when settled; replaces it with bumped fees when it
   * has been pending longer than stuckAfterSeconds; otherwise returns undefined.
   */
  async check(tx: TxRow): Promise<TxOutcome | undefined> {
    const { client, db, log, account } = this.o;
    const attempts = db.attemptsOf(tx.id);
    for (const a of attempts) {
      const receipt = await client.getTransactionReceipt({ hash: a.hash }).catch((err: unknown) => {
        if (/could not be found|not found/i.test(errorText(err))) return undefined;
        throw err;
      });
      if (receipt) {
        const status = receipt.status === 'success' ? 'mined' : 'reverted';
        db.settleTx(tx.id, status, {
          hash: a.hash,
          block: receipt.blockNumber,
          gasUsed: receipt.gasUsed,
          effectiveGasPrice: receipt.effectiveGasPrice,
        });
        log.info(`tx ${status}`, {
          purpose: tx.purpose,
          batchId: tx.batchId,
          nonce: tx.nonce,
          hash: a.hash,
          block: receipt.blockNumber,
          gasUsed: receipt.gasUsed,
        });
        return { status, tx: db.getTx(tx.id)!, receipt };
      }
    }
    const latestNonce = await client.getTransactionCount({ address: account.address, blockTag: 'latest' });
    if (latestNonce > tx.nonce) {
      // The nonce is used but none of our attempts has a receipt: re-check once (a receipt can lag
      // the nonce on some nodes) before calling it dropped.
      await sleep(this.o.pollMs ?? 500);
      for (const a of attempts) {
        const receipt = await client.getTransactionReceipt({ hash: a.hash }).catch(() => undefined);
        if (receipt) return this.check(tx);
      }
      db.settleTx(tx.id, 'dropped');
      log.warn('tx nonce consumed by another transaction', { purpose: tx.purpose, nonce: tx.nonce });
      return { status: 'dropped', tx: db.getTx(tx.id)! };
    }
    const last = attempts.at(-1);
    if (last && this.#now() - last.sentAt >= this.o.gas.stuckAfterSeconds) await this.#replace(tx, last);
    return undefined;
  }

  async #replace(tx: TxRow, last: { maxFee: bigint; maxPriorityFee: bigint; raw: Hex; hash: Hex }): Promise<void> {
    const { client, db, log } = this.o;
    const cur = await currentFees(client, this.o.gas);
    const fees = bumpedFees({ maxFeePerGas: last.maxFee, maxPriorityFeePerGas: last.maxPriorityFee }, cur, this.o.gas);
    if (!fees) {
      log.warn('tx stuck at the fee cap; rebroadcasting unchanged', { purpose: tx.purpose, nonce: tx.nonce, hash: last.hash });
      db.touchAttempt(last.hash);
      await this.#rebroadcast(last.raw);
      return;
    }
    const raw = await this.#sign(tx, fees);
    const hash = keccak256(raw);
    db.insertAttempt({ hash, txId: tx.id, raw, maxFee: fees.maxFeePerGas, maxPriorityFee: fees.maxPriorityFeePerGas });
    log.warn('tx stuck; replacing with bumped fees', {
      purpose: tx.purpose,
      nonce: tx.nonce,
      old: last.hash,
      hash,
      maxFeePerGas: fees.maxFeePerGas,
    });
    await this.#rebroadcast(raw);
  }

  async #rebroadcast(raw: Hex): Promise<void> {
    try {
      await this.o.client.sendRawTransaction({ serializedTransaction: raw });
    } catch (err) {
      if (!isAlreadyKnown(err)) this.o.log.warn('rebroadcast failed', { error: err as Error });
    }
  }

  /** Polls until the tx settles (mined, reverted or dropped), bumping it when stuck. */
  async wait(txId: number, signal?: AbortSignal): Promise<TxOutcome> {
    for (;;) {
      const tx = this.o.db.getTx(txId);
      if (!tx) throw new Error(`unknown tx ${txId}`);
      if (tx.status !== 'pending') return this.#settled(tx);
      try {
        const out = await this.check(tx);
        if (out) return out;
      } catch (err) {
        this.o.log.warn('tx check failed; retrying', { txId, error: err as Error });
      }
      if (signal?.aborted) throw new Error('aborted');
      await sleep(this.o.pollMs ?? 1000, signal);
    }
  }

  async #settled(tx: TxRow): Promise<TxOutcome> {
    if (tx.status === 'dropped' || !tx.minedHash) return { status: 'dropped', tx };
    const receipt = await this.o.client.getTransactionReceipt({ hash: tx.minedHash });
    return { status: tx.status === 'mined' ? 'mined' : 'reverted', tx, receipt };
  }

  /**
   * At start-up: every pending intent is either found mined, or rebroadcast from its stored
   * signed bytes (the node may have lost it in a restart), in nonce order.
   */
  async reconcile(): Promise<void> {
    for (const tx of this.o.db.pendingTxs()) {
      const out = await this.check(tx);
      if (out) continue;
      const last = this.o.db.attemptsOf(tx.id).at(-1);
      if (last) {
        this.o.log.info('rebroadcasting pending tx after restart', { purpose: tx.purpose, nonce: tx.nonce, hash: last.hash });
        await this.#rebroadcast(last.raw);
      }
    }
  }
}
