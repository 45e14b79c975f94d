/**
 * The protocol constants of version 2 (docs/protocol.md), written once for TypeScript. Solidity
 * (contracts/libraries/BatchCommitment.sol, SubmissionId.sol, contracts/market) keeps its own copies;
 * test/protocol/constants.test.ts reads those sources and asks the compiled contracts, and fails when any
 * of them disagrees with this file. The field modulus and the proof and key lengths are version 1's
 * (prover/protocol/constants.ts): they did not change.
 */
import { keccak256, stringToHex, type Hex } from 'viem';

/** `keccak256("NEX.statement.v2")`: the first word of every statement digest's preimage (spec V2.2). */
export const STATEMENT_DOMAIN: Hex = keccak256(stringToHex('NEX.statement.v2'));

/** Smallest batch capacity (leaves of a batch tree): 2^2. */
export const MIN_CAPACITY = 4;
/** Largest batch capacity (2^6), and the stride of submission ids (id = batchId * 64 + slot). */
export const MAX_CAPACITY = 64;
/** log2(MAX_CAPACITY): the low bits of a submission id that hold the slot. */
export const SLOT_BITS = 6;
/** Largest all-zero subtree height a pad proof covers (capacity 64 = 2^6). */
export const MAX_PAD_HEIGHT = 6;

/** Public inputs of every version-2 aggregation proof: root_hi, root_lo, prover, key_set. */
export const AGG_PUBLIC_INPUTS = 4;

/** Bytes of a version-2 rollup proof (UltraHonk ZK, `noir-recursive`: 458 fields); the router pins it. */
export const ROLLUP_PROOF_BYTES = 14_656;

/** Public-input counts a version-2 leaf circuit takes (the programs the market accepts by default). */
export const SUPPORTED_PUBLIC_INPUT_COUNTS: readonly number[] = [1, 2, 4];

/** Largest fee per proof (the market keeps fees as uint64 wei). */
export const MAX_FEE_PER_PROOF = (1n << 64n) - 1n;

/** The market's EIP-712 domain name and version (spec V2.6, "Off-chain"). */
export const MARKET_EIP712_NAME = 'NEX AggregationMarket';
export const MARKET_EIP712_VERSION = '2';
