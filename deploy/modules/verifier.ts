import { buildModule, type ContractFuture } from '@nomicfoundation/ignition-core';
import { linkedLibraryNames, type VerifierContracts } from '../verifierBuild.js';

/**
 * The generated HonkVerifier from the circuits build, in the variant the parameters chose: its
 * external libraries (the standard variant has one, RelationsLib; the optimized one none) are deployed first and
 * linked into its bytecode (Ignition links by the names in the artifact's linkReferences). The future
 * ids are the same for both variants, so a journal of one variant refuses the other at reconciliation.
 */
export function verifierModule(contracts: VerifierContracts) {
  return buildModule('NexVerifier', (m) => {
    const libraries: Record<string, ContractFuture<string>> = {};
    for (const name of linkedLibraryNames(contracts.verifier)) {
      libraries[name] = m.library(name, contracts.libraries[name]!);
    }
    const verifier = m.contract('HonkVerifier', contracts.verifier, [], { libraries });
    return { verifier, ...libraries };
  });
}
