import type { Address, Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import type { NexClient } from '../client.js';

/** A batch's state, by the market's `BatchState` names (lower case). */
export type BatchStateName = 'none' | 'open' | 'sealed' | 'locked' | 'fulfilled' | 'closed' | 'released' | 'expired';

const STATES: readonly BatchStateName[] = ['none', 'open', 'sealed', 'locked', 'fulfilled', 'closed', 'released', 'expired'];

/** The market's view of a batch (IAggregationMarket.getBatch), times in seconds. */
export interface BatchView {
  readonly batchId: bigint;
  readonly state: BatchStateName;
  /** Posted form (off-chain channel) rather than chain form (calldata and blob channels). */
  readonly posted: boolean;
  readonly hasCallback: boolean;
  readonly capacity: number;
  readonly count: number;
  readonly version: number;
  readonly openedAt: number;
  readonly sealedAt: number;
  readonly lockDeadline: bigint;
  readonly finalDeadline: bigint;
  readonly expiry: bigint;
  readonly escrow: bigint;
  /** The commitment, or the proven root once fulfilled. */
  readonly commitment: Hex;
  /**
   * The live lock's prover while locked (after a slash, while sealed again, the slashed one); the zero
   * address once the lock has ended (fulfilled, closed, released): `batchLockedEvents` names who locked.
   */
  readonly locker: Address;
}

/** Reads a batch (state `none` when it does not exist). */
export async function getBatch(client: NexClient, batchId: bigint): Promise<BatchView> {
  const b = await client.public.readContract({
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'getBatch',
    args: [batchId],
  });
  return {
    batchId,
    state: STATES[b.state] ?? 'none',
    posted: b.posted,
    hasCallback: b.hasCallback,
    capacity: b.capacity,
    count: b.count,
    version: b.version,
    openedAt: b.openedAt,
    sealedAt: b.sealedAt,
    lockDeadline: b.lockDeadline,
    finalDeadline: b.finalDeadline,
    expiry: b.expiry,
    escrow: b.escrow,
    commitment: b.commitment,
    locker: b.locker,
  };
}
