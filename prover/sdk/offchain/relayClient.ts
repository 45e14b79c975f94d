/** The relay's HTTP API as the SDK uses it (docs/relay.md): submit a signed request, read its status, health. */
import type { Address, Hex } from 'viem';
import { type Receipt, verifyReceipt } from '../../protocol/index.js';
import { NexError } from '../errors.js';
import type { SignedRequest } from './signRequest.js';

/** A relay refused a request (or could not be reached). */
export class RelayError extends NexError {
  override name = 'RelayError';
  constructor(
    readonly relay: string,
    /** HTTP status; 0 when the relay could not be reached. */
    readonly status: number,
    /** The relay's stable reason (e.g. `nonce-used`, `insufficient-deposit`), or `unreachable`/`bad-receipt`. */
    readonly reason: string,
    message: string,
  ) {
    super(`relay ${relay}: ${reason}: ${message}`);
  }
}

export type RelayRequestStatus = 'accepted' | 'posting' | 'posted' | 'skipped' | 'expired' | 'void';

export interface RelayRequestView {
  readonly status: RelayRequestStatus;
  readonly batchId?: bigint | undefined;
  readonly slots?: readonly number[] | undefined;
  readonly reason?: string | undefined;
}

const url = (relay: string, path: string) => `${relay.replace(/\/+$/, '')}${path}`;

async function call(relay: string, path: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; body: any }> {
  let res: Response;
  try {
    res = await fetch(url(relay, path), { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new RelayError(relay, 0, 'unreachable', err instanceof Error ? err.message : String(err));
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

/** True when the relay answers /healthz with 200. */
export async function relayHealthy(relay: string, timeoutMs = 5_000): Promise<boolean> {
  try {
    return (await call(relay, '/healthz', { method: 'GET' }, timeoutMs)).status === 200;
  } catch {
    return false;
  }
}

/**
 * Posts a signed request with its statements (public inputs and proofs) and returns the relay's receipt,
 * after checking it: signed by the relay it names, for this request and payer. Throws {@link RelayError}.
 */
export async function postToRelay(
  relay: string,
  signed: SignedRequest,
  proofs: readonly Hex[],
  publicInputs: readonly (readonly Hex[])[],
  timeoutMs = 60_000,
): Promise<Receipt> {
  const r = signed.request;
  const body = {
    payer: signed.payer,
    request: {
      programId: r.programId,
      statementsHash: r.statementsHash,
      count: r.count,
      feePerProof: r.feePerProof.toString(),
      nonce: r.nonce.toString(),
      deadline: r.deadline,
    },
    signature: signed.signature,
    statements: proofs.map((proof, i) => ({ publicInputs: [...publicInputs[i]!], proof })),
  };
  const res = await call(
    relay,
    '/v1/requests',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    timeoutMs,
  );
  if (res.status !== 200 && res.status !== 201) {
    throw new RelayError(relay, res.status, String(res.body?.error ?? 'refused'), String(res.body?.message ?? `HTTP ${res.status}`));
  }
  const receipt = res.body as Receipt;
  if (
    typeof receipt?.requestHash !== 'string' ||
    receipt.requestHash.toLowerCase() !== signed.requestHash.toLowerCase() ||
    receipt.payer?.toLowerCase() !== signed.payer.toLowerCase() ||
    !(await verifyReceipt(receipt))
  ) {
    throw new RelayError(relay, res.status, 'bad-receipt', 'the receipt is not signed by the relay it names for this request');
  }
  return receipt;
}

/** The relay's view of a request (undefined when it does not know it). */
export async function relayRequestStatus(
  relay: string,
  requestHash: Hex,
  payer: Address,
  timeoutMs = 10_000,
): Promise<RelayRequestView | undefined> {
  const res = await call(relay, `/v1/requests/${requestHash}?payer=${payer}`, { method: 'GET' }, timeoutMs);
  if (res.status === 404) return undefined;
  if (res.status !== 200)
    throw new RelayError(relay, res.status, String(res.body?.error ?? 'error'), String(res.body?.message ?? `HTTP ${res.status}`));
  const b = res.body as { status: RelayRequestStatus; batchId?: string; slots?: number[]; reason?: string };
  return { status: b.status, batchId: b.batchId === undefined ? undefined : BigInt(b.batchId), slots: b.slots, reason: b.reason };
}
