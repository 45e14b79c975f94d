/** Loads what `npm run circuits` built (prover/toolchain/circuits/build.ts, layout in buildLayout.ts) into memory. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AGG_CIRCUITS,
  bytesToFields,
  keySetFromLevels,
  VERIFIER_VARIANTS,
  type AggCircuit,
  type VerifierVariant,
} from '../../protocol/index.js';
import { acirBytes } from './bb.js';
import { buildDirFor, currentBuildId, MANIFEST_FILE, readManifest, type BuiltCircuit } from './buildLayout.js';
import { EXAMPLE_ROLLUPS, type AggregationArtifacts, type CircuitArtifact, type ExampleRollup, type VerifierArtifact } from './types.js';

export type LoadArtifactsOptions =
  /** A build directory (circuits-<id>) to load as is. */
  | { buildDir: string; srsId?: undefined; root?: undefined }
  /** The build of the current sources and toolchain for this SRS, under `root` (default buildRoot()). */
  | { srsId: string; root?: string; buildDir?: undefined };

function loadCircuit(
  buildDir: string,
  name: BuiltCircuit,
  vkHash: CircuitArtifact['vkHash'],
  size: CircuitArtifact['size'],
): CircuitArtifact {
  const program = JSON.parse(readFileSync(join(buildDir, `${name}.program.json`), 'utf8')) as CircuitArtifact['program'];
  const vk = new Uint8Array(readFileSync(join(buildDir, `${name}.vk`)));
  return { name, program, bytecode: acirBytes(program.bytecode), vk, vkFields: bytesToFields(vk), vkHash, size };
}

/** Loads the artifacts; fails with a hint to run `npm run circuits` when the build is missing. */
export async function loadAggregationArtifacts(opts: LoadArtifactsOptions): Promise<AggregationArtifacts> {
  const buildDir = opts.buildDir ?? buildDirFor(currentBuildId(opts.srsId).buildId, opts.root);
  if (!existsSync(join(buildDir, MANIFEST_FILE))) {
    throw new Error(`no circuit build at ${buildDir} (sources, toolchain or SRS changed?): run \`npm run circuits\``);
  }
  const m = readManifest(buildDir);
  const load = (name: BuiltCircuit): CircuitArtifact => loadCircuit(buildDir, name, m.circuits[name].vkHash, m.circuits[name].size);
  const circuits = Object.fromEntries(AGG_CIRCUITS.map((c) => [c, load(c)])) as Record<AggCircuit, CircuitArtifact>;
  const examples = Object.fromEntries(EXAMPLE_ROLLUPS.map((c) => [c, load(c)])) as Record<ExampleRollup, CircuitArtifact>;
  const verifiers = Object.fromEntries(
    VERIFIER_VARIANTS.map((v) => [v, JSON.parse(readFileSync(join(buildDir, m.verifiers[v].artifact), 'utf8')) as VerifierArtifact]),
  ) as Record<VerifierVariant, VerifierArtifact>;
  const keySet = keySetFromLevels(m.keySet.levels, m.keyHashes);
  if (keySet.root !== m.keySet.root.toLowerCase())
    throw new Error(`${buildDir}: the manifest's key-set root is not the root of its levels`);
  return {
    buildDir,
    buildId: m.buildId,
    srsId: m.srsId,
    keyHashes: { ...m.keyHashes },
    keySet,
    circuits,
    rootVk: new Uint8Array(readFileSync(join(buildDir, m.rootVk.file))),
    verifier: verifiers.standard,
    verifiers,
    examples,
  };
}

/** The key-set root: public input 3 of every aggregation proof, the value the router pins per version. */
export function keySetRoot(art: Pick<AggregationArtifacts, 'keySet'>): CircuitArtifact['vkHash'] {
  return art.keySet.root;
}
