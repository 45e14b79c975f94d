// Builds signed submissions for relay tests, and real example-rollup proofs (bb through the engine).
import { bytesToHex, type Address, type Hex, type TypedDataDomain } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { RollupProof } from '../../../prover/engine/index.js';
import type { ExampleBackend } from '../../../prover/toolchain/index.js';
import { engineBackend } from '../../helpers/engine.js';
import type { ProgramInfo } from '../../../prover/relay/chain/types.js';
import {
  type OffchainRequest,
  REQUEST_TYPES,
  programIdOf,
  requestHash,
  requestMessage,
  statementDigest,
  statementsHash,
} from '../../../prover/protocol/index.js';

export interface Statement {
  readonly publicInputs: Hex[];
  readonly proof: Uint8Array;
}

/** The JSON body of POST /v1/requests. */
export interface SubmissionBody {
  payer: string;
  request: { programId: string; statementsHash: string; count: number; feePerProof: string; nonce: string; deadline: number };
  signature: string;
  statements: { publicInputs: string[]; proof: string }[];
}

export interface SignOptions {
  readonly account: PrivateKeyAccount;
  readonly domain: TypedDataDomain;
  readonly programId: Hex;
  readonly statements: readonly Statement[];
  readonly feePerProof: bigint;
  readonly nonce: bigint;
  readonly deadline: number;
}

/** Signs a request over the statements (as the SDK will) and returns the request, its hash and the HTTP body. */
export async function signSubmission(
  o: SignOptions,
): Promise<{ request: OffchainRequest; hash: Hex; body: SubmissionBody; digests: Hex[] }> {
  const digests = o.statements.map((s) => statementDigest(o.programId, s.publicInputs));
  const request: OffchainRequest = {
    programId: o.programId,
    statementsHash: statementsHash(digests),
    count: o.statements.length,
    feePerProof: o.feePerProof,
    nonce: o.nonce,
    deadline: o.deadline,
  };
  const signature = await o.account.signTypedData({
    domain: o.domain,
    types: REQUEST_TYPES,
    primaryType: 'Request',
    message: requestMessage(request),
  });
  return { request, hash: requestHash(request, o.domain), digests, body: bodyOf(o.account.address, request, signature, o.statements) };
}

export function bodyOf(payer: Address, r: OffchainRequest, signature: Hex, statements: readonly Statement[]): SubmissionBody {
  return {
    payer,
    request: {
      programId: r.programId,
      statementsHash: r.statementsHash,
      count: r.count,
      feePerProof: r.feePerProof.toString(),
      nonce: r.nonce.toString(),
      deadline: r.deadline,
    },
    signature,
    statements: statements.map((s) => ({ publicInputs: [...s.publicInputs], proof: bytesToHex(s.proof) })),
  };
}

/** Real example-rollup programs and proofs (noir-recursive UltraHonk ZK, 14,656 bytes), proven once per process. */
export interface ExampleSet {
  /** The program with 1 public input (rollup_counter) and its owner. */
  readonly counter: ProgramInfo;
  /** The program with 2 public inputs (rollup_transfer). */
  readonly transfer: ProgramInfo;
  /** Valid statements of `counter` (distinct public inputs). */
  readonly counterStatements: Statement[];
  readonly transferStatements: Statement[];
  /** A statement of `counter` whose proof has one byte flipped (does not verify). */
  readonly tampered: Statement;
}

export const PROGRAM_OWNER: Address = '0x00000000000000000000000000000000000000e1';

let examples: Promise<ExampleSet> | undefined;

/**
 * Proves the example statements once (about 1 s each) and returns them; builds the circuits first on a
 * checkout without a build (the suites that use this are tagged [proofs] for that reason).
 */
export function exampleSet(): Promise<ExampleSet> {
  examples ??= (async () => {
    const backend: ExampleBackend = await engineBackend();
    try {
      const counterProofs: RollupProof[] = [];
      for (let i = 0; i < 4; i++)
        counterProofs.push(await backend.proveExampleRollup({ publicInputCount: 1, seed: `relay-test-counter-${i}` }));
      const transferProofs = [await backend.proveExampleRollup({ publicInputCount: 2, seed: 'relay-test-transfer-0' })];
      const bad = await backend.proveExampleRollup({ publicInputCount: 1, seed: 'relay-test-counter-bad', valid: false });
      const program = (p: RollupProof): ProgramInfo => ({
        programId: programIdOf(PROGRAM_OWNER, p.vkHash),
        owner: PROGRAM_OWNER,
        vkHash: p.vkHash,
        vk: p.vk,
        publicInputCount: p.publicInputs.length,
      });
      return {
        counter: program(counterProofs[0]!),
        transfer: program(transferProofs[0]!),
        counterStatements: counterProofs.map((p) => ({ publicInputs: p.publicInputs, proof: p.proof })),
        transferStatements: transferProofs.map((p) => ({ publicInputs: p.publicInputs, proof: p.proof })),
        tampered: { publicInputs: bad.publicInputs, proof: bad.proof },
      };
    } finally {
      await backend.close();
    }
  })();
  return examples;
}
