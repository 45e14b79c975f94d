import { zeroAddress, type Address } from 'viem';
import { BatchState } from '../../abi/v1.js';
import type { BatchInfo, MarketParams } from '../chain/market.js';
import type { SettledOutcome } from '../db/phases.js';

/** Everything the decision needs, read beforehand (the decision itself is a pure function). */
export interface DecisionInput {
  readonly batch: BatchInfo;
  /** Chain time (latest block timestamp). */
  readonly now: number;
  readonly me: Address;
  readonly params: MarketParams;
  readonly expiry: number;
  /** provingWindow(batch.count) in seconds. */
  readonly provingWindow: number;
  readonly eligible: boolean;
  readonly availableStake: bigint;
  /** Batches currently locked/proving/fulfilling by this keeper. */
  readonly active: number;
  readonly capacity: number;
  readonly estimatedSeconds: number;
  readonly safetyBufferSeconds: number;
  /** Expected profit in wei of a lock + fulfil, and of a secondary (late) fulfil. */
  readonly profitLock: bigint;
  readonly profitSecondary: bigint;
  readonly minProfit: bigint;
  readonly secondary: boolean;
  readonly slash: boolean;
}

export type Decision =
  | { kind: 'lock'; reason: string }
  | { kind: 'secondary'; reason: string }
  | { kind: 'slash'; reason: string }
  /** Look again later (conditions may change). */
  | { kind: 'wait'; reason: string }
  /** Nothing will ever be done with this batch (the reason is the batch's outcome). */
  | { kind: 'done'; reason: SettledOutcome };

const same = (a: Address, b: Address): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Decides what to do with a batch this keeper does not hold. Never locks more than capacity, a
 * batch assigned to someone else during the assignment window, or a batch it cannot prove before
 * the lock deadline (estimate + safety buffer) or that does not pay gas + minProfit.
 */
export function decide(i: DecisionInput): Decision {
  if (i.batch.state === BatchState.Sealed) return decideSealed(i);
  if (i.batch.state === BatchState.Locked) return decideLocked(i);
  return decideByState(i.batch.state)!;
}

/** The decision for states that need no other input (not Sealed or Locked); undefined otherwise. */
export function decideByState(state: number): Decision | undefined {
  switch (state) {
    case BatchState.Sealed:
    case BatchState.Locked:
      return undefined;
    case BatchState.None:
    case BatchState.Open:
      return { kind: 'wait', reason: 'batch not sealed yet' };
    case BatchState.Fulfilled:
      return { kind: 'done', reason: 'fulfilled' };
    case BatchState.Expired:
      return { kind: 'done', reason: 'expired' };
    default:
      return { kind: 'wait', reason: `unknown batch state ${state}` };
  }
}

function decideSealed(i: DecisionInput): Decision {
  const b = i.batch;
  const windowEnd = b.sealedAt + i.params.assignmentWindow;
  if (b.assigned !== zeroAddress && !same(b.assigned, i.me) && i.now <= windowEnd) {
    return { kind: 'wait', reason: `assigned to ${b.assigned} until ${windowEnd}` };
  }
  if (i.now + i.provingWindow + i.params.secondaryWindow > i.expiry) {
    return { kind: 'done', reason: 'too close to expiry to lock' };
  }
  const common = capacityAndSpeed(i, i.provingWindow, 'lock deadline');
  if (common) return common;
  const collateral = i.params.collateralPerProof * BigInt(b.count);
  if (i.availableStake < collateral) return { kind: 'wait', reason: `available stake ${i.availableStake} < collateral ${collateral}` };
  if (i.profitLock < i.minProfit) return { kind: 'wait', reason: `expected profit ${i.profitLock} wei < minProfit ${i.minProfit}` };
  return { kind: 'lock', reason: same(b.assigned, i.me) ? 'assigned to us' : 'open for lock' };
}

function decideLocked(i: DecisionInput): Decision {
  const b = i.batch;
  if (same(b.locker, i.me)) return { kind: 'wait', reason: 'locked by us' };
  if (i.now > b.finalDeadline) {
    return i.slash
      ? { kind: 'slash', reason: `locker ${b.locker} missed the final deadline ${b.finalDeadline}` }
      : { kind: 'wait', reason: 'slashing disabled' };
  }
  if (i.now <= b.lockDeadline) return { kind: 'wait', reason: `locked by ${b.locker} until ${b.lockDeadline}` };
  if (!i.secondary) return { kind: 'wait', reason: 'secondary fulfilment disabled' };
  const common = capacityAndSpeed(i, b.finalDeadline - i.now, 'final deadline');
  if (common) return common;
  if (i.profitSecondary < i.minProfit)
    return { kind: 'wait', reason: `expected secondary profit ${i.profitSecondary} wei < minProfit ${i.minProfit}` };
  return { kind: 'secondary', reason: `locker ${b.locker} missed the lock deadline ${b.lockDeadline}` };
}

function capacityAndSpeed(i: DecisionInput, secondsLeft: number, what: string): Decision | undefined {
  if (!i.eligible) return { kind: 'wait', reason: 'this prover is not eligible (stake below minStake?)' };
  if (i.active >= i.capacity) return { kind: 'wait', reason: `at capacity (${i.active}/${i.capacity})` };
  if (i.estimatedSeconds + i.safetyBufferSeconds > secondsLeft) {
    return {
      kind: 'wait',
      reason: `estimated ${i.estimatedSeconds}s + buffer ${i.safetyBufferSeconds}s exceeds the ${secondsLeft}s to the ${what}`,
    };
  }
  return undefined;
}
