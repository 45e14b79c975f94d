/**
 * The protocol constants of version 2, written once for TypeScript. Noir (prover/circuits/nex_lib) and
 * Solidity (contracts/libraries/BatchCommitment.sol) keep their own copies; test/protocol/constants.test.ts
 * reads the Noir sources and fails when they disagree with this file (the contracts are checked against
 * the shared vectors, test/vectors/commitment.json).
 */

/** BN254 scalar field modulus r. Public inputs, vk hashes, key hashes and the key set are elements of F_r. */
export const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

/** Bytes of a field element, a word of the commitment format and an element of a proof or key. */
export const FIELD_BYTES = 32;

/** Smallest batch-tree depth (capacity 2^2 = 4). */
export const MIN_DEPTH = 2;
/** Largest batch-tree depth (capacity 2^6 = 64). */
export const MAX_DEPTH = 6;
/** Smallest batch capacity (leaves of a batch tree). */
export const MIN_CAPACITY = 2 ** MIN_DEPTH;
/** Largest batch capacity, and the stride of submission ids (id = batchId * 64 + slot). */
export const MAX_CAPACITY = 2 ** MAX_DEPTH;
/** log2(MAX_CAPACITY): the low bits of a submission id that hold the slot. */
export const SLOT_BITS = MAX_DEPTH;
/**
 * Heights of the all-zero subtrees a pad proof covers: never a single slot (a zero slot beside an
 * included one is the explicit zero sibling of a single leaf), at most a half of the largest batch.
 */
export const MIN_PAD_HEIGHT = 1;
export const MAX_PAD_HEIGHT = MAX_DEPTH;

/** Fields of a bb 5.0.0 UltraHonk verification key (`noir-recursive` and `noir-recursive-no-zk` targets). */
export const VK_FIELDS = 115;
/** Bytes of such a verification key (3,680): what a program registers. */
export const VK_BYTES = VK_FIELDS * FIELD_BYTES;
/** Fields of a rollup proof: bb 5.0.0 UltraHonk ZK, poseidon2 transcript (`noir-recursive`). */
export const ROLLUP_PROOF_FIELDS = 458;
/** Bytes of a rollup proof (14,656): the router's `rollupProofBytes` of version 2. */
export const ROLLUP_PROOF_BYTES = ROLLUP_PROOF_FIELDS * FIELD_BYTES;
/** = ROLLUP_PROOF_FIELDS: the proof a submission carries (the name the SDK has always used). */
export const PROOF_FIELDS = ROLLUP_PROOF_FIELDS;
/** = ROLLUP_PROOF_BYTES. */
export const PROOF_BYTES = ROLLUP_PROOF_BYTES;
/** Fields of an aggregation proof verified in a node: UltraHonk non-ZK, poseidon2 (`noir-recursive-no-zk`). */
export const AGG_PROOF_FIELDS = 410;
/** Bytes of such a proof (13,120). */
export const AGG_PROOF_BYTES = AGG_PROOF_FIELDS * FIELD_BYTES;

/**
 * The aggregation circuits of version 2 in key-set order (leaf index 0..10 of the key-set tree, V2.4):
 * single leaves, pair leaves (a <= b), the pad and the node.
 */
export const AGG_CIRCUITS = [
  'leaf_1',
  'leaf_2',
  'leaf_4',
  'leaf_1_1',
  'leaf_1_2',
  'leaf_1_4',
  'leaf_2_2',
  'leaf_2_4',
  'leaf_4_4',
  'pad',
  'node',
] as const;
export type AggCircuit = (typeof AGG_CIRCUITS)[number];
/** A leaf over one rollup proof whose sibling slot is zero. */
export type SingleLeafCircuit = 'leaf_1' | 'leaf_2' | 'leaf_4';
/** A leaf over the two rollup proofs of one pair of slots. */
export type PairLeafCircuit = 'leaf_1_1' | 'leaf_1_2' | 'leaf_1_4' | 'leaf_2_2' | 'leaf_2_4' | 'leaf_4_4';
export type LeafCircuit = SingleLeafCircuit | PairLeafCircuit;

/** Depth of the key-set tree: 16 leaves, the 11 key hashes in AGG_CIRCUITS order then 5 zero leaves. */
export const KEY_SET_DEPTH = 4;

/** Public inputs of every aggregation proof: [root_hi, root_lo, prover, key_set]. */
export const AGG_PUBLIC_INPUTS = 4;

/** Most public inputs a program may declare (a leaf circuit exists for 1, 2 and 4). */
export const MAX_PUBLIC_INPUT_COUNT = 4;

/** Public-input counts a leaf circuit exists for (the only counts a program may register). */
export const SUPPORTED_PUBLIC_INPUT_COUNTS: readonly number[] = [1, 2, 4];

/** The single leaf of each supported public-input count. */
export const SINGLE_LEAF_FOR_PUBLIC_INPUTS: Readonly<Record<number, SingleLeafCircuit>> = { 1: 'leaf_1', 2: 'leaf_2', 4: 'leaf_4' };

/**
 * bb's two non-ZK Solidity verifier generators for the root key: 'optimized' (one assembly-heavy
 * contract, the deployed default) and 'standard' (HonkVerifier + one external library, RelationsLib).
 */
export const VERIFIER_VARIANTS = ['standard', 'optimized'] as const;
export type VerifierVariant = (typeof VERIFIER_VARIANTS)[number];

/** Largest fee per proof (the market keeps fees as uint64 wei). */
export const MAX_FEE_PER_PROOF = (1n << 64n) - 1n;

/** The market's EIP-712 domain name and version (docs/protocol.md, "Off-chain requests"). */
export const MARKET_EIP712_NAME = 'NEX AggregationMarket';
export const MARKET_EIP712_VERSION = '2';
