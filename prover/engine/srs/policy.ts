import { LOCAL_DEVNET_CHAIN_IDS } from './constants.js';
import type { Srs } from './index.js';
import { NexError } from '../../protocol/errors.js';

/** Thrown when a verifier built for the INSECURE dev SRS is about to reach a non-local chain. */
export class InsecureSrsError extends NexError {
  override readonly name = 'InsecureSrsError';
}

export function isLocalDevnet(chainId: bigint | number): boolean {
  return LOCAL_DEVNET_CHAIN_IDS.includes(BigInt(chainId));
}

/**
 * Deploy-time guard: passes for the Ignition SRS on any chain, and for the dev SRS only on a local
 * devnet (chain id 31337 or 1337). Anyone who knows the dev seed can forge proofs for it.
 */
export function assertSrsAllowedOnChain(srs: Pick<Srs, 'mode'>, chainId: bigint | number): void {
  if (srs.mode === 'ignition') return;
  if (srs.mode === 'dev' && isLocalDevnet(chainId)) return;
  throw new InsecureSrsError(
    `refusing to use the INSECURE ${srs.mode} SRS on chain ${chainId}: only local devnets ` +
      `(${LOCAL_DEVNET_CHAIN_IDS.join(', ')}) may use it; deploy with the Ignition SRS instead`,
  );
}
