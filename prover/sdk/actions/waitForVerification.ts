import type { Hash } from 'viem';
import { aggregationMarketAbi } from '../../abi/v1.js';
import type { NexClient } from '../client.js';
import { NexError, WaitTimeoutError } from '../errors.js';
import { getSubmission, type SubmissionState, type SubmissionStatus } from './getSubmission.js';

export interface WaitForVerificationParameters {
  /** Give up after this long (default 30 minutes). */
  timeoutMs?: number | undefined;
  /** How often to re-read the submission when no event arrives (default: the client's interval). */
  pollingIntervalMs?: number | undefined;
  /** Aborts the wait (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** Called whenever the submission's state is read (e.g. to show the batch moving along). */
  onStatus?: ((status: SubmissionStatus) => void) | undefined;
}

export type FinalState = Extract<SubmissionState, 'verified' | 'excluded' | 'expired' | 'refunded'>;

export interface WaitForVerificationReturnType {
  readonly state: FinalState;
  readonly status: SubmissionStatus;
  /** The transaction that verified or excluded it, when seen through an event. */
  readonly txHash?: Hash | undefined;
}

const FINAL: ReadonlySet<SubmissionState> = new Set(['verified', 'excluded', 'expired', 'refunded']);

/**
 * Waits until a submission is verified, or reaches another final state (excluded from its batch,
 * expired unverified, refunded): the result says which. Listens for the market's SubmissionVerified /
 * SubmissionExcluded events and also re-reads the submission on a timer, so a node without filters or a
 * missed event only delays the answer by one polling interval.
 * Throws {@link WaitTimeoutError} on timeout and {@link NexError} for an unknown submission.
 */
export async function waitForVerification(
  client: NexClient,
  submissionId: bigint,
  params: WaitForVerificationParameters = {},
): Promise<WaitForVerificationReturnType> {
  const timeoutMs = params.timeoutMs ?? 30 * 60_000;
  const pollingIntervalMs = params.pollingIntervalMs ?? client.pollingIntervalMs;
  const stops: (() => void)[] = [];
  try {
    return await new Promise<WaitForVerificationReturnType>((resolve, reject) => {
      let txHash: Hash | undefined;
      let checking = false;
      let recheck = false;
      let done = false;
      const finish = (fn: () => void): void => {
        if (done) return;
        done = true;
        fn();
      };
      const check = async (): Promise<void> => {
        if (checking) {
          recheck = true;
          return;
        }
        checking = true;
        try {
          do {
            recheck = false;
            const status = await getSubmission(client, submissionId);
            if (done) return;
            params.onStatus?.(status);
            if (status.state === 'unknown') {
              finish(() => reject(new NexError(`submission ${submissionId} does not exist`)));
              return;
            }
            if (FINAL.has(status.state)) {
              finish(() => resolve({ state: status.state as FinalState, status, txHash }));
              return;
            }
          } while (recheck);
        } catch {
          // Transient RPC errors: the next tick reads again.
        } finally {
          checking = false;
        }
      };
      const timer = setTimeout(() => finish(() => reject(new WaitTimeoutError(submissionId, timeoutMs))), timeoutMs);
      stops.push(() => clearTimeout(timer));
      const poll = setInterval(() => void check(), pollingIntervalMs);
      stops.push(() => clearInterval(poll));
      if (params.signal) {
        const onAbort = (): void => finish(() => reject(params.signal!.reason ?? new Error('aborted')));
        if (params.signal.aborted) onAbort();
        params.signal.addEventListener('abort', onAbort, { once: true });
        stops.push(() => params.signal!.removeEventListener('abort', onAbort));
      }
      for (const eventName of ['SubmissionVerified', 'SubmissionExcluded'] as const) {
        stops.push(
          client.public.watchContractEvent({
            address: client.addresses.market,
            abi: aggregationMarketAbi,
            eventName,
            args: { submissionId },
            pollingInterval: pollingIntervalMs,
            onLogs: (logs) => {
              txHash = logs[0]?.transactionHash ?? txHash;
              void check();
            },
            // A node without filters or a dropped connection: polling keeps going.
            onError: () => undefined,
          }),
        );
      }
      void check();
    });
  } finally {
    for (const stop of stops) stop();
  }
}
