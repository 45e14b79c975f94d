/**
 * Compiles bb's generated Solidity verifier with solc-js (npm `solc`, the version and settings of
 * hardhat.config.ts) into a deployable artifact: the HonkVerifier contract with unlinked references
 * to its external libraries, plus the libraries' own artifacts. The root is verified by bb's non-ZK
 * verifiers: the optimized one links no library, the standard one links RelationsLib (its transcript
 * is an internal library, unlike the ZK verifier's ZKTranscriptLib).
 */
import { createRequire } from 'node:module';
import { keccak256, toHex } from 'viem';
import type { Hex, SolcSettings, VerifierArtifact } from '../../engine/index.js';
import type { VerifierVariant } from '../../protocol/index.js';

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
export const SOLC_SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' } as const satisfies SolcSettings;

/** The external libraries each of bb's non-ZK root verifiers links (bb.js 5.0.0). */
export const VERIFIER_LIBRARIES: Readonly<Record<VerifierVariant, readonly string[]>> = { standard: ['RelationsLib'], optimized: [] };

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

/**
 * The custom errors of bb's verifiers (its `Errors` library). The optimized variant raises them from
 * assembly by selector without declaring them, so they are added to its ABI for callers to decode;
 * compileVerifierArtifact checks every selector constant in the source against this list.
 */
const VERIFIER_ERRORS: readonly { name: string; inputs: string[] }[] = [
  { name: 'ValueGeLimbMax', inputs: [] },
  { name: 'ValueGeGroupOrder', inputs: [] },
  { name: 'ValueGeFieldOrder', inputs: [] },
  { name: 'InvertOfZero', inputs: [] },
  { name: 'NotPowerOfTwo', inputs: [] },
  { name: 'ModExpFailed', inputs: [] },
  { name: 'ProofLengthWrong', inputs: [] },
  { name: 'ProofLengthWrongWithLogN', inputs: ['logN', 'actualLength', 'expectedLength'] },
  { name: 'PublicInputsLengthWrong', inputs: [] },
  { name: 'SumcheckFailed', inputs: [] },
  { name: 'ShpleminiFailed', inputs: [] },
  { name: 'PointAtInfinity', inputs: [] },
  { name: 'ConsistencyCheckFailed', inputs: [] },
  { name: 'GeminiChallengeInSubgroup', inputs: [] },
  // Raised from assembly under these names: FrLib's modexp failure in both variants, and the
  // optimized variant's MODEXP_FAILED_SELECTOR (the selector of `MODEXP_FAILED()`, not ModExpFailed()).
  { name: 'FrLib_ModExpFailed', inputs: [] },
  { name: 'MODEXP_FAILED', inputs: [] },
];

const errorSelector = (e: { name: string; inputs: string[] }): string =>
  keccak256(toHex(`${e.name}(${e.inputs.map(() => 'uint256').join(',')})`)).slice(0, 10);

/** Adds the verifier errors the ABI lacks, after checking the source's selector constants are all known. */
function withVerifierErrors(abi: unknown[], source: string): unknown[] {
  const known = new Set(VERIFIER_ERRORS.map(errorSelector));
  for (const [, selector] of source.matchAll(/_SELECTOR\s*=\s*(0x[0-9a-fA-F]{8})\b/g)) {
    if (!known.has(selector!.toLowerCase())) throw new Error(`verifier raises an unknown error selector ${selector}`);
  }
  const declared = new Set(
    abi.filter((e): e is { type: string; name: string } => (e as { type?: string }).type === 'error').map((e) => e.name),
  );
  const missing = VERIFIER_ERRORS.filter((e) => !declared.has(e.name)).map((e) => ({
    type: 'error',
    name: e.name,
    inputs: e.inputs.map((name) => ({ name, type: 'uint256', internalType: 'uint256' })),
  }));
  return [...abi, ...missing];
}

export function solcVersion(): string {
  return solc().version();
}

export function compileVerifierArtifact(source: string, srsId: string, variant: VerifierVariant = 'standard'): VerifierArtifact {
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
  const expected = VERIFIER_LIBRARIES[variant];
  if (libraryNames.join() !== expected.join()) {
    throw new Error(
      `expected the ${variant} verifier to link ${expected.join(', ') || 'no library'}, found ${libraryNames.join(', ') || 'none'}`,
    );
  }
  const libraries = libraryNames.map((name) => {
    const lib = contracts[name];
    if (!lib) throw new Error(`solc output has no library ${name}`);
    if (Object.keys(lib.evm.bytecode.linkReferences).length > 0) throw new Error(`library ${name} itself needs linking`);
    return {
      name,
      abi: lib.abi,
      bytecode: `0x${lib.evm.bytecode.object}` as Hex,
      deployedBytecode: `0x${lib.evm.deployedBytecode.object}` as Hex,
    };
  });
  return {
    contractName: VERIFIER_CONTRACT,
    variant,
    abi: withVerifierErrors(main.abi, source),
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
