/**
 * The JSON the explorer's API answers (docs/explorer.md, "API"), shared by the server and the page (which
 * imports these types only). Amounts in wei and block numbers are decimal strings; times are unix seconds
 * of the chain unless named `...Ms`.
 */
import type { MarketParams } from '../../protocol/index.js';

export type ErrorCode = 'not-found' | 'invalid-id' | 'invalid-address' | 'invalid-query' | 'chain-unavailable' | 'internal';

/** Every error the API answers. */
export interface ApiErrorBody {
  readonly statusCode: number;
  readonly error: ErrorCode;
  readonly message: string;
}

export type BatchStateName = 'None' | 'Open' | 'Sealed' | 'Locked' | 'Fulfilled' | 'Closed' | 'Released' | 'Expired';
export type ChannelName = 'calldata' | 'blob' | 'offchain';
export type SlotStatus = 'verified' | 'excluded-returned' | 'excluded-refundable' | 'returned' | 'refundable' | 'pending' | 'empty';

export interface SourceState {
  readonly configured: boolean;
  readonly ok: boolean;
  readonly url?: string;
  readonly error?: string;
}

export interface StatusView {
  readonly chainId: number;
  readonly market: string;
  readonly staking: string;
  readonly router: string;
  readonly head: string;
  readonly syncedTo: string;
  readonly rpc: { readonly ok: boolean; readonly error?: string; readonly lastOkAtMs?: number; readonly failingSinceMs?: number };
  readonly relay: SourceState & {
    readonly relay?: string;
    readonly requests?: Readonly<Record<string, number>>;
    readonly queuedStatements?: number;
  };
  readonly keeper: SourceState & {
    readonly rpcUp?: boolean;
    readonly headBlock?: number;
    readonly inFlight?: number;
    readonly stake?: Readonly<Record<string, string>>;
    readonly proofs?: Readonly<Record<string, number>>;
    readonly fulfilled?: number;
    readonly errors?: Readonly<Record<string, number>>;
  };
  /** Bumped whenever the index changes. */
  readonly indexVersion: number;
  /** How often the explorer reads its sources. */
  readonly pollIntervalMs: number;
}

export interface BatchSummary {
  readonly id: string;
  readonly state: BatchStateName;
  readonly channels: readonly ChannelName[];
  readonly capacity: number;
  readonly count: number;
  /** Fees the batch holds (live escrow) or held (sum of its groups once settled). */
  readonly fees: string;
  readonly version: number | undefined;
  readonly openedAt: number | undefined;
  /** Open batches: when anyone may seal it (openedAt + batchTimeout). */
  readonly sealableAt: number | undefined;
  readonly expiry: number | undefined;
  /** Sealed: the drawn prover holding the exclusive window (null: open to every eligible prover). */
  readonly assigned: string | null | undefined;
  readonly assignmentEndsAt: number | undefined;
  readonly locker: string | undefined;
  readonly lockDeadline: number | undefined;
  readonly finalDeadline: number | undefined;
  readonly fulfilledBy: string | undefined;
}

export interface VersionView {
  readonly version: number;
  readonly verifier: string;
  readonly keySet: string;
  readonly rollupProofBytes: number;
  readonly state: 'unknown' | 'active' | 'frozen' | 'removed';
  readonly frozenSince: number;
}

export interface MarketView {
  readonly chainTime: number;
  readonly paused: boolean;
  /** The verifier version in force, or the latest one when none is usable. */
  readonly version: VersionView | undefined;
  /** No version is usable (frozen or removed): locks and fulfilments wait. */
  readonly noUsableVersion: boolean;
  readonly openBatchId: string;
  /** The market's parameters (prover/protocol's MarketParams) with the wei amounts as decimal strings (JSON). */
  readonly params: Omit<MarketParams, 'minFeePerProof' | 'collateralPerProof'> & {
    readonly minFeePerProof: string;
    readonly collateralPerProof: string;
  };
  readonly counts: Readonly<Record<string, number>>;
  readonly programs: number;
  readonly statements: number;
  readonly batches: readonly BatchSummary[];
  /** Recent off-chain requests the market skipped. */
  readonly skipped: readonly { readonly payer: string; readonly nonce: string; readonly reason: string; readonly block: string }[];
}

