/**
 * The one place that knows the version-2 market's event names and fields (contracts/interfaces/
 * IAggregationMarket.sol). Everything else in the keeper reads the typed records below, so a renamed or
 * dropped event changes this file only.
 */
import { encodeEventTopics, parseEventLogs, type Address, type Hex, type Log } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import { acceptedOfPost } from '../../protocol/index.js';

interface At {
  readonly block: bigint;
  readonly txHash: Hex;
  readonly logIndex: number;
}

/** What the keeper reads from the market's events. */
export type MarketEvent = At &
  (
    | { kind: 'program'; programId: Hex; owner: Address; vkHash: Hex; publicInputCount: number; vk: Hex }
    | {
        kind: 'submitted';
        batchId: bigint;
        programId: Hex;
        payer: Address;
        firstSlot: number;
        count: number;
        feePerProof: bigint;
        callbackGas: number;
      }
    | { kind: 'blobs'; batchId: bigint; firstSlot: number; count: number; versionedHashes: Hex[] }
    | {
        kind: 'accepted';
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
    | { kind: 'posted'; batchId: bigint; poster: Address; root: Hex; groupsHash: Hex; count: number; capacity: number }
    | { kind: 'sealed'; batchId: bigint; version: number; count: number; sealBlock: bigint }
    | { kind: 'locked'; batchId: bigint; prover: Address }
    | { kind: 'fulfilled'; batchId: bigint; prover: Address; proverFees: bigint; protocolFee: bigint; excludedMask: bigint; late: boolean }
    | { kind: 'closed'; batchId: bigint; locker: Address }
    | { kind: 'released'; batchId: bigint; caller: Address }
    | { kind: 'slashed'; batchId: bigint; locker: Address; caller: Address; rewarded: bigint }
    | { kind: 'lockReleased'; batchId: bigint; locker: Address }
  );

export type MarketEventKind = MarketEvent['kind'];

/** The market event each kind is decoded from. */
export const EVENT_NAMES = {
  program: 'MarketProgramRegistered',
  submitted: 'MarketSubmitted',
  blobs: 'MarketBlobsSubmitted',
  accepted: 'MarketBatchPosted',
  posted: 'MarketBatchPosted',
  sealed: 'MarketBatchSealed',
  locked: 'MarketBatchLocked',
  fulfilled: 'MarketBatchFulfilled',
  closed: 'MarketBatchClosed',
  released: 'MarketBatchReleased',
  slashed: 'MarketBatchSlashed',
  lockReleased: 'MarketLockReleased',
} as const satisfies Record<MarketEventKind, string>;

/** Topics that find the registration of one program (`eth_getLogs`). */
export function programRegisteredTopics(programId: Hex): Hex[] {
  return encodeEventTopics({ abi: aggregationMarketAbi, eventName: EVENT_NAMES.program, args: { programId } }) as Hex[];
}

/** The market events among `logs` the keeper reads, in log order; other logs are skipped. */
export function decodeMarketEvents(logs: readonly Log[]): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (const ev of parseEventLogs({ abi: aggregationMarketAbi, logs: logs as Log[], strict: true })) {
    if (ev.blockNumber === null || ev.transactionHash === null || ev.logIndex === null) continue;
    const at: At = { block: ev.blockNumber, txHash: ev.transactionHash, logIndex: ev.logIndex };
    switch (ev.eventName) {
      case 'MarketProgramRegistered': {
        const a = ev.args;
        out.push({
          ...at,
          kind: 'program',
          programId: a.programId,
          owner: a.owner,
          vkHash: a.vkHash,
          publicInputCount: a.publicInputCount,
          vk: a.vk,
        });
        break;
      }
      case 'MarketSubmitted': {
        const a = ev.args;
        out.push({
          ...at,
          kind: 'submitted',
          batchId: a.batchId,
          programId: a.programId,
          payer: a.payer,
          firstSlot: Number(a.firstSlot),
          count: Number(a.count),
          feePerProof: a.feePerProof,
          callbackGas: Number(a.callbackGas),
        });
        break;
      }
      case 'MarketBlobsSubmitted': {
        const a = ev.args;
        out.push({
          ...at,
          kind: 'blobs',
          batchId: a.batchId,
          firstSlot: Number(a.firstSlot),
          count: Number(a.count),
          versionedHashes: [...a.versionedHashes],
        });
        break;
      }
      case 'MarketBatchPosted': {
        const a = ev.args;
        // One event per post (the gas-cheap form): its accepted requests first, then the batch itself.
        for (const r of acceptedOfPost(a.groups, a.requestHashes, a.nonces)) {
          out.push({ ...at, kind: 'accepted', batchId: a.batchId, ...r, callbackGas: Number(r.callbackGas) });
        }
        out.push({
          ...at,
          kind: 'posted',
          batchId: a.batchId,
          poster: a.poster,
          root: a.root,
          groupsHash: a.groupsHash,
          count: Number(a.count),
          capacity: Number(a.capacity),
        });
        break;
      }
      case 'MarketBatchSealed':
        out.push({
          ...at,
          kind: 'sealed',
          batchId: ev.args.batchId,
          version: ev.args.version,
          count: Number(ev.args.count),
          sealBlock: ev.args.sealBlock,
        });
        break;
      case 'MarketBatchLocked':
        out.push({ ...at, kind: 'locked', batchId: ev.args.batchId, prover: ev.args.prover });
        break;
      case 'MarketBatchFulfilled': {
        const a = ev.args;
        out.push({
          ...at,
          kind: 'fulfilled',
          batchId: a.batchId,
          prover: a.prover,
          proverFees: a.proverFees,
          protocolFee: a.protocolFee,
          excludedMask: a.excludedMask,
          late: a.late,
        });
        break;
      }
      case 'MarketBatchClosed':
        out.push({ ...at, kind: 'closed', batchId: ev.args.batchId, locker: ev.args.locker });
        break;
      case 'MarketBatchReleased':
        out.push({ ...at, kind: 'released', batchId: ev.args.batchId, caller: ev.args.caller });
        break;
      case 'MarketBatchSlashed':
        out.push({
          ...at,
          kind: 'slashed',
          batchId: ev.args.batchId,
          locker: ev.args.locker,
          caller: ev.args.caller,
          rewarded: ev.args.rewarded,
        });
        break;
      case 'MarketLockReleased':
        out.push({ ...at, kind: 'lockReleased', batchId: ev.args.batchId, locker: ev.args.locker });
        break;
      default:
        break;
    }
  }
  return out;
}
