/**
 * `nex explorer`: a read-only web page and JSON API over the version-2 market (docs/explorer.md): batches
 * and their slots, programs and statements, provers, the verifier version in force, with a relay's and a
 * keeper's state when configured. The face of prover/explorer.
 */
export {
  DEFAULT_VERIFY_ALONE_GAS,
  ExplorerConfigError,
  loadExplorerConfig,
  OPTIONS as EXPLORER_OPTIONS,
  readDeploymentsInfo,
} from './config.js';
export type { ExplorerConfig, ExplorerConfigSources, OptionSpec as ExplorerOptionSpec } from './config.js';
export { ExplorerStartError, startExplorer, type ExplorerDeps, type RunningExplorer } from './start.js';
export { createExplorerLogger } from './log.js';
export { runExplorer, type RunExplorerOptions } from './run.js';
export type * from './views/types.js';
