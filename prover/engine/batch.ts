// Batch model and its validation at the engine boundary, plus the JSON file format used by the CLI
// (`nex aggregate --batch <file.json>`).
import { bytesToHex, hexToBytes, isAddress, type Address } from 'viem';
import {
  isCanonicalField,
  isValidCapacity,
  MAX_CAPACITY,
  MIN_CAPACITY,
  NexError,
  programIdOf,
  statementDigest,
} from '../protocol/index.js';
import type { Hex, RollupProof } from './backend.js';

export type Slot = { kind: 'proof'; rollup: RollupProof } | { kind: 'empty' } | { kind: 'excluded' };

export interface Batch {
  /** Power of two, 4..64. */
  capacity: number;
  /** Exactly `capacity` slots, in submission order. */
  slots: Slot[];
}

export class BatchError extends NexError {
  override readonly name = 'BatchError';
}

/** Checks the batch shape (capacity, slot count, slot kinds, field encodings). Throws BatchError. */
export function validateBatch(batch: Batch): void {
  if (typeof batch !== 'object' || batch === null) throw new BatchError('batch must be an object');
  const { capacity, slots } = batch;
  if (!isValidCapacity(capacity)) {
    throw new BatchError(`batch capacity must be a power of two in ${MIN_CAPACITY}..${MAX_CAPACITY}, got ${String(capacity)}`);
  }
  if (!Array.isArray(slots) || slots.length !== capacity) {
    throw new BatchError(`batch must have exactly ${capacity} slots, got ${Array.isArray(slots) ? slots.length : 'none'}`);
  }
  slots.forEach((slot, i) => {
    if (slot?.kind === 'empty' || slot?.kind === 'excluded') return;
    if (slot?.kind !== 'proof') throw new BatchError(`slot ${i}: kind must be 'proof', 'empty' or 'excluded'`);
    const r = slot.rollup;
    if (!r || !(r.vk instanceof Uint8Array) || !(r.proof instanceof Uint8Array)) {
      throw new BatchError(`slot ${i}: rollup must carry vk and proof bytes`);
    }
    if (!isCanonicalField(r.vkHash)) throw new BatchError(`slot ${i}: vkHash must be a canonical 32-byte field element`);
    if (typeof r.owner !== 'string' || !isAddress(r.owner, { strict: false })) {
      throw new BatchError(`slot ${i}: owner must be the 20-byte address that registered the program`);
    }
    if (!Array.isArray(r.publicInputs) || r.publicInputs.length === 0) {
      throw new BatchError(`slot ${i}: publicInputs must be a non-empty array`);
    }
    r.publicInputs.forEach((pi, j) => {
      if (!isCanonicalField(pi)) throw new BatchError(`slot ${i}: public input ${j} is not a canonical 32-byte field element`);
    });
  });
}

/** Throws unless `addr` is a 20-byte hex address. */
export function validateProver(addr: string): asserts addr is Hex {
  if (typeof addr !== 'string' || !isAddress(addr, { strict: false })) {
    throw new BatchError(`prover must be a 0x-prefixed 20-byte address, got ${JSON.stringify(addr)}`);
  }
}

/** The slot's statement digest (programIdOf(owner, vkHash), public inputs), or null for empty/excluded slots (zero leaves). */
export function slotDigest(slot: Slot): Hex | null {
  return slot.kind === 'proof' ? statementDigest(programIdOf(slot.rollup.owner, slot.rollup.vkHash), slot.rollup.publicInputs) : null;
}

/** Bit i set = slot i excluded (the market's excludedMask, a uint64). */
export function excludedMask(batch: Batch): bigint {
  return batch.slots.reduce((mask, s, i) => (s.kind === 'excluded' ? mask | (1n << BigInt(i)) : mask), 0n);
}

/** Returns a copy of the batch with the given slots turned into excluded slots. */
export function excludeSlots(batch: Batch, indices: readonly number[]): Batch {
  const set = new Set(indices);
  return { capacity: batch.capacity, slots: batch.slots.map((s, i) => (set.has(i) ? { kind: 'excluded' } : s)) };
}

// ---- JSON file format ----

export interface RollupProofJson {
  vk: Hex;
  vkHash: Hex;
  owner: Address;
  proof: Hex;
  publicInputs: Hex[];
}
export type SlotJson = { kind: 'proof'; rollup: RollupProofJson } | { kind: 'empty' } | { kind: 'excluded' };
export interface BatchJson {
  capacity: number;
  slots: SlotJson[];
}

export function rollupToJson(r: RollupProof): RollupProofJson {
  return { vk: bytesToHex(r.vk), vkHash: r.vkHash, owner: r.owner, proof: bytesToHex(r.proof), publicInputs: [...r.publicInputs] };
}

export function rollupFromJson(j: RollupProofJson, where = 'rollup'): RollupProof {
  if (typeof j !== 'object' || j === null) throw new BatchError(`${where}: must be an object`);
  const bytes = (v: unknown, name: string): Uint8Array => {
    if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v)) throw new BatchError(`${where}.${name}: must be 0x-prefixed hex bytes`);
    return hexToBytes(v as Hex);
  };
  return { vk: bytes(j.vk, 'vk'), vkHash: j.vkHash, owner: j.owner, proof: bytes(j.proof, 'proof'), publicInputs: j.publicInputs };
}

export function batchToJson(b: Batch): BatchJson {
  return {
    capacity: b.capacity,
    slots: b.slots.map((s) => (s.kind === 'proof' ? { kind: 'proof', rollup: rollupToJson(s.rollup) } : { kind: s.kind })),
  };
}

/** Parses and validates a batch file's content. */
export function batchFromJson(j: unknown): Batch {
  if (typeof j !== 'object' || j === null) throw new BatchError('batch file must hold a JSON object');
  const { capacity, slots } = j as Partial<BatchJson>;
  if (!Array.isArray(slots)) throw new BatchError('batch file: `slots` must be an array');
  const batch: Batch = {
    capacity: capacity as number,
    slots: slots.map((s, i): Slot => {
      if (s?.kind === 'proof') return { kind: 'proof', rollup: rollupFromJson(s.rollup, `slots[${i}].rollup`) };
      if (s?.kind === 'empty' || s?.kind === 'excluded') return { kind: s.kind };
      throw new BatchError(`slots[${i}]: kind must be 'proof', 'empty' or 'excluded'`);
    }),
  };
  validateBatch(batch);
  return batch;
}
