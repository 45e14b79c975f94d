// Face of the keeper module (prover/keeper): what other modules may import from it.
export { KEEPER_EVENT_NAMES, KEEPER_EVENTS, KeeperEvents } from './obs/events.js';
export type { KeeperEvent, KeeperEventFields, KeeperEventLine, KeeperEventName, KeeperLogLine } from './obs/events.js';
export { ALL_PHASES, BATCH_OUTCOMES, BATCH_PHASES, phaseDiagram, phaseEdges } from './db/phases.js';
export type { BatchOutcome, BatchPhase } from './db/phases.js';
export { TX_PURPOSES } from './db/txPurposes.js';
export type { TxPurpose } from './db/txPurposes.js';
