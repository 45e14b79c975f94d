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

/** The contracts every deployment has. */
export const CORE_CONTRACTS = [
  'NexToken',
  'ProverStaking',
  'VerifierRouter',
  'AggregationMarket',
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

export interface Deployments {
  /** Format version of this file. */
  readonly format: 1;
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
   * The verifier version registered in the router, with its pinned key hashes, and which of bb's
   * Solidity verifiers it is: 'optimized' (~1.0M gas per verify) or 'standard' (~4.36M). Absent in
   * files written before the variant was selectable; those deployments are 'standard'.
   */
  readonly verifier: { readonly version: number; readonly variant?: VerifierVariantName; readonly keyHashes: readonly Hex[] };
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
  check(d.format === 1, `unsupported format ${String(d.format)}`);
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
  check(v.variant === undefined || v.variant === 'standard' || v.variant === 'optimized', 'verifier.variant');
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
