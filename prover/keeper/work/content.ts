/**
 * A batch's content read from chain data: its groups, the statement (program, digest, and where its proof
 * is) of every slot, and, for a posted batch, the root, groups hash and poster. Version 2 stores nothing
 * per statement on chain (a batch is three storage slots), so the keeper rebuilds the content from the
 * batch's events and the calldata of the transactions that filled it (through the call trace when a
 * contract made the market call), and accepts it only when it hashes to the batch's commitment. It is
 * what a fulfilment, closure or release passes as its settlement (work/settlement.ts) and what tells the
 * keeper where each slot's proof is (work/inputs.ts).
 *
 * This is the keeper's own reader of batch content. The SDK (W2's prover/protocol/sdk) builds the same
 * reconstruction for inclusion paths; the two meet at `BatchContent` and can share one implementation
 * once both have landed.
 */
import { decodeFunctionData, encodeEventTopics, getAddress, pad, toHex, type Address, type Hex, type Log, type PublicClient } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import {
  NexError,
  type Group,
  type PostedGroup,
  chainCommitment,
  groupWord,
  marketDomain,
  postedCommitment,
  postedSettlement,
  requestHash,
  statementDigest,
  statementsHash,
} from '../../protocol/index.js';
import type { CallTracer } from '../chain/callTrace.js';
import { isIntakeCall } from '../chain/callTrace.js';
import { collectLogsBackwards } from '../chain/findLogs.js';
import type { BatchInfo } from '../chain/market.js';
import { decodeMarketEvents, EVENT_NAMES, type MarketEvent } from '../chain/marketEvents.js';
import { BLOB_USABLE_BYTES } from './sources/blobCodec.js';

export type Channel = 'calldata' | 'blob' | 'offchain';

/** Where a blob slot's proof is: blob `versionedHash` of transaction `txHash`, at `offset` of its unpacked data. */
export interface BlobLocation {
  readonly txHash: Hex;
  readonly block: bigint;
  readonly versionedHash: Hex;
  readonly offset: number;
}

/** One slot's statement as the chain data gives it. */
export interface SlotStatement {
  readonly slot: number;
  readonly channel: Channel;
  readonly programId: Hex;
  readonly digest: Hex;
  /** The public inputs (calldata and blob slots: from the call; off-chain slots: only a relay has them). */
  readonly publicInputs?: Hex[];
  /** Calldata slots: the proof in the call. */
  readonly proof?: Hex;
  /** Blob slots: where the proof is. */
  readonly blob?: BlobLocation;
}

/** A batch's content, checked against its commitment. */
export interface BatchContent {
  readonly batchId: bigint;
  readonly posted: boolean;
  readonly capacity: number;
  /** Groups in slot order (the market's `Group`: word and program). */
  readonly groups: Group[];
  /** Statement digests in slot order (`count` of them). */
  readonly digests: Hex[];
  readonly slots: SlotStatement[];
  /** Posted batches: the full root, the groups hash and the poster the commitment binds. */
  readonly post?: { root: Hex; groupsHash: Hex; poster: Address };
  /** The commitment the content was checked against. */
  readonly commitment: Hex;
}

/** The content cannot be read from chain data (not a transient RPC failure): the batch cannot be settled. */
export class ContentError extends NexError {
  override readonly name = 'ContentError';
}

export interface ContentSource {
  readonly client: PublicClient;
  readonly market: Address;
  readonly chainId: number;
  readonly startBlock: bigint;
  readonly maxLogRange: number;
  readonly tracer: CallTracer;
}

const BATCH_TOPICS: Hex[] = (['submitted', 'blobs', 'posted'] as const).map(
  (k) => encodeEventTopics({ abi: aggregationMarketAbi, eventName: EVENT_NAMES[k] })[0]! as Hex,
);
const OPENED_TOPIC = encodeEventTopics({ abi: aggregationMarketAbi, eventName: 'MarketBatchOpened' })[0]! as Hex;

type Ev<K extends MarketEvent['kind']> = Extract<MarketEvent, { kind: K }>;

