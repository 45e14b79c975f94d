/**
 * Deployment parameters: deploy/parameters/<network>.json, validated into typed values at start-up.
 * Addresses may be the word "deployer" (the account that runs the deployment).
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAddress, isAddress, maxUint64, parseEther, type Address } from 'viem';
import { DEFAULT_VERIFIER_VARIANT, isVerifierVariant, VERIFIER_VARIANTS, type VerifierVariant } from './verifierBuild.js';
import { NexError, type MarketParams } from '../prover/protocol/index.js';

export type AccountRef = Address | 'deployer';

/** The version-2 market's `Params` struct (IAggregationMarketTypes.Params), as the constructor takes it (prover/protocol's one definition). */
export type MarketParamsConfig = MarketParams;

/** The market's bounds (contracts/market/AggregationMarket.sol, libraries/BatchCommitment.sol). */
export const MARKET_LIMITS = { minCapacity: 4, maxCapacity: 64, maxFeeShareBps: 5_000, maxCallbackGas: 500_000 } as const;

export interface NexParameters {
  readonly network: string;
  /**
   * Which of bb's non-ZK root verifiers the router's version 1 points at: 'optimized' (default, no
   * libraries) or 'standard' (HonkVerifier + the linked RelationsLib).
   */
  readonly verifierVariant: VerifierVariant;
  readonly token: { readonly supply: bigint; readonly treasury: AccountRef };
  readonly staking: {
    readonly minStake: bigint;
    readonly unbondingPeriod: number;
    readonly slashBurnBps: number;
    /** Seconds before added stake weighs in the draw (0 on devnets only; production > 256 blocks). */
    readonly weightWarmup: number;
  };
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
  const capacity = int(m.batchCapacity, 'market.batchCapacity', MARKET_LIMITS.minCapacity, MARKET_LIMITS.maxCapacity);
  if ((capacity & (capacity - 1)) !== 0) throw new ParametersError('market.batchCapacity: must be a power of two');
  const market: NexParameters['market'] = {
    treasury: account(m.treasury, 'market.treasury'),
    minFeePerProof: amount(m.minFeePerProof, 'market.minFeePerProof'),
    batchCapacity: capacity,
    batchTimeout: int(m.batchTimeout, 'market.batchTimeout', 1, U32),
    assignmentWindow: int(m.assignmentWindow, 'market.assignmentWindow', 0, U32),
    provingWindowBase: int(m.provingWindowBase, 'market.provingWindowBase', 1, U32),
    provingWindowPerProof: int(m.provingWindowPerProof, 'market.provingWindowPerProof', 0, U32),
    secondaryWindow: int(m.secondaryWindow, 'market.secondaryWindow', 1, 2 ** 16 - 1),
    submissionTtl: int(m.submissionTtl, 'market.submissionTtl', 1, U32),
    collateralPerProof: amount(m.collateralPerProof, 'market.collateralPerProof'),
    protocolFeeBps: int(m.protocolFeeBps, 'market.protocolFeeBps', 0, MARKET_LIMITS.maxFeeShareBps),
    posterFeeBps: int(m.posterFeeBps, 'market.posterFeeBps', 0, MARKET_LIMITS.maxFeeShareBps),
    maxCallbackGas: int(m.maxCallbackGas, 'market.maxCallbackGas', 0, MARKET_LIMITS.maxCallbackGas),
    withdrawalDelay: int(m.withdrawalDelay, 'market.withdrawalDelay', 1, U32),
  };
  if (market.protocolFeeBps + market.posterFeeBps > MARKET_LIMITS.maxFeeShareBps) {
    throw new ParametersError(`market.protocolFeeBps + market.posterFeeBps must not exceed ${MARKET_LIMITS.maxFeeShareBps}`);
  }
  if (market.collateralPerProof % 10n ** 9n !== 0n) throw new ParametersError('market.collateralPerProof: must be a multiple of 1 gwei');
  if ((market.collateralPerProof / 10n ** 9n) * BigInt(MARKET_LIMITS.maxCapacity) > maxUint64) {
    throw new ParametersError('market.collateralPerProof: 64 proofs of collateral in gwei must fit in a uint64');
  }
  if (market.minFeePerProof > maxUint64) throw new ParametersError('market.minFeePerProof: must fit in a uint64');
  const staking = {
    minStake: amount(s.minStake, 'staking.minStake'),
    unbondingPeriod: int(s.unbondingPeriod, 'staking.unbondingPeriod', 1, U32),
    slashBurnBps: int(s.slashBurnBps, 'staking.slashBurnBps', 0, 10_000),
    weightWarmup: int(s.weightWarmup, 'staking.weightWarmup', 0, 30 * 86_400),
  };
  // The market's own invariants (AggregationMarket._setParams): checked here so a bad file fails
  // before any transaction is sent. The longest job is a full batch of the largest capacity.
  const maxJobLifetime = market.provingWindowBase + market.provingWindowPerProof * MARKET_LIMITS.maxCapacity + market.secondaryWindow;
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
  if (market.withdrawalDelay <= maxJobLifetime) {
    throw new ParametersError(
      `market.withdrawalDelay (${market.withdrawalDelay}) must exceed the market's maxJobLifetime (${maxJobLifetime} s)`,
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

/** The placeholder the parameter templates use for addresses that must be replaced before a real deployment. */
export const PLACEHOLDER_ADDRESS = '0x000000000000000000000000000000000000dEaD';

/**
 * What a deployment to a chain that is not a local devnet must not have (issue 10 item 10): a timelock
 * delay shorter than the unbonding period (governance could then change the rules while a prover cannot
 * leave), the templates' placeholder address, or `deployer` keeping the treasury, a proposer or the
 * guardian. Returns every problem (empty: fine).
 */
export function publicChainProblems(p: NexParameters): string[] {
  const problems: string[] = [];
  if (p.governance.minDelay < p.staking.unbondingPeriod) {
    problems.push(
      `governance.minDelay (${p.governance.minDelay} s) is shorter than staking.unbondingPeriod (${p.staking.unbondingPeriod} s): ` +
        'provers must be able to leave before a scheduled change takes effect',
    );
  }
  const roles: [string, AccountRef][] = [
    ['token.treasury', p.token.treasury],
    ['market.treasury', p.market.treasury],
    ['governance.guardian', p.governance.guardian],
    ...p.governance.proposers.map((a, i): [string, AccountRef] => [`governance.proposers[${i}]`, a]),
    ...p.governance.executors.map((a, i): [string, AccountRef] => [`governance.executors[${i}]`, a]),
  ];
  for (const [name, who] of roles) {
    if (who === 'deployer' && !name.startsWith('governance.executors')) {
      problems.push(`${name} is 'deployer': on a public chain give it a multisig or the timelock`);
    } else if (typeof who === 'string' && who.toLowerCase() === PLACEHOLDER_ADDRESS.toLowerCase()) {
      problems.push(`${name} is the template's placeholder ${PLACEHOLDER_ADDRESS}: replace it with the real address`);
    }
  }
  return problems;
}
