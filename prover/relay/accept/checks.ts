/**
 * The acceptance steps of a submission, each a small function with a typed result (docs/relay.md,
 * "Acceptance"). Cheap checks come first; the chain reads and bb verification come last.
 */
import { getAddress, hexToBytes, recoverTypedDataAddress, type Address, type Hex, type TypedDataDomain } from 'viem';
import type { MarketParams, PayerAccount, ProgramInfo } from '../chain/types.js';
import {
  isCanonicalField,
  type OffchainRequest,
  REQUEST_TYPES,
  requestMessage,
  statementDigest,
  statementsHash,
} from '../../protocol/index.js';
import type { ProofVerifier } from '../verify.js';
import { pass, reject, type Check, type ParsedStatement, type ParsedSubmission, type SubmitInput } from './types.js';

const UINT64_MAX = 2n ** 64n - 1n;
const UINT40_MAX = 2 ** 40 - 1;

/** Types the body (uint64 strings, bytes) and checks every public input is a canonical field element. */
export function parseSubmission(input: SubmitInput, maxStatements: number): Check<ParsedSubmission> {
  const r = input.request;
  const feePerProof = BigInt(r.feePerProof);
  const nonce = BigInt(r.nonce);
  if (feePerProof > UINT64_MAX) return reject('value-out-of-range', 'request.feePerProof exceeds uint64');
  if (nonce > UINT64_MAX) return reject('value-out-of-range', 'request.nonce exceeds uint64');
  if (r.deadline > UINT40_MAX) return reject('value-out-of-range', 'request.deadline exceeds uint40');
  if (input.statements.length > maxStatements) {
    return reject(
      'too-many-statements',
      `${input.statements.length} statements exceed this relay's limit of ${maxStatements} per request`,
      { limit: maxStatements },
    );
  }
  const statements: ParsedStatement[] = [];
  for (const [i, s] of input.statements.entries()) {
    const bad = s.publicInputs.findIndex((pi) => !isCanonicalField(pi));
    if (bad >= 0)
      return reject('non-canonical-input', `statements[${i}].publicInputs[${bad}] is not a canonical BN254 field element (< r)`, {
        statement: i,
        input: bad,
      });
    statements.push({ publicInputs: s.publicInputs.map((pi) => pi.toLowerCase() as Hex), proof: hexToBytes(s.proof as Hex) });
  }
  const request: OffchainRequest = {
    programId: r.programId.toLowerCase() as Hex,
    statementsHash: r.statementsHash.toLowerCase() as Hex,
    count: r.count,
    feePerProof,
    nonce,
    deadline: r.deadline,
  };
  return pass({ claimedPayer: getAddress(input.payer), request, signature: input.signature as Hex, statements });
}

/** `count` and `statementsHash` match the statements; returns their digests in slot order. */
export function checkStatements(request: OffchainRequest, statements: readonly ParsedStatement[]): Check<Hex[]> {
  if (request.count !== statements.length) {
    return reject('count-mismatch', `request.count is ${request.count} but ${statements.length} statements were sent`, {
      count: request.count,
      statements: statements.length,
    });
  }
  const digests = statements.map((s) => statementDigest(request.programId, s.publicInputs));
  const hash = statementsHash(digests);
  if (hash !== request.statementsHash) {
    return reject(
      'statements-mismatch',
      `the statements hash to ${hash}, not the signed request.statementsHash ${request.statementsHash}`,
      { computed: hash },
    );
  }
  return pass(digests);
}

/** Recovers the EIP-712 signer of the request; it must be the claimed payer. */
export async function recoverPayer(s: ParsedSubmission, domain: TypedDataDomain): Promise<Check<Address>> {
  let signer: Address;
  try {
    signer = await recoverTypedDataAddress({
      domain,
      types: REQUEST_TYPES,
      primaryType: 'Request',
      message: requestMessage(s.request),
      signature: s.signature,
    });
  } catch (err) {
    return reject('bad-signature', `the signature is malformed: ${(err as Error).message.split('\n')[0]}`);
  }
  if (signer !== s.claimedPayer) {
    return reject(
      'bad-signature',
      `the signature recovers ${signer}, not the payer ${s.claimedPayer} (wrong key, chain, market, or altered fields)`,
      { recovered: signer },
    );
  }
  return pass(signer);
}