/** One market intake call of a transaction, decoded. */
type IntakeCall =
  | { fn: 'submit'; programIds: Hex[]; publicInputs: Hex[][]; proofs: Hex[] }
  | { fn: 'submitMany'; programIds: Hex[]; publicInputs: Hex[][]; proofs: Hex[] }
  | { fn: 'submitBlobs'; programIds: Hex[]; publicInputs: Hex[][] }
  | { fn: 'postBatch'; groups: readonly PostedGroup[]; digests: Hex[] };

function decodeIntake(input: Hex): IntakeCall | undefined {
  let call;
  try {
    call = decodeFunctionData({ abi: aggregationMarketAbi, data: input });
  } catch {
    return undefined;
  }
  switch (call.functionName) {
    case 'submit':
      return { fn: 'submit', programIds: [call.args[0]], publicInputs: [[...call.args[1]]], proofs: [call.args[2]] };
    case 'submitMany':
      return { fn: 'submitMany', programIds: [...call.args[0]], publicInputs: call.args[1].map((x) => [...x]), proofs: [...call.args[2]] };
    case 'submitBlobs':
      return { fn: 'submitBlobs', programIds: [...call.args[0]], publicInputs: call.args[1].map((x) => [...x]) };
    case 'postBatch':
      return { fn: 'postBatch', groups: call.args[0], digests: [...call.args[1]] };
    default:
      return undefined;
  }
}

/** The intake calls a transaction made to the market, in execution order (direct, else from its call trace). */
async function intakeCalls(src: ContentSource, txHash: Hex): Promise<IntakeCall[]> {
  const tx = await src.client.getTransaction({ hash: txHash });
  let inputs: readonly Hex[];
  if (tx.to?.toLowerCase() === src.market.toLowerCase() && isIntakeCall(tx.input)) inputs = [tx.input];
  else {
    const traced = await src.tracer.marketCalls(txHash, src.market);
    if (!traced.ok) {
      throw new ContentError(
        `${txHash} called the market through another contract and the RPC does not serve debug_traceTransaction callTracer (${traced.unsupported}); use an RPC with the debug API (anvil, geth, reth)`,
      );
    }
    inputs = traced.inputs;
  }
  return inputs.map((i) => decodeIntake(i)).filter((c): c is IntakeCall => c !== undefined);
}

/** The events of one batch: from its sealing block back to the block that opened it (or posted it). */
async function batchEvents(src: ContentSource, b: BatchInfo): Promise<MarketEvent[]> {
  const id = pad(toHex(b.batchId), { size: 32 });
  const logs = await collectLogsBackwards(src.client, {
    address: src.market,
    topics: [[...BATCH_TOPICS, OPENED_TOPIC], id],
    fromBlock: src.startBlock,
    // An open batch (released after expiry) has no sealing block yet: read up to the head.
    toBlock: b.sealBlock > 0n ? b.sealBlock : await src.client.getBlockNumber(),
    maxRange: src.maxLogRange,
    done: (all: Log[]) => all.some((l) => l.topics[0] === OPENED_TOPIC || l.topics[0] === BATCH_TOPICS[2]),
  });
  return decodeMarketEvents(logs).filter((e) => 'batchId' in e && e.batchId === b.batchId);
}

