import { bytesToHex, type Address, type Hex, type PublicClient } from 'viem';
import { CommitmentError, statementDigest } from '../../protocol/index.js';
import type { CallTracer } from '../chain/callTrace.js';
import { findLogsBackwards } from '../chain/findLogs.js';
import type { BatchInfo } from '../chain/market.js';
import { decodeMarketEvents, programRegisteredTopics } from '../chain/marketEvents.js';
import type { KeeperDb } from '../db/keeperDb.js';
import type { Logger } from '../obs/logger.js';
import { readBatchContent, type BatchContent, type SlotStatement } from './content.js';
import { unpackBlob } from './sources/blobCodec.js';
import { checkedBlobs, type BlobResult, type BlobSource } from './sources/blobs.js';
import { SourceFetchError } from './sources/boundedFetch.js';
import { fetchFromRelays } from './sources/relay.js';

/** Where a slot's proof came from (the `source` of events and metrics). */
export type ProofSourceKind = 'calldata' | 'blob' | 'relay';

/** One slot's statement and proof, ready for the engine. */
export interface SlotInput {
  readonly slot: number;
  readonly programId: Hex;
  /** The registrant: programId = keccak256(abi.encode(owner, vkHash)). */
  readonly owner: Address;
  readonly vkHash: Hex;
  readonly vk: Hex;
  readonly digest: Hex;
  readonly publicInputs: Hex[];
  readonly proof: Hex;
  readonly source: ProofSourceKind;
}

/** A slot the keeper can prove (`ok`), or one it must exclude, with why and which source failed last. */
export type SlotFetch =
  { slot: number; ok: true; input: SlotInput } | { slot: number; ok: false; reason: string; source: ProofSourceKind | 'program' };

export interface InputSource {
  readonly client: PublicClient;
  readonly db: KeeperDb;
  readonly market: Address;
  readonly chainId: number;
  readonly startBlock: bigint;
  readonly maxLogRange: number;
  readonly log: Logger;
  /** Finds market calls made by contracts (one per keeper run: it warns once when the RPC cannot trace). */
  readonly tracer: CallTracer;
  /** Relay base URLs, tried in order for off-chain slots and for any slot whose own data is missing. */
  readonly relays: readonly string[];
  /** Where blobs come from; undefined: no blob source (blob slots are served by relays or excluded). */
  readonly blobSource: BlobSource | undefined;
  /** Time limit of one relay or blob request. */
  readonly fetchTimeoutMs: number;
  /** Called for every failed fetch from a source (metrics). */
  readonly onFetchFailure?: (source: 'relay' | 'blob', kind: string) => void;
}

/** A batch's content and the inputs of its slots 0..count-1. */
export interface FetchedBatch {
  readonly content: BatchContent;
  readonly slots: SlotFetch[];
}

/**
 * Reads a batch's content (work/content.ts) and fetches the proof of every slot (or only of `only`):
 * calldata slots from their call, blob slots from their blob (checked against the versioned hash and
 * unpacked with the shared format), off-chain slots from the relays; any slot whose own source fails is
 * asked of the relays too. A slot no source serves comes back `ok: false` with the reason: the caller
 * excludes it, never the batch. RPC failures throw (the caller retries; they are not the submitter's fault).
 */
export async function fetchBatchInputs(
  src: InputSource,
  b: BatchInfo,
  proofBytes: number,
  only?: readonly number[],
): Promise<FetchedBatch> {
  const content = await readBatchContent(src, b, proofBytes);
  const blobs = new Map<string, Promise<Map<string, BlobResult>>>();
  const out: SlotFetch[] = [];
  for (const s of content.slots) {
    if (only && !only.includes(s.slot)) continue;
    out.push(await fetchSlot(src, s, proofBytes, blobs));
  }
  return { content, slots: out };
}

