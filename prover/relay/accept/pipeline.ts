/**
 * The acceptance pipeline: `prepare` runs the checks that need nothing but the body (schema-typed input,
 * statements, signature), `admit` the ones that read the chain and run bb, then persists the request and
 * only then signs and returns the receipt. The HTTP layer rate-limits per payer between the two.
 */
import type { Logger } from 'pino';
import { getAddress } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import type { RelayChain } from '../chain/types.js';
import type { RelayMetrics } from '../metrics.js';
import { type Receipt, marketDomain, requestHash } from '../../protocol/index.js';
import { signReceipt } from '../receipt.js';
import { requestIdOf, type RelayStore, type StoredRequest } from '../store/types.js';
import { VerifierBusyError, type ProofVerifier } from '../verify.js';
import {
  checkDeadline,
  checkDeposit,
  checkFee,
  checkNonce,
  checkProgram,
  checkProofLength,
  checkStatements,
  parseSubmission,
  recoverPayer,
  verifyProofs,
} from './checks.js';
import { pass, reject, type Check, type PreparedSubmission, type Rejected, type Rejection, type SubmitInput } from './types.js';

export interface AcceptanceOptions {
  readonly maxStatementsPerRequest: number;
  readonly minDeadlineSeconds: number;
  readonly deadlineHorizonSeconds: number;
  readonly postTimeoutSeconds: number;
  readonly postMarginSeconds: number;
}

export interface AcceptanceDeps {
  readonly chain: RelayChain;
  readonly store: RelayStore;
  readonly verifier: ProofVerifier;
  readonly account: LocalAccount;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  readonly now: () => number;
}

export type Admission =
  | { readonly kind: 'accepted'; readonly receipt: Receipt; readonly request: StoredRequest }
  /** The same request was accepted before (same receipt; nothing stored twice). */
  | { readonly kind: 'duplicate'; readonly receipt: Receipt; readonly request: StoredRequest }
  | { readonly kind: 'rejected'; readonly rejection: Rejection };

export class AcceptancePipeline {
  readonly #domain;

  constructor(
    private readonly deps: AcceptanceDeps,
    private readonly o: AcceptanceOptions,
  ) {
    this.#domain = marketDomain(deps.chain.chainId, deps.chain.market);
  }

  /** Body-only checks: types and canonical inputs, count and statements hash, signature. */
  async prepare(input: SubmitInput): Promise<Check<PreparedSubmission>> {
    const parsed = parseSubmission(input, this.o.maxStatementsPerRequest);
    if (!parsed.ok) return parsed;
    const digests = checkStatements(parsed.value.request, parsed.value.statements);
    if (!digests.ok) return digests;
    const payer = await recoverPayer(parsed.value, this.#domain);
    if (!payer.ok) return payer;
    return pass({
      ...parsed.value,
      payer: payer.value,
      requestHash: requestHash(parsed.value.request, this.#domain),
      digests: digests.value,
    });
  }

  /** Chain and proof checks, then persistence, then the signed receipt. */
  async admit(s: PreparedSubmission): Promise<Admission> {
    const { store } = this.deps;
    const known = await store.getRequest(requestIdOf(s.requestHash, s.payer));
    if (known) return { kind: 'duplicate', receipt: this.receiptOf(known), request: known };
    const now = this.deps.now();
    const rejected = (c: Rejected): Admission => ({ kind: 'rejected', rejection: c.rejection });

    const deadline = checkDeadline(s.request, now, {
      minSeconds: this.o.minDeadlineSeconds,
      horizonSeconds: this.o.deadlineHorizonSeconds,
    });
    if (!deadline.ok) return rejected(deadline);
    const reads = await this.#chainReads(s);
    if (!reads.ok) return rejected(reads);
    const { params, program, account } = reads.value;
    for (const check of [
      () => checkFee(s.request, params),
      () => checkProgram(s.request, program, s.statements),
      () => checkProofLength(s.statements, params),
      () => checkNonce(s.request, account),
    ]) {
      const c = check();
      if (!c.ok) return rejected(c);
    }
    const deposit = checkDeposit(s.request, account, await store.reservedOf(s.payer));
    if (!deposit.ok) return rejected(deposit);

    let verified: Check<number>;
    try {
      verified = await verifyProofs(s.statements, program!, this.deps.verifier, (sec) => this.deps.metrics.verifySeconds.observe(sec));
    } catch (err) {
      if (err instanceof VerifierBusyError) return rejected(reject('busy', `${err.message}; retry later`));
      throw err;
    }
    if (!verified.ok) return rejected(verified);

    const acceptedAt = this.deps.now();
    const postBy = Math.min(acceptedAt + this.o.postTimeoutSeconds + this.o.postMarginSeconds, s.request.deadline);
    const receiptSignature = await signReceipt(this.deps.account, { requestHash: s.requestHash, payer: s.payer, acceptedAt, postBy });
    const outcome = await store.accept(
      {
        requestHash: s.requestHash,
        payer: s.payer,
        request: s.request,
        signature: s.signature,
        acceptedAt,
        postBy,
        receiptSignature,
        statements: s.statements.map((st, i) => ({ digest: s.digests[i]!, publicInputs: st.publicInputs, proof: st.proof })),
      },
      account.free,
    );
    switch (outcome.kind) {
      case 'stored':
        return { kind: 'accepted', receipt: this.receiptOf(outcome.request), request: outcome.request };
      case 'duplicate':
        return { kind: 'duplicate', receipt: this.receiptOf(outcome.request), request: outcome.request };
      case 'nonce-conflict':
        return rejected(
          reject('nonce-conflict', `request ${outcome.existing} of this payer already holds nonce ${s.request.nonce} here`, {
            existing: outcome.existing,
          }),
        );
      case 'nonce-used':
        return rejected(
          reject('nonce-used', `nonce ${s.request.nonce} is consumed: this relay saw nonce ${outcome.usedUpTo} of the payer posted`, {
            usedUpTo: outcome.usedUpTo.toString(),
          }),
        );
      case 'insufficient-deposit': {
        // Another request of the payer was reserved while this one was being verified.
        const c = checkDeposit(s.request, { nonce: account.nonce, free: outcome.free }, outcome.reserved);
        return rejected(c.ok ? reject('insufficient-deposit', 'the deposit no longer covers the request') : c);
      }
      default: {
        const never: never = outcome;
        throw new Error(`unknown store outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /** The receipt of a stored request (the same one every time it is asked for). */
  receiptOf(r: StoredRequest): Receipt {
    return {
      requestHash: r.requestHash,
      payer: getAddress(r.payer),
      relay: this.deps.account.address,
      acceptedAt: r.acceptedAt,
      postBy: r.postBy,
      signature: r.receiptSignature,
    };
  }

  async #chainReads(s: PreparedSubmission) {
    const { chain } = this.deps;
    try {
      const [params, program, account] = await Promise.all([chain.params(), chain.program(s.request.programId), chain.account(s.payer)]);
      return pass({ params, program, account });
    } catch (err) {
      this.deps.metrics.errors.inc({ component: 'chain' });
      this.deps.log.warn({ err, requestHash: s.requestHash }, 'chain read failed during acceptance');
      return reject('chain-unavailable', 'the relay cannot read the chain right now; retry later');
    }
  }
}
