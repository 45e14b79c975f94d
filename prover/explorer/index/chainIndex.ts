/**
 * The explorer's in-memory index: batches, their groups and slots, programs, provers and statements, built
 * only from decoded events (chain/events.ts) and the statements decoded from intake transactions
 * (chain/content.ts). Nothing here calls the chain: the follower feeds it, the views read it. It is rebuilt
 * from the configured start block at every start (no state on disk).
 */
import { getAddress, type Address, type Hex } from 'viem';
import { submissionId } from '../../protocol/index.js';
import type { ChainEvent, EventRef } from '../chain/events.js';

/** Batch states as the events tell them (Expired is derived by the market's getBatch, read live). */
export type IndexedState = 'Open' | 'Sealed' | 'Locked' | 'Fulfilled' | 'Closed' | 'Released';

export type Channel = 'calldata' | 'blob' | 'offchain';

export interface GroupRecord {
  readonly channel: Channel;
  readonly programId: Hex;
  readonly payer: Address;
  readonly firstSlot: number;
  readonly count: number;
  readonly feePerProof: bigint;
  readonly callbackGas: number;
  readonly at: EventRef;
  readonly requestHash?: Hex;
  readonly nonce?: bigint;
  blobHashes?: readonly Hex[];
}

export interface SlotContent {
  readonly digest: Hex;
  readonly publicInputs: readonly Hex[] | undefined;
}

export interface LockRecord {
  readonly prover: Address;
  readonly lockDeadline: bigint;
  readonly finalDeadline: bigint;
  readonly collateral: bigint;
  readonly at: EventRef;
  /** How the lock ended: fulfilled by the locker on time, late (by anyone), closed, slashed, released; undefined while held. */
  outcome?: 'on-time' | 'late' | 'closed' | 'slashed' | 'released';
}

export interface FulfilRecord {
  readonly prover: Address;
  readonly provenRoot: Hex;
  readonly excludedMask: bigint;
  readonly proverFees: bigint;
  readonly protocolFee: bigint;
  readonly posterFee: bigint;
  readonly late: boolean;
  readonly at: EventRef;
}

export interface BatchRecord {
  readonly id: bigint;
  capacity: number;
  state: IndexedState;
  posted?: { readonly poster: Address; readonly root: Hex; readonly escrow: bigint; readonly at: EventRef };
  opened?: EventRef;
  sealed?: { readonly version: number; readonly sealBlock: bigint; readonly at: EventRef };
  readonly groups: GroupRecord[];
  readonly locks: LockRecord[];
  fulfilled?: FulfilRecord;
  readonly returns: { readonly payer: Address; readonly amount: bigint; readonly toDeposit: boolean; readonly at: EventRef }[];
  closed?: { readonly locker: Address; readonly at: EventRef };
  released?: { readonly caller: Address; readonly at: EventRef };
  readonly slashes: {
    readonly locker: Address;
    readonly caller: Address;
    readonly burned: bigint;
    readonly rewarded: bigint;
    readonly at: EventRef;
  }[];
  /** Slot contents by slot (undefined: not decoded, e.g. a statement that entered through another contract). */
  readonly slots: (SlotContent | undefined)[];
  /** Intake transactions whose statements are not decoded yet. */
  readonly pendingTxs: Set<Hex>;
}

export interface ProgramRecord {
  readonly programId: Hex;
  owner: Address;
  readonly registrant: Address;
  readonly vkHash: Hex;
  readonly publicInputCount: number;
  callback?: { readonly address: Address; readonly gasLimit: number };
  readonly at: EventRef;
  /** Submission ids of its statements, in order of entry. */
  readonly submissions: bigint[];
}

export interface ProverRecord {
  readonly address: Address;
  firstStakedAt?: EventRef;
  readonly locks: { readonly batchId: bigint; readonly lock: LockRecord }[];
  /** Batches it fulfilled (as locker or late, as anyone eligible). */
  readonly won: bigint[];
  readonly slashes: { readonly batchId: bigint; readonly at: EventRef }[];
  earned: bigint;
}

