// The keeper's face: what the `nex keeper` commands (prover/cli) use. Importing it loads the daemon and
// its SQLite state (Node prints "SQLite is an experimental feature"): the CLI imports it only when a
// keeper command runs.
export { ConfigError, type KeeperConfig } from './config/config.js';
export { DEFAULT_CONFIG_FILE, loadConfig } from './config/load.js';
export { OPTIONS, SECRET_ENV, type OptionSpec } from './config/options.js';
export { scrub } from './config/secret.js';
export { loadSigner, promptHidden, type KeeperSigner } from './config/signer.js';
export { configTemplate } from './config/template.js';
export { deployedVerifierVariant } from './config/deployedVariant.js';
export { verifyGasWarning } from './decide/verifyGas.js';
export { Keeper } from './daemon/keeper.js';
export { claimEarnings, requestUnstake, stake, withdraw } from './daemon/stakeActions.js';
export { statusReport } from './daemon/status.js';
export { createLogger, type Logger } from './obs/logger.js';
export type { TxOutcome } from './tx/txManager.js';
