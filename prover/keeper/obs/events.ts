/**
 * The keeper's typed events: a small, stable vocabulary of what happened (`keeper.ready`,
 * `batch.locked`, `batch.proven`, `batch.done`, ...). Each event is written as one structured log line
 * whose `event` field carries the code (the `msg` text stays for humans and may change; the code and
 * the fields listed here do not), and is delivered to in-process listeners of {@link KeeperEvents}
 * when the keeper runs embedded. Operators alert on the codes (docs/operator.md lists them; a test
 * keeps that table and this one equal); the demo follows its keepers by code, never by message text.
 */
import { EventEmitter } from 'node:events';
import type { Address, Hex } from 'viem';
import type { LogLevel } from '../config/config.js';
import type { BatchOutcome } from '../db/phases.js';
import type { TxPurpose } from '../db/txPurposes.js';
import type { LogFields, Logger } from './logger.js';

type Decision = 'lock' | 'direct' | 'secondary' | 'slash' | 'release' | 'wait' | 'done';
type Empty = Record<never, never>;

/** The fields of each event (in process: bigints and Errors; in the JSON log: strings and {name, message}). */
export interface KeeperEventFields {
  'keeper.ready': {
    chainId: number;
    market: Address;
    staking: Address;
    account: Address;
    prover: Address;
    listenOnly: boolean;
    dataDir: string;
    capacity: number;
  };
  'keeper.stopping': Empty;
  'keeper.stopped': Empty;
  'keeper.reconcile.failed': { error: Error; retryInMs: number };
  'rpc.failed': { error: Error; retryInMs: number; failures: number };
  'rpc.recovered': { after: number };
  'batch.decided': { batchId: bigint; decision: Decision; reason: string; listenOnly: boolean };
  'batch.adopted': { batchId: bigint };
  'batch.prechecked': { batchId: bigint; count: number; validProofs: number };
  'batch.skipped': { batchId: bigint };
  'batch.secondary': { batchId: bigint; locker: Address; finalDeadline: number };
  'batch.direct': { batchId: bigint; windowEnd: number };
  'batch.locked': { batchId: bigint; lockDeadline: number; collateral: bigint; tx: Hex | null | undefined };
  'batch.lock.missed': { batchId: bigint; status: string | undefined };
  'batch.inputs': { batchId: bigint; source: 'stored' | 'fetched' };
  'batch.slot.excluded': { batchId: bigint; slot: number; reason: string; source: string };
  'batch.unreadable': { batchId: bigint; reason: string };
  'batch.engine.failed': { batchId: bigint; error: Error; retryAt: number };
  'batch.closing': { batchId: bigint; reason: string };
  'batch.closed': { batchId: bigint; tx: Hex | undefined };
  'batch.close.missed': { batchId: bigint; status: string | undefined };
  'batch.refunded': { batchId: bigint; excludedMask: bigint };
  'batch.released': { batchId: bigint; tx: Hex };
  'batch.proving': {
    batchId: bigint;
    role: 'primary' | 'secondary' | 'direct' | null;
    count: number;
    capacity: number;
    checkpointDir: string;
  };
  'proof.job.started': { batchId: bigint; job: string; circuit: string; height: number; levels: number };
  'proof.job.finished': {
    batchId: bigint;
    job: string;
    circuit: string;
    ms: number;
    seconds: number;
    done: number;
    total: number;
    fromCheckpoint: boolean;
  };
  'proof.job.retried': { batchId: bigint; job: string; reason: string };
  'batch.proven': { batchId: bigint; seconds: number; excludedSlots: number[]; excludedMask: bigint };
  'batch.fulfil.retrying': { batchId: bigint; error: Error };
  'batch.fulfil.missed': { batchId: bigint; status: string | undefined; state: number };
  'batch.done': { batchId: bigint; outcome: BatchOutcome; note: string | undefined };
  'batch.failed': { batchId: bigint; error: Error };
  'batch.stuck': { batchId: bigint };
  'tx.not-sent': { purpose: TxPurpose; batchId: bigint; reason: string };
}

