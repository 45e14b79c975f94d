/**
 * The keeper's batch state machine, declared once: which phases exist, which phase may follow which,
 * and the outcomes a batch ends with. `KeeperDb.transition` derives its guard from this table, the
 * daemon reads it, and test/keeper/phases.test.ts checks that the diagram in docs/operator.md draws
 * exactly these edges.
 */

/** What one phase means and where it may go next (with why, as the docs' diagram labels it). */
export interface PhaseSpec<P extends string> {
  readonly meaning: string;
  /** Counts against the keeper's `capacity` (locked, being proven or being fulfilled). */
  readonly active: boolean;
  /** Allowed next phases, each with the event that moves the batch there. */
  readonly next: Readonly<Partial<Record<P, string>>>;
}

type Phase = 'seen' | 'locking' | 'proving' | 'proved' | 'fulfilling' | 'closing' | 'done';

/** The phase graph. A batch enters at `seen` (first event about it) and never leaves `done`. */
export const BATCH_PHASES = {
  seen: {
    meaning: 'known from a market event; not held by this keeper',
    active: false,
    next: {
      locking: 'lock tx recorded',
      proving: 'own lock adopted, or secondary or direct fulfilment',
      done: 'nothing to do, or no valid proof',
    },
  },
  locking: {
    meaning: 'lock transaction recorded (and broadcast); waiting for it',
    active: true,
    next: { proving: 'locked by us', seen: 'lock did not land', done: 'locked by another prover' },
  },
  proving: {
    meaning: 'the batch is ours to prove (primary, secondary or direct); the engine aggregates it',
    active: true,
    next: {
      proved: 'root proof made',
      closing: 'nothing provable: close tx recorded',
      done: 'lost, or nothing provable as secondary or direct',
    },
  },
  proved: {
    meaning: 'root proof stored; the fulfil transaction is next',
    active: true,
    next: { fulfilling: 'fulfil tx recorded', done: 'lost, or fulfil failed' },
  },
  fulfilling: {
    meaning: 'fulfil transaction recorded (and broadcast); waiting for it',
    active: true,
    next: { proved: 'fulfil did not land', done: 'fulfilled (by us or another prover)' },
  },
  closing: {
    meaning: 'close transaction recorded (and broadcast): nothing in the locked batch is provable',
    active: true,
    next: { proving: 'close did not land', done: 'closed (or lost)' },
  },
  done: {
    meaning: 'final; `outcome` says how it ended',
    active: false,
    next: {},
  },
} as const satisfies Record<Phase, PhaseSpec<Phase>>;

export type BatchPhase = keyof typeof BATCH_PHASES;

export const ALL_PHASES = Object.keys(BATCH_PHASES) as BatchPhase[];

/** Phases that occupy one unit of the keeper's capacity. */
export const ACTIVE_PHASES: readonly BatchPhase[] = ALL_PHASES.filter((p) => BATCH_PHASES[p].active);

/** The phases a batch may move to `to` from. */
export function predecessorsOf(to: BatchPhase): BatchPhase[] {
  return ALL_PHASES.filter((p) => to in BATCH_PHASES[p].next);
}

export function canTransition(from: BatchPhase, to: BatchPhase): boolean {
  return to in BATCH_PHASES[from].next;
}

export function isBatchPhase(v: unknown): v is BatchPhase {
  return typeof v === 'string' && Object.hasOwn(BATCH_PHASES, v);
}

/** Every edge of the graph, in table order (for the docs' diagram and its test). */
export function phaseEdges(): { from: BatchPhase; to: BatchPhase; label: string }[] {
  return ALL_PHASES.flatMap((from) =>
    Object.entries(BATCH_PHASES[from].next as Record<string, string>).map(([to, label]) => ({ from, to: to as BatchPhase, label })),
  );
}

/** The graph as a mermaid state diagram (what docs/operator.md shows). */
export function phaseDiagram(): string {
  const lines = ['stateDiagram-v2', '  [*] --> seen'];
  for (const e of phaseEdges()) lines.push(`  ${e.from} --> ${e.to}: ${e.label}`);
  lines.push('  done --> [*]');
  return lines.join('\n');
}

/**
 * How a batch ended (`outcome` of a `done` batch). The first three come from the market's state
 * before this keeper took the batch (prover/keeper/decide/policy.ts); the rest from the batch job.
 */
export const BATCH_OUTCOMES = {
  fulfilled: 'fulfilled by this keeper and paid (or already fulfilled when first looked at)',
  expired: 'the batch expired before anyone fulfilled it',
  'too close to expiry to lock': 'sealed, but a lock could not end before the batch expires',
  'no-valid-proofs': 'pre-check: no slot carries a valid proof, so the batch was not taken',
  'lock-lost': 'another prover locked it (also while we proved it directly), or our lock is gone',
  'fulfilled-by-other': 'another prover fulfilled it first',
  'secondary-window-closed': 'as secondary prover: the final deadline passed or the locker fulfilled',
  'missed-final-deadline': 'our proof was not ready before the final deadline',
  'nothing-provable': 'as secondary or direct prover (no lock to close): no slot had usable data or a valid proof',
  closed: 'we locked it and nothing in it was provable (every proof withheld or invalid): closed at once, fees back to the payers',
  'close-failed': 'the close transaction did not succeed after the maximum attempts',
  'slashed-on-batch': 'this prover was slashed on the batch: the market never lets it lock the batch again',
  'closed-by-locker': 'its locker closed it (nothing provable)',
  unreadable: 'its content cannot be rebuilt from chain data (see `note`): it cannot be settled by this keeper',
  released: 'expired unheld: its fees went back to the payers (release)',
  'fulfil-failed': 'the fulfil transaction did not succeed after the maximum attempts',
  'fulfil-rejected': 'the market rejected the proof (the decoded revert is in `note`)',
} as const;

export type BatchOutcome = keyof typeof BATCH_OUTCOMES;

/** Outcomes the decision policy reaches from the market state alone. */
export type SettledOutcome = Extract<
  BatchOutcome,
  'fulfilled' | 'expired' | 'too close to expiry to lock' | 'slashed-on-batch' | 'closed-by-locker' | 'released'
>;

export function isBatchOutcome(v: unknown): v is BatchOutcome {
  return typeof v === 'string' && Object.hasOwn(BATCH_OUTCOMES, v);
}