/** Per transaction: the slots of `batchId` it filled, with their statements (chain form). */
async function chainSlotsOfTx(src: ContentSource, b: BatchInfo, txHash: Hex, proofBytes: number): Promise<Map<number, SlotStatement>> {
  const receipt = await src.client.getTransactionReceipt({ hash: txHash });
  const events = decodeMarketEvents(receipt.logs.filter((l) => l.address.toLowerCase() === src.market.toLowerCase()));
  const submitted = events.filter((e): e is Ev<'submitted'> => e.kind === 'submitted');
  const blobs = events.filter((e): e is Ev<'blobs'> => e.kind === 'blobs');
  const calls = (await intakeCalls(src, txHash)).filter((c): c is Exclude<IntakeCall, { fn: 'postBatch' }> => c.fn !== 'postBatch');
  const perBlob = Math.floor(BLOB_USABLE_BYTES / proofBytes);
  const out = new Map<number, SlotStatement>();
  let next = 0;
  let nextBlob = 0;
  for (const call of calls) {
    const n = call.programIds.length;
    const groups: Ev<'submitted'>[] = [];
    for (let covered = 0; covered < n;) {
      const g = submitted[next++];
      if (!g) throw new ContentError(`${txHash}: its market calls hold more statements than its MarketSubmitted events`);
      groups.push(g);
      covered += g.count;
      if (covered > n) throw new ContentError(`${txHash}: MarketSubmitted events do not line up with its market calls`);
    }
    const blob = call.fn === 'submitBlobs' ? blobs[nextBlob++] : undefined;
    if (call.fn === 'submitBlobs' && (!blob || blob.count !== n))
      throw new ContentError(`${txHash}: a blob submission without its MarketBlobsSubmitted event`);
    const first = groups[0]!;
    if (first.batchId !== b.batchId) continue;
    for (let k = 0; k < n; k++) {
      const g = groups.find((x) => first.firstSlot + k >= x.firstSlot && first.firstSlot + k < x.firstSlot + x.count)!;
      const programId = call.programIds[k]!;
      if (programId.toLowerCase() !== g.programId.toLowerCase())
        throw new ContentError(`${txHash}: statement ${k} is not of the program its event names`);
      const publicInputs = call.publicInputs[k] ?? [];
      let digest: Hex;
      try {
        digest = statementDigest(programId, publicInputs);
      } catch (err) {
        throw new ContentError(`${txHash}: statement ${k}: ${(err as Error).message}`);
      }
      const slot = first.firstSlot + k;
      const base = { slot, programId, digest, publicInputs };
      if (call.fn === 'submitBlobs') {
        const vh = blob!.versionedHashes[Math.floor(k / perBlob)];
        if (!vh) throw new ContentError(`${txHash}: statement ${k} has no blob`);
        out.set(slot, {
          ...base,
          channel: 'blob',
          blob: { txHash, block: receipt.blockNumber, versionedHash: vh, offset: (k % perBlob) * proofBytes },
        });
      } else {
        out.set(slot, { ...base, channel: 'calldata', proof: call.proofs[k]! });
      }
    }
  }
  return out;
}

/** Per transaction: the digests of each request `postBatch` calls posted, by EIP-712 request hash. */
async function postedDigestsOfTx(src: ContentSource, txHash: Hex): Promise<Map<string, Hex[]>> {
  const domain = marketDomain(src.chainId, src.market);
  const out = new Map<string, Hex[]>();
  for (const call of await intakeCalls(src, txHash)) {
    if (call.fn !== 'postBatch') continue;
    let at = 0;
    for (const g of call.groups) {
      const digests = call.digests.slice(at, at + g.count);
      at += g.count;
      if (digests.length !== g.count) break;
      const hash = requestHash(
        {
          programId: g.programId,
          statementsHash: statementsHash(digests),
          count: g.count,
          feePerProof: g.feePerProof,
          nonce: g.nonce,
          deadline: g.deadline,
        },
        domain,
      );
      out.set(hash.toLowerCase(), digests);
    }
  }
  return out;
}

/**
 * Reads and checks a sealed (or later) batch's content. Throws ContentError when chain data cannot give
 * it (a call made through a contract on an RPC without the debug API, events that do not match the
 * calls, a content that does not hash to the commitment); any other error is an RPC failure to retry.
 */
export async function readBatchContent(src: ContentSource, b: BatchInfo, proofBytes: number): Promise<BatchContent> {
  if (b.count === 0) throw new ContentError(`batch ${b.batchId} holds no statement`);
  const events = await batchEvents(src, b);
  return b.posted ? postedContent(src, b, events) : chainContent(src, b, events, proofBytes);
}