const key = (a: Address): string => a.toLowerCase();

export class ChainIndex {
  readonly batches = new Map<bigint, BatchRecord>();
  readonly programs = new Map<Hex, ProgramRecord>();
  readonly provers = new Map<string, ProverRecord>();
  /** Statement digest -> submission ids that carry it (a statement may be in several batches). */
  readonly digests = new Map<Hex, bigint[]>();
  /** Skipped off-chain requests (most recent last), for the market page. */
  readonly skipped: { payer: Address; nonce: bigint; reason: number; at: EventRef }[] = [];
  /** Bumped on every change: the views and the push channel use it to tell clients to refresh. */
  version = 0;

  batch(id: bigint): BatchRecord {
    let b = this.batches.get(id);
    if (!b) {
      b = { id, capacity: 0, state: 'Open', groups: [], locks: [], returns: [], slashes: [], slots: [], pendingTxs: new Set() };
      this.batches.set(id, b);
    }
    return b;
  }

  prover(address: Address): ProverRecord {
    const k = key(address);
    let p = this.provers.get(k);
    if (!p) {
      p = { address: getAddress(address), locks: [], won: [], slashes: [], earned: 0n };
      this.provers.set(k, p);
    }
    return p;
  }

  /** Applies events in chain order. */
  apply(events: readonly ChainEvent[]): void {
    for (const e of events) this.#apply(e);
    if (events.length > 0) this.version++;
  }

