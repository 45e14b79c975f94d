/**
 * The one place the explorer decodes contract events (market, staking): raw logs in, the explorer's own
 * typed events out, through the generated ABIs (prover/abi/generated.ts). When a contract renames or drops
 * an event, this file (and its test) is what changes; the index and the views only know ChainEvent.
 */
import { parseEventLogs, size, slice, type Address, type Hex, type Log } from 'viem';
import { aggregationMarketAbi, proverStakingAbi } from '../../abi/generated.js';
import { acceptedOfPost as decodePostedRequests } from '../../protocol/index.js';

/** Where an event happened. */
export interface EventRef {
  readonly block: bigint;
  readonly tx: Hex;
  readonly logIndex: number;
}

export type ChainEvent = { readonly at: EventRef } & (
  | { readonly kind: 'programRegistered'; programId: Hex; owner: Address; vkHash: Hex; publicInputCount: number }
  | { readonly kind: 'programOwnerChanged'; programId: Hex; owner: Address }
  | { readonly kind: 'programCallbackSet'; programId: Hex; callback: Address; gasLimit: number }
  | { readonly kind: 'batchOpened'; batchId: bigint; capacity: number }
  | {
      readonly kind: 'submitted';
      batchId: bigint;
      programId: Hex;
      payer: Address;
      firstSlot: number;
      count: number;
      feePerProof: bigint;
      callbackGas: number;
    }
  | { readonly kind: 'blobsSubmitted'; batchId: bigint; firstSlot: number; count: number; versionedHashes: readonly Hex[] }
  | {
      readonly kind: 'requestAccepted';
      batchId: bigint;
      payer: Address;
      nonce: bigint;
      programId: Hex;
      firstSlot: number;
      count: number;
      feePerProof: bigint;
      callbackGas: number;
      requestHash: Hex;
    }
  | { readonly kind: 'requestSkipped'; payer: Address; nonce: bigint; reason: number }
  | { readonly kind: 'batchPosted'; batchId: bigint; poster: Address; root: Hex; count: number; capacity: number; escrow: bigint }
  | { readonly kind: 'batchSealed'; batchId: bigint; version: number; count: number; sealBlock: bigint }
  | { readonly kind: 'batchLocked'; batchId: bigint; prover: Address; lockDeadline: bigint; finalDeadline: bigint; collateral: bigint }
  | {
      readonly kind: 'batchFulfilled';
      batchId: bigint;
      prover: Address;
      provenRoot: Hex;
      excludedMask: bigint;
      proverFees: bigint;
      protocolFee: bigint;
      posterFee: bigint;
      late: boolean;
    }
  | { readonly kind: 'feesReturned'; batchId: bigint; payer: Address; amount: bigint; toDeposit: boolean }
  | { readonly kind: 'batchClosed'; batchId: bigint; locker: Address }
  | { readonly kind: 'batchReleased'; batchId: bigint; caller: Address }
  | { readonly kind: 'batchSlashed'; batchId: bigint; locker: Address; caller: Address; burned: bigint; rewarded: bigint }
  | { readonly kind: 'lockReleased'; batchId: bigint; locker: Address; collateral: bigint }
  | { readonly kind: 'staked'; prover: Address; amount: bigint }
);

export type ChainEventKind = ChainEvent['kind'];

const ref = (l: { blockNumber: bigint | null; transactionHash: Hex | null; logIndex: number | null }): EventRef => ({
  block: l.blockNumber ?? 0n,
  tx: l.transactionHash ?? '0x',
  logIndex: l.logIndex ?? 0,
});

