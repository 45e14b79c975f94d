/**
 * The "verify each proof alone" baseline: the gas of verifying one example rollup proof (rollup_counter,
 * evm target) with that circuit's own generated Solidity verifier, measured on the demo's chain. For an
 * apples-to-apples comparison the verifier is generated with the same bb generator as the deployed root
 * verifier (the deployments file's variant: 'optimized' by default, or 'standard'). The proof and the
 * verifier source come from the toolchain's helper (`exampleRollupEvmCase`); the measured number is cached
 * per circuits build and variant, since it only depends on them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import type { Hex } from 'viem';
import type { VerifierVariantName } from '../sdk/index.js';
import { compileVerifier, deployVerifier, evmVerify, type ExampleBackend as ProvingBackend } from '../toolchain/index.js';

export interface Baseline {
  /** The bb Solidity verifier generator used (the same as the deployed root verifier's). */
  variant: VerifierVariantName;
  /** Gas of one verify(proof, publicInputs) transaction (21,000 base and calldata included). */
  gasPerProof: bigint;
  calldataBytes: number;
  /** True when taken from an earlier run's measurement on the same circuits build. */
  cached: boolean;
}

interface CacheEntry {
  buildDir: string;
  variant?: VerifierVariantName;
  gasPerProof: string;
  calldataBytes: number;
}

function readCache(file: string, buildDir: string, variant: VerifierVariantName): Baseline | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    if (j.buildDir !== buildDir || (j.variant ?? 'standard') !== variant) return undefined;
    return { variant, gasPerProof: BigInt(j.gasPerProof), calldataBytes: j.calldataBytes, cached: true };
  } catch {
    return undefined;
  }
}

export async function measureBaseline(opts: {
  backend: ProvingBackend;
  rpcUrl: string;
  privateKey: Hex;
  cacheFile: string;
  /** The deployed root verifier's variant. */
  variant: VerifierVariantName;
}): Promise<Baseline> {
  const buildDir = path.basename(opts.backend.artifacts.buildDir);
  const cached = readCache(opts.cacheFile, buildDir, opts.variant);
  if (cached) return cached;
  const optimized = opts.variant === 'optimized';
  const single = await opts.backend.exampleRollupEvmCase({ optimized });
  // The optimized verifier is compiled like the root's (solc optimizer, 200 runs: well under EIP-170);
  // the standard one with the engine's default (1 run).
  const compiled = compileVerifier(single.verifierSource, optimized ? { runs: 200 } : {});
  const provider = new JsonRpcProvider(opts.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const signer = new Wallet(opts.privateKey, provider);
    const deployed = await deployVerifier(compiled, signer);
    const r = await evmVerify(compiled, deployed.address, signer, single.proof, single.publicInputs);
    if (!r.verified || r.gasUsed === undefined) throw new Error(`the single rollup proof was rejected by its own verifier: ${r.error}`);
    mkdirSync(path.dirname(opts.cacheFile), { recursive: true });
    const entry: CacheEntry = { buildDir, variant: opts.variant, gasPerProof: r.gasUsed.toString(), calldataBytes: r.calldataBytes };
    writeFileSync(opts.cacheFile, `${JSON.stringify(entry, null, 2)}\n`);
    return { variant: opts.variant, gasPerProof: r.gasUsed, calldataBytes: r.calldataBytes, cached: false };
  } finally {
    provider.destroy();
  }
}
