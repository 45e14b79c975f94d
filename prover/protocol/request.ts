/**
 * The off-chain channel's signed request (spec V2.6 "Off-chain", docs/protocol.md): the EIP-712 `Request` a
 * payer signs over its statements, the market's domain, and the `PostedGroup` form `postBatch` takes
 * (the request without its statements hash, with an EIP-2098 compact signature).
 */
import {
  hashTypedData,
  parseSignature,
  serializeCompactSignature,
  signatureToCompactSignature,
  type Address,
  type Hex,
  type TypedDataDomain,
} from 'viem';
import { MARKET_EIP712_NAME, MARKET_EIP712_VERSION } from './constants.js';

/** An off-chain request exactly as the payer signs it (EIP-712 struct `Request`). */
export interface OffchainRequest {
  readonly programId: Hex;
  /** {@link statementsHash} of the request's digests, in slot order. */
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
  return { name: MARKET_EIP712_NAME, version: MARKET_EIP712_VERSION, chainId, verifyingContract: market };
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

/** The EIP-712 hash of a request under `domain` (what the payer signs). */
export function requestHash(r: OffchainRequest, domain: TypedDataDomain): Hex {
  return hashTypedData({ domain, types: REQUEST_TYPES, primaryType: 'Request', message: requestMessage(r) });
}

/** A signed request as `postBatch` takes it (the market's `PostedGroup` struct). */
export interface PostedGroup {
  readonly programId: Hex;
  readonly count: number;
  readonly feePerProof: bigint;
  readonly nonce: bigint;
  readonly deadline: number;
  /** EIP-2098 compact signature: r, and yParity << 255 | s. */
  readonly r: Hex;
  readonly vs: Hex;
}

/** The `PostedGroup` of a request and its 65-byte (or 64-byte compact) signature. */
export function postedGroup(r: OffchainRequest, signature: Hex): PostedGroup {
  const compact = signatureToCompactSignature(parseSignature(signature));
  return {
    programId: r.programId,
    count: r.count,
    feePerProof: r.feePerProof,
    nonce: r.nonce,
    deadline: r.deadline,
    r: compact.r,
    vs: compact.yParityAndS,
  };
}

/** The 64-byte compact form of a signature (what `PostedGroup` carries as `r || vs`). */
export function compactSignature(signature: Hex): Hex {
  return serializeCompactSignature(signatureToCompactSignature(parseSignature(signature)));
}
