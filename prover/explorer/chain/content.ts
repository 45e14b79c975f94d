/**
 * A batch's statements (digest per slot, and the public inputs where the chain has them) are not in the
 * market's events: they are in the calldata of the transactions that put them there. This module decodes a
 * market call (submit, submitMany, submitBlobs, postBatch) into its statements, in slot order. A statement
 * that entered through another contract (the transaction's `to` is not the market) is not decoded here;
 * its slots stay "digest unknown" (the SDK's batch reader, which follows call traces, can replace this
 * behind the same function shape).
 */
import { decodeFunctionData, type Address, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import { statementDigest } from '../../protocol/index.js';

export interface DecodedStatement {
  readonly programId: Hex;
  readonly digest: Hex;
  /** Known for the calldata and blob channels; the off-chain channel puts only digests on chain. */
  readonly publicInputs: readonly Hex[] | undefined;
}

/** One group of a postBatch call as signed (accepted or skipped: the events tell which). */
export interface PostedCallGroup {
  readonly programId: Hex;
  readonly count: number;
  readonly feePerProof: bigint;
  readonly nonce: bigint;
  readonly digests: readonly Hex[];
}

export type DecodedIntake =
  | { readonly fn: 'submit' | 'submitMany' | 'submitBlobs'; readonly statements: readonly DecodedStatement[] }
  | { readonly fn: 'postBatch'; readonly groups: readonly PostedCallGroup[] };

/** Decodes a transaction sent to the market; undefined when it is not one of the intake calls. */
export function decodeIntake(to: Address | null, market: Address, input: Hex): DecodedIntake | undefined {
  if (!to || to.toLowerCase() !== market.toLowerCase()) return undefined;
  let call;
  try {
    call = decodeFunctionData({ abi: aggregationMarketAbi, data: input });
  } catch {
    return undefined;
  }
  const statement = (programId: Hex, publicInputs: readonly Hex[]): DecodedStatement => ({
    programId,
    publicInputs,
    digest: statementDigest(programId, publicInputs),
  });
  switch (call.functionName) {
    case 'submit':
      return { fn: 'submit', statements: [statement(call.args[0], call.args[1])] };
    case 'submitMany':
    case 'submitBlobs': {
      const [programIds, inputs] = call.args;
      return { fn: call.functionName, statements: programIds.map((p, i) => statement(p, inputs[i] ?? [])) };
    }
    case 'postBatch': {
      const [groups, digests] = call.args;
      let at = 0;
      return {
        fn: 'postBatch',
        groups: groups.map((g) => {
          const count = Number(g.count);
          const mine = digests.slice(at, at + count);
          at += count;
          return { programId: g.programId, count, feePerProof: g.feePerProof, nonce: g.nonce, digests: mine };
        }),
      };
    }
    default:
      return undefined;
  }
}

/** An accepted group as its event tells it (slot range, program, nonce, count, fee). */
export interface AcceptedGroup {
  readonly programId: Hex;
  readonly nonce: bigint;
  readonly count: number;
  readonly feePerProof: bigint;
  readonly firstSlot: number;
}

/**
 * Matches a postBatch call's groups to the groups the market accepted (in slot order; skipped ones have
 * no event) and returns the digests of each accepted group, or undefined when they do not line up.
 */
export function acceptedDigests(call: readonly PostedCallGroup[], accepted: readonly AcceptedGroup[]): Hex[][] | undefined {
  const sorted = [...accepted].sort((a, b) => a.firstSlot - b.firstSlot);
  const out: Hex[][] = [];
  let i = 0;
  for (const g of call) {
    const next = sorted[i];
    if (next && next.programId === g.programId && next.nonce === g.nonce && next.count === g.count && next.feePerProof === g.feePerProof) {
      out.push([...g.digests]);
      i++;
    }
  }
  return i === sorted.length ? out : undefined;
}
