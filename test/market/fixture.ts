// Shared deployment fixture of the version-2 market tests: the market stack and helpers of
// scripts/lib/marketDeployment.ts (also used by `npm run bench:gas`); the commitment format comes from
// prover/protocol (v2).
export * from '../../scripts/lib/marketDeployment.js';
