/**
 * Deployment parameters: deploy/parameters/<network>.json, validated into typed values at start-up.
 * Addresses may be the word "deployer" (the account that runs the deployment).
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAddress, isAddress, maxUint64, parseEther, type Address } from 'viem';
import type { MarketParams } from '../prover/sdk/index.js';
import { DEFAULT_VERIFIER_VARIANT, isVerifierVariant, VERIFIER_VARIANTS, type VerifierVariant } from './verifierBuild.js';
import { NexError } from '../prover/protocol/index.js';

export type AccountRef = Address | 'deployer';

/** The market's `Params` struct (the same shape the SDK reads back from chain). */
export type MarketParamsConfig = MarketParams;

export interface NexParameters {
  readonly network: string;
  /**
   * Which of bb's root verifiers the router's version 1 points at: 'optimized' (default, ~1.0M gas
   * per verify, no libraries) or 'standard' (~4.36M gas, HonkVerifier + 2 linked libraries).
   */
  readonly verifierVariant: VerifierVariant;
  readonly token: { readonly supply: bigint; readonly treasury: AccountRef };
  readonly staking: { readonly minStake: bigint; readonly unbondingPeriod: number; readonly slashBurnBps: number };
  readonly market: MarketParamsConfig & { readonly treasury: AccountRef };
  readonly governance: {
    readonly minDelay: number;
    readonly proposers: readonly AccountRef[];
    /** Empty = anyone may execute a ready operation (OpenZeppelin's open executor role). */
    readonly executors: readonly AccountRef[];
    /** Holds the pauser (market) and guardian (router) roles: the fast emergency stop. */
    readonly guardian: AccountRef;
  };
  /** Only for `nex devnet`: how the well-known test accounts are funded. */
  readonly devnet?: { readonly fundAccounts: number; readonly ethPerAccount: bigint; readonly nexPerAccount: bigint } | undefined;
}

export class ParametersError extends NexError {
  override readonly name = 'ParametersError';
}

export function parametersDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'parameters');
}

type Obj = Record<string, unknown>;

function obj(v: unknown, at: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ParametersError(`${at}: expected an object`);
  return v as Obj;
}

