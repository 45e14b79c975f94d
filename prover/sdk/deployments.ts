/**
 * The deployments file: where the deploy code records what it deployed on a chain, and where the
 * keeper, the SDK and the CLI find the contracts. One JSON file per chain:
 * `<project>/.nex/deployments/<chainId>.json` (override the directory with NEX_DEPLOYMENTS_DIR).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAddress, isAddress, type Abi, type Address, type Hex } from 'viem';
import type { VerifierVariant } from '../protocol/index.js';
import { NexError } from './errors.js';

/** Format of the deployments file this code writes and reads (2: the version-2 protocol). */
export const DEPLOYMENTS_FORMAT = 2;

/** The contracts every deployment has. */
export const CORE_CONTRACTS = [
  'NexToken',
  'ProverStaking',
  'VerifierRouter',
  'AggregationMarket',
  'AggregationMarketExtension',
  'TimelockController',
  'HonkVerifier',
] as const;
export type CoreContractName = (typeof CORE_CONTRACTS)[number];

/** bb's Solidity verifier generators (prover/protocol VERIFIER_VARIANTS). */
export type VerifierVariantName = VerifierVariant;

export interface DeployedContract {
  readonly address: Address;
  readonly abi: Abi;
}

/**
 * The example rollup a devnet registers (contracts/examples/ExampleRollup.sol, the 2-input example
 * circuit): its program and the contract that finalizes its state roots (the program's callback).
 */
export interface ExampleRollupDeployment {
  /** keccak256(abi.encode(owner, vkHash)). */
  readonly programId: Hex;
  /** The registrant (a well-known devnet account). */
  readonly owner: Address;
  readonly vkHash: Hex;
  readonly publicInputCount: number;
  /** The example circuit of the circuits build (e.g. 'rollup_transfer'). */
  readonly circuit: string;
  readonly address: Address;
  readonly genesisRoot: Hex;
  /** The callback gas the program was given (0: no callback). */
  readonly callbackGas: number;
}

export interface Deployments {
  /** Format version of this file (DEPLOYMENTS_FORMAT). */
  readonly format: typeof DEPLOYMENTS_FORMAT;
  readonly chainId: number;
  /** The parameters file's network name (e.g. 'devnet'). */
  readonly network: string;
  /** Hash of block 0: tells a restarted local chain from the one this file describes. */
  readonly genesisHash: Hex;
  readonly deployer: Address;
  /** ISO time of the deployment run that wrote this file. */
  readonly writtenAt: string;
  /** The trusted setup the verifier checks against: 'dev' is INSECURE (local devnets only). */
  readonly srs: { readonly mode: 'dev' | 'ignition'; readonly id: string };
  /** Block of the first deployment transaction: a lower bound for log scans. */
  readonly startBlock: string;
  readonly contracts: Readonly<Record<CoreContractName, DeployedContract>> & Readonly<Record<string, DeployedContract>>;
  /**
   * The router version the deployment registered: which of bb's non-ZK Solidity verifiers it points at
   * ('optimized' or 'standard'), the key set it pins (the Poseidon2 root over `keyHashes`, the 11
   * aggregation key hashes in AGG_CIRCUITS order) and the rollup proof length its leaves take.
   */
  readonly verifier: {
    readonly version: number;
    readonly variant: VerifierVariantName;
    readonly keySet: Hex;
    readonly keyHashes: readonly Hex[];
    readonly rollupProofBytes: number;
  };
  /** Present on devnets: the example rollup (`nex devnet` registers it after the protocol). */
  readonly exampleRollup?: ExampleRollupDeployment | undefined;
}

/** The project root (the directory holding package.json), from this file's location. */
export function projectRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The directory that holds `<chainId>.json` files. */
export function deploymentsDir(dir?: string | undefined): string {
  return dir ?? process.env.NEX_DEPLOYMENTS_DIR ?? path.join(projectRoot(), '.nex', 'deployments');
}

export function deploymentsPath(chainId: number, dir?: string | undefined): string {
  return path.join(deploymentsDir(dir), `${chainId}.json`);
}

