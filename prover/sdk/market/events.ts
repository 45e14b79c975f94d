/**
 * Every market event the SDK reads, in one module (the market's event set may still change: renames land
 * here only). Reads go through the generated version-2 ABI (prover/abi/generated.ts), so a renamed or
 * reshaped event breaks this file at compile time.
 */
import { keccak256, parseEventLogs, size, slice, type Address, type Hash, type Hex, type Log } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import { acceptedOfPost as decodePostedRequests } from '../../protocol/index.js';
import type { NexClient } from '../client.js';
import { NexError } from '../errors.js';

/** Statements appended to a chain batch (calldata and blob channels): one event per group. */
export interface SubmittedEvent {
  readonly batchId: bigint;
  readonly programId: Hex;
  readonly payer: Address;
  readonly firstSlot: number;
  readonly count: number;
  readonly feePerProof: bigint;
  readonly callbackGas: bigint;
  readonly txHash: Hash;
  readonly blockNumber: bigint;
  readonly logIndex: number;
}

/**
 * A signed request accepted into a posted batch (off-chain channel): one entry of its `MarketBatchPosted`
 * event (request `i` is group `i` of the event's `groups`), so `txHash`, `blockNumber` and `logIndex` are the
 * post's.
 */
export interface RequestAcceptedEvent {
  readonly batchId: bigint;
  readonly payer: Address;
  readonly nonce: bigint;
  readonly programId: Hex;
  readonly firstSlot: number;
  readonly count: number;
  readonly feePerProof: bigint;
  readonly callbackGas: bigint;
  readonly requestHash: Hex;
  readonly txHash: Hash;
  readonly blockNumber: bigint;
  readonly logIndex: number;
}

/** A signed request skipped by a post (numeric reason: the market's SkipReason). */
export interface RequestSkippedEvent {
  readonly payer: Address;
  readonly nonce: bigint;
  readonly reason: number;
  readonly txHash: Hash;
}

export interface BatchPostedEvent {
  readonly batchId: bigint;
  readonly poster: Address;
  readonly root: Hex;
  readonly groupsHash: Hex;
  readonly count: number;
  readonly capacity: number;
  /** The requests the post accepted, in slot order (the skipped ones are not here). */
  readonly accepted: readonly RequestAcceptedEvent[];
  readonly txHash: Hash;
}

export interface BatchFulfilledEvent {
  readonly batchId: bigint;
  readonly prover: Address;
  readonly provenRoot: Hex;
  readonly excludedMask: bigint;
  readonly txHash: Hash;
  readonly blockNumber: bigint;
}

/** A lock of a batch (a secondary lock after a missed deadline is another one). */
export interface BatchLockedEvent {
  readonly batchId: bigint;
  readonly prover: Address;
  readonly lockDeadline: bigint;
  readonly finalDeadline: bigint;
  readonly collateral: bigint;
  readonly txHash: Hash;
  readonly blockNumber: bigint;
}

export interface BlobsSubmittedEvent {
  readonly batchId: bigint;
  readonly firstSlot: number;
  readonly count: number;
  readonly versionedHashes: readonly Hex[];
  readonly txHash: Hash;
}

export interface ProgramRegisteredEvent {
  readonly programId: Hex;
  readonly owner: Address;
  readonly vkHash: Hex;
  readonly publicInputCount: number;
  readonly vk: Hex;
  readonly txHash: Hash;
}

type AnyLog = Log<bigint, number, false>;
const meta = (l: AnyLog) => ({ txHash: l.transactionHash!, blockNumber: l.blockNumber!, logIndex: l.logIndex! });

/** Events of one transaction's receipt (the market's only: logs of other contracts are ignored). */
export function eventsOfReceipt(market: Address, logs: readonly AnyLog[]) {
  const own = logs.filter((l) => l.address.toLowerCase() === market.toLowerCase());
  const parse = <N extends Parameters<typeof parseEventLogs<typeof aggregationMarketAbi>>[0]['eventName']>(eventName: N) =>
    parseEventLogs({ abi: aggregationMarketAbi, logs: own as AnyLog[], eventName });
  return {
    submitted: parse('MarketSubmitted').map(toSubmitted),
    accepted: parse('MarketBatchPosted').flatMap((e) => toPosted(e).accepted),
    skipped: parse('MarketRequestSkipped').map((e): RequestSkippedEvent => ({
      payer: e.args.payer,
      nonce: e.args.nonce,
      reason: e.args.reason,
      txHash: e.transactionHash,
    })),
    posted: parse('MarketBatchPosted').map(toPosted),
    blobs: parse('MarketBlobsSubmitted').map(toBlobs),
    registered: parse('MarketProgramRegistered').map(toRegistered),
  };
}

