/**
 * The demo's off-chain channel: the rollups deposit ETH for fees, sign requests and hand their proofs to
 * the demo's relay (`nex relay`), which checks each proof with bb before it acknowledges, refuses the
 * tampered one, and posts the accepted statements as one batch: only the statements' commitments reach
 * L1, never the proofs. The keepers then take the posted batch like any other, fetching its proofs from
 * the relay.
 */
import type { Hash } from 'viem';
import { deposit, estimateFee, OffchainNotPostedError, programIdOf, submitOffchain, type OffchainEvent } from '../sdk/index.js';
import type { Actor, DemoChain } from './chain.js';
import type { Posted, RollupProofs } from './rollups.js';
import type { Update } from './stage.js';
import { DemoError } from './types.js';
import { bytesToHex } from 'viem';
import type { RollupProof } from '../engine/index.js';

/** What the relay said about the tampered proof. */
export interface RelayRefusal {
  readonly rollup: string;
  readonly reason: string;
  readonly message: string;
}

/** The off-chain batch as the relay posted it. */
export interface OffchainPost {
  readonly batchId: bigint;
  /** The post transaction (the batch's whole intake on L1). */
  readonly postTx: Hash;
  readonly posted: Posted[];
}

/** The fee each off-chain statement pays: the market's suggestion for an off-chain batch of `size`. */
export async function offchainFee(chain: DemoChain, size: number): Promise<bigint> {
  return (await estimateFee(chain.reader, { channel: 'offchain', batchSize: size })).suggestedFee;
}

/** Deposit: each rollup deposits enough for `statements` fees (fees are debited only for verified statements). */
export async function depositFees(chain: DemoChain, fee: bigint, statements: number, update: Update): Promise<bigint> {
  const amount = fee * BigInt(statements);
  for (const [name, actor] of [
    ['A', chain.rollupA],
    ['B', chain.rollupB],
  ] as const) {
    update(`rollup ${name} deposits`);
    await deposit(actor.client, amount);
  }
  return amount;
}

const statementOf = (actor: Actor, proof: RollupProof) => ({
  programId: programIdOf(actor.address, proof.vkHash),
  publicInputs: proof.publicInputs,
  proof: bytesToHex(proof.proof),
});

/** The tampered proof through the SDK's off-chain path: the relay must refuse it (bb verify) and nothing is posted. */
export async function tamperedRefused(chain: DemoChain, relayUrl: string, proofs: RollupProofs, fee: bigint): Promise<RelayRefusal> {
  const events: OffchainEvent[] = [];
  try {
    await submitOffchain(chain.rollupB.client, {
      relays: [relayUrl],
      statements: [statementOf(chain.rollupB, proofs.tampered)],
      feePerProof: fee,
      fallback: 'none',
      onEvent: (e) => events.push(e),
    });
  } catch (err) {
    const refused = events.find((e) => e.kind === 'relay-refused');
    if (err instanceof OffchainNotPostedError && refused?.kind === 'relay-refused') {
      return { rollup: 'B (transfer)', reason: refused.reason, message: refused.message };
    }
    throw err;
  }
  throw new DemoError('the relay accepted and posted a tampered proof');
}

/** Off-chain submission: rollup A's and B's requests at once; the relay posts both in one batch. */
export async function submitOffchainProofs(
  chain: DemoChain,
  relayUrl: string,
  proofs: RollupProofs,
  fee: bigint,
  update: Update,
): Promise<OffchainPost> {
  const items = [
    { rollup: 'A (counter)', actor: chain.rollupA, proof: proofs.counter2 },
    { rollup: 'B (transfer)', actor: chain.rollupB, proof: proofs.transfer2 },
  ];
  const seen: string[] = [];
  const note = (rollup: string) => (e: OffchainEvent) => {
    if (e.kind === 'relay-accepted') seen.push(`${rollup} acknowledged`);
    else if (e.kind === 'posted') seen.push(`${rollup} posted in batch ${e.batchId}`);
    else if (e.kind === 'relay-refused') seen.push(`${rollup} refused: ${e.reason}`);
    else return;
    update(seen.join(', '));
  };
  const results = await Promise.all(
    items.map((it) =>
      submitOffchain(it.actor.client, {
        relays: [relayUrl],
        statements: [statementOf(it.actor, it.proof)],
        feePerProof: fee,
        // The demo shows the off-chain channel: a relay failure fails the demo instead of falling back to calldata.
        fallback: 'none',
        onEvent: note(it.rollup),
      }),
    ),
  );
  const posted: Posted[] = results.map((r, i) => {
    const it = items[i]!;
    if (r.channel !== 'offchain') throw new DemoError(`rollup ${it.rollup}'s statement went through ${r.channel}`);
    return { rollup: it.rollup, client: it.actor.client, proof: it.proof, valid: true, submission: r.statements[0]!, txHash: r.txHash };
  });
  const batchIds = new Set(posted.map((p) => p.submission.batchId));
  const txs = new Set(posted.map((p) => p.txHash));
  if (batchIds.size !== 1 || txs.size !== 1) {
    throw new DemoError(`the relay posted the two requests in ${batchIds.size} batches (${txs.size} transactions), expected one`);
  }
  return { batchId: posted[0]!.submission.batchId, postTx: posted[0]!.txHash, posted };
}
