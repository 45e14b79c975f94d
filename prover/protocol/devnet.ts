/**
 * Where an INSECURE dev SRS may be used: local development chains only. Anyone who knows the dev seed
 * can forge proofs for a verifier built on it, so deploy refuses it anywhere else.
 */
import { NexError } from './errors.js';

/** Chain ids of local development chains (Hardhat, Anvil / Ganache / geth --dev). */
export const LOCAL_DEVNET_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];

/** True for the chain id of a local devnet (LOCAL_DEVNET_CHAIN_IDS). */
export function isLocalDevnet(chainId: bigint | number): boolean {
  return LOCAL_DEVNET_CHAIN_IDS.includes(BigInt(chainId));
}

/** Thrown when a verifier built for the INSECURE dev SRS is about to reach a non-local chain. */
export class InsecureSrsError extends NexError {
  override readonly name = 'InsecureSrsError';
}

/**
 * Deploy-time guard: passes for the Ignition SRS on any chain, and for the dev SRS only on a local
 * devnet (chain id 31337 or 1337).
 */
export function assertSrsAllowedOnChain(srs: { readonly mode: 'dev' | 'ignition' }, chainId: bigint | number): void {
  if (srs.mode === 'ignition') return;
  if (srs.mode === 'dev' && isLocalDevnet(chainId)) return;
  throw new InsecureSrsError(
    `refusing to use the INSECURE ${srs.mode} SRS on chain ${chainId}: only local devnets ` +
      `(${LOCAL_DEVNET_CHAIN_IDS.join(', ')}) may use it; deploy with the Ignition SRS instead`,
  );
}
