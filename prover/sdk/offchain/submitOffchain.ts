/**
 * The off-chain channel end to end: sign a request over the statements, hand it to the first healthy relay,
 * check its receipt, follow the request until the market accepts it, route around a relay that refuses,
 * delays or withholds it, and fall back to the calldata channel once no signed request can be accepted.
 *
 * Never charged twice: every request this call signs carries the SAME nonce. The market accepts at most one
 * request per (payer, nonce) (accepting one sets the account's nonce past it, so any other request with that
 * nonce is skipped as stale), so at most one of them is ever charged, whichever relay posts it and whenever.
 * Re-sending a request to the same relay is idempotent (same hash, same receipt); to another relay after it
 * was posted it is refused (`nonce-used`) or skipped on chain. The calldata fallback runs only once every
 * signed request is dead on chain: its deadline is before the latest block's timestamp (the market refuses
 * it from then on) and none of them was accepted, or the nonce was consumed by another request of the payer.
 * (Signing the statements again with a HIGHER nonce would not be safe: if the delayed request were posted
 * first, the higher nonce would still be accepted after it and both would be charged.)
 */
import type { Address, Hash, Hex } from 'viem';
import { type Receipt, submissionId } from '../../protocol/index.js';
import type { NexClient } from '../client.js';
import { NexError, NoAccountError } from '../errors.js';
import { requestAcceptedEvents, type RequestAcceptedEvent } from '../market/events.js';
import { computeFee } from '../actions/estimateFee.js';
import { getParams } from '../actions/getParams.js';
import { requireProgram } from '../actions/getProgram.js';
import { checkFee, checkStatement, submitMany, type Statement, type SubmittedStatement } from '../actions/submit.js';
import { getAccount } from './account.js';
import { postToRelay, relayHealthy, relayRequestStatus, RelayError } from './relayClient.js';
import { signRequest, type SignedRequest } from './signRequest.js';

/** Default lifetime of a signed request: a relay can delay it at most this long. */
export const DEFAULT_REQUEST_LIFETIME_SEC = 600;
/** Extra time a relay gets beyond the `postBy` of its receipt before the SDK routes around it. */
export const POST_BY_GRACE_SEC = 30;

export interface SubmitOffchainParameters {
  /** Relay base URLs, tried in order. */
  relays: readonly string[];
  /** Statements of one program (a request covers one program), in slot order. */
  statements: readonly Statement[];
  /** Fee per proof in wei; default: the suggestion for the off-chain channel (program's callback gas included). */
  feePerProof?: bigint | undefined;
  /** Lifetime of each signed request in seconds (default {@link DEFAULT_REQUEST_LIFETIME_SEC}). */
  deadlineSec?: number | undefined;
  /** The nonce to sign (default: the account's nonce on chain). */
  nonce?: bigint | undefined;
  /** How long a relay may take to post once it accepted, in ms (default: its receipt's postBy + 30 s, within the deadline). */
  relayTimeoutMs?: number | undefined;
  /** After every relay failed and the requests died: submit on the calldata channel (default) or give up. */
  fallback?: 'calldata' | 'none' | undefined;
  pollingIntervalMs?: number | undefined;
  /** Progress: relay skipped/accepted/refused, rerouting, posted, fallback. */
  onEvent?: ((e: OffchainEvent) => void) | undefined;
}

export type OffchainEvent =
  | { kind: 'relay-unhealthy'; relay: string }
  | { kind: 'relay-refused'; relay: string; reason: string; message: string }
  | { kind: 'relay-accepted'; relay: string; receipt: Receipt }
  | { kind: 'relay-timeout'; relay: string; requestHash: Hex }
  | { kind: 'posted'; requestHash: Hex; batchId: bigint; txHash: Hash }
  | { kind: 'nonce-consumed'; nonce: bigint }
  | { kind: 'fallback'; reason: string };

