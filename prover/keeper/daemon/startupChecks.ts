/**
 * Start-up refusals (#10 item 14): a keeper that would prove with circuits the router does not pin, or
 * with the development SRS on a public chain, stops before it locks anything, with an error naming the fix.
 */
import type { Hex } from 'viem';
import { ConfigError, type SrsMode } from '../config/config.js';

/** Chains where the development SRS may be used: Hardhat's and anvil's default chain ids. */
export const LOCAL_CHAIN_IDS: ReadonlySet<number> = new Set([31337, 1337]);

export interface StartupFacts {
  readonly chainId: number;
  /** The configured SRS. */
  readonly srs: SrsMode;
  /** The key set and SRS of the local circuits (the prover's identity). */
  readonly local: { readonly keySet: Hex; readonly srs: SrsMode };
  /** What the router pins for its current version. */
  readonly pinned: { readonly version: number; readonly keySet: Hex };
}

/** Every reason to refuse to run (empty: go). */
export function startupRefusals(f: StartupFacts): string[] {
  const out: string[] = [];
  if (f.srs === 'dev' && !LOCAL_CHAIN_IDS.has(f.chainId)) {
    out.push(
      `srs: the development SRS is for local devnets (chain ids ${[...LOCAL_CHAIN_IDS].join(', ')}), not chain ${f.chainId}: set srs to ignition (NEX_KEEPER_SRS=ignition or --srs ignition) and use circuits built with it`,
    );
  }
  if (f.local.srs !== f.srs) {
    out.push(`srs: configured ${f.srs} but the engine opened the ${f.local.srs} SRS`);
  }
  if (f.local.keySet.toLowerCase() !== f.pinned.keySet.toLowerCase()) {
    out.push(
      `circuits: the local circuits' key set ${f.local.keySet} differs from the key set ${f.pinned.keySet} the router pins for version ${f.pinned.version}; proofs would be rejected. Build the circuits this deployment was made with (npm run circuits, same srs and toolchain), or point the keeper at the deployment of these circuits`,
    );
  }
  return out;
}

/** Throws a ConfigError listing every refusal. */
export function assertStartup(f: StartupFacts): void {
  const problems = startupRefusals(f);
  if (problems.length > 0) throw new ConfigError(problems);
}
