/**
 * The face of prover/keeper, the operator daemon: the only way into the keeper from outside it
 * (docs/architecture.md, docs/operator.md). The `nex keeper` commands use the daemon, its
 * configuration (one options table: flag, env variable, help text), the signer, the stake actions and
 * the status report. Importing it loads the daemon and its SQLite state (Node prints "SQLite is an
 * experimental feature"): the CLI imports it only when a keeper command runs.
 */

// ---- Configuration ----
export { ConfigError, type EngineTuning, type GasPolicy, type KeeperConfig, type LogLevel } from './config/config.js';
export { DEFAULT_CONFIG_FILE, loadConfig, parseKeeperFlags, type ConfigSources } from './config/load.js';
export { OPTIONS, SECRET_ENV, type OptionKind, type OptionSpec } from './config/options.js';
export { scrub, Secret } from './config/secret.js';
export { loadSigner, promptHidden, type KeeperSigner } from './config/signer.js';
export { configTemplate } from './config/template.js';
export { deployedVerifierVariant } from './config/deployedVariant.js';
export { VERIFY_TX_GAS, verifyGasWarning, type VerifyGasWarning } from './decide/verifyGas.js';

// ---- The daemon and the one-shot operator actions ----
export { Keeper, type KeeperOptions } from './daemon/keeper.js';
export type { KeeperContext } from './daemon/context.js';
export { claimEarnings, requestUnstake, stake, withdraw } from './daemon/stakeActions.js';
export { statusReport } from './daemon/status.js';
export type { TxOutcome } from './tx/txManager.js';

// ---- Observability ----
export { createLogger, type LogFields, type Logger, type LoggerOptions } from './obs/logger.js';

// ---- Typed events, the phase graph and the tx purposes (docs/operator.md) ----
export { KEEPER_EVENT_NAMES, KEEPER_EVENTS, KeeperEvents } from './obs/events.js';
export type { KeeperEvent, KeeperEventFields, KeeperEventLine, KeeperEventName, KeeperLogLine } from './obs/events.js';
export { ALL_PHASES, BATCH_OUTCOMES, BATCH_PHASES, phaseDiagram, phaseEdges } from './db/phases.js';
export type { BatchOutcome, BatchPhase } from './db/phases.js';
export { TX_PURPOSES } from './db/txPurposes.js';
export type { TxPurpose } from './db/txPurposes.js';