export interface SubmitOffchainReturnType {
  /** Where the statements ended up. */
  readonly channel: 'offchain' | 'calldata';
  readonly statements: readonly SubmittedStatement[];
  readonly txHash: Hash;
  /** The request the market accepted (off-chain). */
  readonly requestHash?: Hex | undefined;
  readonly nonce?: bigint | undefined;
  /** Every receipt a relay gave (evidence of acceptance, whichever relay posted). */
  readonly receipts: readonly Receipt[];
  /** Every request this call signed (all with one nonce unless another request consumed it). */
  readonly requests: readonly SignedRequest[];
}

/** No relay posted the request and the caller asked for no fallback. */
export class OffchainNotPostedError extends NexError {
  override name = 'OffchainNotPostedError';
  constructor(reason: string) {
    super(`the request was not posted: ${reason}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Attempt {
  readonly signed: SignedRequest;
  readonly relay: string;
}

/** The accepted event of one of `ours` for (payer, nonce), or 'consumed' when another request used the nonce. */
async function chainOutcome(
  client: NexClient,
  payer: Address,
  nonce: bigint,
  ours: readonly SignedRequest[],
): Promise<RequestAcceptedEvent | 'consumed' | undefined> {
  const events = await requestAcceptedEvents(client, payer, { nonce });
  const hashes = new Set(ours.map((s) => s.requestHash.toLowerCase()));
  const mine = events.find((e) => hashes.has(e.requestHash.toLowerCase()));
  if (mine) return mine;
  if (events.length > 0) return 'consumed';
  if ((await getAccount(client, payer)).nonce > nonce) return 'consumed';
  return undefined;
}

function placed(e: RequestAcceptedEvent, signed: SignedRequest, statements: readonly Statement[]): SubmittedStatement[] {
  return signed.digests.map((digest, k) => ({
    submissionId: submissionId(e.batchId, e.firstSlot + k),
    batchId: e.batchId,
    slot: e.firstSlot + k,
    programId: statements[k]!.programId,
    digest,
    feePerProof: e.feePerProof,
    callbackGas: e.callbackGas,
  }));
}

/**
 * Submits statements through relays (see the module comment for the routing and the never-charged-twice
 * argument). Returns where the statements landed: a posted batch, or the calldata channel after fallback.
 */
export async function submitOffchain(client: NexClient, p: SubmitOffchainParameters): Promise<SubmitOffchainReturnType> {
  const payer = client.wallet?.account.address;
  if (!payer) throw new NoAccountError('submitOffchain');
  if (p.statements.length === 0) throw new NexError('nothing to submit');
  if (p.relays.length === 0) throw new NexError('no relays given: pass at least one relay URL (or use submit for the calldata channel)');
  const programId = p.statements[0]!.programId;
  if (p.statements.some((s) => s.programId.toLowerCase() !== programId.toLowerCase())) {
    throw new NexError('a request covers one program: call submitOffchain once per program');
  }
  const [params, program] = await Promise.all([getParams(client), requireProgram(client, programId)]);
  for (const s of p.statements) checkStatement(s, program, params);
  const feePerProof =
    p.feePerProof ??
    computeFee(params, await client.public.getGasPrice(), { channel: 'offchain', callbackGas: program.callbackGas }).suggestedFee;
  checkFee(feePerProof, params);
  const account = await getAccount(client);
  const total = feePerProof * BigInt(p.statements.length);
  if (account.free < total) {
    throw new NexError(`the deposit's free balance is ${account.free} wei, the request needs ${total} wei: deposit first`);
  }
  let nonce = p.nonce ?? account.nonce;
  const lifetime = p.deadlineSec ?? DEFAULT_REQUEST_LIFETIME_SEC;
  const interval = p.pollingIntervalMs ?? client.pollingIntervalMs;
  const emit = (e: OffchainEvent) => p.onEvent?.(e);
  const publicInputs = p.statements.map((s) => s.publicInputs);
  const proofs = p.statements.map((s) => s.proof);
  const receipts: Receipt[] = [];
  const requests: SignedRequest[] = [];
  // Requests signed with the current nonce (any of them may still be accepted until it dies).
  let live: Attempt[] = [];

  const posted = (e: RequestAcceptedEvent): SubmitOffchainReturnType => {
    const signed = live.find((a) => a.signed.requestHash.toLowerCase() === e.requestHash.toLowerCase())!.signed;
    emit({ kind: 'posted', requestHash: e.requestHash, batchId: e.batchId, txHash: e.txHash });
    return {
      channel: 'offchain',
      statements: placed(e, signed, p.statements),
      txHash: e.txHash,
      requestHash: e.requestHash,
      nonce,
      receipts,
      requests,
    };
  };
  /** Reads the chain: our request accepted (done), the nonce consumed by another request (move on), or nothing yet. */
  const settle = async (): Promise<SubmitOffchainReturnType | 'consumed' | undefined> => {
    if (live.length === 0) return undefined;
    const outcome = await chainOutcome(
      client,
      payer,
      nonce,
      live.map((a) => a.signed),
    );
    if (outcome === undefined) return undefined;
    if (outcome === 'consumed') {
      // Every request signed with this nonce is void now: the next ones may use the account's nonce.
      emit({ kind: 'nonce-consumed', nonce });
      nonce = (await getAccount(client)).nonce;
      live = [];
      return 'consumed';
    }
    return posted(outcome);
  };

  for (const relay of p.relays) {
    if (!(await relayHealthy(relay))) {
      emit({ kind: 'relay-unhealthy', relay });
      continue;
    }
    const settled = await settle();
    if (settled && settled !== 'consumed') return settled;
    const now = Number((await client.public.getBlock()).timestamp);
    const signed = await signRequest(client, { programId, publicInputs, feePerProof, nonce, deadline: now + lifetime });
    requests.push(signed);
    let receipt: Receipt;
    try {
      receipt = await postToRelay(relay, signed, proofs, publicInputs);
    } catch (err) {
      if (!(err instanceof RelayError)) throw err;
      emit({ kind: 'relay-refused', relay, reason: err.reason, message: err.message });
      continue;
    }
    live.push({ signed, relay });
    receipts.push(receipt);
    emit({ kind: 'relay-accepted', relay, receipt });
    const postBy = Math.min(receipt.postBy + POST_BY_GRACE_SEC, signed.request.deadline);
    const until = p.relayTimeoutMs !== undefined ? Date.now() + p.relayTimeoutMs : Date.now() + Math.max(0, postBy * 1000 - Date.now());
    for (;;) {
      const s = await settle();
      if (s === 'consumed') break;
      if (s) return s;
      const view = await relayRequestStatus(relay, signed.requestHash, payer).catch(() => undefined);
      // The relay gave it up (skipped by the market, expired, voided): route around at once.
      if (view && (view.status === 'skipped' || view.status === 'expired' || view.status === 'void')) break;
      if (Date.now() >= until) break;
      await sleep(interval);
    }
    // Not posted in time: the next relay gets the same statements with the same nonce (see the module comment).
    emit({ kind: 'relay-timeout', relay, requestHash: signed.requestHash });
  }

  // No relay posted in time. Wait until every live request is accepted or dead on chain.
  const lastDeadline = Math.max(0, ...live.map((a) => a.signed.request.deadline));
  for (;;) {
    const s = await settle();
    if (s && s !== 'consumed') return s;
    if (s === 'consumed' || live.length === 0) break;
    const latest = Number((await client.public.getBlock()).timestamp);
    if (latest > lastDeadline) {
      // One last read: a post in the block that passed the deadline would show now.
      const last = await settle();
      if (last && last !== 'consumed') return last;
      break;
    }
    await sleep(interval);
  }
  if ((p.fallback ?? 'calldata') === 'none') throw new OffchainNotPostedError('no relay posted it before its deadline');
  emit({
    kind: 'fallback',
    reason: live.length === 0 ? 'no relay accepted the request' : 'every signed request passed its deadline unposted',
  });
  const r = await submitMany(client, { statements: p.statements });
  return { channel: 'calldata', statements: r.statements, txHash: r.txHash, receipts, requests };
}
