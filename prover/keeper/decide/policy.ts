import { zeroAddress, type Address } from 'viem';
import { BatchState } from '../../abi/generated.js';
import type { Assignment, BatchInfo, MarketParams } from '../chain/market.js';
import type { SettledOutcome } from '../db/phases.js';

/** Everything the decision needs, read beforehand (the decision itself is a pure function). */
export interface DecisionInput {
  readonly batch: BatchInfo;
  /** Chain time (latest block timestamp). */
  readonly now: number;
  readonly me: Address;
  readonly params: MarketParams;
  /** The lazy draw (`assignedProver`) of a sealed batch; read only for Sealed batches. */
  readonly assignment: Assignment | undefined;
  /** provingWindow(batch.count) in seconds. */
  readonly provingWindow: number;
  readonly eligible: boolean;
  readonly availableStake: bigint;
  /** Batches currently held (locking, proving, proved, fulfilling, closing) by this keeper. */
  readonly active: number;
  readonly capacity: number;
  readonly estimatedSeconds: number;
  readonly safetyBufferSeconds: number;
  /** Expected profit in wei of a lock + fulfil, and of a fulfil without a lock (secondary or direct). */
  readonly profitLock: bigint;
  readonly profitSecondary: bigint;
  readonly minProfit: bigint;
  readonly secondary: boolean;
  /** Fulfil a batch drawn for us without a lock when the estimate fits the assignment window. */
  readonly direct: boolean;
  readonly slash: boolean;
  readonly release: boolean;
}

export type Decision =
  | { kind: 'lock'; reason: string }
  /** Prove a batch drawn for us without locking it, then fulfil it directly (no lock transaction). */
  | { kind: 'direct'; reason: string; windowEnd: number }
  | { kind: 'secondary'; reason: string }
  | { kind: 'slash'; reason: string }
  /** Return an expired, unheld batch's fees to its payers (`release`, optional). */
  | { kind: 'release'; reason: string }
  /** Look again later (conditions may change). */
  | { kind: 'wait'; reason: string }
  /** Nothing will ever be done with this batch (the reason is the batch's outcome). */
  | { kind: 'done'; reason: SettledOutcome };

const same = (a: Address, b: Address): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Decides what to do with a batch this keeper does not hold. Never locks more than capacity, a batch
 * assigned to someone else during the assignment window, a batch in its sealing block (the draw is not
 * known yet), a batch it was slashed on, or a batch it cannot prove before the (effective) lock deadline
 * (estimate + safety buffer) or that does not pay gas + minProfit.
 */
export function decide(i: DecisionInput): Decision {
  if (i.batch.state === BatchState.Sealed) return decideSealed(i);
  if (i.batch.state === BatchState.Locked) return decideLocked(i);
  if (i.batch.state === BatchState.Expired) return decideExpired(i);
  return decideByState(i.batch.state)!;
}

/** The decision for states that need no other input (not Sealed, Locked or Expired); undefined otherwise. */
export function decideByState(state: number): Decision | undefined {
  switch (state) {
    case BatchState.Sealed:
    case BatchState.Locked:
    case BatchState.Expired:
      return undefined;
    case BatchState.None:
    case BatchState.Open:
      return { kind: 'wait', reason: 'batch not sealed yet' };
    case BatchState.Fulfilled:
      return { kind: 'done', reason: 'fulfilled' };
    case BatchState.Closed:
      return { kind: 'done', reason: 'closed-by-locker' };
    case BatchState.Released:
      return { kind: 'done', reason: 'released' };
    default:
      return { kind: 'wait', reason: `unknown batch state ${state}` };
  }
}

/**
 * Past expiry (`getBatch` says Expired): a lock that is still live past its final deadline can be slashed
 * (its effective deadlines are non-zero); an unheld batch can be released (when enabled); else it is over.
 */
function decideExpired(i: DecisionInput): Decision {
  const b = i.batch;
  if (b.lockDeadline > 0) {
    if (same(b.locker, i.me)) return { kind: 'wait', reason: 'locked by us past expiry' };
    return i.slash
      ? { kind: 'slash', reason: `locker ${b.locker} missed the final deadline ${b.finalDeadline}` }
      : { kind: 'done', reason: 'expired' };
  }
  if (i.release && b.count > 0) return { kind: 'release', reason: `expired at ${b.expiry} with nobody holding it` };
  return { kind: 'done', reason: 'expired' };
}

function decideSealed(i: DecisionInput): Decision {
  const b = i.batch;
  // After a slash the batch is Sealed again and keeps the slashed locker: the market refuses its relock.
  if (b.locker !== zeroAddress && same(b.locker, i.me)) return { kind: 'done', reason: 'slashed-on-batch' };
  const a = i.assignment ?? { kind: 'not-ready' };
  if (a.kind === 'not-ready') return { kind: 'wait', reason: `the draw is readable from the block after the seal (${b.sealBlock})` };
  const windowEnd = b.sealedAt + i.params.assignmentWindow;
  if (a.kind === 'assigned' && !same(a.prover, i.me)) return { kind: 'wait', reason: `assigned to ${a.prover} until ${windowEnd}` };
  if (i.now + i.provingWindow + i.params.secondaryWindow > b.expiry) {
    return { kind: 'done', reason: 'too close to expiry to lock' };
  }
  const common = capacityAndSpeed(i, i.provingWindow, 'lock deadline');
  if (common) return common;
  const collateral = i.params.collateralPerProof * BigInt(b.count);
  // The draw picks only a prover that could lock the collateral, also for a direct fulfilment.
  if (i.availableStake < collateral) return { kind: 'wait', reason: `available stake ${i.availableStake} < collateral ${collateral}` };
  if (
    i.direct &&
    a.kind === 'assigned' &&
    i.now + i.estimatedSeconds + i.safetyBufferSeconds <= windowEnd &&
    i.profitSecondary >= i.minProfit
  ) {
    const reason = `assigned to us; estimated ${i.estimatedSeconds}s + buffer ${i.safetyBufferSeconds}s fits the assignment window (ends ${windowEnd}): no lock`;
    return { kind: 'direct', reason, windowEnd };
  }
  if (i.profitLock < i.minProfit) return { kind: 'wait', reason: `expected profit ${i.profitLock} wei < minProfit ${i.minProfit}` };
  return { kind: 'lock', reason: a.kind === 'assigned' ? 'assigned to us' : 'open for lock' };
}

/** Deadlines are the effective ones (`getBatch` adds the router's freeze shift). */
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
