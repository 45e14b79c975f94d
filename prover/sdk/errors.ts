/**
 * Typed SDK errors. Every error the SDK throws on purpose is a {@link NexError}; contract reverts are
 * decoded (by error name, through the generated ABIs: ../protocol/revert.ts) into the specific
 * subclasses below, keeping the revert's arguments, by {@link toNexError}.
 */
import type { ContractErrorArgs, ContractErrorName, Hex } from 'viem';
import type { aggregationMarketAbi } from '../abi/generated.js';
import { NexError, type NexErrorOptions } from '../protocol/index.js';
import { decodeRevert } from '../protocol/index.js';

export { NexError, type NexErrorOptions };

/** The program id is not registered in the market. */
export class UnknownProgramError extends NexError {
  override name = 'UnknownProgramError';
  constructor(
    readonly programId: Hex,
    options: NexErrorOptions = {},
  ) {
    super(`program ${programId} is not registered in the market`, {
      details: 'Register it first (nex rollup register) or check the program id (= the vk hash).',
      ...options,
    });
  }
}

/** The number of public inputs differs from the program's registered count. */
export class PublicInputCountError extends NexError {
  override name = 'PublicInputCountError';
  constructor(
    readonly expected: number,
    readonly actual: number,
    options: NexErrorOptions = {},
  ) {
    super(`wrong public-input count: the program expects ${expected}, got ${actual}`, options);
  }
}

/** The fee is below the market's minimum fee per proof. */
export class FeeTooLowError extends NexError {
  override name = 'FeeTooLowError';
  constructor(
    readonly fee: bigint,
    readonly minFee: bigint,
    options: NexErrorOptions = {},
  ) {
    super(`fee too low: ${fee} wei offered, the market's minimum is ${minFee} wei per proof`, options);
  }
}

/** The fee exceeds what a statement can hold (uint64). */
export class FeeTooHighError extends NexError {
  override name = 'FeeTooHighError';
  constructor(
    readonly fee: bigint,
    options: NexErrorOptions = {},
  ) {
    super(`fee too high: ${fee} wei does not fit in a uint64`, options);
  }
}

/** The proof bytes are empty or not a whole number of 32-byte field elements. */
export class MalformedProofError extends NexError {
  override name = 'MalformedProofError';
  constructor(reason: string, options: NexErrorOptions = {}) {
    super(`malformed proof bytes: ${reason}`, options);
  }
}

/** A public input or program id is not a canonical BN254 field element. */
export class NonCanonicalFieldError extends NexError {
  override name = 'NonCanonicalFieldError';
  constructor(
    readonly value: Hex | string,
    readonly index: number | undefined,
    options: NexErrorOptions = {},
  ) {
    super(
      index === undefined
        ? `not a canonical BN254 field element: ${value}`
        : `public input ${index} is not a canonical BN254 field element: ${value}`,
      options,
    );
  }
}

/** The same statement is already waiting in a batch. */
export class StatementPendingError extends NexError {
  override name = 'StatementPendingError';
  constructor(
    readonly digest: Hex,
    options: NexErrorOptions = {},
  ) {
    super(`statement ${digest} is already pending in the market`, options);
  }
}

/** The same statement has already been verified: nothing to pay for. */
export class AlreadyVerifiedError extends NexError {
  override name = 'AlreadyVerifiedError';
  constructor(
    readonly digest: Hex,
    options: NexErrorOptions = {},
  ) {
    super(`statement ${digest} is already verified`, options);
  }
}

/** The program id is already registered. */
export class ProgramExistsError extends NexError {
  override name = 'ProgramExistsError';
  constructor(
    readonly programId: Hex,
    options: NexErrorOptions = {},
  ) {
    super(`program ${programId} is already registered`, options);
  }
}

/** The submission cannot be refunded (yet): pending in a live batch, verified, or not the caller's. */
export class NotRefundableError extends NexError {
  override name = 'NotRefundableError';
  constructor(
    readonly submissionId: bigint,
    reason: string,
    options: NexErrorOptions = {},
  ) {
    super(`submission ${submissionId} is not refundable: ${reason}`, options);
  }
}

/** The market is paused: registrations and submissions are stopped. */
export class MarketPausedError extends NexError {
  override name = 'MarketPausedError';
  constructor(options: NexErrorOptions = {}) {
    super('the market is paused: registrations and submissions are stopped', options);
  }
}

/** waitForVerification gave up. */
export class WaitTimeoutError extends NexError {
  override name = 'WaitTimeoutError';
  constructor(
    readonly submissionId: bigint,
    readonly timeoutMs: number,
    options: NexErrorOptions = {},
  ) {
    super(`submission ${submissionId} was not verified within ${Math.round(timeoutMs / 1000)} s`, options);
  }
}

/** A write was attempted with a client that has no account. */
export class NoAccountError extends NexError {
  override name = 'NoAccountError';
  constructor(action: string) {
    super(`${action} sends a transaction: create the client with an account (private key)`);
  }
}

/** A contract reverted with an error the SDK has no specific class for. */
export class ContractRevertError extends NexError {
  override name = 'ContractRevertError';
  constructor(
    readonly errorName: string | undefined,
    readonly args: readonly unknown[],
    options: NexErrorOptions = {},
  ) {
    super(
      errorName ? `the contract reverted with ${errorName}(${args.map((a) => String(a)).join(', ')})` : 'the contract reverted',
      options,
    );
  }
}

