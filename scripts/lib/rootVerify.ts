/**
 * The gas of the root verify transaction, measured from a real version-2 root proof (bench:gas's input for
 * "all in"): each verifier variant of the circuits build is deployed on the bench's chain and sent the root
 * proof (`verify(proof, publicInputs)` as a whole transaction, its 21,000 base and calldata included).
 *
 * Where the proof comes from, first found:
 * 1. `--root-proof <file.json>` (`{ proof, publicInputs }`, hex; e.g. an engine result or a cached proof);
 * 2. the real-proof tests' cache of the circuits build of this checkout's sources
 *    (`<build root>/test-proofs-<buildId>/agg-*.json`, an `evm-no-zk` proof of the root circuit), so a
 *    machine that ran `[proofs]` suites measures without proving anything.
 * With neither, the caller falls back to given or default figures and says so.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Signer } from 'ethers';
import { hexToBytes, type Hex } from 'viem';
import {
  aggProofFromJson,
  buildRoot,
  currentBuildId,
  loadAggregationArtifacts,
  MANIFEST_FILE,
  readManifest,
} from '../../prover/engine/index.js';
import { deployVerifier, evmVerify, fromVerifierBuild } from '../../prover/toolchain/index.js';

export interface RootProof {
  readonly proof: Uint8Array;
  readonly publicInputs: readonly Hex[];
  /** Where it was read from. */
  readonly source: string;
}

/** The circuits build of this checkout's sources under the build root, if one is built. */
export function currentBuildDir(root: string = buildRoot()): string | undefined {
  if (!existsSync(root)) return undefined;
  for (const name of readdirSync(root)) {
    const dir = path.join(root, name);
    if (!name.startsWith('circuits-') || !existsSync(path.join(dir, MANIFEST_FILE))) continue;
    const m = readManifest(dir);
    if (currentBuildId(m.srsId).buildId === m.buildId) return dir;
  }
  return undefined;
}

/** A root proof from `file`, or from the proof cache of the build in `buildDir`. */
export function findRootProof(buildDir: string | undefined, file?: string): RootProof | undefined {
  if (file) {
    const j = JSON.parse(readFileSync(file, 'utf8')) as { proof?: unknown; publicInputs?: unknown };
    if (typeof j.proof !== 'string' || !Array.isArray(j.publicInputs)) throw new Error(`${file}: expected { proof, publicInputs }`);
    return { proof: hexToBytes(j.proof as Hex), publicInputs: j.publicInputs as Hex[], source: file };
  }
  if (!buildDir) return undefined;
  const cache = path.join(path.dirname(buildDir), `test-proofs-${readManifest(buildDir).buildId}`);
  if (!existsSync(cache)) return undefined;
  for (const name of readdirSync(cache).sort()) {
    if (!name.startsWith('agg-') || !name.endsWith('.json')) continue;
    let p;
    try {
      p = aggProofFromJson(JSON.parse(readFileSync(path.join(cache, name), 'utf8')));
    } catch {
      continue; // another kind of cache entry, or a partial write
    }
    if (p.target === 'evm-no-zk') return { proof: p.proof, publicInputs: p.publicInputs, source: path.join(cache, name) };
  }
  return undefined;
}

/** Deploys each verifier variant of the build and measures the root verify transaction of `rootProof`. */
export async function measureRootVerify(buildDir: string, rootProof: RootProof, signer: Signer): Promise<Record<string, bigint>> {
  const art = await loadAggregationArtifacts({ buildDir });
  const out: Record<string, bigint> = {};
  for (const [variant, v] of Object.entries(art.verifiers)) {
    const compiled = fromVerifierBuild({
      name: v.contractName,
      abi: v.abi,
      bytecode: v.bytecode,
      linkReferences: v.linkReferences,
      libraries: v.libraries.map((l) => ({ name: l.name, abi: l.abi, bytecode: l.bytecode })),
    });
    const deployed = await deployVerifier(compiled, signer);
    const r = await evmVerify(compiled, deployed.address, signer as never, rootProof.proof, rootProof.publicInputs);
    if (!r.verified) throw new Error(`the root proof ${rootProof.source} is rejected by the ${variant} verifier: ${r.error}`);
    out[variant] = r.gasUsed!;
  }
  return out;
}
