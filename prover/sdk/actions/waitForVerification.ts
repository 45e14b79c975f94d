import type { Hash, Hex } from 'viem';
import { batchOf, rootFromPath, slotOf, submissionId } from '../../protocol/index.js';
import type { NexClient } from '../client.js';
import { NexError, WaitTimeoutError } from '../errors.js';
import { batchFulfilledEvent, type LogRange } from '../market/events.js';
import { getBatchContents, inclusionOf, type Inclusion } from '../market/batchContents.js';
import { getBatch, type BatchStateName, type BatchView } from './getBatch.js';

/** A statement's place: the batch and slot (or the submission id = batchId * 64 + slot). */
export type StatementLocation = { batchId: bigint; slot: number } | { submissionId: bigint };

export interface WaitForVerificationParameters extends LogRange {
  /** The digest the slot should hold (checked against the chain's data when given). */
  digest?: Hex | undefined;
  /** Give up after this long (default 30 minutes). */
  timeoutMs?: number | undefined;
  /** How often to read the batch (default: the client's interval). */
  pollingIntervalMs?: number | undefined;
  /** Aborts the wait (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** Called with the batch whenever its state changes (e.g. to show it moving along). */
  onStatus?: ((batch: BatchView) => void) | undefined;
}

/** How a wait ended: verified (with its inclusion path), excluded from a fulfilled batch, or its batch ended unproven. */
export type VerificationState = 'verified' | 'excluded' | Extract<BatchStateName, 'closed' | 'released' | 'expired'>;

export interface VerificationResult {
  readonly state: VerificationState;
  readonly batchId: bigint;
  readonly slot: number;
  readonly submissionId: bigint;
  readonly digest: Hex;
  /** The path isVerified/recordVerified take (verified only). */
  readonly inclusion?: Inclusion | undefined;
  /** The proven root of the batch (fulfilled batches). */
  readonly provenRoot?: Hex | undefined;
  /** The fulfilment transaction (fulfilled batches). */
  readonly txHash?: Hash | undefined;
}

export function locate(where: StatementLocation): { batchId: bigint; slot: number } {
  if ('submissionId' in where) return { batchId: batchOf(where.submissionId), slot: slotOf(where.submissionId) };
  return { batchId: where.batchId, slot: where.slot };
}

const ENDED: ReadonlySet<BatchStateName> = new Set(['fulfilled', 'closed', 'released', 'expired']);

/**
 * The verification result of a slot in a batch that has ended (fulfilled, closed, released, expired);
 * undefined while the batch is still live. For a fulfilled batch the statement's leaf is rebuilt from chain
 * data and its inclusion path is checked against the proven root before it is returned.
 */
export async function verificationOf(
  client: NexClient,
  where: StatementLocation,
  opts: { digest?: Hex | undefined } & LogRange = {},
): Promise<VerificationResult | undefined> {
  const { batchId, slot } = locate(where);
  const batch = await getBatch(client, batchId);
  if (batch.state === 'none') throw new NexError(`batch ${batchId} does not exist`);
  if (!ENDED.has(batch.state)) return undefined;
  if (slot >= batch.count) throw new NexError(`batch ${batchId} has ${batch.count} statements, no slot ${slot}`);
  const contents = await getBatchContents(client, batchId, opts);
  const digest = contents.digests[slot]!;
  if (opts.digest !== undefined && opts.digest.toLowerCase() !== digest.toLowerCase()) {
    throw new NexError(`slot ${slot} of batch ${batchId} holds digest ${digest}, not ${opts.digest}`);
  }
  const base = { batchId, slot, submissionId: submissionId(batchId, slot), digest };
  if (batch.state !== 'fulfilled') return { ...base, state: batch.state as VerificationState };
  const fulfilled = await batchFulfilledEvent(client, batchId, opts);
  if (!fulfilled) throw new NexError(`batch ${batchId} is fulfilled but its MarketBatchFulfilled event was not found`);
  const common = { ...base, provenRoot: batch.commitment, txHash: fulfilled.txHash };
  if ((fulfilled.excludedMask >> BigInt(slot)) & 1n) return { ...common, state: 'excluded' };
  const inclusion = inclusionOf(contents, slot, fulfilled.excludedMask);
  if (rootFromPath(digest, slot, inclusion.siblings).toLowerCase() !== batch.commitment.toLowerCase()) {
    throw new NexError(`batch ${batchId}: the rebuilt leaves do not give the proven root`);
  }
  return { ...common, state: 'verified', inclusion };
}

/**
 * Waits until a statement's batch ends and says how: `verified` (with the inclusion path that
 * isVerified/recordVerified and contracts such as ExampleRollup take), `excluded` (the prover left it out:
 * its fee went back, submit it again), or the batch `closed`/`released`/`expired` unproven (fees back).
 * Works for every channel (chain batches and posted batches). Throws {@link WaitTimeoutError} on timeout.
 */
export async function waitForVerification(
  client: NexClient,
  where: StatementLocation,
  params: WaitForVerificationParameters = {},
): Promise<VerificationResult> {
  const { batchId, slot } = locate(where);
  const timeoutMs = params.timeoutMs ?? 30 * 60_000;
  const interval = params.pollingIntervalMs ?? client.pollingIntervalMs;
  const deadline = Date.now() + timeoutMs;
  let lastState: BatchStateName | undefined;
  for (;;) {
    params.signal?.throwIfAborted();
    const batch = await getBatch(client, batchId);
    if (batch.state !== lastState) {
      lastState = batch.state;
      params.onStatus?.(batch);
    }
    if (ENDED.has(batch.state)) {
      const result = await verificationOf(client, { batchId, slot }, params);
      if (result) return result;
    }
    if (Date.now() + interval > deadline) throw new WaitTimeoutError(submissionId(batchId, slot), timeoutMs);
    await sleep(interval, params.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
