/**
 * Generator of example rollup proofs (demos and tests): valid proofs of the three example circuits
 * (1, 2 and 4 public inputs) and invalid variants. Inputs derive deterministically from a seed.
 */
import type { InputMap } from '@noir-lang/noir_js';
import { keccak256, toHex, type Address } from 'viem';
import {
  noirExecutor,
  proveCircuit,
  type AggregationArtifacts,
  type Bb,
  type ExampleRollup,
  type Hex,
  type RollupProof,
} from '../../engine/index.js';
import { toWord } from '../../protocol/index.js';

/** Constants of prover/circuits/examples (rollup_lib ACCOUNTS / TRANSFERS, rollup_counter STEPS). */
const ACCOUNTS = 8;
const TRANSFERS = 4;
const STEPS = 8;

/**
 * The owner example proofs name when the caller gives none: the program id of an example statement is
 * keccak256(abi.encode(owner, vkHash)), so a test or demo that registers the program passes the
 * registering address instead.
 */
export const EXAMPLE_OWNER: Address = '0x000000000000000000000000000000000000e0a1';

/** Deterministic byte stream from a seed (keccak in counter mode). */
function randomBytes(seed: string, label: string, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < n; i++) {
    const block = keccak256(toHex(`${seed}/${label}/${i}`));
    for (let j = 2; j < block.length && out.length < n; j += 2) out.push(parseInt(block.slice(j, j + 2), 16));
  }
  return out;
}

function transferBatch(seed: string): InputMap {
  const r = randomBytes(seed, 'transfers', ACCOUNTS * 2 + TRANSFERS * 3);
  const balances = Array.from({ length: ACCOUNTS }, (_, i) => 1000 + r[2 * i]! * 256 + r[2 * i + 1]!);
  const transfers = Array.from({ length: TRANSFERS }, (_, i) => {
    const from = r[ACCOUNTS * 2 + 3 * i]! % ACCOUNTS;
    const to = (from + 1 + (r[ACCOUNTS * 2 + 3 * i + 1]! % (ACCOUNTS - 1))) % ACCOUNTS;
    // Every balance starts at >= 1000 and each transfer moves < 256, so no transfer overdraws.
    return { from: String(from), to: String(to), amount: String(1 + r[ACCOUNTS * 2 + 3 * i + 2]!) };
  });
  return { balances: balances.map(String), transfers };
}

/** Valid private inputs of an example rollup circuit for `seed`. */
export function exampleRollupInputs(kind: ExampleRollup, seed: string): InputMap {
  switch (kind) {
    case 'rollup_counter': {
      const r = randomBytes(seed, 'counter', 4 + STEPS);
      return {
        counter: String((r[0]! << 16) | (r[1]! << 8) | r[2]!),
        steps: r.slice(4).map((b) => String(1 + (b % 255))),
        salt: keccak256(toHex(`${seed}/salt`)).slice(0, 60),
      };
    }
    case 'rollup_transfer':
    case 'rollup_ledger':
      return transferBatch(seed);
    default: {
      const never: never = kind;
      throw new Error(`unknown example rollup ${String(never)}`);
    }
  }
}

/**
 * Proves an example rollup (noir-recursive target: poseidon2 transcript, ZK) with inputs from `seed`,
 * as a statement of the program `owner` registered (default EXAMPLE_OWNER).
 */
export async function proveExampleRollup(
  bb: Bb,
  art: AggregationArtifacts,
  kind: ExampleRollup,
  seed: string,
  owner: Address = EXAMPLE_OWNER,
): Promise<RollupProof> {
  return proveExampleRollupWith(bb, art, kind, exampleRollupInputs(kind, seed), owner);
}

/** Proves an example rollup on explicit inputs (execution fails on inputs the circuit rejects). */
export async function proveExampleRollupWith(
  bb: Bb,
  art: AggregationArtifacts,
  kind: ExampleRollup,
  inputs: InputMap,
  owner: Address = EXAMPLE_OWNER,
): Promise<RollupProof> {
  const c = art.examples[kind];
  const { witness } = await noirExecutor(c.program).execute(inputs);
  const raw = await proveCircuit(bb, { name: kind, bytecode: c.bytecode, vk: c.vk }, witness, 'noir-recursive');
  return { vk: c.vk, vkHash: c.vkHash, owner, proof: raw.proof, publicInputs: raw.publicInputs.map((p) => toWord(BigInt(p))) };
}

export type RollupTamper = 'proof-byte' | 'public-input' | 'vk-hash';

/**
 * An invalid variant of a valid rollup proof: one proof byte flipped (in the last byte of a field in
 * the middle of the proof, so the field stays canonical), the first public input + 1, or another vkHash.
 */
export function tamperRollupProof(valid: RollupProof, how: RollupTamper, otherVkHash?: Hex): RollupProof {
  switch (how) {
    case 'proof-byte': {
      const proof = Uint8Array.from(valid.proof);
      const i = Math.floor(proof.length / 64) * 32 + 31;
      proof[i] = proof[i]! ^ 0x01;
      return { ...valid, proof };
    }
    case 'public-input': {
      const [first, ...rest] = valid.publicInputs;
      return { ...valid, publicInputs: [toWord(BigInt(first!) + 1n), ...rest] };
    }
    case 'vk-hash': {
      if (!otherVkHash) throw new Error('vk-hash tamper needs the other vkHash');
      return { ...valid, vkHash: otherVkHash };
    }
    default: {
      const never: never = how;
      throw new Error(`unknown tamper ${String(never)}`);
    }
  }
}
