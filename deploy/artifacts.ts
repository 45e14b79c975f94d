/**
 * Where the deployment's contract artifacts come from. Protocol contracts: Hardhat's build output
 * (artifacts/), restricted to an explicit allow-list of source files, so that nothing under test/
 * (mock verifiers, harnesses) can ever be resolved and deployed. The aggregation verifier and its
 * libraries: the circuits build (see verifierBuild.ts), passed to the module as artifact objects.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Artifact, ArtifactResolver, BuildInfo } from '@nomicfoundation/ignition-core';
import { projectRoot } from '../prover/sdk/index.js';
import { NexError } from '../prover/protocol/index.js';

/** Contract name -> fully qualified source name of every contract deploy code may deploy. */
export const DEPLOYABLE_CONTRACTS: Readonly<Record<string, string>> = {
  NexToken: 'contracts/token/NexToken.sol',
  ProverStaking: 'contracts/staking/ProverStaking.sol',
  VerifierRouter: 'contracts/router/VerifierRouter.sol',
  AggregationMarket: 'contracts/market/AggregationMarket.sol',
  TimelockController: '@openzeppelin/contracts/governance/TimelockController.sol',
  ExampleRollup: 'contracts/examples/ExampleRollup.sol',
};

export class ArtifactError extends NexError {
  override readonly name = 'ArtifactError';
}

/** Refuses artifacts compiled from test sources (mocks are for unit tests only). */
export function assertNotTestArtifact(artifact: Pick<Artifact, 'sourceName' | 'contractName'>): void {
  const src = artifact.sourceName.replace(/^project\//, '');
  if (src.startsWith('test/') || /(^|\/)mocks?\//i.test(src) || /^Mock/.test(artifact.contractName)) {
    throw new ArtifactError(
      `refusing to deploy ${artifact.contractName} from ${artifact.sourceName}: test and mock contracts are not deployable`,
    );
  }
}

/** Reads Hardhat 3 artifacts of the allow-listed contracts from `<root>/artifacts`. */
export class ProjectArtifactResolver implements ArtifactResolver {
  readonly #artifactsDir: string;

  constructor(root: string = projectRoot()) {
    this.#artifactsDir = path.join(root, 'artifacts');
  }

  #fileOf(contractName: string): string {
    const source = DEPLOYABLE_CONTRACTS[contractName];
    if (!source) {
      throw new ArtifactError(
        `${contractName} is not a deployable protocol contract (allowed: ${Object.keys(DEPLOYABLE_CONTRACTS).join(', ')})`,
      );
    }
    return path.join(this.#artifactsDir, source, `${contractName}.json`);
  }

  async loadArtifact(contractName: string): Promise<Artifact> {
    const file = this.#fileOf(contractName);
    if (!existsSync(file)) {
      throw new ArtifactError(`no artifact for ${contractName} at ${file}: run \`npx hardhat build\` first`);
    }
    const artifact = JSON.parse(readFileSync(file, 'utf8')) as Artifact;
    assertNotTestArtifact(artifact);
    return artifact;
  }

  async getBuildInfo(contractName: string): Promise<BuildInfo | undefined> {
    const artifact = await this.loadArtifact(contractName);
    if (!artifact.buildInfoId) return undefined;
    const file = path.join(this.#artifactsDir, 'build-info', `${artifact.buildInfoId}.json`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BuildInfo) : undefined;
  }
}
