/**
 * A batch's leaves rebuilt from chain data alone, for inclusion paths (the SDK's waitForVerification and
 * isVerified; the keeper and the explorer through the SDK face). Nothing is stored per statement on chain,
 * so the statements come from the transactions that brought them:
 * - chain batches (calldata and blob channels): the `MarketSubmitted` events name the transactions and
 *   slot ranges; each transaction's calldata (`submit`, `submitMany` or `submitBlobs`) gives the program
 *   ids and public inputs, hence the digests, in the order the events consumed them;
 * - posted batches (off-chain channel): the `postBatch` transaction's calldata gives every group's digests;
 *   the post's `MarketBatchPosted` event says which groups the market accepted (its request hashes, matched
 *   by each posted group's EIP-712 hash) and, through their counts in slot order, at which slots.
 * Only transactions that call the market directly can be read this way (a call through another contract
 * hides its calldata): such a batch throws {@link BatchContentsError}.
 */
import { decodeFunctionData, type Address, type Hash, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import {
  batchLeaves,
  batchRoot,
  type Group,
  groupWord,
  inclusionPath,
  marketDomain,
  requestHash,
  statementDigest,
  statementsHash,
} from '../../protocol/index.js';
import type { NexClient } from '../client.js';
import { NexError } from '../errors.js';
import { eventsOfReceipt, submittedEvents, batchPostedEvent, type LogRange } from './events.js';
import { getBatch } from '../actions/getBatch.js';

/** One slot of a batch: who paid for which statement. */
export interface BatchStatement {
  readonly slot: number;
  readonly programId: Hex;
  readonly publicInputs: readonly Hex[];
  readonly digest: Hex;
  readonly payer: Address;
  readonly feePerProof: bigint;
  readonly callbackGas: bigint;
  /** The transaction that brought the statement (submit/submitMany/submitBlobs or postBatch). */
  readonly txHash: Hash;
}

export interface BatchContents {
  readonly batchId: bigint;
  readonly posted: boolean;
  readonly capacity: number;
  /** The poster (posted batches). */
  readonly poster?: Address | undefined;
  readonly statements: readonly BatchStatement[];
  /** The groups as the market committed them (word, program id), in slot order. */
  readonly groups: readonly Group[];
  /** The digests in slot order (the leaves of the filled slots). */
  readonly digests: readonly Hex[];
}

/** The batch's statements cannot be rebuilt from chain data. */
export class BatchContentsError extends NexError {
  override name = 'BatchContentsError';
  constructor(
    readonly batchId: bigint,
    reason: string,
  ) {
    super(`batch ${batchId}: cannot rebuild its statements from chain data: ${reason}`);
  }
}

interface CallStatement {
  readonly programId: Hex;
  readonly publicInputs: readonly Hex[];
}

/** The statements a direct market call carries, in the order the market appends them. */
function statementsOfCall(input: Hex): CallStatement[] | undefined {
  let call;
  try {
    call = decodeFunctionData({ abi: aggregationMarketAbi, data: input });
  } catch {
    return undefined;
  }
  switch (call.functionName) {
    case 'submit': {
      const [programId, publicInputs] = call.args;
      return [{ programId, publicInputs }];
    }
    case 'submitMany':
    case 'submitBlobs': {
      const [programIds, publicInputs] = call.args;
      return programIds.map((programId, i) => ({ programId, publicInputs: publicInputs[i] ?? [] }));
    }
    default:
      return undefined;
  }
}

async function chainContents(client: NexClient, batchId: bigint, capacity: number, range: LogRange): Promise<BatchContents> {
  const groups = await submittedEvents(client, batchId, range);
  const statements: BatchStatement[] = [];
  const txCache = new Map<Hash, { calls: CallStatement[]; events: ReturnType<typeof eventsOfReceipt>['submitted'] }>();
  for (const g of groups) {
    let tx = txCache.get(g.txHash);
    if (!tx) {
      const [transaction, receipt] = await Promise.all([
        client.public.getTransaction({ hash: g.txHash }),
        client.public.getTransactionReceipt({ hash: g.txHash }),
      ]);
      const direct = transaction.to?.toLowerCase() === client.addresses.market.toLowerCase();
      const calls = direct ? statementsOfCall(transaction.input) : undefined;
      if (!calls) throw new BatchContentsError(batchId, `transaction ${g.txHash} does not call the market's submit functions directly`);
      tx = { calls, events: eventsOfReceipt(client.addresses.market, receipt.logs).submitted };
      txCache.set(g.txHash, tx);
    }
    // The transaction's groups consume its statements in log order.
    let offset = 0;
    for (const e of tx.events) {
      if (e.logIndex === g.logIndex) break;
      offset += e.count;
    }
    const slice = tx.calls.slice(offset, offset + g.count);
    if (slice.length !== g.count) throw new BatchContentsError(batchId, `transaction ${g.txHash} carries fewer statements than its events`);
    slice.forEach((s, k) => {
      statements.push({
        slot: g.firstSlot + k,
        programId: s.programId,
        publicInputs: s.publicInputs,
        digest: statementDigest(s.programId, s.publicInputs),
        payer: g.payer,
        feePerProof: g.feePerProof,
        callbackGas: g.callbackGas,
        txHash: g.txHash,
      });
    });
  }
  const groupList = groups.map((g) => ({
    word: groupWord({ payer: g.payer, feePerProof: g.feePerProof, count: g.count, callbackGas: g.callbackGas }),
    programId: g.programId,
  }));
  return finish(batchId, false, capacity, undefined, statements, groupList);
}

async function postedContents(client: NexClient, batchId: bigint, capacity: number, range: LogRange): Promise<BatchContents> {
  const post = await batchPostedEvent(client, batchId, range);
  if (!post) throw new BatchContentsError(batchId, 'no MarketBatchPosted event');
  const transaction = await client.public.getTransaction({ hash: post.txHash });
  if (transaction.to?.toLowerCase() !== client.addresses.market.toLowerCase()) {
    throw new BatchContentsError(batchId, `post ${post.txHash} does not call the market directly`);
  }
  const call = decodeFunctionData({ abi: aggregationMarketAbi, data: transaction.input });
  if (call.functionName !== 'postBatch') throw new BatchContentsError(batchId, `${post.txHash} is not a postBatch call`);
  const [postedGroups, digests] = call.args;
  const chainId = await client.public.getChainId();
  const domain = marketDomain(chainId, client.addresses.market);
  // The request hash of each posted group over its digests: the post event names the accepted ones'.
  const byHash = new Map<Hex, readonly Hex[]>();
  let offset = 0;
  for (const g of postedGroups) {
    const own = digests.slice(offset, offset + g.count);
    offset += g.count;
    const hash = requestHash(
      {
        programId: g.programId,
        statementsHash: statementsHash(own),
        count: g.count,
        feePerProof: g.feePerProof,
        nonce: g.nonce,
        deadline: g.deadline,
      },
      domain,
    );
    byHash.set(hash, own);
  }
  const accepted = post.accepted;
  const statements: BatchStatement[] = [];
  for (const e of accepted) {
    const own = byHash.get(e.requestHash);
    if (!own) throw new BatchContentsError(batchId, `accepted request ${e.requestHash} is not among the post's groups`);
    own.forEach((digest, k) =>
      statements.push({
        slot: e.firstSlot + k,
        programId: e.programId,
        // The post carries digests, not public inputs: the relay (GET /v1/proofs/{digest}) or the payer has them.
        publicInputs: [],
        digest,
        payer: e.payer,
        feePerProof: e.feePerProof,
        callbackGas: e.callbackGas,
        txHash: post.txHash,
      }),
    );
  }
  const groupList = accepted.map((e) => ({
    word: groupWord({ payer: e.payer, feePerProof: e.feePerProof, count: e.count, callbackGas: e.callbackGas }),
    programId: e.programId,
  }));
  const contents = finish(batchId, true, capacity, post.poster, statements, groupList);
  if (batchRoot(contents.digests, capacity) !== post.root) {
    throw new BatchContentsError(batchId, 'the rebuilt digests do not give the posted root');
  }
  return contents;
}

function finish(
  batchId: bigint,
  posted: boolean,
  capacity: number,
  poster: Address | undefined,
  statements: BatchStatement[],
  groups: Group[],
): BatchContents {
  statements.sort((a, b) => a.slot - b.slot);
  statements.forEach((s, i) => {
    if (s.slot !== i) throw new BatchContentsError(batchId, `slot ${i} is missing from the events`);
  });
  return { batchId, posted, capacity, poster, statements, groups, digests: statements.map((s) => s.digest) };
}

/**
 * Rebuilds a batch's statements, groups and digests from chain data (events and the calldata of the
 * transactions they name). Throws {@link BatchContentsError} when that is impossible.
 */
export async function getBatchContents(client: NexClient, batchId: bigint, range: LogRange = {}): Promise<BatchContents> {
  const batch = await getBatch(client, batchId);
  if (batch.state === 'none') throw new BatchContentsError(batchId, 'no such batch');
  return batch.posted ? postedContents(client, batchId, batch.capacity, range) : chainContents(client, batchId, batch.capacity, range);
}

/** The inclusion path of `slot` in the batch's tree with `excludedMask`'s slots as zero leaves. */
export function inclusionOf(contents: BatchContents, slot: number, excludedMask: bigint = 0n): Inclusion {
  const leaves = batchLeaves(contents.digests, contents.capacity, excludedMask);
  return { batchId: contents.batchId, index: slot, siblings: inclusionPath(leaves, slot) };
}

/** The market's `Inclusion` struct: batch, slot and the siblings bottom first. */
export interface Inclusion {
  readonly batchId: bigint;
  readonly index: number;
  readonly siblings: readonly Hex[];
}
