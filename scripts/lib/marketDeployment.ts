/**
 * Deployment of the version-2 market stack for local measurements and tests: the real NexToken,
 * ProverStaking, VerifierRouter and AggregationMarket with the test-only MockVerifier
 * (test/mocks/MockVerifiers.sol: accepts proof == abi.encode(publicInputs), so a "proof" is bound to the
 * proven root, the prover and the key set exactly like a real aggregated proof), three staked provers and
 * one registered program; and the helpers that submit, post, seal, lock and settle on it, keeping what a
 * batch holds (a {@link Book}) to build settlements. Used by `npm run bench:gas` and by the market tests
 * (test/market/fixture.ts re-exports it). The commitment format comes from prover/protocol (v2).
 */
import type { HardhatEthers, HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/types';
import type { ContractTransactionResponse, Log } from 'ethers';
import { encodeAbiParameters, type Address, type Hex } from 'viem';
import {
  FIELD_MODULUS,
  fieldToWord,
  type Group,
  type OffchainRequest,
  type PostedGroup as SignedPostedGroup,
  REQUEST_TYPES,
  ROLLUP_PROOF_BYTES as PROTOCOL_ROLLUP_PROOF_BYTES,
  postedGroup,
  type Settlement,
  aggregationPublicInputs,
  batchRoot,
  capacityFor,
  chainSettlement,
  groupWord,
  marketDomain,
  postedSettlement,
  programIdOf,
  requestHash,
  requestMessage,
  statementDigest,
  statementsHash,
} from '../../prover/protocol/index.js';

export const E18 = 10n ** 18n;
export const NEX_SUPPLY = 1_000_000_000n * E18;
export const MIN_STAKE = 1_000n * E18;
export const PROVER_STAKE = 2_000n * E18;
export const MIN_FEE = 10n ** 14n;
export const PI_COUNT = 2;
export const ROLLUP_PROOF_BYTES = PROTOCOL_ROLLUP_PROOF_BYTES;
export const VK_BYTES = 3_680;
/** A key-set value the MockVerifier binds proofs to (a real version pins the Poseidon2 root of its key hashes). */
export const KEY_SET: Hex = fieldToWord(0x5e7n);
export const VK_HASH: Hex = fieldToWord(0xabc001n);
export const VK: Hex = `0x${'ab'.repeat(VK_BYTES)}`;
export { FIELD_MODULUS };

/** The parameters of the market tests (docs/protocol.md, "Parameters", with capacity 8). */
export const DEFAULT_PARAMS = {
  minFeePerProof: MIN_FEE,
  batchCapacity: 8n,
  batchTimeout: 300n,
  assignmentWindow: 120n,
  provingWindowBase: 600n,
  provingWindowPerProof: 60n,
  secondaryWindow: 1800n,
  submissionTtl: 86_400n,
  collateralPerProof: 10n * E18,
  protocolFeeBps: 500n,
  posterFeeBps: 200n,
  maxCallbackGas: 200_000n,
  withdrawalDelay: 86_400n,
};
export type Params = typeof DEFAULT_PARAMS;

/** The market's enums as ethers returns them (bigints; prover/abi/generated.ts has them as numbers). */
export const BatchState = {
  None: 0n,
  Open: 1n,
  Sealed: 2n,
  Locked: 3n,
  Fulfilled: 4n,
  Closed: 5n,
  Released: 6n,
  Expired: 7n,
} as const;
export const SkipReason = {
  BadSignature: 0n,
  Expired: 1n,
  StaleNonce: 2n,
  UnknownProgram: 3n,
  FeeBelowFloor: 4n,
  InvalidStatements: 5n,
  InsufficientBalance: 6n,
} as const;

/** A canonical field word from a label. */
export function word(label: number | bigint): Hex {
  return fieldToWord(BigInt(label) % FIELD_MODULUS);
}

export interface DeployOptions {
  /** Stake the three provers (default true). */
  stake?: boolean;
  params?: Partial<Params>;
  /** Staking draw warm-up (default 0: stakes weigh at once). */
  weightWarmup?: bigint;
}

export async function deployMarket(ethers: HardhatEthers, options: DeployOptions = {}) {
  const signers = (await ethers.getSigners()) as HardhatEthersSigner[];
  const [admin, pauser, guardian, feeTreasury, nexTreasury, rollup, alice, bob, carol, operator, user1, user2, outsider, relay] =
    signers as [
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
      HardhatEthersSigner,
    ];
  const token = await ethers.deployContract('NexToken', [nexTreasury.address, NEX_SUPPLY]);
  const staking = await ethers.deployContract('ProverStaking', [await token.getAddress(), admin.address, MIN_STAKE]);
  await staking.connect(admin).setWeightWarmup(options.weightWarmup ?? 0n);
  const verifier = await ethers.deployContract('MockVerifier');
  const router = await ethers.deployContract('VerifierRouter', [admin.address, guardian.address]);
  await router.connect(admin).addVersion(await verifier.getAddress(), KEY_SET, ROLLUP_PROOF_BYTES);
  const params = { ...DEFAULT_PARAMS, ...options.params };
  const market = await ethers.deployContract('AggregationMarket', [
    admin.address,
    pauser.address,
    await staking.getAddress(),
    await router.getAddress(),
    feeTreasury.address,
    params,
  ]);
  await staking.connect(admin).setMarket(await market.getAddress());
  const provers = [alice, bob, carol];
  for (const p of [...provers, outsider]) {
    await token.connect(nexTreasury).transfer(p.address, 10_000n * E18);
    await token.connect(p).approve(await staking.getAddress(), ethers.MaxUint256);
  }
  if (options.stake !== false) {
    for (const p of provers) await staking.connect(p).stake(PROVER_STAKE);
    await staking.connect(alice).proposeOperator(operator.address);
    await staking.connect(operator).acceptOperator(alice.address);
  }
  await market.connect(rollup).registerProgram(VK_HASH, VK, PI_COUNT);
  const programId = programIdOf(rollup.address as Address, VK_HASH);
  return {
    token,
    staking,
    verifier,
    router,
    market,
    params,
    programId,
    admin,
    pauser,
    guardian,
    feeTreasury,
    nexTreasury,
    rollup,
    alice,
    bob,
    carol,
    operator,
    user1,
    user2,
    outsider,
    relay,
    provers,
    signers,
  };
}

export type MarketFixture = Awaited<ReturnType<typeof deployMarket>>;

let statementCounter = 0;

/** Distinct canonical public inputs for a fresh statement. */
export function freshInputs(count = PI_COUNT): Hex[] {
  const n = statementCounter++;
  return Array.from({ length: count }, (_, j) => word(1_000_000 * (n + 1) + j));
}

/** A rollup proof of the version's length (the market only checks the length). */
export function rollupProof(seed = 1, size = ROLLUP_PROOF_BYTES): Hex {
  return `0x${(seed % 256).toString(16).padStart(2, '0').repeat(size)}`;
}

/** What the tests know of a batch's content (from their own submissions). */
export interface BatchBook {
  groups: Group[];
  digests: Hex[];
  inputs: Hex[][];
  poster?: Address;
  capacity: number;
}

/** Per fixture instance: batchId -> content. */
export class Book {
  readonly batches = new Map<bigint, BatchBook>();

  of(batchId: bigint): BatchBook {
    const b = this.batches.get(batchId);
    if (!b) throw new Error(`no book for batch ${batchId}`);
    return b;
  }

  settlement(batchId: bigint): Settlement {
    const b = this.of(batchId);
    return b.poster === undefined ? chainSettlement(b.groups, b.digests) : postedSettlement(b.groups, b.digests, b.poster);
  }

  /** The root a fulfilment with `mask` proves. */
  provenRoot(batchId: bigint, mask = 0n): Hex {
    const b = this.of(batchId);
    return batchRoot(b.digests, b.capacity, mask);
  }
}

function parsed(f: MarketFixture, logs: readonly Log[], name: string) {
  return logs.flatMap((log) => {
    try {
      const p = f.market.interface.parseLog(log);
      return p && p.name === name ? [p] : [];
    } catch {
      return [];
    }
  });
}

/** Records the groups a calldata/blob transaction appended (from its MarketSubmitted events). */
export async function recordSubmitted(
  f: MarketFixture,
  book: Book,
  tx: ContractTransactionResponse,
  inputs: Hex[][],
  programIds: Hex[],
): Promise<{ batchId: bigint; firstSlot: number }> {
  const receipt = (await tx.wait())!;
  let k = 0;
  let first: { batchId: bigint; firstSlot: number } | undefined;
  for (const ev of parsed(f, receipt.logs, 'MarketSubmitted')) {
    const batchId = ev.args[0] as bigint;
    const count = Number(ev.args[4]);
    const entry =
      book.batches.get(batchId) ??
      ({ groups: [], digests: [], inputs: [], capacity: Number((await f.market.getBatch(batchId)).capacity) } as BatchBook);
    book.batches.set(batchId, entry);
    entry.groups.push({
      word: groupWord({ payer: ev.args[2] as Address, feePerProof: ev.args[5] as bigint, count, callbackGas: ev.args[6] as bigint }),
      programId: ev.args[1] as Hex,
    });
    for (let i = 0; i < count; i++) {
      entry.digests.push(statementDigest(programIds[k]!, inputs[k]!));
      entry.inputs.push(inputs[k]!);
      k++;
    }
    first ??= { batchId, firstSlot: Number(ev.args[3]) };
  }
  if (!first) throw new Error('no MarketSubmitted event');
  return first;
}

/** Submits `n` fresh statements through the calldata channel, one `submit` each. */
export async function submitN(f: MarketFixture, book: Book, n: number, from?: HardhatEthersSigner, fee = MIN_FEE) {
  const signer = from ?? f.user1;
  const out: { batchId: bigint; slot: number; inputs: Hex[]; digest: Hex }[] = [];
  for (let i = 0; i < n; i++) {
    const inputs = freshInputs();
    const tx = await f.market.connect(signer).submit(f.programId, inputs, rollupProof(i), { value: fee });
    const { batchId, firstSlot } = await recordSubmitted(f, book, tx, [inputs], [f.programId]);
    out.push({ batchId, slot: firstSlot, inputs, digest: statementDigest(f.programId, inputs) });
  }
  return out;
}

/** The subset of networkHelpers.time and mine the helpers need. */
export interface ChainHelpers {
  time: { latest(): Promise<number>; increaseTo(timestamp: number | bigint): Promise<void> };
  mine(blocks?: number): Promise<void>;
}

/** Seals a calldata batch by timeout when it is still open. */
export async function sealByTimeout(f: MarketFixture, h: ChainHelpers, batchId: bigint) {
  const b = await f.market.getBatch(batchId);
  if (b.state !== BatchState.Open) return;
  const sealableAt = b.openedAt + f.params.batchTimeout;
  if (BigInt(await h.time.latest()) < sealableAt) await h.time.increaseTo(sealableAt);
  await f.market.seal(batchId);
}

/** The prover signer for an address among the fixture's provers. */
export function proverSigner(f: MarketFixture, address: string): HardhatEthersSigner {
  const s = f.provers.find((p) => p.address === address);
  if (!s) throw new Error(`${address} is not a fixture prover`);
  return s;
}

/** Locks a sealed batch by its assigned prover (alice when open); mines a block first so the draw is ready. */
export async function lockByAssigned(f: MarketFixture, h: ChainHelpers, batchId: bigint): Promise<HardhatEthersSigner> {
  await h.mine(1);
  const assigned = await f.market.assignedProver(batchId);
  const locker = assigned === '0x0000000000000000000000000000000000000000' ? f.alice : proverSigner(f, assigned);
  await f.market.connect(locker).lock(batchId);
  return locker;
}

/** `n` calldata statements in a new batch, sealed and locked. */
export async function lockedCalldataBatch(f: MarketFixture, h: ChainHelpers, book: Book, n = 8) {
  const subs = await submitN(f, book, n);
  const batchId = subs[0]!.batchId;
  await sealByTimeout(f, h, batchId);
  const locker = await lockByAssigned(f, h, batchId);
  return { subs, batchId, locker };
}

/** What the MockVerifier accepts as the aggregated proof of `root` bound to `prover`: abi.encode(publicInputs). */
export function mockProof(root: Hex, prover: string, keySet: Hex = KEY_SET): Hex {
  return encodeAbiParameters([{ type: 'bytes32[]' }], [aggregationPublicInputs(root, prover as Address, keySet)]);
}

/** The mock aggregated proof of `batchId` with `mask` excluded, bound to `prover`. */
export function proofFor(book: Book, batchId: bigint, prover: string, mask = 0n): Hex {
  return mockProof(book.provenRoot(batchId, mask), prover, KEY_SET);
}

// ----- off-chain channel -----

export interface RequestSpec {
  programId: Hex;
  digests: Hex[];
  feePerProof: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** The market's EIP-712 domain (prover/protocol v2) for the fixture's chain. */
export async function domainOf(f: MarketFixture) {
  const { chainId } = await f.market.runner!.provider!.getNetwork();
  return marketDomain(Number(chainId), (await f.market.getAddress()) as Address);
}

/** Signs a request (EIP-712, prover/protocol v2's types) and returns it as postBatch takes it. */
export async function signRequest(f: MarketFixture, payer: HardhatEthersSigner, r: RequestSpec): Promise<PostedGroup> {
  const request: OffchainRequest = {
    programId: r.programId,
    statementsHash: statementsHash(r.digests),
    count: r.digests.length,
    feePerProof: r.feePerProof,
    nonce: r.nonce,
    deadline: Number(r.deadline),
  };
  const domain = await domainOf(f);
  const signature = await payer.signTypedData(
    { ...domain, chainId: Number(domain.chainId) },
    { Request: [...REQUEST_TYPES.Request] },
    requestMessage(request),
  );
  return { ...postedGroup(request, signature as Hex) };
}

/** The EIP-712 hash of a posted group's request over `digests` (what `MarketRequestAccepted` reports). */
export async function requestHashOf(f: MarketFixture, group: PostedGroup, digests: readonly Hex[]): Promise<Hex> {
  const { programId, count, feePerProof, nonce, deadline } = group;
  return requestHash({ programId, statementsHash: statementsHash(digests), count, feePerProof, nonce, deadline }, await domainOf(f));
}

/** A posted group the tests may alter after signing (to forge one). */
export type PostedGroup = { -readonly [K in keyof SignedPostedGroup]: SignedPostedGroup[K] };

/** Fresh statements of the fixture's program: inputs and digests. */
export function freshStatements(f: MarketFixture, n: number) {
  const inputs = Array.from({ length: n }, () => freshInputs());
  return { inputs, digests: inputs.map((i) => statementDigest(f.programId, i)) };
}

/** Posts groups; records the accepted ones (from MarketRequestAccepted) in the book. */
export async function post(
  f: MarketFixture,
  book: Book,
  poster: HardhatEthersSigner,
  groups: { group: PostedGroup; digests: Hex[]; inputs: Hex[][] }[],
) {
  const tx = await f.market.connect(poster).postBatch(
    groups.map((g) => g.group),
    groups.flatMap((g) => g.digests),
  );
  const receipt = (await tx.wait())!;
  const accepted = parsed(f, receipt.logs, 'MarketRequestAccepted');
  const skipped = parsed(f, receipt.logs, 'MarketRequestSkipped');
  const posted = parsed(f, receipt.logs, 'MarketBatchPosted');
  let batchId = 0n;
  if (posted.length === 1) {
    batchId = posted[0]!.args[0] as bigint;
    const entry: BatchBook = { groups: [], digests: [], inputs: [], poster: poster.address as Address, capacity: 0 };
    // Accepted events come in the order of the groups; a group is either accepted or skipped.
    let next = 0;
    for (const g of groups) {
      const ev = accepted[next];
      if (!ev || (ev.args[2] as bigint) !== g.group.nonce || Number(ev.args[5]) !== g.digests.length) continue;
      next++;
      entry.groups.push({
        word: groupWord({
          payer: ev.args[1] as Address,
          feePerProof: ev.args[6] as bigint,
          count: Number(ev.args[5]),
          callbackGas: ev.args[7] as bigint,
        }),
        programId: ev.args[3] as Hex,
      });
      entry.digests.push(...g.digests);
      entry.inputs.push(...g.inputs);
    }
    if (next !== accepted.length) throw new Error('accepted groups not matched');
    entry.capacity = capacityFor(entry.digests.length);
    book.batches.set(batchId, entry);
  }
  return { tx, receipt, batchId, accepted, skipped };
}

export function deadlineIn(latest: number, seconds = 600): bigint {
  return BigInt(latest + seconds);
}