type MarketAbi = typeof aggregationMarketAbi;
type MarketErrorName = ContractErrorName<MarketAbi>;
/** Builds the SDK error of one market custom error from its decoded (typed) arguments. */
type Mapper<N extends MarketErrorName> = (args: ContractErrorArgs<MarketAbi, N>, cause: unknown) => NexError;
/** The counts in an aggregatable-input-counts mask (bit n - 1 = count n). */
const countsOf = (mask: number): number[] => [...Array(32).keys()].filter((i) => (mask >>> i) & 1).map((i) => i + 1);

/**
 * Market custom-error name -> SDK error. Keyed and typed by the generated market ABI (version 2): renaming
 * an error or changing its parameters in the contract breaks this table at compile time, and only errors
 * the market declares can appear in it. Errors without a row become a {@link ContractRevertError} that
 * names them.
 */
const MAPPERS: { readonly [N in MarketErrorName]?: Mapper<N> } = {
  MarketUnknownProgram: ([programId], cause) => new UnknownProgramError(programId, { cause }),
  MarketProgramExists: ([programId], cause) => new ProgramExistsError(programId, { cause }),
  MarketNotProgramOwner: ([programId, caller], cause) => new NexError(`${caller} does not own program ${programId}`, { cause }),
  MarketPublicInputCountMismatch: ([, expected, actual], cause) => new PublicInputCountError(Number(expected), Number(actual), { cause }),
  MarketUnsupportedPublicInputCount: ([count, aggregatable], cause) =>
    new NexError(`no aggregation circuit takes ${count} public inputs; the market accepts ${countsOf(aggregatable).join(', ')}`, {
      cause,
    }),
  MarketInvalidVerificationKey: ([length, expected], cause) =>
    new NexError(`the verification key has ${length} bytes, the market takes ${expected} (a noir-recursive key)`, { cause }),
  MarketNonCanonicalVkHash: ([vkHash], cause) => new NonCanonicalFieldError(vkHash, undefined, { cause }),
  MarketInvalidCallbackGas: ([gasLimit, max], cause) =>
    new NexError(`invalid callback gas ${gasLimit}: 1..${max} with a callback, 0 without`, { cause }),
  MarketFeeBelowFloor: ([fee, minFee], cause) => new FeeTooLowError(fee, minFee, { cause }),
  MarketFeeTooHigh: ([fee], cause) => new FeeTooHighError(fee, { cause }),
  MarketFeeMismatch: ([expected, value], cause) => new NexError(`the fees add up to ${expected} wei but ${value} wei were sent`, { cause }),
  MarketInvalidProofLength: ([length, expected], cause) =>
    new MalformedProofError(`${length} bytes; the market's current verifier version takes ${expected}-byte proofs`, { cause }),
  MarketNonCanonicalPublicInput: ([index, value], cause) => new NonCanonicalFieldError(value, Number(index), { cause }),
  MarketTooManyStatements: ([count, capacity], cause) =>
    new NexError(`${count} statements do not fit one batch (at most ${capacity})`, { cause }),
  MarketInsufficientBalance: ([account, balance, amount], cause) =>
    new NexError(`the deposit of ${account} holds ${balance} wei, ${amount} wei needed`, { cause }),
  MarketWithdrawalNotReady: ([account, withdrawableAt], cause) =>
    new NexError(
      withdrawableAt === 0n
        ? `${account} has no withdrawal requested (requestWithdrawal first)`
        : `the withdrawal of ${account} can be executed from ${new Date(Number(withdrawableAt) * 1000).toISOString()}`,
      { cause },
    ),
  EnforcedPause: (_a, cause) => new MarketPausedError({ cause }),
};

/**
 * The mapper of a decoded revert. A revert named like a market error carries that error's arguments
 * (the names are unique across the NEX contracts: each carries its contract's prefix).
 */
function mapperOf(errorName: string): ((args: readonly unknown[], cause: unknown) => NexError) | undefined {
  return (MAPPERS as Readonly<Record<string, (args: readonly unknown[], cause: unknown) => NexError>>)[errorName];
}

/** The decoded custom error of a contract revert inside `err` (any NEX contract's), if any. */
export function revertOf(err: unknown): { errorName: string; args: readonly unknown[] } | undefined {
  const revert = decodeRevert(err);
  return revert?.errorName === undefined ? undefined : { errorName: revert.errorName, args: revert.args };
}

/**
 * Turns any error thrown by a contract call into a {@link NexError}: known custom errors become their
 * typed class, other reverts a {@link ContractRevertError}; NexErrors pass through unchanged.
 * Other errors (transport, user input) are returned as they are.
 */
export function toNexError(err: unknown): unknown {
  if (err instanceof NexError) return err;
  const revert = decodeRevert(err);
  if (!revert) return err;
  if (revert.errorName !== undefined) {
    const map = mapperOf(revert.errorName);
    return map ? map(revert.args, err) : new ContractRevertError(revert.errorName, revert.args, { cause: err });
  }
  const details = (err as { shortMessage?: unknown }).shortMessage;
  return new ContractRevertError(undefined, [], { cause: err, details: typeof details === 'string' ? details : undefined });
}
