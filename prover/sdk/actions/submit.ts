import { isHex, maxUint64, size, type Hash, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/generated.js';
import type { NexClient } from '../client.js';
import {
  FeeTooHighError,
  FeeTooLowError,
  MalformedProofError,
  NexError,
  NonCanonicalFieldError,
  PublicInputCountError,
} from '../errors.js';
import { isCanonicalField, statementDigest, submissionId } from '../../protocol/index.js';
import { eventsOfReceipt, type SubmittedEvent } from '../market/events.js';
import { computeFee } from './estimateFee.js';
import { getParams, type MarketParams } from './getParams.js';
import { requireProgram, type Program } from './getProgram.js';
import { sendContractTx } from './internal.js';

/** One statement and its proof. */
export interface Statement {
  programId: Hex;
  /** 32-byte words, canonical BN254 field elements, as many as the program declares. */
  publicInputs: readonly Hex[];
  /** The proof bytes: exactly the router's current `rollupProofBytes` (14,656 in version 2). */
  proof: Hex;
}

export interface SubmitParameters extends Statement {
  /** Fee in wei; default: the suggested fee of {@link estimateFee} for the calldata channel. */
  fee?: bigint | undefined;
}

export interface SubmitManyParameters {
  statements: readonly Statement[];
  /** Fee per statement in wei (one fee for the call); default: the suggested fee. */
  feePerProof?: bigint | undefined;
}

export interface SubmitOptions {
  /** Skip the client-side checks and let the market judge (default false; for tests and tools). */
  skipChecks?: boolean | undefined;
}

/** Where a statement landed: submissionId = batchId * 64 + slot. */
export interface SubmittedStatement {
  readonly submissionId: bigint;
  readonly batchId: bigint;
  readonly slot: number;
  readonly programId: Hex;
  readonly digest: Hex;
  readonly feePerProof: bigint;
  readonly callbackGas: bigint;
}

export interface SubmitReturnType {
  readonly statements: readonly SubmittedStatement[];
  readonly txHash: Hash;
  readonly blockNumber: bigint;
}

/** Checks one statement against its program and the market's rules; throws the typed error. */
export function checkStatement(s: Statement, program: Program, params: MarketParams): void {
  if (s.publicInputs.length !== program.publicInputCount) {
    throw new PublicInputCountError(program.publicInputCount, s.publicInputs.length);
  }
  s.publicInputs.forEach((pi, i) => {
    if (!isCanonicalField(pi)) throw new NonCanonicalFieldError(pi, i);
  });
  checkProofLength(s.proof, params.rollupProofBytes);
}

/** The proof must have exactly the router's current `rollupProofBytes` (the market reverts otherwise). */
export function checkProofLength(proof: Hex, rollupProofBytes: number): void {
  if (!isHex(proof, { strict: true })) throw new MalformedProofError('not a hex string');
  const bytes = size(proof);
  if (bytes !== rollupProofBytes) {
    throw new MalformedProofError(`${bytes} bytes; the market's current verifier version takes ${rollupProofBytes}-byte proofs`);
  }
}

/** Checks a fee per proof against the floor and the uint64 bound. */
export function checkFee(fee: bigint, params: MarketParams): void {
  if (fee < params.minFeePerProof) throw new FeeTooLowError(fee, params.minFeePerProof);
  if (fee > maxUint64) throw new FeeTooHighError(fee);
}

/**
 * Reads the params and programs, checks every statement and the fee, and returns the fee per proof
 * (the suggestion for the largest callback gas among the programs when none is given).
 */
export async function prepareStatements(
  client: NexClient,
  statements: readonly Statement[],
  fee: bigint | undefined,
  opts: SubmitOptions & { channel?: 'calldata' | 'blob' } = {},
): Promise<{ fee: bigint; params: MarketParams }> {
  if (statements.length === 0) throw new NexError('nothing to submit');
  const params = await getParams(client);
  if (statements.length > params.batchCapacity) {
    throw new NexError(`${statements.length} statements do not fit one batch (capacity ${params.batchCapacity}): split the call`);
  }
  const programs = new Map<Hex, Program>();
  for (const s of statements) {
    if (!programs.has(s.programId)) programs.set(s.programId, await requireProgram(client, s.programId));
  }
  let feePerProof = fee;
  if (feePerProof === undefined) {
    const callbackGas = Math.max(...[...programs.values()].map((p) => p.callbackGas));
    feePerProof = computeFee(params, await client.public.getGasPrice(), {
      channel: opts.channel ?? 'calldata',
      callbackGas,
    }).suggestedFee;
  }
  if (!opts.skipChecks) {
    for (const s of statements) checkStatement(s, programs.get(s.programId)!, params);
    checkFee(feePerProof, params);
  }
  return { fee: feePerProof, params };
}

/** The statements a receipt's MarketSubmitted events placed, with their digests. */
export function placedStatements(events: readonly SubmittedEvent[], statements: readonly Statement[]): SubmittedStatement[] {
  const out: SubmittedStatement[] = [];
  let at = 0;
  for (const e of events) {
    for (let k = 0; k < e.count; k++, at++) {
      const s = statements[at];
      if (!s) throw new NexError('the market placed more statements than were sent');
      const slot = e.firstSlot + k;
      out.push({
        submissionId: submissionId(e.batchId, slot),
        batchId: e.batchId,
        slot,
        programId: e.programId,
        digest: statementDigest(s.programId, s.publicInputs),
        feePerProof: e.feePerProof,
        callbackGas: e.callbackGas,
      });
    }
  }
  return out;
}

/**
 * Submits one proof on the calldata channel with its fee (the value sent). Checks it first (program
 * registered, public-input count, canonical inputs, proof length against the router's current version,
 * fee floor) and throws the typed error instead of paying for a revert.
 */
export async function submit(client: NexClient, p: SubmitParameters, opts: SubmitOptions = {}): Promise<SubmitReturnType> {
  const { fee } = await prepareStatements(client, [p], p.fee, opts);
  const { hash, receipt } = await sendContractTx(client, 'submit', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'submit',
    args: [p.programId, [...p.publicInputs], p.proof],
    value: fee,
  });
  const statements = placedStatements(eventsOfReceipt(client.addresses.market, receipt.logs).submitted, [p]);
  if (statements.length !== 1) throw new NexError(`submit: no MarketSubmitted event in ${hash}`);
  return { statements, txHash: hash, blockNumber: receipt.blockNumber };
}

/** Submits several proofs (any programs) in one transaction on the calldata channel, one fee per proof. */
export async function submitMany(client: NexClient, p: SubmitManyParameters, opts: SubmitOptions = {}): Promise<SubmitReturnType> {
  const { fee } = await prepareStatements(client, p.statements, p.feePerProof, opts);
  const n = BigInt(p.statements.length);
  const { hash, receipt } = await sendContractTx(client, 'submitMany', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'submitMany',
    args: [p.statements.map((s) => s.programId), p.statements.map((s) => [...s.publicInputs]), p.statements.map((s) => s.proof), fee],
    value: fee * n,
  });
  const statements = placedStatements(eventsOfReceipt(client.addresses.market, receipt.logs).submitted, p.statements);
  return { statements, txHash: hash, blockNumber: receipt.blockNumber };
}