async function chainContent(src: ContentSource, b: BatchInfo, events: MarketEvent[], proofBytes: number): Promise<BatchContent> {
  const groups = events.filter((e): e is Ev<'submitted'> => e.kind === 'submitted').sort((x, y) => x.firstSlot - y.firstSlot);
  const slots = new Map<number, SlotStatement>();
  for (const tx of [...new Set(groups.map((g) => g.txHash))]) {
    for (const [slot, s] of await chainSlotsOfTx(src, b, tx, proofBytes)) slots.set(slot, s);
  }
  const ordered = checkCoverage(b, groups, slots);
  const g = groups.map((e) => ({
    word: groupWord({ payer: e.payer, feePerProof: e.feePerProof, count: e.count, callbackGas: e.callbackGas }),
    programId: e.programId,
  }));
  const digests = ordered.map((s) => s.digest);
  const commitment = chainCommitment(g, digests);
  if (commitment.toLowerCase() !== b.commitment.toLowerCase()) {
    throw new ContentError(
      `batch ${b.batchId}: the content read from chain data hashes to ${commitment}, not the commitment ${b.commitment}`,
    );
  }
  return { batchId: b.batchId, posted: false, capacity: b.capacity, groups: g, digests, slots: ordered, commitment };
}

async function postedContent(src: ContentSource, b: BatchInfo, events: MarketEvent[]): Promise<BatchContent> {
  const post = events.find((e): e is Ev<'posted'> => e.kind === 'posted');
  if (!post) throw new ContentError(`batch ${b.batchId}: no MarketBatchPosted event found`);
  const accepted = events.filter((e): e is Ev<'accepted'> => e.kind === 'accepted').sort((x, y) => x.firstSlot - y.firstSlot);
  const byHash = await postedDigestsOfTx(src, post.txHash);
  const slots = new Map<number, SlotStatement>();
  for (const a of accepted) {
    const digests = byHash.get(a.requestHash.toLowerCase());
    if (!digests) throw new ContentError(`batch ${b.batchId}: request ${a.requestHash} not found in the calldata of ${post.txHash}`);
    digests.forEach((digest, k) =>
      slots.set(a.firstSlot + k, { slot: a.firstSlot + k, channel: 'offchain', programId: a.programId, digest }),
    );
  }
  const ordered = checkCoverage(b, accepted, slots);
  const groups = accepted.map((e) => ({
    word: groupWord({ payer: e.payer, feePerProof: e.feePerProof, count: e.count, callbackGas: e.callbackGas }),
    programId: e.programId,
  }));
  const digests = ordered.map((s) => s.digest);
  const full = postedSettlement(groups, digests, post.poster);
  const commitment = postedCommitment(full.root, full.groupsHash, full.poster);
  if (full.root !== post.root || full.groupsHash !== post.groupsHash || commitment.toLowerCase() !== b.commitment.toLowerCase()) {
    throw new ContentError(`batch ${b.batchId}: the posted content read from ${post.txHash} does not hash to the batch commitment`);
  }
  return {
    batchId: b.batchId,
    posted: true,
    capacity: b.capacity,
    groups,
    digests,
    slots: ordered,
    post: { root: full.root, groupsHash: full.groupsHash, poster: getAddress(post.poster) },
    commitment,
  };
}

/** Every slot 0..count-1 exactly once, the groups contiguous from slot 0. */
function checkCoverage(
  b: BatchInfo,
  groups: readonly { firstSlot: number; count: number }[],
  slots: Map<number, SlotStatement>,
): SlotStatement[] {
  let at = 0;
  for (const g of groups) {
    if (g.firstSlot !== at) throw new ContentError(`batch ${b.batchId}: its groups do not cover slot ${at}`);
    at += g.count;
  }
  if (at !== b.count) throw new ContentError(`batch ${b.batchId}: its groups hold ${at} statements, the batch ${b.count}`);
  const out: SlotStatement[] = [];
  for (let i = 0; i < b.count; i++) {
    const s = slots.get(i);
    if (!s) throw new ContentError(`batch ${b.batchId}: no call found for slot ${i}`);
    out.push(s);
  }
  return out;
}
