import { circuitBuild, openBackend, type ProvingBackend } from '../../../prover/engine/backend.js';

/**
 * Opens the engine backend, building the circuits first when no cached build exists (a clean
 * checkout). The build is skipped when artifacts are present: creating and immediately destroying
 * a bb instance (circuitBuild's cache-hit path) can race bb's socket start-up on a loaded machine.
 */
export async function engineBackend(): Promise<ProvingBackend> {
  try {
    return await openBackend({});
  } catch {
    await circuitBuild({});
    return openBackend({});
  }
}
