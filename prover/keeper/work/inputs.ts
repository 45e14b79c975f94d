import {
  decodeFunctionData,
  encodeEventTopics,
  keccak256,
  pad,
  parseEventLogs,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import { batchOf, CommitmentError, slotOf, statementDigest, submissionId } from '../../protocol/index.js';
import type { CallTracer, MarketCalls } from '../chain/callTrace.js';
import { findLogsBackwards } from '../chain/findLogs.js';
import type { KeeperDb, SubmissionRow } from '../db/keeperDb.js';
import type { Logger } from '../obs/logger.js';

/** One slot's statement and proof, read from chain data and checked against the market's commitments. */
export interface SlotInput {
  readonly slot: number;
  readonly submissionId: bigint;
  readonly programId: Hex;
  /** The address that registered the program (its ProgramRegistered event). */
  readonly owner: Address;
  readonly publicInputs: Hex[];
  readonly proof: Hex;
  readonly vk: Hex;
  readonly fee: bigint;
}

export type SlotFetch = { slot: number; ok: true; input: SlotInput } | { slot: number; ok: false; reason: string };

export interface InputSource {
  readonly client: PublicClient;
  readonly db: KeeperDb;
  readonly market: Address;
  readonly startBlock: bigint;
  readonly maxLogRange: number;
  readonly log: Logger;
  /** Finds market calls made by contracts (one per keeper run: it warns once when the RPC cannot trace). */
  readonly tracer: CallTracer;
}

/**
 * Fetches the inputs of slots 0..count-1 of a batch (or only the slots listed in `only`). A slot whose
 * data cannot be found or does not match its on-chain commitment (digest, proofHash) comes back
 * `ok: false` with the reason: the caller excludes it (it becomes refundable) instead of failing the
 * whole batch.
 */
export async function fetchBatchInputs(src: InputSource, batchId: bigint, count: number, only?: readonly number[]): Promise<SlotFetch[]> {
  const out: SlotFetch[] = [];
  const reads: TxReads = { inputs: new Map(), traces: new Map() };
  for (const slot of only ?? [...Array(count).keys()]) {
    try {
      out.push(await fetchSlot(src, batchId, slot, reads));
    } catch (err) {
      // RPC failures are not the submitter's fault: let the caller retry rather than exclude.
      throw new Error(`fetching batch ${batchId} slot ${slot}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
  }
  return out;
}

/** What one batch fetch read per transaction: a submitMany fills many slots from one transaction. */
interface TxReads {
  readonly inputs: Map<Hex, Promise<Hex>>;
  readonly traces: Map<Hex, Promise<MarketCalls>>;
}

function once<T>(memo: Map<Hex, Promise<T>>, txHash: Hex, read: () => Promise<T>): Promise<T> {
  let p = memo.get(txHash);
  if (!p) memo.set(txHash, (p = read()));
  return p;
}

async function fetchSlot(src: InputSource, batchId: bigint, slot: number, reads: TxReads): Promise<SlotFetch> {
  const id = submissionId(batchId, slot);
  const sub = src.db.submissionsOf(batchId).find((s) => s.slot === slot) ?? (await findSubmission(src, id));
  if (!sub) return { slot, ok: false, reason: 'no Submitted event found' };
  const onChain = await src.client.readContract({ address: src.market, abi: aggregationMarketAbi, functionName: 'digestOf', args: [id] });
  if (onChain.toLowerCase() !== sub.digest.toLowerCase()) {
    return { slot, ok: false, reason: `digest on chain ${onChain} differs from the event's (refunded or reorged)` };
  }
  const found = await findCalldata(src, sub, reads);
  if (!found.ok) return { slot, ok: false, reason: found.reason };
  const program = await programOf(src, sub.programId);
  if (!program) return { slot, ok: false, reason: `program ${sub.programId} registration not found` };
  return {
    slot,
    ok: true,
    input: {
      slot,
      submissionId: id,
      programId: sub.programId,
      owner: program.owner,
      publicInputs: found.publicInputs,
      proof: found.proof,
      vk: program.vk,
      fee: sub.fee,
    },
  };
}

/**
 * The submission's public inputs and proof: from the transaction input when it called the market
 * directly, else from the market calls in its call trace (a rollup posting through its own contract).
 * Either way decodeSubmission's match against the event is the only acceptance rule.
 */
async function findCalldata(
  src: InputSource,
  sub: SubmissionRow,
  reads: TxReads,
): Promise<{ ok: true; publicInputs: Hex[]; proof: Hex } | { ok: false; reason: string }> {
  const input = await once(reads.inputs, sub.txHash, async () => (await src.client.getTransaction({ hash: sub.txHash })).input);
  const direct = decodeSubmission(input, sub);
  if (direct) return { ok: true, ...direct };
  const calls = await once(reads.traces, sub.txHash, () => src.tracer.marketCalls(sub.txHash, src.market));
  if (!calls.ok) {
    return {
      ok: false,
      reason: `${sub.txHash} submitted through another contract and the RPC does not serve debug_traceTransaction callTracer (${calls.unsupported}); use an RPC with the debug API, e.g. anvil, geth, reth, or post directly to the market`,
    };
  }
  for (const call of calls.inputs) {
    const found = decodeSubmission(call, sub);
    if (found) return { ok: true, ...found };
  }
  return {
    ok: false,
    reason: `proof matching the event not found in ${sub.txHash}: neither its input nor its ${calls.inputs.length} successful market submit call(s) carry it`,
  };
}

/**
 * Finds the submission in `submit` / `submitMany` calldata: the entry whose program, public inputs
 * (digest) and keccak(proof) all match the event. Returns undefined when the input is not a
 * direct market call or nothing matches.
 */
export function decodeSubmission(
  input: Hex,
  sub: Pick<SubmissionRow, 'programId' | 'digest' | 'proofHash'>,
): { publicInputs: Hex[]; proof: Hex } | undefined {
  let call;
  try {
    call = decodeFunctionData({ abi: aggregationMarketAbi, data: input });
  } catch {
    return undefined;
  }
  const candidates: { programId: Hex; publicInputs: readonly Hex[]; proof: Hex }[] = [];
  if (call.functionName === 'submit') {
    const [programId, publicInputs, proof] = call.args;
    candidates.push({ programId, publicInputs, proof });
  } else if (call.functionName === 'submitMany') {
    const [programIds, publicInputs, proofs] = call.args;
    programIds.forEach((programId, i) => candidates.push({ programId, publicInputs: publicInputs[i] ?? [], proof: proofs[i] ?? '0x' }));
  }
  for (const c of candidates) {
    if (c.programId.toLowerCase() !== sub.programId.toLowerCase()) continue;
    if (digestOf(c.programId, c.publicInputs)?.toLowerCase() !== sub.digest.toLowerCase()) continue;
    if (keccak256(c.proof).toLowerCase() !== sub.proofHash.toLowerCase()) continue;
    return { publicInputs: [...c.publicInputs], proof: c.proof };
  }
  return undefined;
}

/** The statement digest of a candidate call, or undefined when its words are not a statement the market accepts. */
export function digestOf(programId: Hex, publicInputs: readonly Hex[]): Hex | undefined {
  try {
    return statementDigest(programId, publicInputs);
  } catch (err) {
    if (err instanceof CommitmentError) return undefined;
    throw err;
  }
}

async function findSubmission(src: InputSource, id: bigint): Promise<SubmissionRow | undefined> {
  const topics = encodeEventTopics({ abi: aggregationMarketAbi, eventName: 'Submitted', args: { submissionId: id } });
  const logs = await findLogsBackwards(src.client, {
    address: src.market,
    topics: topics as Hex[],
    fromBlock: src.startBlock,
    maxRange: src.maxLogRange,
  });
  const ev = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'Submitted', logs }).at(-1);
  if (!ev || ev.blockNumber === null || ev.transactionHash === null) return undefined;
  const row: SubmissionRow = {
    submissionId: id,
    batchId: batchOf(id),
    slot: slotOf(id),
    programId: ev.args.programId,
    digest: ev.args.digest,
    proofHash: ev.args.proofHash,
    fee: ev.args.fee,
    txHash: ev.transactionHash,
    block: ev.blockNumber,
  };
  src.db.upsertSubmission(row);
  return row;
}

/** The program's vk and owner: from the database, else from its ProgramRegistered event (cached). */
export async function programOf(
  src: InputSource,
  programId: Hex,
): Promise<{ vk: Hex; owner: Address; publicInputCount: number } | undefined> {
  const cached = src.db.getProgram(programId);
  if (cached?.owner) return { vk: cached.vk, owner: cached.owner, publicInputCount: cached.publicInputCount };
  const topics = [
    encodeEventTopics({ abi: aggregationMarketAbi, eventName: 'ProgramRegistered' })[0]!,
    pad(toHex(BigInt(programId)), { size: 32 }),
  ];
  const logs = await findLogsBackwards(src.client, { address: src.market, topics, fromBlock: src.startBlock, maxRange: src.maxLogRange });
  const ev = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'ProgramRegistered', logs }).at(-1);
  if (!ev || ev.blockNumber === null) return undefined;
  src.db.upsertProgram({
    programId,
    owner: ev.args.owner,
    publicInputCount: ev.args.publicInputCount,
    vk: ev.args.vk,
    block: ev.blockNumber,
  });
  src.log.debug('program vk fetched from its registration event', { programId, block: ev.blockNumber });
  return { vk: ev.args.vk, owner: ev.args.owner, publicInputCount: ev.args.publicInputCount };
}