export interface SlotView {
  readonly slot: number;
  readonly submissionId: string;
  readonly status: SlotStatus;
  readonly channel?: ChannelName;
  readonly programId?: string;
  readonly payer?: string;
  readonly feePerProof?: string;
  readonly digest?: string;
  readonly publicInputs?: readonly string[];
  readonly requestHash?: string;
}

export interface TxView {
  readonly hash: string;
  readonly block: string;
  readonly gasUsed?: string;
}

export interface TreeView {
  readonly capacity: number;
  readonly levels: readonly (readonly {
    readonly height: number;
    readonly index: number;
    readonly kind: 'leaf' | 'pad' | 'node' | 'covered';
    readonly firstSlot: number;
    readonly width: number;
    readonly statements?: number;
    readonly done?: boolean;
  }[])[];
  readonly jobs: { readonly leaf: number; readonly pad: number; readonly node: number };
  /** Where `done` comes from: the batch's outcome, the keeper's metrics, or nothing known. */
  readonly progress: {
    readonly source: 'outcome' | 'keeper' | 'none';
    readonly note: string;
    readonly done: number;
    readonly total: number;
  };
}

export interface CostView {
  readonly included: number;
  readonly lockGas: string | undefined;
  readonly fulfilGas: string;
  readonly postGas: string | undefined;
  /** (post + lock + fulfil) / included statements. */
  readonly perProofGas: number;
  readonly fulfilPerProofGas: number;
  readonly verifyAloneGas: number;
  readonly saving: number;
}

export interface BatchView extends BatchSummary {
  /** The chain's latest block timestamp when the view was made (the countdowns' now). */
  readonly chainTime: number;
  readonly posted: { readonly poster: string; readonly root: string; readonly tx: TxView } | undefined;
  readonly commitment: string | undefined;
  readonly groups: readonly {
    readonly channel: ChannelName;
    readonly programId: string;
    readonly payer: string;
    readonly firstSlot: number;
    readonly count: number;
    readonly feePerProof: string;
    readonly callbackGas: number;
    readonly requestHash?: string;
    readonly nonce?: string;
    readonly tx: string;
  }[];
  readonly slots: readonly SlotView[];
  readonly fulfil:
    | (TxView & {
        readonly prover: string;
        readonly late: boolean;
        readonly excludedMask: string;
        readonly proverFees: string;
        readonly protocolFee: string;
        readonly posterFee: string;
        readonly provenRoot: string;
      })
    | undefined;
  readonly cost: CostView | undefined;
  readonly returns: readonly { readonly payer: string; readonly amount: string; readonly toDeposit: boolean; readonly tx: string }[];
  readonly tree: TreeView;
  readonly timeline: readonly { readonly what: string; readonly block: string; readonly tx: string }[];
}

export interface StatementView {
  readonly submissionId: string;
  readonly batchId: string;
  readonly slot: number;
  readonly status: SlotStatus;
  readonly batchState: BatchStateName;
  readonly digest?: string;
  readonly publicInputs?: readonly string[];
}

export interface ProgramView {
  readonly programId: string;
  readonly owner: string;
  readonly registrant: string;
  readonly vkHash: string;
  readonly publicInputCount: number;
  readonly callback?: { readonly address: string; readonly gasLimit: number };
  readonly registeredBlock: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly statements: readonly StatementView[];
}

export interface ProverView {
  readonly address: string;
  readonly staked: string;
  readonly locked: string;
  readonly pendingUnstake: string;
  readonly available: string;
  readonly eligible: boolean;
  readonly lowStake: boolean;
  readonly locks: number;
  readonly won: number;
  readonly slashes: number;
  readonly onTime: number;
  readonly ended: number;
  /** onTime / ended, or null before any lock ended. */
  readonly onTimeRate: number | null;
  readonly earned: string;
  readonly claimable: string;
  readonly batches: readonly { readonly batchId: string; readonly outcome: string }[];
}

export interface ProversView {
  readonly minStake: string;
  readonly provers: readonly ProverView[];
}

export interface SearchView {
  readonly kind: 'batch' | 'submission' | 'program' | 'statement' | 'prover';
  /** The page route to open (#/...). */
  readonly route: string;
  readonly label: string;
}

export interface StatementSearchView {
  readonly digest: string;
  readonly submissions: readonly StatementView[];
}