function toSubmitted(
  e: {
    args: {
      batchId: bigint;
      programId: Hex;
      payer: Address;
      firstSlot: bigint;
      count: bigint;
      feePerProof: bigint;
      callbackGas: bigint;
    };
  } & AnyLog,
): SubmittedEvent {
  const a = e.args;
  return {
    batchId: a.batchId,
    programId: a.programId,
    payer: a.payer,
    firstSlot: Number(a.firstSlot),
    count: Number(a.count),
    feePerProof: a.feePerProof,
    callbackGas: a.callbackGas,
    ...meta(e),
  };
}

/** Bytes of one accepted group in `MarketBatchPosted.groups`: `abi.encodePacked(word, programId)`. */
const GROUP_BYTES = 64;

function toPosted(
  e: {
    args: {
      batchId: bigint;
      poster: Address;
      root: Hex;
      groupsHash: Hex;
      count: bigint;
      capacity: bigint;
      groups: Hex;
      requestHashes: readonly Hex[];
      nonces: readonly bigint[];
    };
  } & AnyLog,
): BatchPostedEvent {
  const a = e.args;
  return {
    batchId: a.batchId,
    poster: a.poster,
    root: a.root,
    groupsHash: a.groupsHash,
    count: Number(a.count),
    capacity: Number(a.capacity),
    accepted: acceptedOfPost(e),
    txHash: e.transactionHash!,
  };
}

/**
 * The accepted requests of a `MarketBatchPosted` event: request `i` is group `i` of `groups` (64 bytes each:
 * the group word `payer | feePerProof | count | callbackGas`, then the program id), its first slot the sum of
 * the counts before it. Throws when the three lists disagree or `groups` does not hash to `groupsHash`.
 */
function acceptedOfPost(
  e: {
    args: { batchId: bigint; groupsHash: Hex; groups: Hex; requestHashes: readonly Hex[]; nonces: readonly bigint[] };
  } & AnyLog,
): RequestAcceptedEvent[] {
  const { batchId, groups, groupsHash, requestHashes, nonces } = e.args;
  const n = requestHashes.length;
  if (size(groups) !== n * GROUP_BYTES || nonces.length !== n) {
    throw new NexError(
      `MarketBatchPosted of batch ${batchId}: ${size(groups)} bytes of groups, ${n} request hashes, ${nonces.length} nonces`,
    );
  }
  if (keccak256(groups) !== groupsHash) throw new NexError(`MarketBatchPosted of batch ${batchId}: its groups do not hash to groupsHash`);
  return decodePostedRequests(groups, requestHashes, nonces).map((r) => ({ batchId, ...r, ...meta(e) }));
}

function toBlobs(
  e: { args: { batchId: bigint; firstSlot: bigint; count: bigint; versionedHashes: readonly Hex[] } } & AnyLog,
): BlobsSubmittedEvent {
  const a = e.args;
  return {
    batchId: a.batchId,
    firstSlot: Number(a.firstSlot),
    count: Number(a.count),
    versionedHashes: a.versionedHashes,
    txHash: e.transactionHash!,
  };
}

function toRegistered(
  e: {
    args: { programId: Hex; owner: Address; vkHash: Hex; publicInputCount: number; vk: Hex };
  } & AnyLog,
): ProgramRegisteredEvent {
  const a = e.args;
  return {
    programId: a.programId,
    owner: a.owner,
    vkHash: a.vkHash,
    publicInputCount: a.publicInputCount,
    vk: a.vk,
    txHash: e.transactionHash!,
  };
}

/** Block range of log queries: from `fromBlock` (default 0) to the latest block. */
export interface LogRange {
  readonly fromBlock?: bigint | undefined;
}

