import { buildModule, type ContractFuture } from '@nomicfoundation/ignition-core';
import { linkedLibraryNames, type VerifierBuild } from '../verifierBuild.js';

/**
 * The generated HonkVerifier from the circuits build: its external libraries are deployed first and
 * linked into its bytecode (Ignition links by the names in the artifact's linkReferences).
 */
export function verifierModule(build: VerifierBuild) {
  return buildModule('NexVerifier', (m) => {
    const libraries: Record<string, ContractFuture<string>> = {};
    for (const name of linkedLibraryNames(build.verifier)) {
      libraries[name] = m.library(name, build.libraries[name]!);
    }
    const verifier = m.contract('HonkVerifier', build.verifier, [], { libraries });
    return { verifier, ...libraries };
  });
}