export type KeeperEventName = keyof KeeperEventFields;

/** One event as listeners receive it. */
export type KeeperEvent<K extends KeeperEventName = KeeperEventName> = { [N in K]: { event: N } & KeeperEventFields[N] }[K];

interface EventSpec<F> {
  readonly level: LogLevel;
  /** The log line's `msg` as the docs show it (`<field>` marks a field's value). */
  readonly message: string;
  /** The actual `msg` when it depends on the fields. */
  readonly msg?: (f: F) => string;
  /** The fields every line of this event carries. */
  readonly fields: readonly (keyof F & string)[];
  readonly meaning: string;
}

/** The vocabulary: level, message, fields and meaning of every event. */
export const KEEPER_EVENTS: { readonly [K in KeeperEventName]: EventSpec<KeeperEventFields[K]> } = {
  'keeper.ready': {
    level: 'info',
    message: 'keeper ready',
    fields: ['chainId', 'market', 'staking', 'account', 'prover', 'listenOnly', 'dataDir', 'capacity'],
    meaning: 'connected, addresses resolved, database opened; polling starts',
  },
  'keeper.stopping': {
    level: 'info',
    message: 'stopping: waiting for batch jobs to pause (checkpoints kept)',
    fields: [],
    meaning: 'SIGINT/SIGTERM received',
  },
  'keeper.stopped': { level: 'info', message: 'stopped', fields: [], meaning: 'jobs paused, database closed' },
  'keeper.reconcile.failed': {
    level: 'warn',
    message: 'start-up reconciliation failed; retrying',
    fields: ['error', 'retryInMs'],
    meaning: 'pending transactions could not be checked at start-up (RPC down?)',
  },
  'rpc.failed': {
    level: 'warn',
    message: 'poll failed; backing off',
    fields: ['error', 'retryInMs', 'failures'],
    meaning: 'a poll failed (RPC error); retried with backoff',
  },
  'rpc.recovered': { level: 'info', message: 'RPC reachable again', fields: ['after'], meaning: 'a poll succeeded after `after` failures' },
  'batch.decided': {
    level: 'info',
    message: 'decision: <decision>',
    fields: ['batchId', 'decision', 'reason', 'listenOnly'],
    msg: (f) => (f.listenOnly && f.decision !== 'wait' ? `would ${f.decision} (listen-only)` : `decision: ${f.decision}`),
    meaning:
      'what the keeper decided for a batch it does not hold, logged when the reason changes (`would <decision> (listen-only)` with listenOnly)',
  },
  'batch.adopted': {
    level: 'warn',
    message: 'found a lock of ours on chain that the database did not track; proving it',
    fields: ['batchId'],
    meaning: 'a lock of this prover the database did not know (restored backup, lost database)',
  },
  'batch.prechecked': {
    level: 'info',
    message: 'batch pre-checked',
    fields: ['batchId', 'count', 'validProofs'],
    meaning: 'before taking a batch: its proofs fetched and verified (stored, not repeated after the lock)',
  },
  'batch.skipped': {
    level: 'warn',
    message: 'skipping batch: no slot carries a valid proof (fulfilment impossible)',
    fields: ['batchId'],
    meaning: 'not taken; phase done, outcome `no-valid-proofs`',
  },
  'batch.secondary': {
    level: 'info',
    message: 'fulfilling as secondary prover',
    fields: ['batchId', 'locker', 'finalDeadline'],
    meaning: 'the locker missed its lock deadline; proving to fulfil late',
  },
  'batch.direct': {
    level: 'info',
    message: 'proving without a lock (assigned to us; the estimate fits the assignment window)',
    fields: ['batchId', 'windowEnd'],
    meaning:
      'the batch is drawn for this prover and its proof should be ready before the window ends: no lock transaction, fulfilled directly',
  },
  'batch.locked': {
    level: 'info',
    message: 'batch locked',
    fields: ['batchId', 'lockDeadline', 'collateral', 'tx'],
    meaning: 'our lock landed; proving starts',
  },
  'batch.lock.missed': {
    level: 'warn',
    message: 'lock did not land; batch is a candidate again',
    fields: ['batchId', 'status'],
    meaning: 'the lock tx was dropped or reverted and nobody locked: back to phase seen',
  },
  'batch.inputs': {
    level: 'info',
    message: 'batch inputs ready',
    fields: ['batchId', 'source'],
    meaning: '`source` stored: the pre-lock read and check reused (the batch commitment is unchanged); fetched: none was stored',
  },
  'batch.slot.excluded': {
    level: 'warn',
    message: 'slot excluded: its proof is unusable',
    fields: ['batchId', 'slot', 'reason', 'source'],
    meaning:
      'the slot is left out of the proof and its fee goes back to its payer; `source` (calldata, blob, relay, program, engine) is where the last attempt failed, `reason` says why (see Troubleshooting)',
  },
  'batch.unreadable': {
    level: 'warn',
    message: 'batch content cannot be read from chain data',
    fields: ['batchId', 'reason'],
    meaning:
      'its calls or events do not rebuild its commitment (e.g. a contract called the market and the RPC has no debug API); not taken',
  },
  'batch.engine.failed': {
    level: 'warn',
    message: 'engine failed without a verdict; retrying later',
    fields: ['batchId', 'error', 'retryAt'],
    meaning: 'bb crashed or timed out: nothing is excluded, the job retries at `retryAt` (unix s; pre-lock: next poll)',
  },
  'batch.closing': {
    level: 'warn',
    message: 'nothing provable: closing the batch',
    fields: ['batchId', 'reason'],
    meaning: 'every proof of a batch we locked is withheld or invalid: close tx sent (fees back, collateral unlocked)',
  },
  'batch.closed': {
    level: 'info',
    message: 'batch closed',
    fields: ['batchId', 'tx'],
    meaning: 'the close landed; outcome `closed`',
  },
  'batch.close.missed': {
    level: 'warn',
    message: 'close did not land; will retry',
    fields: ['batchId', 'status'],
    meaning: 'the close tx reverted or was dropped; back to proving, which closes again (at most 3 times)',
  },
  'batch.released': {
    level: 'info',
    message: 'expired batch released',
    fields: ['batchId', 'tx'],
    meaning: 'our release() of an expired batch nobody held landed: every fee went back to its payer (option `release`)',
  },
  'batch.refunded': {
    level: 'info',
    message: 'excluded slots refunded by the market',
    fields: ['batchId', 'excludedMask'],
    meaning: 'our fulfilment left out the slots of `excludedMask`; the market returned their fees to the payers',
  },
  'batch.proving': {
    level: 'info',
    message: 'proving batch',
    fields: ['batchId', 'role', 'count', 'capacity', 'checkpointDir'],
    meaning: 'the engine starts (or resumes) aggregating',
  },
  'proof.job.started': {
    level: 'debug',
    message: 'proof job started',
    fields: ['batchId', 'job', 'circuit', 'height', 'levels'],
    meaning: 'one proof of the tree started',
  },
  'proof.job.finished': {
    level: 'info',
    message: 'proof job finished',
    fields: ['batchId', 'job', 'circuit', 'ms', 'seconds', 'done', 'total', 'fromCheckpoint'],
    meaning: 'one proof of the tree made and checkpointed',
  },
  'proof.job.retried': {
    level: 'warn',
    message: 'proof job retried',
    fields: ['batchId', 'job', 'reason'],
    meaning: 'a worker crashed; the job runs once more',
  },
  'batch.proven': {
    level: 'info',
    message: 'batch proven',
    fields: ['batchId', 'seconds', 'excludedSlots', 'excludedMask'],
    meaning: 'root proof made and stored; fulfilment next',
  },
  'batch.fulfil.retrying': {
    level: 'warn',
    message: 'fulfil not sent; retrying',
    fields: ['batchId', 'error'],
    meaning: 'the fulfil simulation or broadcast failed; retried',
  },
  'batch.fulfil.missed': {
    level: 'warn',
    message: 'fulfil did not land; will retry',
    fields: ['batchId', 'status', 'state'],
    meaning: 'the fulfil tx reverted or was dropped; sent again (at most 3 times)',
  },
  'batch.done': {
    level: 'info',
    message: 'batch done',
    fields: ['batchId', 'outcome', 'note'],
    meaning: 'a batch this keeper held ended; `outcome` as in the outcome table (alert on anything but `fulfilled`)',
  },
  'batch.failed': {
    level: 'error',
    message: 'batch job failed; will resume on the next poll',
    fields: ['batchId', 'error'],
    meaning: 'an unexpected error in a batch job (RPC, engine); resumed from its phase',
  },
  'batch.stuck': {
    level: 'error',
    message: 'batch job did not converge',
    fields: ['batchId'],
    meaning: 'a batch job made 50 steps without settling; resumed on the next poll',
  },
  'tx.not-sent': {
    level: 'info',
    message: '<purpose> not sent',
    fields: ['purpose', 'batchId', 'reason'],
    msg: (f) => `${f.purpose} not sent`,
    meaning: 'a lock, slash, seal, close or release was not sent, usually because its simulation reverted (another keeper was first)',
  },
};

