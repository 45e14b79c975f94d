import type { Address, Hex } from 'viem';
import type { OffchainRequest } from '../../protocol/index.js';

/** The body of POST /v1/requests once its JSON schema validated (http/schemas.ts). */
export interface SubmitInput {
  /** The address the submitter says signed (a mismatch is reported as bad-signature). */
  readonly payer: string;
  readonly request: {
    readonly programId: string;
    readonly statementsHash: string;
    readonly count: number;
    /** uint64 in decimal (JSON numbers cannot hold every uint64). */
    readonly feePerProof: string;
    readonly nonce: string;
    readonly deadline: number;
  };
  readonly signature: string;
  readonly statements: readonly { readonly publicInputs: readonly string[]; readonly proof: string }[];
}

/** Why a request is refused. Each reason has one HTTP status (REJECT_STATUS). */
export type RejectReason =
  | 'invalid-body'
  | 'non-canonical-input'
  | 'value-out-of-range'
  | 'too-many-statements'
  | 'count-mismatch'
  | 'statements-mismatch'
  | 'bad-signature'
  | 'deadline-passed'
  | 'deadline-too-close'
  | 'deadline-too-far'
  | 'fee-below-minimum'
  | 'program-unknown'
  | 'input-count-mismatch'
  | 'proof-length'
  | 'nonce-used'
  | 'nonce-conflict'
  | 'insufficient-deposit'
  | 'invalid-proof'
  | 'busy'
  | 'chain-unavailable';

/**
 * 400: the body is malformed; 422: well-formed but not acceptable; 402: the payment does not cover it
 * (fee or deposit); 409: the nonce is used or held by another request; 503: try again later.
 */
export const REJECT_STATUS: Readonly<Record<RejectReason, 400 | 402 | 409 | 422 | 503>> = {
  'invalid-body': 400,
  'non-canonical-input': 400,
  'value-out-of-range': 400,
  'too-many-statements': 422,
  'count-mismatch': 422,
  'statements-mismatch': 422,
  'bad-signature': 422,
  'deadline-passed': 422,
  'deadline-too-close': 422,
  'deadline-too-far': 422,
  'fee-below-minimum': 402,
  'program-unknown': 422,
  'input-count-mismatch': 422,
  'proof-length': 422,
  'nonce-used': 409,
  'nonce-conflict': 409,
  'insufficient-deposit': 402,
  'invalid-proof': 422,
  busy: 503,
  'chain-unavailable': 503,
};

export interface Rejection {
  readonly reason: RejectReason;
  readonly message: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

export interface Rejected {
  readonly ok: false;
  readonly rejection: Rejection;
}

/** The typed result of one acceptance step. */
export type Check<T> = { readonly ok: true; readonly value: T } | Rejected;

export const pass = <T>(value: T): Check<T> => ({ ok: true, value });
export const reject = (reason: RejectReason, message: string, details?: Rejection['details']): Rejected => ({
  ok: false,
  rejection: details ? { reason, message, details } : { reason, message },
});

/** A statement after parsing: canonical inputs and proof bytes. */
export interface ParsedStatement {
  readonly publicInputs: Hex[];
  readonly proof: Uint8Array;
}

/** A submission after the body checks: typed request, claimed payer, signature and statements. */
export interface ParsedSubmission {
  readonly claimedPayer: Address;
  readonly request: OffchainRequest;
  readonly signature: Hex;
  readonly statements: readonly ParsedStatement[];
}

/** A submission whose statements match its request and whose signature recovers the payer. */
export interface PreparedSubmission extends ParsedSubmission {
  readonly payer: Address;
  readonly requestHash: Hex;
  readonly digests: readonly Hex[];
}
