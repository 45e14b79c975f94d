/** File-system locations of the circuits layer. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGG_CIRCUITS, type AggCircuit } from '../../protocol/index.js';
import type { ExampleRollup } from './types.js';

/** The repository root (this file is prover/engine/circuits/paths.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Noir sources: one package per circuit plus the nex_lib and rollup_lib libraries, and test-only programs under tests/. */
export const CIRCUITS_DIR = resolve(REPO_ROOT, 'prover/circuits');

/** Package directory of each circuit, relative to CIRCUITS_DIR: prover/circuits/<name> for the aggregation circuits. */
export const CIRCUIT_PACKAGES: Readonly<Record<AggCircuit | ExampleRollup, string>> = {
  ...(Object.fromEntries(AGG_CIRCUITS.map((c) => [c, c])) as Record<AggCircuit, string>),
  rollup_counter: 'examples/rollup_counter',
  rollup_transfer: 'examples/rollup_transfer',
  rollup_ledger: 'examples/rollup_ledger',
};

/** Root of all build outputs: $NEX_BUILD_DIR, default <repo>/.nex/build (gitignored). */
export function buildRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.NEX_BUILD_DIR ?? resolve(REPO_ROOT, '.nex/build'));
}