/** The groups appended to chain batch `batchId` (calldata and blob channels), in slot order. */
export async function submittedEvents(client: NexClient, batchId: bigint, range: LogRange = {}): Promise<SubmittedEvent[]> {
  const logs = await client.public.getContractEvents({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    eventName: 'MarketSubmitted',
    args: { batchId },
    fromBlock: range.fromBlock ?? 0n,
    strict: true,
  });
  return logs.map((l) => toSubmitted(l as never)).sort((a, b) => a.firstSlot - b.firstSlot);
}

/** The blob submissions of chain batch `batchId`. */
export async function blobsSubmittedEvents(client: NexClient, batchId: bigint, range: LogRange = {}): Promise<BlobsSubmittedEvent[]> {
  const logs = await client.public.getContractEvents({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    eventName: 'MarketBlobsSubmitted',
    args: { batchId },
    fromBlock: range.fromBlock ?? 0n,
    strict: true,
  });
  return logs.map((l) => toBlobs(l as never));
}

/** The post of off-chain batch `batchId`, if it was posted. */
export async function batchPostedEvent(client: NexClient, batchId: bigint, range: LogRange = {}): Promise<BatchPostedEvent | undefined> {
  const logs = await client.public.getContractEvents({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    eventName: 'MarketBatchPosted',
    args: { batchId },
    fromBlock: range.fromBlock ?? 0n,
    strict: true,
  });
  return logs[0] ? toPosted(logs[0] as never) : undefined;
}

/** The fulfilment of `batchId` (its proven root and excluded slots), if it was fulfilled. */
export async function batchFulfilledEvent(
  client: NexClient,
  batchId: bigint,
  range: LogRange = {},
): Promise<BatchFulfilledEvent | undefined> {
  const logs = await client.public.getContractEvents({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    eventName: 'MarketBatchFulfilled',
    args: { batchId },
    fromBlock: range.fromBlock ?? 0n,
    strict: true,
  });
  const l = logs[0];
  if (!l) return undefined;
  return {
    batchId: l.args.batchId,
    prover: l.args.prover,
    provenRoot: l.args.provenRoot,
    excludedMask: BigInt(l.args.excludedMask),
    txHash: l.transactionHash,
    blockNumber: l.blockNumber,
  };
}

/**
 * The locks of `batchId`, oldest first: the last one is the batch's locker. `getBatch` names the locker only
 * while the lock is live (its `locker` reads zero once the batch is fulfilled, closed or released).
 */
export async function batchLockedEvents(client: NexClient, batchId: bigint, range: LogRange = {}): Promise<BatchLockedEvent[]> {
  const logs = await client.public.getContractEvents({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    eventName: 'MarketBatchLocked',
    args: { batchId },
    fromBlock: range.fromBlock ?? 0n,
    strict: true,
  });
  return logs.map((l) => ({
    batchId: l.args.batchId,
    prover: l.args.prover,
    lockDeadline: l.args.lockDeadline,
    finalDeadline: l.args.finalDeadline,
    collateral: l.args.collateral,
    txHash: l.transactionHash,
    blockNumber: l.blockNumber,
  }));
}

/**
 * The acceptances of `payer`'s requests (optionally only `nonce`), oldest first. The market names them in
 * its `MarketBatchPosted` events, which are indexed by batch and poster only: every post from `fromBlock` is
 * read and its accepted requests filtered here.
 */
export async function requestAcceptedEvents(
  client: NexClient,
  payer: Address,
  filter: { nonce?: bigint | undefined } & LogRange = {},
): Promise<RequestAcceptedEvent[]> {
  const logs = await client.public.getContractEvents({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    eventName: 'MarketBatchPosted',
    fromBlock: filter.fromBlock ?? 0n,
    strict: true,
  });
  const who = payer.toLowerCase();
  return logs
    .flatMap((l) => toPosted(l as never).accepted)
    .filter((e) => e.payer.toLowerCase() === who && (filter.nonce === undefined || e.nonce === filter.nonce));
}

/** The registration of `programId` (its key bytes live only in this event). */
export async function programRegisteredEvent(
  client: NexClient,
  programId: Hex,
  range: LogRange = {},
): Promise<ProgramRegisteredEvent | undefined> {
  const logs = await client.public.getContractEvents({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    eventName: 'MarketProgramRegistered',
    args: { programId },
    fromBlock: range.fromBlock ?? 0n,
    strict: true,
  });
  return logs[0] ? toRegistered(logs[0] as never) : undefined;
}
