/**
 * The "verify each proof alone" baseline: the gas of verifying one example rollup proof (rollup_counter,
 * evm target) with that circuit's own generated Solidity verifier, measured on the demo's chain. The
 * proof, the verifier source and its solc compilation come from the engine's helper
 * (`exampleRollupEvmCase`); the measured number is cached per circuits build, since it only depends on it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import type { Hex } from 'viem';
import type { ProvingBackend } from '../engine/backend.js';
import { compileVerifier, deployVerifier, evmVerify } from '../engine/evm-verifier.js';

export interface Baseline {
  /** Gas of one verify(proof, publicInputs) transaction (21,000 base and calldata included). */
  gasPerProof: bigint;
  calldataBytes: number;
  /** True when taken from an earlier run's measurement on the same circuits build. */
  cached: boolean;
}

interface CacheEntry {
  buildDir: string;
  gasPerProof: string;
  calldataBytes: number;
}

function readCache(file: string, buildDir: string): Baseline | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    if (j.buildDir !== buildDir) return undefined;
    return { gasPerProof: BigInt(j.gasPerProof), calldataBytes: j.calldataBytes, cached: true };
  } catch {
    return undefined;
  }
}

export async function measureBaseline(opts: { backend: ProvingBackend; rpcUrl: string; privateKey: Hex; cacheFile: string }): Promise<Baseline> {
  const buildDir = path.basename(opts.backend.artifacts.buildDir);
  const cached = readCache(opts.cacheFile, buildDir);
  if (cached) return cached;
  const single = await opts.backend.exampleRollupEvmCase();
  const compiled = compileVerifier(single.verifierSource);
  const provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const signer = new Wallet(opts.privateKey, provider);
    const deployed = await deployVerifier(compiled, signer);
    const r = await evmVerify(compiled, deployed.address, signer, single.proof, single.publicInputs);
    if (!r.verified || r.gasUsed === undefined) throw new Error(`the single rollup proof was rejected by its own verifier: ${r.error}`);
    mkdirSync(path.dirname(opts.cacheFile), { recursive: true });
    const entry: CacheEntry = { buildDir, gasPerProof: r.gasUsed.toString(), calldataBytes: r.calldataBytes };
    writeFileSync(opts.cacheFile, `${JSON.stringify(entry, null, 2)}\n`);
    return { gasPerProof: r.gasUsed, calldataBytes: r.calldataBytes, cached: false };
  } finally {
    provider.destroy();
  }
}
