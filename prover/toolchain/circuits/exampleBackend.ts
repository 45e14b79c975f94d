/**
 * A proving backend that also makes example rollup proofs: what the demo, `nex prove example`, the
 * benchmarks and the tests use to get rollup proofs to aggregate. It runs on the engine's backend
 * session (one bb instance), so proving examples and aggregating them share bb.
 */
import type { Address } from 'viem';
import {
  noirExecutor,
  openBackendSession,
  proveCircuit,
  provingBackend,
  type BackendOptions,
  type BackendSession,
  type ExampleRollup,
  type Hex,
  type ProvingBackend,
  type RollupProof,
} from '../../engine/index.js';
import { SUPPORTED_PUBLIC_INPUT_COUNTS } from '../../protocol/index.js';
import { solidityVerifierFor } from '../srs/patch.js';
import { computeVk, solidityVerifier } from './bbBuild.js';
import { exampleRollupInputs, proveExampleRollup, tamperRollupProof } from './examples.js';

/** The example rollup program of each supported public-input count. */
export const EXAMPLE_FOR: Readonly<Record<1 | 2 | 4, ExampleRollup>> = { 1: 'rollup_counter', 2: 'rollup_transfer', 4: 'rollup_ledger' };

export interface ExampleBackend extends ProvingBackend {
  /** Proves a statement of the example rollup program with `publicInputCount` public inputs (noir-recursive target). */
  proveExampleRollup(args: {
    publicInputCount: 1 | 2 | 4;
    seed: string;
    valid?: boolean;
    owner?: Address | undefined;
  }): Promise<RollupProof>;
  /**
   * An example rollup proof made for the EVM (keccak transcript) with the Solidity verifier source of that
   * rollup circuit (for the current SRS): the "verify one rollup proof alone on L1" baseline of the benchmark.
   * `optimized` selects bb's optimized Solidity verifier generator (default: the standard one).
   */
  exampleRollupEvmCase(opts?: { optimized?: boolean }): Promise<{ verifierSource: string; proof: Uint8Array; publicInputs: Hex[] }>;
}

/** Adds the example provers to a backend session (closing the backend closes the session's bb). */
export function exampleBackend(session: BackendSession): ExampleBackend {
  const { bb, artifacts: art, srs } = session;
  return {
    ...provingBackend(session),
    async proveExampleRollup({ publicInputCount, seed, valid = true, owner }) {
      if (!SUPPORTED_PUBLIC_INPUT_COUNTS.includes(publicInputCount))
        throw new RangeError(`no example rollup with ${String(publicInputCount)} public inputs`);
      const proof = await proveExampleRollup(bb, art, EXAMPLE_FOR[publicInputCount], seed, owner);
      return valid ? proof : tamperRollupProof(proof, 'proof-byte');
    },
    async exampleRollupEvmCase(opts: { optimized?: boolean } = {}) {
      const kind = EXAMPLE_FOR[1];
      const c = art.examples[kind];
      const evmVk = await computeVk(bb, kind, c.bytecode, 'evm');
      const { witness } = await noirExecutor(c.program).execute(exampleRollupInputs(kind, 'bench-evm'));
      const raw = await proveCircuit(bb, { name: kind, bytecode: c.bytecode, vk: evmVk.bytes }, witness, 'evm');
      const verifierSource = solidityVerifierFor(srs, await solidityVerifier(bb, evmVk.bytes, opts.optimized === true, 'evm'));
      return { verifierSource, proof: raw.proof, publicInputs: raw.publicInputs };
    },
  };
}

/** Opens a backend (as the engine's openBackend: the SRS and circuits must be set up) with the example provers. */
export async function openExampleBackend(opts: BackendOptions): Promise<ExampleBackend> {
  return exampleBackend(await openBackendSession(opts));
}
