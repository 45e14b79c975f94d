/**
 * The face of prover/toolchain: what building needs, split from the runtime prover (prover/engine).
 * `npm run circuits`, `nex srs`, deploy and the benchmarks use it: generating the INSECURE dev SRS (and
 * the patched bb), compiling the circuits and computing their keys, generating, compiling and deploying
 * Solidity verifiers, and making example rollup proofs. It stands on the engine's face (bb, the build
 * layout, the SRS the runtime opens); the engine never imports it.
 */

// ---- The dev SRS: generation, check, the patched bb (the deploy guard is prover/protocol's) ----
export {
  devSrsGeneration,
  ensureDevSrs,
  listDevSrs,
  type CachedDevSrs,
  type DevSrsOptions,
  type SrsPhase,
  type SrsProgress,
} from './srs/dev.js';
export { ensurePatchedBb, type PatchedBbResult } from './srs/bbCopy.js';
export { G1_POINT_BYTES, G2_POINT_BYTES, IGNITION_G1_SECOND_HEX, IGNITION_G2_HEX } from './srs/constants.js';
export { consecutivePowersConsistent, g1Equal, g1FromBytes, g1Mul, g1ToBytes, g2FromBytes, g2FromTau, g2ToBytes } from './srs/curve.js';
export { isAlive, withLockFile } from './srs/lock.js';
export { ensureSrsgen, generateG1, type GenerateG1Options } from './srs/native.js';
export {
  assertVerifierAllowedOnChain,
  carriesIgnitionG2,
  patchBbBytes,
  patchSolidityVerifierG2,
  solidityVerifierFor,
  writePatchedBb,
} from './srs/patch.js';
export { progressReporter, type ProgressReporterOptions } from './srs/progress.js';
export { checkSrsFiles, type SrsCheckOptions, type SrsCheckReport } from './srs/verify.js';

// ---- The circuits build (`npm run circuits`) ----
export { circuitSize, computeVk, solidityVerifier, type VerificationKey } from './circuits/bbBuild.js';
export { buildCircuits, type BuildOptions, type BuildProgress, type BuildResult } from './circuits/build.js';
export { compileNoirPackage, type CompiledProgram } from './circuits/compile.js';
export { circuitBuild, ensureAggregationArtifacts, setupSrs, type EnsureArtifactsOptions } from './circuits/setup.js';

// ---- Example rollup proofs (demo, `nex prove example`, benchmarks, tests) ----
export { EXAMPLE_FOR, exampleBackend, openExampleBackend, type ExampleBackend } from './circuits/exampleBackend.js';
export {
  EXAMPLE_OWNER,
  exampleRollupInputs,
  proveExampleRollup,
  proveExampleRollupWith,
  tamperRollupProof,
  type RollupTamper,
} from './circuits/examples.js';

// ---- Solidity verifiers: compile (build artifact or any bb source), deploy, call ----
export { compileVerifierArtifact, linkVerifierBytecode, SOLC_SETTINGS, solcVersion, VERIFIER_CONTRACT } from './verifier/solidity.js';
export { deployRootVerifier, type DeployedRootVerifier, type RootVerifier } from './verifier/deployVerifier.js';
export {
  compileVerifier,
  deployVerifier,
  evmVerify,
  fromVerifierBuild,
  type CompiledContract,
  type CompiledVerifier,
  type DeployedVerifier,
  type EvmVerifyResult,
} from './verifier/evmVerifier.js';
