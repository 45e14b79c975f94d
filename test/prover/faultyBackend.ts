// Test double (issue 10 item 13): wraps a proving backend and makes its bb calls fail the way a crashed or
// hung bb does (bb.js's transport errors, or no answer at all), a chosen number of times, before passing
// calls through. The verdicts come from the wrapped backend (a real bb in the real-proof tests).
import type { ProvingBackend } from '../../prover/engine/index.js';

export interface FaultPlan {
  /** How many calls fail before calls pass through ('always': every call). */
  failures: number | 'always';
  /** 'crash': reject like bb.js when the bb process exits; 'socket': like a closed socket; 'hang': never answer. */
  mode: 'crash' | 'socket' | 'hang';
}

/** bb.js's messages for a dead bb (bb_backends/node/native_socket.js). */
const MESSAGES = { crash: 'Native backend process exited with code 134', socket: 'Socket connection ended unexpectedly' } as const;

export interface FaultyBackend<B> {
  backend: B;
  /** Calls of checkRollupProof seen (failed or passed). */
  readonly calls: () => number;
  /** Calls that failed on purpose. */
  readonly injected: () => number;
  /** Backends closed (the engine restarts bb after a failure). */
  readonly closed: () => number;
}

/** Wraps `inner`'s checkRollupProof and verifyAggProof with the fault plan; other methods pass through. */
export function faultyBackend<
  B extends Pick<ProvingBackend, 'checkRollupProof' | 'close'> & Partial<Pick<ProvingBackend, 'verifyAggProof'>>,
>(
  inner: B,
  plan: FaultPlan,
  shared: { calls: number; injected: number; closed: number } = { calls: 0, injected: 0, closed: 0 },
): FaultyBackend<B> {
  const fault = async <T>(pass: () => Promise<T>): Promise<T> => {
    shared.calls++;
    if (plan.failures === 'always' || shared.injected < plan.failures) {
      shared.injected++;
      if (plan.mode === 'hang') return new Promise<T>(() => {});
      throw new Error(MESSAGES[plan.mode]);
    }
    return pass();
  };
  const backend = {
    ...inner,
    checkRollupProof: (r: Parameters<B['checkRollupProof']>[0]) => fault(() => inner.checkRollupProof(r)),
    ...(inner.verifyAggProof
      ? { verifyAggProof: (p: Parameters<ProvingBackend['verifyAggProof']>[0]) => fault(() => inner.verifyAggProof!(p)) }
      : {}),
    // The engine kills a stuck bb by pid when it restarts it: the wrapped (shared) bb must survive that.
    bbPid: () => undefined,
    close: async () => {
      shared.closed++;
    },
  } as B;
  return { backend, calls: () => shared.calls, injected: () => shared.injected, closed: () => shared.closed };
}
