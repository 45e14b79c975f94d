/**
 * Proof verification for the acceptance pipeline: bb's native UltraHonk verifier through the engine's
 * public backend (`openBackend(...).verifyRollupProof`), a check of milliseconds with the program's
 * stored key. Verifications run one at a time (bb uses every core for one) behind a bounded queue.
 */
import type { Address, Hex } from 'viem';
import { openBackend, type BackendOptions } from '../engine/index.js';

export interface ProofToVerify {
  /** The program's registrant (part of its identity; the engine's pre-check requires an address). */
  readonly owner: Address;
  readonly vk: Uint8Array;
  readonly vkHash: Hex;
  readonly proof: Uint8Array;
  readonly publicInputs: readonly Hex[];
}

export interface ProofVerifier {
  /** True when `proof` is a valid proof of `publicInputs` for the key `vk`. Throws VerifierBusyError when the queue is full. */
  verify(p: ProofToVerify): Promise<boolean>;
  close(): Promise<void>;
}

/** More proofs wait for verification than the relay allows (HTTP 503 with Retry-After). */
export class VerifierBusyError extends Error {
  override readonly name = 'VerifierBusyError';
}

/** Runs `fn` calls one at a time; refuses a call when `maxPending` are already waiting or running. */
export function serialQueue(maxPending: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return <T>(fn: () => Promise<T>): Promise<T> => {
    if (pending >= maxPending) return Promise.reject(new VerifierBusyError(`${pending} proofs are waiting for verification`));
    pending++;
    const run = tail.then(fn).finally(() => {
      pending--;
    });
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Opens one bb instance through the engine and verifies rollup proofs with it. */
export async function openEngineVerifier(opts: BackendOptions & { maxPending: number }): Promise<ProofVerifier> {
  const { maxPending, ...backendOpts } = opts;
  const backend = await openBackend(backendOpts);
  const enqueue = serialQueue(maxPending);
  return {
    verify: (p) =>
      enqueue(() =>
        backend.verifyRollupProof({ owner: p.owner, vk: p.vk, vkHash: p.vkHash, proof: p.proof, publicInputs: [...p.publicInputs] }),
      ),
    close: () => backend.close(),
  };
}