function int(v: unknown, at: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ParametersError(`${at}: expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Wei amount: an integer (number or decimal string) or "<decimal> ether". */
function amount(v: unknown, at: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string') {
    const ether = /^\s*(\d+(?:\.\d+)?)\s*ether\s*$/.exec(v);
    if (ether) return parseEther(ether[1]!);
    if (/^\d+$/.test(v)) return BigInt(v);
  }
  throw new ParametersError(`${at}: expected a wei integer or "<decimal> ether", got ${JSON.stringify(v)}`);
}

function account(v: unknown, at: string): AccountRef {
  if (v === 'deployer') return 'deployer';
  if (typeof v === 'string' && isAddress(v, { strict: false })) return getAddress(v);
  throw new ParametersError(`${at}: expected an address or "deployer", got ${JSON.stringify(v)}`);
}

function accounts(v: unknown, at: string): AccountRef[] {
  if (!Array.isArray(v)) throw new ParametersError(`${at}: expected an array of addresses`);
  return v.map((a, i) => account(a, `${at}[${i}]`));
}

const U32 = 2 ** 32 - 1;

/** A verifier variant from a parameters file or the command line; `at` names it in the message. */
export function parseVerifierVariant(v: unknown, at = 'verifierVariant'): VerifierVariant {
  if (isVerifierVariant(v)) return v;
  throw new ParametersError(`${at}: expected one of ${VERIFIER_VARIANTS.map((x) => `'${x}'`).join(', ')}, got ${JSON.stringify(v)}`);
}

/** Validates a parsed parameters object; `network` names it in messages. */
export function parseParameters(network: string, raw: unknown): NexParameters {
  const root = obj(raw, network);
  const t = obj(root.token, 'token');
  const s = obj(root.staking, 'staking');
  const m = obj(root.market, 'market');
  const g = obj(root.governance, 'governance');
  const capacity = int(m.batchCapacity, 'market.batchCapacity', 2, 32);
  if ((capacity & (capacity - 1)) !== 0) throw new ParametersError('market.batchCapacity: must be a power of two');
  const market: NexParameters['market'] = {
    treasury: account(m.treasury, 'market.treasury'),
    minFeePerProof: amount(m.minFeePerProof, 'market.minFeePerProof'),
    batchCapacity: capacity,
    batchTimeout: int(m.batchTimeout, 'market.batchTimeout', 1, U32),
    assignmentWindow: int(m.assignmentWindow, 'market.assignmentWindow', 0, U32),
    provingWindowBase: int(m.provingWindowBase, 'market.provingWindowBase', 1, U32),
    provingWindowPerProof: int(m.provingWindowPerProof, 'market.provingWindowPerProof', 0, U32),
    secondaryWindow: int(m.secondaryWindow, 'market.secondaryWindow', 0, U32),
    submissionTtl: int(m.submissionTtl, 'market.submissionTtl', 1, U32),
    collateralPerProof: amount(m.collateralPerProof, 'market.collateralPerProof'),
    protocolFeeBps: int(m.protocolFeeBps, 'market.protocolFeeBps', 0, 10_000),
    callbackGasLimit: int(m.callbackGasLimit, 'market.callbackGasLimit', 0, 30_000_000),
  };
  if (market.minFeePerProof > maxUint64) throw new ParametersError('market.minFeePerProof: must fit in a uint64');
  const staking = {
    minStake: amount(s.minStake, 'staking.minStake'),
    unbondingPeriod: int(s.unbondingPeriod, 'staking.unbondingPeriod', 1, U32),
    slashBurnBps: int(s.slashBurnBps, 'staking.slashBurnBps', 0, 10_000),
  };
  // The market's own invariants (market-api.md, setParams): checked here so a bad file fails before
  // any transaction is sent.
  const maxJobLifetime = market.provingWindowBase + market.provingWindowPerProof * 32 + market.secondaryWindow;
  if (staking.unbondingPeriod <= maxJobLifetime) {
    throw new ParametersError(
      `staking.unbondingPeriod (${staking.unbondingPeriod}) must exceed the market's maxJobLifetime (${maxJobLifetime} s)`,
    );
  }
  const pipeline = market.batchTimeout + market.assignmentWindow + maxJobLifetime;
  if (market.submissionTtl <= pipeline) {
    throw new ParametersError(
      `market.submissionTtl (${market.submissionTtl}) must exceed batchTimeout + assignmentWindow + maxJobLifetime (${pipeline} s)`,
    );
  }
  let devnet: NexParameters['devnet'];
  if (root.devnet !== undefined) {
    const d = obj(root.devnet, 'devnet');
    devnet = {
      fundAccounts: int(d.fundAccounts, 'devnet.fundAccounts', 0, 20),
      ethPerAccount: amount(d.ethPerAccount, 'devnet.ethPerAccount'),
      nexPerAccount: amount(d.nexPerAccount, 'devnet.nexPerAccount'),
    };
  }
  return {
    network,
    verifierVariant: root.verifierVariant === undefined ? DEFAULT_VERIFIER_VARIANT : parseVerifierVariant(root.verifierVariant),
    token: { supply: amount(t.supply, 'token.supply'), treasury: account(t.treasury, 'token.treasury') },
    staking,
    market,
    governance: {
      minDelay: int(g.minDelay, 'governance.minDelay', 0, U32),
      proposers: accounts(g.proposers, 'governance.proposers'),
      executors: accounts(g.executors, 'governance.executors'),
      guardian: account(g.guardian, 'governance.guardian'),
    },
    devnet,
  };
}

/** Reads and validates deploy/parameters/<network>.json (or `file`). */
export function loadParameters(network: string, file?: string): NexParameters {
  const p = file ?? path.join(parametersDir(), `${network}.json`);
  if (!existsSync(p)) throw new ParametersError(`no parameters file for network '${network}': ${p}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p, 'utf8'));
  } catch (err) {
    throw new ParametersError(`${p}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return parseParameters(network, raw);
  } catch (err) {
    if (err instanceof ParametersError) throw new ParametersError(`${p}: ${err.message}`);
    throw err;
  }
}
