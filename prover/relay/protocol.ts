/**
 * The version-2 identities the relay needs (docs/relay.md, spec V2.2 and V2.6 "Off-chain"): program id,
 * statement digest, statements hash and the EIP-712 `Request` a submitter signs.
 *
 * TODO(#11): the integration moves these into prover/protocol (shared with the SDK and the keeper) and
 * checks them against the Solidity `BatchCommitment` v2 on the same test vectors
 * (test/vectors/relay-v2.json).
 */
import { concat, encodeAbiParameters, hashTypedData, isHex, keccak256, size, stringToHex, type Address, type Hex, type TypedDataDomain } from 'viem';

/** BN254 scalar field modulus r: public inputs and key hashes are canonical elements (< r). */
export const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

/** `keccak256("NEX.statement.v2")`, the first word of every statement digest's preimage. */
export const STATEMENT_DOMAIN: Hex = keccak256(stringToHex('NEX.statement.v2'));

/** Bytes of a version-2 rollup proof (UltraHonk ZK, noir-recursive target: 458 fields). */
export const ROLLUP_PROOF_BYTES = 14_656;

/** Largest batch capacity (2^6 slots) and so the most statements one request can hold. */
export const MAX_BATCH_CAPACITY = 64;

/** Public-input counts a version-2 leaf circuit takes. */
export const PUBLIC_INPUT_COUNTS: readonly number[] = [1, 2, 4];

/** An off-chain request exactly as the submitter signs it (EIP-712 struct `Request`). */
export interface OffchainRequest {
  readonly programId: Hex;
  readonly statementsHash: Hex;
  /** uint32: statements the request covers. */
  readonly count: number;
  /** uint64, wei. */
  readonly feePerProof: bigint;
  /** uint64: usable once; a later nonce voids every earlier unposted one. */
  readonly nonce: bigint;
  /** uint40, unix seconds: the request is void after it. */
  readonly deadline: number;
}

/** The EIP-712 types of a request (primary type `Request`). */
export const REQUEST_TYPES = {
  Request: [
    { name: 'programId', type: 'bytes32' },
    { name: 'statementsHash', type: 'bytes32' },
    { name: 'count', type: 'uint32' },
    { name: 'feePerProof', type: 'uint64' },
    { name: 'nonce', type: 'uint64' },
    { name: 'deadline', type: 'uint40' },
  ],
} as const;

/** The market's EIP-712 domain: `{name: "NEX AggregationMarket", version: "2", chainId, verifyingContract}`. */
export function marketDomain(chainId: number, market: Address): TypedDataDomain {
  return { name: 'NEX AggregationMarket', version: '2', chainId, verifyingContract: market };
}

/** The typed-data message of a request (viem form: uint32/uint40 as numbers, uint64 as bigints). */
export function requestMessage(r: OffchainRequest) {
  return {
    programId: r.programId,
    statementsHash: r.statementsHash,
    count: r.count,
    feePerProof: r.feePerProof,
    nonce: r.nonce,
    deadline: r.deadline,
  } as const;
}

/** The EIP-712 hash of a request (what the payer signs; the relay's idempotency key). */
export function requestHash(r: OffchainRequest, domain: TypedDataDomain): Hex {
  return hashTypedData({ domain, types: REQUEST_TYPES, primaryType: 'Request', message: requestMessage(r) });
}

/** True when `value` is a 0x-prefixed 32-byte word below r. */
export function isCanonicalWord(value: string): value is Hex {
  return isHex(value, { strict: true }) && size(value) === 32 && BigInt(value) < FIELD_MODULUS;
}

/** `keccak256(abi.encode(owner, vkHash))`: a program is its key registered by its owner (spec V2.2). */
export function programIdOf(owner: Address, vkHash: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [owner, vkHash]));
}

/**
 * `keccak256(abi.encodePacked(STATEMENT_DOMAIN, programId, publicInputs))`: the leaf of a batch tree.
 * Throws RangeError when an input is not a canonical field element or there is none.
 */
export function statementDigest(programId: Hex, publicInputs: readonly Hex[]): Hex {
  if (!isHex(programId, { strict: true }) || size(programId) !== 32) throw new RangeError(`programId must be a 32-byte word, got ${programId}`);
  if (publicInputs.length === 0) throw new RangeError('a statement has at least one public input');
  publicInputs.forEach((pi, i) => {
    if (!isCanonicalWord(pi)) throw new RangeError(`publicInputs[${i}] is not a canonical field element: ${pi}`);
  });
  return keccak256(concat([STATEMENT_DOMAIN, programId, ...publicInputs]));
}

/** `keccak256(abi.encodePacked(digests))` in slot order: what a request's signature covers. */
export function statementsHash(digests: readonly Hex[]): Hex {
  return keccak256(digests.length === 0 ? '0x' : concat([...digests]));
}