export const KEEPER_EVENT_NAMES = Object.keys(KEEPER_EVENTS) as KeeperEventName[];

type Listener<K extends KeeperEventName> = (e: KeeperEvent<K>) => void;

/**
 * Emits keeper events: writes each as a structured log line with its `event` code and hands it to the
 * in-process listeners. A listener that throws is logged and never disturbs the keeper.
 */
export class KeeperEvents {
  readonly #emitter = new EventEmitter();

  /** Calls `f` for every event named `name` (or every event, with '*'); returns the unsubscribe function. */
  on<K extends KeeperEventName>(name: K | '*', f: Listener<K>): () => void {
    this.#emitter.on(name, f);
    return () => this.#emitter.off(name, f);
  }

  /** Logs the event through `log` (its component names the emitter) and notifies listeners. */
  emit<K extends KeeperEventName>(log: Logger, name: K, fields: KeeperEventFields[K], opts: { level?: LogLevel } = {}): void {
    const spec = KEEPER_EVENTS[name] as EventSpec<KeeperEventFields[K]>;
    log[opts.level ?? spec.level](spec.msg ? spec.msg(fields) : spec.message, { event: name, ...fields } as LogFields);
    const e = { event: name, ...fields } as KeeperEvent<K>;
    for (const channel of [name, '*'] as const) {
      for (const f of this.#emitter.listeners(channel) as Listener<K>[]) {
        try {
          f(e);
        } catch (err) {
          log.warn('keeper event listener threw', { event: name, error: err as Error });
        }
      }
    }
  }
}

// ---- the events as they appear in the JSON log ----------------------------------------------------

type Json<T> = T extends bigint
  ? string
  : T extends Error
    ? { name: string; message: string }
    : T extends readonly (infer U)[]
      ? Json<U>[]
      : T extends object
        ? { [P in keyof T]: Json<T[P]> }
        : T;

/** A log line of an event, as a reader of the keeper's JSON log (e.g. the demo) parses it. */
export type KeeperEventLine = {
  [K in KeeperEventName]: { event: K; msg: string; level: LogLevel; component: string; time: string } & Json<KeeperEventFields[K]>;
}[KeeperEventName];

/** Any line of the keeper's JSON log: an event line, or a plain line (no `event` field). */
export type KeeperLogLine = KeeperEventLine | { event?: undefined; msg: string; level: string; [field: string]: unknown };
