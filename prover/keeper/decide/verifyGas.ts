/**
 * Does `gas.verifyGas` cover the verifier the router actually calls? The deploy code records the
 * variant in the deployments file; the gas of one version-2 root verify transaction (the non-ZK root,
 * 4 public inputs) per variant was measured on Hardhat's EVM (docs/prover.md, "Root verifier": 21,000
 * base + the proof's calldata + verification). An estimate below the deployed verifier's need makes the
 * keeper lock batches that cost more than it thinks.
 */
import type { VerifierVariantName } from '../../sdk/index.js';

/** gasUsed of one root verify(proof, publicInputs) transaction, per variant (upper bound of the verifier's own share). */
export const VERIFY_TX_GAS: Readonly<Record<VerifierVariantName, number>> = { optimized: 834_430, standard: 2_548_796 };

export interface VerifyGasWarning {
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/**
 * A warning when `verifyGas` is below what the deployed variant needs; undefined when it fits.
 * `variant` undefined = a deployments file written before variants were selectable: 'standard'.
 */
export function verifyGasWarning(variant: VerifierVariantName | undefined, verifyGas: number): VerifyGasWarning | undefined {
  const deployed = variant ?? 'standard';
  const need = VERIFY_TX_GAS[deployed];
  if (verifyGas >= need) return undefined;
  return {
    message: `gas.verifyGas is below what the deployed ${deployed} verifier needs: profit estimates are too optimistic; set --verify-gas (NEX_KEEPER_VERIFY_GAS) to at least ${need}`,
    fields: { verifierVariant: deployed, variantRecorded: variant !== undefined, verifyGas, verifyTxGas: need },
  };
}