/** Thrown when no deployments file exists for a chain or it is unreadable. */
export class DeploymentsNotFoundError extends NexError {
  override name = 'DeploymentsNotFoundError';
  constructor(
    readonly chainId: number,
    readonly file: string,
    reason: string,
  ) {
    super(`no usable NEX deployment for chain ${chainId} (${file}): ${reason}`, {
      details: 'Deploy first: `nex devnet` for a local chain, or `npm run deploy -- --network <name>`.',
    });
  }
}

function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(what);
}

/** Validates a parsed deployments file. Throws Error naming the first bad field. */
export function parseDeployments(raw: unknown): Deployments {
  check(typeof raw === 'object' && raw !== null, 'not a JSON object');
  const d = raw as Record<string, unknown>;
  check(
    d.format === DEPLOYMENTS_FORMAT,
    `unsupported format ${String(d.format)} (this code reads format ${DEPLOYMENTS_FORMAT}, the version-2 protocol: redeploy)`,
  );
  check(Number.isSafeInteger(d.chainId), 'chainId');
  check(typeof d.network === 'string', 'network');
  check(typeof d.genesisHash === 'string', 'genesisHash');
  check(typeof d.deployer === 'string' && isAddress(d.deployer), 'deployer');
  const srs = d.srs as Record<string, unknown> | undefined;
  check(srs && (srs.mode === 'dev' || srs.mode === 'ignition') && typeof srs.id === 'string', 'srs');
  check(typeof d.contracts === 'object' && d.contracts !== null, 'contracts');
  const contracts = d.contracts as Record<string, unknown>;
  for (const name of CORE_CONTRACTS) {
    const c = contracts[name] as Record<string, unknown> | undefined;
    check(c && typeof c.address === 'string' && isAddress(c.address), `contracts.${name}.address`);
    check(Array.isArray(c.abi), `contracts.${name}.abi`);
  }
  const v = d.verifier as Record<string, unknown> | undefined;
  check(v && Number.isSafeInteger(v.version) && Array.isArray(v.keyHashes), 'verifier');
  check(v.variant === 'standard' || v.variant === 'optimized', 'verifier.variant');
  check(typeof v.keySet === 'string' && /^0x[0-9a-fA-F]{64}$/.test(v.keySet), 'verifier.keySet');
  check(Number.isSafeInteger(v.rollupProofBytes) && (v.rollupProofBytes as number) > 0, 'verifier.rollupProofBytes');
  const e = d.exampleRollup as Record<string, unknown> | undefined;
  if (e !== undefined) {
    check(typeof e.address === 'string' && isAddress(e.address), 'exampleRollup.address');
    check(typeof e.owner === 'string' && isAddress(e.owner), 'exampleRollup.owner');
    check(typeof e.programId === 'string' && /^0x[0-9a-fA-F]{64}$/.test(e.programId), 'exampleRollup.programId');
    check(Number.isSafeInteger(e.publicInputCount), 'exampleRollup.publicInputCount');
  }
  return raw as Deployments;
}

/** Reads and validates the deployments file of `chainId`. */
export function readDeployments(chainId: number, dir?: string | undefined): Deployments {
  const file = deploymentsPath(chainId, dir);
  if (!existsSync(file)) throw new DeploymentsNotFoundError(chainId, file, 'file not found');
  try {
    return parseDeployments(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new DeploymentsNotFoundError(chainId, file, `invalid: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Writes the deployments file atomically (temp file + rename). Returns its path. */
export function writeDeployments(deployments: Deployments, dir?: string | undefined): string {
  const file = deploymentsPath(deployments.chainId, dir);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(deployments, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}

/** The addresses the SDK needs, from a deployments file. */
export interface NexAddresses {
  readonly market: Address;
  readonly router: Address;
  readonly staking: Address;
  readonly token: Address;
}

export function addressesOf(d: Deployments): NexAddresses {
  return {
    market: getAddress(d.contracts.AggregationMarket.address),
    router: getAddress(d.contracts.VerifierRouter.address),
    staking: getAddress(d.contracts.ProverStaking.address),
    token: getAddress(d.contracts.NexToken.address),
  };
}
