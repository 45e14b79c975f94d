/**
 * The `Settlement` a fulfilment, closure or release passes (spec V2.6; the market checks it against the
 * batch commitment): built from the content the keeper read (work/content.ts).
 */
import { type Settlement, chainSettlement, fastSettlement, postedSettlement } from '../../protocol/index.js';
import type { BatchContent } from './content.js';

export type SettlementUse = { kind: 'fulfil'; excludedMask: bigint; hasCallback: boolean } | { kind: 'close' } | { kind: 'release' };

/** Whether a fulfilment takes the fast path (posted batch, nothing excluded, no callback: 96 bytes of settlement). */
export function isFastPath(content: BatchContent, use: SettlementUse): boolean {
  return use.kind === 'fulfil' && content.posted && use.excludedMask === 0n && !use.hasCallback;
}

/**
 * Chain form (calldata and blob batches): groups and digests. Posted form: root, groups hash and poster,
 * plus the groups and digests unless the fulfilment takes the fast path; a closure or release of a posted
 * batch needs the groups (to return each payer's fees) but not the digests.
 */
export function settlementFor(content: BatchContent, use: SettlementUse): Settlement {
  if (!content.posted || !content.post) return chainSettlement(content.groups, content.digests);
  const full = postedSettlement(content.groups, content.digests, content.post.poster);
  if (isFastPath(content, use)) return fastSettlement(full);
  if (use.kind !== 'fulfil') return { ...full, digests: [] };
  return full;
}

/** The viem form of a settlement (the `fulfill` / `close` / `release` argument). */
export function settlementArg(s: Settlement) {
  return {
    root: s.root,
    groupsHash: s.groupsHash,
    poster: s.poster,
    groups: s.groups.map((g) => ({ word: g.word, programId: g.programId })),
    digests: s.digests,
  } as const;
}
