/**
 * Compiles bb's generated Solidity verifier with solc-js (npm `solc`, the version and settings of
 * hardhat.config.ts) into a deployable artifact: the HonkVerifier contract with unlinked references
 * to its two external libraries, plus the libraries' own artifacts.
 */
import { createRequire } from 'node:module';
import type { Hex, VerifierArtifact } from './types.js';

interface Solc {
  compile(input: string): string;
  version(): string;
}
let solcModule: Solc | undefined;
/** Loaded on first use: soljson installs a process-wide unhandledRejection handler that rethrows. */
function solc(): Solc {
  solcModule ??= createRequire(import.meta.url)('solc') as Solc;
  return solcModule;
}

/** Compiler settings shared with hardhat.config.ts (solc 0.8.28, optimizer 200 runs, cancun). */
export const SOLC_SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' } as const;

/** The contract bb generates; everything else in the file is a library or an interface. */
export const VERIFIER_CONTRACT = 'HonkVerifier';
const SOURCE_NAME = 'HonkVerifier.sol';

interface SolcContract {
  abi: unknown[];
  evm: {
    bytecode: { object: string; linkReferences: VerifierArtifact['linkReferences'] };
    deployedBytecode: { object: string };
  };
}
interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, SolcContract>>;
}

export function solcVersion(): string {
  return solc().version();
}

export function compileVerifier(source: string, srsId: string): VerifierArtifact {
  const input = {
    language: 'Solidity',
    sources: { [SOURCE_NAME]: { content: source } },
    settings: {
      ...SOLC_SETTINGS,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences', 'evm.deployedBytecode.object'] } },
    },
  };
  const output = JSON.parse(solc().compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contracts = output.contracts?.[SOURCE_NAME] ?? {};
  const main = contracts[VERIFIER_CONTRACT];
  if (!main) throw new Error(`solc output has no ${VERIFIER_CONTRACT}`);
  const linkReferences = main.evm.bytecode.linkReferences;
  const libraryNames = Object.values(linkReferences).flatMap((refs) => Object.keys(refs));
  if (libraryNames.length !== 2) throw new Error(`expected the verifier to link 2 libraries, found ${libraryNames.join(', ') || 'none'}`);
  const libraries = libraryNames.map((name) => {
    const lib = contracts[name];
    if (!lib) throw new Error(`solc output has no library ${name}`);
    if (Object.keys(lib.evm.bytecode.linkReferences).length > 0) throw new Error(`library ${name} itself needs linking`);
    return { name, abi: lib.abi, bytecode: `0x${lib.evm.bytecode.object}` as Hex, deployedBytecode: `0x${lib.evm.deployedBytecode.object}` as Hex };
  });
  return {
    contractName: VERIFIER_CONTRACT,
    abi: main.abi,
    bytecode: `0x${main.evm.bytecode.object}`,
    deployedBytecode: `0x${main.evm.deployedBytecode.object}`,
    linkReferences,
    libraries,
    srsId,
  };
}

/** The verifier's creation bytecode with each library placeholder replaced by its deployed address. */
export function linkVerifierBytecode(artifact: VerifierArtifact, addresses: Readonly<Record<string, string>>): Hex {
  let code = artifact.bytecode.slice(2);
  for (const refs of Object.values(artifact.linkReferences)) {
    for (const [name, ranges] of Object.entries(refs)) {
      const address = addresses[name];
      if (!address || !/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`no address for library ${name}`);
      for (const { start, length } of ranges) {
        if (length !== 20) throw new Error(`unexpected link reference length ${length}`);
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2);
      }
    }
  }
  if (code.includes('__$')) throw new Error('verifier bytecode still has unlinked placeholders');
  return `0x${code}`;
}