/** The market's events the explorer reads, decoded; other logs (and other contracts') are skipped. */
export function decodeMarketLogs(logs: readonly Log[]): ChainEvent[] {
  const out: ChainEvent[] = [];
  for (const l of parseEventLogs({ abi: aggregationMarketAbi, logs: [...logs], strict: true })) {
    const at = ref(l);
    switch (l.eventName) {
      case 'MarketProgramRegistered':
        out.push({
          at,
          kind: 'programRegistered',
          programId: l.args.programId,
          owner: l.args.owner,
          vkHash: l.args.vkHash,
          publicInputCount: Number(l.args.publicInputCount),
        });
        break;
      case 'MarketProgramOwnershipTransferred':
        out.push({ at, kind: 'programOwnerChanged', programId: l.args.programId, owner: l.args.newOwner });
        break;
      case 'MarketProgramCallbackSet':
        out.push({
          at,
          kind: 'programCallbackSet',
          programId: l.args.programId,
          callback: l.args.callback,
          gasLimit: Number(l.args.gasLimit),
        });
        break;
      case 'MarketBatchOpened':
        out.push({ at, kind: 'batchOpened', batchId: l.args.batchId, capacity: Number(l.args.capacity) });
        break;
      case 'MarketSubmitted':
        out.push({
          at,
          kind: 'submitted',
          batchId: l.args.batchId,
          programId: l.args.programId,
          payer: l.args.payer,
          firstSlot: Number(l.args.firstSlot),
          count: Number(l.args.count),
          feePerProof: l.args.feePerProof,
          callbackGas: Number(l.args.callbackGas),
        });
        break;
      case 'MarketBlobsSubmitted':
        out.push({
          at,
          kind: 'blobsSubmitted',
          batchId: l.args.batchId,
          firstSlot: Number(l.args.firstSlot),
          count: Number(l.args.count),
          versionedHashes: l.args.versionedHashes,
        });
        break;
      case 'MarketRequestSkipped':
        out.push({ at, kind: 'requestSkipped', payer: l.args.payer, nonce: l.args.nonce, reason: Number(l.args.reason) });
        break;
      case 'MarketBatchPosted':
        out.push({
          at,
          kind: 'batchPosted',
          batchId: l.args.batchId,
          poster: l.args.poster,
          root: l.args.root,
          count: Number(l.args.count),
          capacity: Number(l.args.capacity),
          escrow: l.args.escrow,
        });
        // The post's accepted requests ride on its event (request i is group i), after it in chain order.
        out.push(...acceptedOfPost(at, l.args.batchId, l.args.groups, l.args.requestHashes, l.args.nonces));
        break;
      case 'MarketBatchSealed':
        out.push({
          at,
          kind: 'batchSealed',
          batchId: l.args.batchId,
          version: Number(l.args.version),
          count: Number(l.args.count),
          sealBlock: l.args.sealBlock,
        });
        break;
      case 'MarketBatchLocked':
        out.push({
          at,
          kind: 'batchLocked',
          batchId: l.args.batchId,
          prover: l.args.prover,
          lockDeadline: l.args.lockDeadline,
          finalDeadline: l.args.finalDeadline,
          collateral: l.args.collateral,
        });
        break;
      case 'MarketBatchFulfilled':
        out.push({
          at,
          kind: 'batchFulfilled',
          batchId: l.args.batchId,
          prover: l.args.prover,
          provenRoot: l.args.provenRoot,
          excludedMask: l.args.excludedMask,
          proverFees: l.args.proverFees,
          protocolFee: l.args.protocolFee,
          posterFee: l.args.posterFee,
          late: l.args.late,
        });
        break;
      case 'MarketFeesReturned':
        out.push({
          at,
          kind: 'feesReturned',
          batchId: l.args.batchId,
          payer: l.args.payer,
          amount: l.args.amount,
          toDeposit: l.args.toDeposit,
        });
        break;
      case 'MarketBatchClosed':
        out.push({ at, kind: 'batchClosed', batchId: l.args.batchId, locker: l.args.locker });
        break;
      case 'MarketBatchReleased':
        out.push({ at, kind: 'batchReleased', batchId: l.args.batchId, caller: l.args.caller });
        break;
      case 'MarketBatchSlashed':
        out.push({
          at,
          kind: 'batchSlashed',
          batchId: l.args.batchId,
          locker: l.args.locker,
          caller: l.args.caller,
          burned: l.args.burned,
          rewarded: l.args.rewarded,
        });
        break;
      case 'MarketLockReleased':
        out.push({ at, kind: 'lockReleased', batchId: l.args.batchId, locker: l.args.locker, collateral: l.args.collateral });
        break;
      default:
        break;
    }
  }
  return out;
}

/** Bytes of one accepted group in `MarketBatchPosted.groups`: `abi.encodePacked(word, programId)`. */
const GROUP_BYTES = 64;

/**
 * The `requestAccepted` events of one `MarketBatchPosted`: request `i` is group `i` of `groups` (the group
 * word `payer | feePerProof | count | callbackGas`, then the program id), its first slot the sum of the counts
 * before it. They share the post's `at`.
 */
function acceptedOfPost(
  at: EventRef,
  batchId: bigint,
  groups: Hex,
  requestHashes: readonly Hex[],
  nonces: readonly bigint[],
): ChainEvent[] {
  const n = requestHashes.length;
  if (size(groups) !== n * GROUP_BYTES || nonces.length !== n) {
    throw new Error(`MarketBatchPosted of batch ${batchId}: ${size(groups)} bytes of groups, ${n} request hashes, ${nonces.length} nonces`);
  }
  return decodePostedRequests(groups, requestHashes, nonces).map((r): ChainEvent => ({
    at,
    kind: 'requestAccepted',
    batchId,
    ...r,
    callbackGas: Number(r.callbackGas),
  }));
}

/** The staking events the explorer reads (who staked: the provers list). */
export function decodeStakingLogs(logs: readonly Log[]): ChainEvent[] {
  const out: ChainEvent[] = [];
  for (const l of parseEventLogs({ abi: proverStakingAbi, logs: [...logs], strict: true })) {
    if (l.eventName === 'StakingStaked') out.push({ at: ref(l), kind: 'staked', prover: l.args.prover, amount: l.args.amount });
  }
  return out;
}

/** Events in chain order. */
export function byChainOrder(a: ChainEvent, b: ChainEvent): number {
  if (a.at.block !== b.at.block) return a.at.block < b.at.block ? -1 : 1;
  return a.at.logIndex - b.at.logIndex;
}