async function fetchSlot(
  src: InputSource,
  s: SlotStatement,
  proofBytes: number,
  blobs: Map<string, Promise<Map<string, BlobResult>>>,
): Promise<SlotFetch> {
  const program = await programOf(src, s.programId);
  if (!program?.owner || !program.vkHash)
    return { slot: s.slot, ok: false, reason: `program ${s.programId} registration not found`, source: 'program' };
  const make = (publicInputs: Hex[], proof: Hex, source: ProofSourceKind): SlotFetch => ({
    slot: s.slot,
    ok: true,
    input: {
      slot: s.slot,
      programId: s.programId,
      owner: program.owner!,
      vkHash: program.vkHash!,
      vk: program.vk,
      digest: s.digest,
      publicInputs,
      proof,
      source,
    },
  });
  let own: { reason: string; source: ProofSourceKind } | undefined;
  if (s.channel === 'calldata') {
    const length = s.proof ? (s.proof.length - 2) / 2 : 0;
    if (s.proof && length === proofBytes) return make(s.publicInputs!, s.proof, 'calldata');
    own = { reason: `the proof in the call is ${length} bytes, the version takes ${proofBytes}`, source: 'calldata' };
  } else if (s.channel === 'blob') {
    const r = await blobProof(src, s, proofBytes, blobs);
    if (r.ok) return make(s.publicInputs!, r.proof, 'blob');
    own = { reason: r.reason, source: 'blob' };
  }
  if (src.relays.length === 0) {
    return {
      slot: s.slot,
      ok: false,
      ...(own ?? { reason: 'an off-chain statement and no relay configured (relays)', source: 'relay' as const }),
    };
  }
  const { proof, misses } = await fetchFromRelays(src.relays, { digest: s.digest, programId: s.programId, proofBytes }, src.fetchTimeoutMs);
  for (const m of misses) if (m.kind !== 'not-found') src.onFetchFailure?.('relay', m.kind);
  if (proof) return make(proof.publicInputs, proof.proof, 'relay');
  const relays = `no relay serves it (${misses.map((m) => m.reason).join('; ')})`;
  return own
    ? { slot: s.slot, ok: false, reason: `${own.reason}; ${relays}`, source: own.source }
    : { slot: s.slot, ok: false, reason: relays, source: 'relay' };
}

async function blobProof(
  src: InputSource,
  s: SlotStatement,
  proofBytes: number,
  cache: Map<string, Promise<Map<string, BlobResult>>>,
): Promise<{ ok: true; proof: Hex } | { ok: false; reason: string }> {
  const loc = s.blob!;
  if (!src.blobSource) return { ok: false, reason: `blob ${loc.versionedHash} not fetched: no blob source configured (blobSource)` };
  const source = src.blobSource;
  // The slots of one blob share one fetch (and one versioned-hash check).
  const key = `${loc.txHash}:${loc.versionedHash}`.toLowerCase();
  let pending = cache.get(key);
  if (!pending) {
    pending = checkedBlobs(source, { txHash: loc.txHash, block: loc.block }, [loc.versionedHash]);
    cache.set(key, pending);
  }
  let results: Map<string, BlobResult>;
  try {
    results = await pending;
  } catch (err) {
    if (!(err instanceof SourceFetchError)) throw err;
    src.onFetchFailure?.('blob', err.kind);
    return { ok: false, reason: `blob ${loc.versionedHash}: ${err.message}` };
  }
  const r = results.get(loc.versionedHash.toLowerCase());
  if (!r || !r.ok) {
    src.onFetchFailure?.('blob', 'missing');
    return { ok: false, reason: r?.reason ?? `blob ${loc.versionedHash} not served` };
  }
  const data = unpackBlob(r.blob);
  if (!data) return { ok: false, reason: `blob ${loc.versionedHash} is not in the blob channel's packing (an element's high byte is set)` };
  if (loc.offset + proofBytes > data.length) return { ok: false, reason: `blob ${loc.versionedHash} has no proof at byte ${loc.offset}` };
  return { ok: true, proof: bytesToHex(data.subarray(loc.offset, loc.offset + proofBytes)) };
}

/** The statement digest of a program and public inputs, or undefined when they are not a statement the market accepts. */
export function digestOf(programId: Hex, publicInputs: readonly Hex[]): Hex | undefined {
  try {
    return statementDigest(programId, publicInputs);
  } catch (err) {
    if (err instanceof CommitmentError) return undefined;
    throw err;
  }
}

/** The program's key, key hash and registrant: from the database, else from its registration event (cached). */
export async function programOf(
  src: InputSource,
  programId: Hex,
): Promise<{ vk: Hex; owner?: Address; vkHash?: Hex; publicInputCount: number } | undefined> {
  const cached = src.db.getProgram(programId);
  if (cached?.owner && cached.vkHash) return cached;
  const logs = await findLogsBackwards(src.client, {
    address: src.market,
    topics: programRegisteredTopics(programId),
    fromBlock: src.startBlock,
    maxRange: src.maxLogRange,
  });
  const ev = decodeMarketEvents(logs).findLast((e) => e.kind === 'program');
  if (!ev || ev.kind !== 'program') return undefined;
  src.db.upsertProgram({
    programId,
    owner: ev.owner,
    vkHash: ev.vkHash,
    publicInputCount: ev.publicInputCount,
    vk: ev.vk,
    block: ev.block,
  });
  src.log.debug('program fetched from its registration event', { programId, block: ev.block });
  return { vk: ev.vk, owner: ev.owner, vkHash: ev.vkHash, publicInputCount: ev.publicInputCount };
}
