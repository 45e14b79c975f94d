import { circuitBuild, openExampleBackend, type ExampleBackend } from '../../prover/toolchain/index.js';

/**
 * Opens the engine backend (with the toolchain's example provers), setting up the SRS and building the
 * circuits first when no cached build exists (a clean checkout). The build is skipped when artifacts
 * are present: creating and immediately destroying a bb instance (circuitBuild's cache-hit path) can
 * race bb's socket start-up on a loaded machine.
 */
export async function engineBackend(): Promise<ExampleBackend> {
  try {
    return await openExampleBackend({});
  } catch {
    await circuitBuild({});
    return openExampleBackend({});
  }
}