/** The deadline leaves time to post (>= now + minSeconds) and is within the relay's horizon. */
export function checkDeadline(request: OffchainRequest, now: number, o: { minSeconds: number; horizonSeconds: number }): Check<number> {
  if (request.deadline <= now) return reject('deadline-passed', `the deadline ${request.deadline} has passed (now ${now})`, { now });
  if (request.deadline < now + o.minSeconds) {
    return reject(
      'deadline-too-close',
      `the deadline is ${request.deadline - now} s away; this relay needs at least ${o.minSeconds} s to post`,
      { now, minSeconds: o.minSeconds },
    );
  }
  if (request.deadline > now + o.horizonSeconds) {
    return reject(
      'deadline-too-far',
      `the deadline is ${request.deadline - now} s away; this relay accepts at most ${o.horizonSeconds} s`,
      { now, horizonSeconds: o.horizonSeconds },
    );
  }
  return pass(request.deadline);
}

export function checkFee(request: OffchainRequest, params: MarketParams): Check<bigint> {
  if (request.feePerProof < params.minFeePerProof) {
    return reject('fee-below-minimum', `feePerProof ${request.feePerProof} is below the market's minimum ${params.minFeePerProof}`, {
      minFeePerProof: params.minFeePerProof.toString(),
    });
  }
  return pass(request.feePerProof);
}

/** The program is registered and every statement has its public-input count. */
export function checkProgram(
  request: OffchainRequest,
  program: ProgramInfo | undefined,
  statements: readonly ParsedStatement[],
): Check<ProgramInfo> {
  if (!program) return reject('program-unknown', `program ${request.programId} is not registered in the market`);
  const bad = statements.findIndex((s) => s.publicInputs.length !== program.publicInputCount);
  if (bad >= 0) {
    return reject(
      'input-count-mismatch',
      `statements[${bad}] has ${statements[bad]!.publicInputs.length} public inputs; the program takes ${program.publicInputCount}`,
      {
        statement: bad,
        expected: program.publicInputCount,
      },
    );
  }
  return pass(program);
}

export function checkProofLength(statements: readonly ParsedStatement[], params: MarketParams): Check<number> {
  const bad = statements.findIndex((s) => s.proof.length !== params.rollupProofBytes);
  if (bad >= 0) {
    return reject(
      'proof-length',
      `statements[${bad}].proof is ${statements[bad]!.proof.length} bytes; the current version takes ${params.rollupProofBytes}`,
      {
        statement: bad,
        expected: params.rollupProofBytes,
      },
    );
  }
  return pass(params.rollupProofBytes);
}

/** The nonce is still usable on chain (>= the payer's account nonce). */
export function checkNonce(request: OffchainRequest, account: PayerAccount): Check<bigint> {
  if (request.nonce < account.nonce) {
    return reject('nonce-used', `nonce ${request.nonce} is below the payer's next usable nonce ${account.nonce}`, {
      accountNonce: account.nonce.toString(),
    });
  }
  return pass(request.nonce);
}

/** The free deposit covers this request on top of what the relay accepted for the payer and has not posted. */
export function checkDeposit(request: OffchainRequest, account: PayerAccount, reserved: bigint): Check<bigint> {
  const cost = BigInt(request.count) * request.feePerProof;
  if (reserved + cost > account.free) {
    return reject(
      'insufficient-deposit',
      `the request costs ${cost} wei; the payer's free deposit ${account.free} minus ${reserved} reserved by this relay does not cover it`,
      {
        cost: cost.toString(),
        free: account.free.toString(),
        reserved: reserved.toString(),
      },
    );
  }
  return pass(cost);
}

/** Every proof verifies against the program's key (bb); the first that does not is reported. */
export async function verifyProofs(
  statements: readonly ParsedStatement[],
  program: ProgramInfo,
  verifier: ProofVerifier,
  observe?: (seconds: number) => void,
): Promise<Check<number>> {
  for (const [i, s] of statements.entries()) {
    const t = performance.now();
    const ok = await verifier.verify({
      owner: program.owner,
      vk: program.vk,
      vkHash: program.vkHash,
      proof: s.proof,
      publicInputs: s.publicInputs,
    });
    observe?.((performance.now() - t) / 1000);
    if (!ok)
      return reject('invalid-proof', `statements[${i}].proof does not verify against program ${program.programId}'s key`, { statement: i });
  }
  return pass(statements.length);
}
