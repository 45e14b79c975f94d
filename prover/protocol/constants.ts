/**
 * The protocol constants of version 1, written once for TypeScript. Solidity
 * (contracts/libraries/BatchCommitment.sol, contracts/market/AggregationMarket.sol) and Noir
 * (prover/circuits/nex_lib, prover/circuits/leaf*) keep their own copies; test/protocol/constants.test.ts
 * reads those sources and fails when any of them disagrees with this file.
 */

/** BN254 scalar field modulus r. Public inputs, vk hashes and key hashes are elements of F_r. */
export const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

/** Bytes of a field element, a word of the commitment format and an element of a proof or key. */
export const FIELD_BYTES = 32;

/** Smallest batch capacity (leaves of a batch tree). */
export const MIN_CAPACITY = 2;
/** Largest batch capacity, and the stride of submission ids (id = batchId * 32 + slot). */
export const MAX_CAPACITY = 32;
/** log2(MAX_CAPACITY): the low bits of a submission id that hold the slot. */
export const SLOT_BITS = 5;
/** Largest all-zero subtree height a pad proof covers (capacity 32 = 2^5). */
export const MAX_PAD_HEIGHT = 5;
/** Most public inputs a program may declare at registration (the market bounds it by MAX_CAPACITY). */
export const MAX_PUBLIC_INPUT_COUNT = MAX_CAPACITY;

/** Fields of a bb 5.0.0 UltraHonk verification key (`noir-recursive` target). */
export const VK_FIELDS = 115;
/** Bytes of such a verification key (3,680). */
export const VK_BYTES = VK_FIELDS * FIELD_BYTES;
/** Fields of a bb 5.0.0 UltraHonk ZK proof with the poseidon2 transcript (`noir-recursive` target). */
export const PROOF_FIELDS = 458;
/** Bytes of such a proof (14,656). */
export const PROOF_BYTES = PROOF_FIELDS * FIELD_BYTES;

/** The aggregation circuits of version 1, in the router's key-hash order (public inputs 3..7). */
export const AGG_CIRCUITS = ['leaf1', 'leaf2', 'leaf4', 'pad', 'node'] as const;
export type AggCircuit = (typeof AGG_CIRCUITS)[number];
export type LeafCircuit = 'leaf1' | 'leaf2' | 'leaf4';

/** Public inputs of every aggregation proof: root_hi, root_lo, prover, then one key hash per circuit. */
export const AGG_PUBLIC_INPUTS = 3 + AGG_CIRCUITS.length;

/** Public-input counts a leaf circuit exists for (the programs the market aggregates by default). */
export const SUPPORTED_PUBLIC_INPUT_COUNTS: readonly number[] = [1, 2, 4];

/** The leaf circuit of each supported public-input count. */
export const LEAF_FOR_PUBLIC_INPUTS: Readonly<Record<number, LeafCircuit>> = { 1: 'leaf1', 2: 'leaf2', 4: 'leaf4' };

/**
 * bb's two Solidity verifier generators for the root key: 'standard' (HonkVerifier + 2 external
 * libraries) and 'optimized' (one assembly-heavy contract, about a quarter of the verify gas).
 */
export const VERIFIER_VARIANTS = ['standard', 'optimized'] as const;
export type VerifierVariant = (typeof VERIFIER_VARIANTS)[number];