  #apply(e: ChainEvent): void {
    switch (e.kind) {
      case 'programRegistered':
        if (!this.programs.has(e.programId))
          this.programs.set(e.programId, {
            programId: e.programId,
            owner: e.owner,
            registrant: e.owner,
            vkHash: e.vkHash,
            publicInputCount: e.publicInputCount,
            at: e.at,
            submissions: [],
          });
        return;
      case 'programOwnerChanged': {
        const p = this.programs.get(e.programId);
        if (p) p.owner = e.owner;
        return;
      }
      case 'programCallbackSet': {
        const p = this.programs.get(e.programId);
        if (p) p.callback = { address: e.callback, gasLimit: e.gasLimit };
        return;
      }
      case 'batchOpened': {
        const b = this.batch(e.batchId);
        b.capacity = e.capacity;
        b.opened = e.at;
        b.state = 'Open';
        return;
      }
      case 'submitted':
        this.#addGroup(e.batchId, {
          channel: 'calldata',
          programId: e.programId,
          payer: e.payer,
          firstSlot: e.firstSlot,
          count: e.count,
          feePerProof: e.feePerProof,
          callbackGas: e.callbackGas,
          at: e.at,
        });
        return;
      case 'blobsSubmitted': {
        // Emitted after the MarketSubmitted events of the same call: those groups are blob groups.
        const b = this.batch(e.batchId);
        for (let i = 0; i < b.groups.length; i++) {
          const g = b.groups[i]!;
          if (g.at.tx === e.at.tx && g.firstSlot >= e.firstSlot && g.firstSlot < e.firstSlot + e.count)
            b.groups[i] = { ...g, channel: 'blob', blobHashes: e.versionedHashes };
        }
        return;
      }
      case 'requestAccepted':
        this.#addGroup(e.batchId, {
          channel: 'offchain',
          programId: e.programId,
          payer: e.payer,
          firstSlot: e.firstSlot,
          count: e.count,
          feePerProof: e.feePerProof,
          callbackGas: e.callbackGas,
          at: e.at,
          requestHash: e.requestHash,
          nonce: e.nonce,
        });
        return;
      case 'requestSkipped':
        this.skipped.push({ payer: e.payer, nonce: e.nonce, reason: e.reason, at: e.at });
        if (this.skipped.length > 200) this.skipped.shift();
        return;
      case 'batchPosted': {
        const b = this.batch(e.batchId);
        b.capacity = e.capacity;
        b.posted = { poster: e.poster, root: e.root, escrow: e.escrow, at: e.at };
        b.opened = e.at;
        b.state = 'Sealed';
        return;
      }
      case 'batchSealed': {
        const b = this.batch(e.batchId);
        b.sealed = { version: e.version, sealBlock: e.sealBlock, at: e.at };
        b.state = 'Sealed';
        return;
      }
      case 'batchLocked': {
        const b = this.batch(e.batchId);
        const lock: LockRecord = {
          prover: e.prover,
          lockDeadline: e.lockDeadline,
          finalDeadline: e.finalDeadline,
          collateral: e.collateral,
          at: e.at,
        };
        b.locks.push(lock);
        b.state = 'Locked';
        this.prover(e.prover).locks.push({ batchId: e.batchId, lock });
        return;
      }
      case 'batchFulfilled': {
        const b = this.batch(e.batchId);
        b.fulfilled = { ...e };
        b.state = 'Fulfilled';
        const lock = b.locks.at(-1);
        if (lock && !lock.outcome) lock.outcome = !e.late && key(lock.prover) === key(e.prover) ? 'on-time' : 'late';
        const p = this.prover(e.prover);
        p.won.push(e.batchId);
        p.earned += e.proverFees;
        return;
      }
      case 'feesReturned':
        this.batch(e.batchId).returns.push({ payer: e.payer, amount: e.amount, toDeposit: e.toDeposit, at: e.at });
        return;
      case 'batchClosed': {
        const b = this.batch(e.batchId);
        b.closed = { locker: e.locker, at: e.at };
        b.state = 'Closed';
        const lock = b.locks.at(-1);
        if (lock && !lock.outcome) lock.outcome = 'closed';
        return;
      }
      case 'batchReleased': {
        const b = this.batch(e.batchId);
        b.released = { caller: e.caller, at: e.at };
        b.state = 'Released';
        return;
      }
      case 'batchSlashed': {
        const b = this.batch(e.batchId);
        b.slashes.push({ locker: e.locker, caller: e.caller, burned: e.burned, rewarded: e.rewarded, at: e.at });
        b.state = 'Sealed';
        const lock = b.locks.at(-1);
        if (lock && !lock.outcome) lock.outcome = 'slashed';
        this.prover(e.locker).slashes.push({ batchId: e.batchId, at: e.at });
        return;
      }
      case 'lockReleased': {
        const b = this.batch(e.batchId);
        b.state = 'Sealed';
        const lock = b.locks.at(-1);
        if (lock && !lock.outcome) lock.outcome = 'released';
        return;
      }
      case 'staked': {
        const p = this.prover(e.prover);
        p.firstStakedAt ??= e.at;
        return;
      }
    }
  }

  #addGroup(batchId: bigint, g: GroupRecord): void {
    const b = this.batch(batchId);
    b.groups.push(g);
    b.pendingTxs.add(g.at.tx);
    const program = this.programs.get(g.programId);
    for (let s = g.firstSlot; s < g.firstSlot + g.count; s++) program?.submissions.push(submissionId(batchId, s));
  }

  /** Records the decoded statements of a slot range (from an intake transaction). */
  setSlots(batchId: bigint, firstSlot: number, contents: readonly SlotContent[]): void {
    const b = this.batch(batchId);
    contents.forEach((c, i) => {
      const slot = firstSlot + i;
      if (b.slots[slot]) return;
      b.slots[slot] = c;
      const id = submissionId(batchId, slot);
      const ids = this.digests.get(c.digest) ?? [];
      if (!ids.includes(id)) ids.push(id);
      this.digests.set(c.digest, ids);
    });
    this.version++;
  }

  /** Statements of a batch in slot order (count = statements entered). */
  statementCount(b: BatchRecord): number {
    return b.groups.reduce((n, g) => Math.max(n, g.firstSlot + g.count), 0);
  }

  /** The group that holds `slot`. */
  groupOf(b: BatchRecord, slot: number): GroupRecord | undefined {
    return b.groups.find((g) => slot >= g.firstSlot && slot < g.firstSlot + g.count);
  }
}
