import { isHex, maxUint64, parseEventLogs, size, type Hash, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import type { NexClient } from '../client.js';
import {
  FeeTooHighError,
  FeeTooLowError,
  MalformedProofError,
  NexError,
  NonCanonicalFieldError,
  PublicInputCountError,
} from '../errors.js';
import { batchOf, isCanonicalField, PROOF_FIELDS, slotOf } from '../../protocol/index.js';
import { computeFee } from './estimateFee.js';
import { getParams, type MarketParams } from './getParams.js';
import { requireProgram, type Program } from './getProgram.js';
import { sendContractTx } from './internal.js';

export interface Submission {
  programId: Hex;
  /** 32-byte words, canonical BN254 field elements, as many as the program declares. */
  publicInputs: readonly Hex[];
  /** The proof bytes (458 fields = 14,656 bytes). */
  proof: Hex;
  /** Fee in wei; default: the suggested fee of {@link estimateFee}. */
  fee?: bigint | undefined;
}

export interface SubmitOptions {
  /** Check the proof has exactly {@link PROOF_FIELDS} fields (default true). */
  strictProofLength?: boolean | undefined;
  /** Skip the client-side checks and let the market judge (default false; for tests and tools). */
  skipChecks?: boolean | undefined;
}

export interface SubmittedProof {
  readonly submissionId: bigint;
  readonly batchId: bigint;
  readonly slot: number;
  readonly programId: Hex;
  readonly digest: Hex;
  readonly fee: bigint;
}

export interface SubmitReturnType extends SubmittedProof {
  readonly txHash: Hash;
  readonly blockNumber: bigint;
}

export interface SubmitManyReturnType {
  readonly submissions: readonly SubmittedProof[];
  readonly txHash: Hash;
  readonly blockNumber: bigint;
}

/** Checks one submission against the program and the market's rules; throws the typed error. */
export function checkSubmission(s: Submission, program: Program, fee: bigint, params: MarketParams, opts: SubmitOptions): void {
  if (s.publicInputs.length !== program.publicInputCount) {
    throw new PublicInputCountError(program.publicInputCount, s.publicInputs.length);
  }
  s.publicInputs.forEach((pi, i) => {
    if (!isCanonicalField(pi)) throw new NonCanonicalFieldError(pi, i);
  });
  if (!isHex(s.proof, { strict: true })) throw new MalformedProofError('not a hex string');
  const bytes = size(s.proof);
  if (bytes === 0) throw new MalformedProofError('the proof is empty');
  if (bytes % 32 !== 0) throw new MalformedProofError(`${bytes} bytes is not a whole number of 32-byte fields`);
  if ((opts.strictProofLength ?? true) && bytes !== PROOF_FIELDS * 32) {
    throw new MalformedProofError(`${bytes / 32} fields, an UltraHonk ZK proof (noir-recursive target) has ${PROOF_FIELDS}`);
  }
  if (fee < params.minFeePerProof) throw new FeeTooLowError(fee, params.minFeePerProof);
  if (fee > maxUint64) throw new FeeTooHighError(fee);
}

async function prepare(client: NexClient, submissions: readonly Submission[], opts: SubmitOptions): Promise<bigint[]> {
  if (submissions.length === 0) throw new NexError('nothing to submit');
  const params = await getParams(client);
  const needsDefault = submissions.some((s) => s.fee === undefined);
  const suggested = needsDefault ? computeFee(params, await client.public.getGasPrice()).suggestedFee : 0n;
  const fees = submissions.map((s) => s.fee ?? suggested);
  if (!opts.skipChecks) {
    const programs = new Map<Hex, Program>();
    for (const [i, s] of submissions.entries()) {
      let program = programs.get(s.programId);
      if (!program) {
        program = await requireProgram(client, s.programId);
        programs.set(s.programId, program);
      }
      checkSubmission(s, program, fees[i]!, params, opts);
    }
  }
  return fees;
}

function submittedFrom(receipt: { logs: Parameters<typeof parseEventLogs>[0]['logs'] }): SubmittedProof[] {
  return parseEventLogs({ abi: aggregationMarketAbi, eventName: 'Submitted', logs: receipt.logs }).map((e) => ({
    submissionId: e.args.submissionId,
    batchId: batchOf(e.args.submissionId),
    slot: slotOf(e.args.submissionId),
    programId: e.args.programId,
    digest: e.args.digest,
    fee: e.args.fee,
  }));
}

/**
 * Posts one proof with a fee. Checks it first (program registered, public-input count, canonical
 * inputs, proof shape, fee floor) and throws the typed error instead of paying for a revert.
 */
export async function submit(client: NexClient, submission: Submission, opts: SubmitOptions = {}): Promise<SubmitReturnType> {
  const [fee] = await prepare(client, [submission], opts);
  const { hash, receipt } = await sendContractTx(client, 'submit', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'submit',
    args: [submission.programId, [...submission.publicInputs], submission.proof],
    value: fee!,
  });
  const [event] = submittedFrom(receipt);
  if (!event) throw new NexError(`submit: no Submitted event in ${hash}`);
  return { ...event, txHash: hash, blockNumber: receipt.blockNumber };
}

/** Posts several proofs (any programs) in one transaction; the value sent is the sum of the fees. */
export async function submitMany(
  client: NexClient,
  submissions: readonly Submission[],
  opts: SubmitOptions = {},
): Promise<SubmitManyReturnType> {
  const fees = await prepare(client, submissions, opts);
  const { hash, receipt } = await sendContractTx(client, 'submitMany', {
    address: client.addresses.market,
    abi: aggregationMarketAbi,
    functionName: 'submitMany',
    args: [submissions.map((s) => s.programId), submissions.map((s) => [...s.publicInputs]), submissions.map((s) => s.proof), fees],
    value: fees.reduce((a, b) => a + b, 0n),
  });
  return { submissions: submittedFrom(receipt), txHash: hash, blockNumber: receipt.blockNumber };
}
