/**
 * The face of prover/engine, the runtime prover: the only way into the engine from outside it
 * (docs/architecture.md). It loads what the toolchain (prover/toolchain) built, the SRS and the
 * circuits build, and never builds anything itself.
 */

// ---- Aggregation: what the keeper and the CLI call ----
export {
  aggregateBatch,
  expectedRootPublicInputs,
  InvalidSlotsError,
  precheckBatch,
  proveBatch,
  type AggregateResult,
  type ProveBatchOptions,
  type ProveBatchResult,
} from './aggregate.js';
export { ConfigError, DEFAULT_CHECKPOINT_DIR, resolveBackend, type AggregateOptions, type PrecheckOptions } from './config.js';
export {
  backendHandle,
  BackendTimeoutError,
  BackendUnavailableError,
  DEFAULT_RETRY_POLICY,
  withBackendRetry,
  type BackendHandle,
  type RetryPolicy,
} from './backendHandle.js';
export {
  BatchError,
  batchFromJson,
  batchToJson,
  excludedMask,
  excludeSlots,
  rollupFromJson,
  rollupToJson,
  slotDigest,
  validateBatch,
  type Batch,
  type BatchJson,
  type RollupProofJson,
  type Slot,
  type SlotJson,
} from './batch.js';
export {
  isRightSingle,
  jobsPerLevel,
  nodeId,
  padId,
  pairLeafId,
  planBatch,
  singleLeafId,
  type Job,
  type LeafJob,
  type NodeJob,
  type PadJob,
  type Plan,
} from './planner.js';
export {
  BackendTransportError,
  JobFailedError,
  JobInputError,
  runPlan,
  SlotsFailedError,
  WorkerCrashError,
  type JobResult,
  type JobRunner,
  type JobStat,
  type JobTask,
  type LeafFailure,
  type ProgressEvent,
  type RunPlanOptions,
  type RunPlanResult,
} from './scheduler.js';
export type { Check, PrecheckReport, SlotCheck } from './precheck.js';
export { precheckDigest, precheckSlots } from './precheck.js';
export { jsonLogger, silentLogger, type LogFields, type Logger, type LogLevel } from './logger.js';
export { CheckpointStore, jobKeys, type Checkpoint, type CheckpointReadResult } from './checkpoint.js';
export { aggProofFromJson, aggProofToJson, type AggProofJson } from './serialize.js';
export { WorkerPool } from './workerPool.js';
export { peakRssMiB, resetPeakRss } from './rss.js';

// ---- Distributed proving on BullMQ (Redis): the keeper's side runs through aggregateBatch({ queue }) ----
export {
  DEFAULT_QUEUE_NAME,
  EXIT_ERROR,
  EXIT_OK,
  EXIT_REFUSED,
  FlowBusyError,
  formatQueueStatus,
  QueueJobFailedError,
  QueueMetrics,
  QueueServerError,
  queueStatus,
  redactUrl,
  RedisMissingError,
  resolveQueueConfig,
  runWorker,
  startLocalRedis,
  WorkerMetrics,
  type LocalRedis,
  type QueueConfigInput,
  type QueueOption,
  type QueueStatus,
  type RunningWorker,
  type WorkerOptions,
} from './queue/index.js';

// ---- The proving backend: one bb instance bound to an SRS and a circuits build ----
export {
  openBackend,
  openBackendSession,
  openSrs,
  provingBackend,
  type AggCircuit,
  type AggProof,
  type AggTarget,
  type ArtifactsInfo,
  type BackendOptions,
  type BackendSession,
  type Hex,
  type ProofTarget,
  type ProvingBackend,
  type RollupProof,
  type VerifierBuild,
} from './backend.js';

// ---- Circuits at runtime: artifacts, witnesses, proofs (the toolchain, benchmarks and tests build on these) ----
export { keySetRoot, loadAggregationArtifacts, type LoadArtifactsOptions } from './circuits/artifacts.js';
export {
  acirBytes,
  bbHash2,
  isBbVerdictError,
  proveCircuit,
  targetSettings,
  verifyWithVk,
  vkHashOf,
  type Bb,
  type ProofSystemSettings,
  type RawProof,
} from './circuits/bb.js';
export {
  BUILD_FORMAT,
  BUILT_CIRCUITS,
  buildDirFor,
  buildPackageDirs,
  currentBuildId,
  hashCircuitSources,
  MANIFEST_FILE,
  readManifest,
  ROOT_VK_FILE,
  toolchainVersions,
  VERIFIER_FILES,
  type BuildManifest,
  type BuiltCircuit,
  type CircuitManifestEntry,
  type SolcSettings,
  type VerifierManifestEntry,
} from './circuits/buildLayout.js';
export { noirExecutor } from './circuits/executor.js';
export { buildRoot, CIRCUIT_PACKAGES, CIRCUITS_DIR, REPO_ROOT } from './circuits/paths.js';
export {
  checkRollupProof,
  CircuitInputError,
  expectedPublicInputs,
  InvalidAggProofError,
  isInputFailure,
  proveAggregationCircuit,
  proveNode,
  provePad,
  provePairLeaf,
  proveSingleLeaf,
  rollupDigest,
  rollupShapeProblem,
  verifyAggProof,
  verifyRollupProof,
} from './circuits/prove.js';
export {
  AGG_TARGETS,
  EXAMPLE_ROLLUPS,
  type AggregationArtifacts,
  type AggTarget as AggProofTarget,
  type CircuitArtifact,
  type CircuitSize,
  type ExampleRollup,
  type VerifierArtifact,
} from './circuits/types.js';
export { nodeInputs, padInputs, pairLeafInputs, singleLeafInputs, type HeaderInputs, type NodeChild } from './circuits/witness.js';

// ---- The SRS at runtime: locating and checking what the toolchain set up, starting bb on it ----
export { createBarretenberg, startBarretenberg, type CreateBarretenbergOptions } from './srs/barretenberg.js';
export { DEFAULT_DEV_SEED, DEFAULT_LOG2_POINTS, EXTRA_POINTS, MAX_LOG2_POINTS, MIN_LOG2_POINTS, pointsFor } from './srs/constants.js';
export { ignitionSrs } from './srs/ignition.js';
export {
  fileRecord,
  g2FromManifest,
  g2ToManifest,
  INSECURE_WARNING,
  MANIFEST_KIND,
  MANIFEST_VERSION,
  readValidManifest,
  type DevSrsManifest,
  type FileRecord,
  type ManifestExpectation,
} from './srs/manifest.js';
export {
  devSrsOf,
  locateDevSrs,
  openDevSrs,
  readDevSrsManifest,
  srsIdOf,
  SrsNotReadyError,
  type DevSrsLocation,
  type DevSrsLocationOptions,
  type OpenDevSrsOptions,
} from './srs/open.js';
export { patchedBbStatus, wrapperScript, type BbPatchReport, type PatchRecord } from './srs/patchedBb.js';
export {
  defaultSrsCacheRoot,
  devSrsDir,
  devSrsLayout,
  ignitionCrsDir,
  MANIFEST_NAME,
  stockBbPath,
  type DevSrsLayout,
} from './srs/paths.js';
export { deriveDevTau, seedId, tauHex } from './srs/tau.js';
export {
  stderrJsonLogger,
  type AffineG1,
  type DevG2,
  type DevSrs,
  type IgnitionSrs,
  type Srs,
  type SrsLogger,
  type SrsMode,
} from './srs/types.js';
