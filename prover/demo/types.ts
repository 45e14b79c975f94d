/** What the demo takes and what it returns (the summary and `--summary-json` are made from it). */
import type { Address, Hex } from 'viem';
import { NexError } from '../protocol/index.js';
import type { VerifierVariantName } from '../sdk/index.js';

export interface DemoOptions {
  /** Project root (where package.json is). */
  root: string;
  /** Per-run directory: keeper data dirs, deployments file, Ignition journal. */
  workDir: string;
  /** The node the demo starts (ignored with rpcUrl): 'hardhat' (default) or 'anvil'. */
  chain?: 'hardhat' | 'anvil' | undefined;
  /** Port of the node the demo starts (ignored with rpcUrl). */
  port?: number | undefined;
  /** Use this running devnet (chain id 31337/1337) instead of starting a node. */
  rpcUrl?: string | undefined;
  /** Cache of the single-proof gas baseline (per circuits build). */
  baselineCacheFile: string;
  /** Port of the explorer on 127.0.0.1 (default 8548, 0 = any free port); false: no explorer. */
  explorerPort?: number | false | undefined;
  /** Give up on the batch after this long (default 30 min). */
  batchTimeoutMs?: number | undefined;
}

export interface StageTime {
  stage: string;
  ms: number;
}

export interface DemoStatement {
  rollup: string;
  programId: Hex;
  publicInputs: Hex[];
  submissionId: string;
  valid: boolean;
  fee: string;
  /** isVerified(programId, publicInputs, inclusion) on L1 at the end (false without an inclusion path). */
  verifiedOnChain: boolean;
  /** The statement's inclusion path in the fulfilled batch (verified statements only), as isVerified takes it. */
  inclusion?: DemoInclusion | undefined;
  /** Final submission state from the market. */
  state: string;
}

/** The market's Inclusion struct in JSON form (the batch id as a decimal string). */
export interface DemoInclusion {
  batchId: string;
  index: number;
  siblings: Hex[];
}

export interface DemoKeeperSummary {
  name: string;
  address: Address;
  pid: number | undefined;
  locked: boolean;
  provedJobs: number;
  note: string;
}

export interface DemoResult {
  rpcUrl: string;
  chainId: number;
  market: Address;
  /** The devnet's deployments file (what `nex explorer --deployments` takes). */
  deploymentsFile: string;
  /** The explorer's URL while the demo ran (stopped with it); undefined with --no-explorer. */
  explorerUrl?: string | undefined;
  batchId: string;
  capacity: number;
  stages: StageTime[];
  keepers: DemoKeeperSummary[];
  locker: { name: string; address: Address };
  provingJobs: { circuit: string; ms: number }[];
  statements: DemoStatement[];
  fees: { paid: string; proverEarned: string; protocolFee: string; refunded: string };
  gas: {
    fulfil: string;
    lock: string;
    /** gasUsed of the transactions that brought the statements on chain (submits or the post). */
    intake: string;
    /** (intake + lock + fulfil) / verified proofs, rounded up (allInGas.ts). */
    allInPerProof: string;
    /** The deployed root verifier's variant; the single-proof baseline uses the same bb generator. */
    verifierVariant: VerifierVariantName;
    singleVerify: string;
    singleVerifyCached: boolean;
    verifiedCount: number;
  };
  refund: { submissionId: string; amount: string; txHash: Hex };
  /** The off-chain channel's batch (the same rollups, through the demo's relay). */
  offchain: DemoOffchainResult;
  /** Process ids the demo started (keepers, relay); all stopped at the end. */
  pids: number[];
}

/** The off-chain channel's part of the demo: the relay, its posted batch, what each proof cost on L1. */
export interface DemoOffchainResult {
  relayUrl: string;
  /** The relay's answer to the tampered proof (refused before anything was signed into a batch). */
  refused: { rollup: string; reason: string; message: string };
  /** Each rollup's deposit (wei) before the submission. */
  deposit: string;
  batchId: string;
  capacity: number;
  locker: { name: string; address: Address };
  provingJobs: { circuit: string; ms: number }[];
  statements: DemoStatement[];
  fees: { paid: string; proverEarned: string; protocolFee: string; posterFee: string };
  gas: {
    /** gasUsed of the relay's post (the batch's whole intake: statements' commitments, no proofs). */
    post: string;
    lock: string;
    fulfil: string;
    /** (post + lock + fulfil) / verified proofs, rounded up. */
    allInPerProof: string;
    verifiedCount: number;
  };
}

export class DemoError extends NexError {
  override readonly name = 'DemoError';
}
