/**
 * Gas benchmark of the version-2 aggregation market: `npm run bench:gas`; machine-readable with
 * `NEX_BENCH_JSON=1 npm run bench:gas` (or `--json` after the script path); root verify gas per variant with
 * `NEX_BENCH_ROOT_VERIFY=optimized=834574,standard=2556590` (or `--root-verify name=gas`, repeatable). Without
 * them the root verify is measured in the same run from a real root proof when one is at hand
 * (`--root-proof file.json` / `NEX_BENCH_ROOT_PROOF`, or the real-proof tests' cache of this checkout's
 * circuits build: scripts/lib/rootVerify.ts), else the defaults below; the output names the source.
 *
 * Deploys the real NexToken, ProverStaking, VerifierRouter and AggregationMarket on an in-process Hardhat
 * network (hardfork osaka: EIP-7623 calldata floor in force) with the test-only MockVerifier, and measures
 * every transaction of a batch's life on the three channels (calldata, blob, off-chain) at 1..64 proofs:
 *
 * - intake: the submitting transactions (calldata: submit / submitMany with 14,656-byte proofs; blob:
 *   submitBlobs in type-3 transactions, plus 8,192 gas-equivalents per blob, EIP-7918's reserve price;
 *   off-chain: postBatch), and the seal when the batch does not fill;
 * - lock (the lazy draw included), on the lock path; the direct path (the assigned prover fulfils within its
 *   assignment window, no lock) has none: every row is measured on both;
 * - fulfil bookkeeping: the fulfil transaction minus the traced router -> MockVerifier call and minus the
 *   calldata of the mock proof (its 21,000 base stays in);
 * - all in: intake + seal + lock + bookkeeping - 21,000 + the root verify transaction of a verifier variant
 *   (given with --root-verify name=gas: the whole verify transaction of the real root proof, which carries its
 *   own 21,000, the proof's calldata and the verifier's execution). The defaults are the research
 *   measurements of bb's non-ZK root verifiers with 8 public inputs (docs/prover.md); a later task measures
 *   them with the version-2 root (4 public inputs) and passes them here.
 *
 * Reference mix: 8 statements per submitter (4 submitters at 32, 8 at 64), no callbacks; worst case: every
 * statement its own submitter (calldata and blob: its own transaction). Steady state: every prover, the
 * poster and the treasury already hold earnings, every payer already has a deposit.
 */
import type { HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/types';
import { type ContractTransactionResponse, type TransactionReceipt, Wallet } from 'ethers';
import { network } from 'hardhat';
import {
  Book,
  MIN_FEE,
  ROLLUP_PROOF_BYTES,
  VK,
  deadlineIn,
  deployMarket,
  freshStatements,
  post,
  proofFor,
  recordSubmitted,
  rollupProof,
  sealByTimeout,
  signRequest,
  type MarketFixture,
} from './lib/marketDeployment.js';
import { BLOB_GAS_EQUIVALENT, packProofs, sendBlobTransaction } from './lib/blob.js';
import { currentBuildDir, findRootProof, measureRootVerify } from './lib/rootVerify.js';
import { batchLeaves, inclusionPath } from '../prover/protocol/index.js';

const SIZES = [1, 2, 4, 8, 16, 32, 64];
const PER_SUBMITTER = 8;
/** Verifying one rollup proof alone (bb's optimized ZK verifier, whole transaction; docs/prover.md). */
const SINGLE_PROOF_BASELINE = 766_220n;
/**
 * Root verify transaction per verifier variant when none is given: `optimized` is C1a's measurement of the
 * version-2 root (4 public inputs, bb's non-ZK optimized verifier); `standard` is the research figure with 8.
 */
const DEFAULT_ROOT_VERIFY: Record<string, bigint> = { optimized: 834_574n, standard: 2_556_590n };
/** Slots of the market's lock ring (MarketBase._LOCK_RING). */
const LOCK_RING = 128;

function parseArgs(argv: string[]) {
  const rootVerify: Record<string, bigint> = {};
  let json = false;
  let rootProof: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--root-proof') {
      rootProof = argv[++i];
      if (!rootProof) throw new Error('--root-proof expects a file');
    } else if (a === '--root-verify' || a.startsWith('--root-verify=')) {
      const value = a.includes('=') && a.startsWith('--root-verify=') ? a.slice('--root-verify='.length) : argv[++i];
      const m = /^([\w-]+)=(\d+)$/.exec(value ?? '');
      if (!m) throw new Error(`--root-verify expects name=gas, got ${JSON.stringify(value)}`);
      rootVerify[m[1]!] = BigInt(m[2]!);
    } else throw new Error(`unknown argument ${a} (use --json, --root-verify name=gas, --root-proof file.json)`);
  }
  const env = process.env.NEX_BENCH_ROOT_VERIFY; // e.g. "optimized=837366,standard=2556590"
  if (Object.keys(rootVerify).length === 0 && env) {
    for (const part of env.split(',')) {
      const [k, v] = part.split('=');
      if (!k || !v || !/^\d+$/.test(v)) throw new Error(`NEX_BENCH_ROOT_VERIFY: bad entry ${part}`);
      rootVerify[k] = BigInt(v);
    }
  }
  return { json, rootVerify, rootProof: rootProof ?? process.env.NEX_BENCH_ROOT_PROOF };
}

/**
 * The root verify gas per variant: given (--root-verify), else measured from a real root proof (--root-proof,
 * or the real-proof tests' cache of this checkout's circuits build), else the defaults.
 */
async function rootVerifyGas(
  given: Record<string, bigint>,
  rootProofFile: string | undefined,
): Promise<{ gas: Record<string, bigint>; source: string }> {
  if (Object.keys(given).length > 0) return { gas: given, source: 'given' };
  const buildDir = currentBuildDir();
  const proof = findRootProof(buildDir, rootProofFile);
  if (proof && buildDir) {
    const chain = await network.create();
    const [signer] = await chain.ethers.getSigners();
    const gas = await measureRootVerify(buildDir, proof, signer!);
    return { gas, source: `measured in this run: the root proof ${proof.source} on the verifiers of ${buildDir}` };
  }
  if (rootProofFile)
    throw new Error(`--root-proof ${rootProofFile}: no circuits build of these sources to take its verifiers from (npm run circuits)`);
  return {
    gas: DEFAULT_ROOT_VERIFY,
    source: "defaults: optimized = C1a's measured version-2 root (4 public inputs); standard = research figure (8)",
  };
}

function calldataCost(data: string): { standard: bigint; floor: bigint } {
  let zero = 0n;
  let nonzero = 0n;
  for (let i = 2; i < data.length; i += 2) {
    if (data.slice(i, i + 2) === '00') zero++;
    else nonzero++;
  }
  return { standard: 4n * zero + 16n * nonzero, floor: 10n * (zero + 4n * nonzero) };
}

interface Tx {
  gasUsed: bigint;
  /** gasUsed - 21,000 - standard calldata cost; null when the EIP-7623 floor set the gas. */
  execution: bigint | null;
  hash: string;
}

async function measureHash(conn: Conn, hash: string, data: string): Promise<Tx> {
  const receipt = (await conn.ethers.provider.getTransactionReceipt(hash))!;
  const { standard, floor } = calldataCost(data);
  const floored = receipt.gasUsed === 21_000n + floor && 21_000n + floor > 21_000n + standard;
  return { gasUsed: receipt.gasUsed, execution: floored ? null : receipt.gasUsed - 21_000n - standard, hash };
}

async function measure(conn: Conn, tx: Promise<ContractTransactionResponse>): Promise<Tx> {
  const sent = await tx;
  const receipt = (await sent.wait()) as TransactionReceipt;
  return measureHash(conn, receipt.hash, sent.data);
}

type Conn = Awaited<ReturnType<typeof network.create>>;

interface StructLog {
  op: string;
  gas: number;
  depth: number;
}

/** Gas of the router's STATICCALL to the verifier inside a fulfilment (cold access + MockVerifier run). */
async function verifierCallGas(conn: Conn, txHash: string): Promise<bigint> {
  const trace = (await conn.ethers.provider.send('debug_traceTransaction', [
    txHash,
    { disableStorage: true, disableMemory: true, disableStack: true },
  ])) as { structLogs: StructLog[] };
  const logs = trace.structLogs;
  for (let i = 0; i < logs.length; i++) {
    if (logs[i]!.op === 'STATICCALL' && logs[i]!.depth === 2 && logs[i + 1]?.depth === 3) {
      let j = i + 1;
      while (logs[j]!.depth !== 2) j++;
      return BigInt(logs[i]!.gas - logs[j]!.gas);
    }
  }
  throw new Error('no verifier call in the trace');
}

/** Funded wallets that can sign requests and send their own deposits. */
async function payers(conn: Conn, n: number, offset: number): Promise<Wallet[]> {
  const out: Wallet[] = [];
  for (let i = 0; i < n; i++) {
    const w = new Wallet(`0x${(0x1000n + BigInt(offset + i)).toString(16).padStart(64, '0')}`, conn.ethers.provider);
    await conn.ethers.provider.send('hardhat_setBalance', [w.address, '0x56BC75E2D63100000']); // 100 ETH
    out.push(w);
  }
  return out;
}

interface BatchRun {
  channel: 'calldata' | 'blob' | 'off-chain';
  mix: 'reference' | 'worst';
  /** How the batch is settled: lock then fulfil, or a direct fulfilment by the assigned prover (no lock). */
  path: 'lock' | 'direct';
  n: number;
  submitters: number;
  txs: number;
  intake: bigint;
  blobs: number;
  seal: bigint;
  lock: bigint;
  fulfilBookkeeping: bigint;
  verifierCall: bigint;
}

class Bench {
  readonly book = new Book();
  private readonly warmed = new Set<string>();
  private payerPool: Wallet[] = [];

  constructor(
    readonly conn: Conn,
    readonly f: MarketFixture,
  ) {}

  get ethers() {
    return this.conn.ethers;
  }

  async setCapacity(capacity: number) {
    await this.f.market.connect(this.f.admin).setParams({ ...this.f.params, batchCapacity: BigInt(Math.max(4, capacity)) });
  }

  async ensurePayers(n: number) {
    if (this.payerPool.length < n) {
      const more = await payers(this.conn, n - this.payerPool.length, this.payerPool.length);
      for (const w of more) await (await this.f.market.connect(w).deposit({ value: 10n ** 18n })).wait();
      this.payerPool.push(...more);
    }
    return this.payerPool.slice(0, n);
  }

  /**
   * Locks (after the assignment window, by `prover`, so that each prover's earnings get warm) and fulfils;
   * with `direct`, the assigned prover fulfils during the assignment window without a lock (lock gas 0).
   */
  async lockAndFulfil(batchId: bigint, prover?: HardhatEthersSigner, direct = false) {
    const { f } = this;
    await this.conn.networkHelpers.mine(1);
    let locker: HardhatEthersSigner;
    if (prover) {
      const b = await f.market.getBatch(batchId);
      const open = b.sealedAt + BigInt(f.params.assignmentWindow) + 1n;
      if (BigInt(await this.conn.networkHelpers.time.latest()) < open) await this.conn.networkHelpers.time.increaseTo(open);
      locker = prover;
    } else {
      const assigned = await f.market.assignedProver(batchId);
      locker = f.provers.find((p) => p.address === assigned) ?? f.alice;
    }
    const lock: Tx = direct ? { gasUsed: 0n, execution: 0n, hash: '' } : await measure(this.conn, f.market.connect(locker).lock(batchId));
    const b = this.book.of(batchId);
    const s = this.book.settlement(batchId);
    const fast = b.poster !== undefined;
    const settlement = fast ? { ...s, groups: [], digests: [] } : s;
    const proof = proofFor(this.book, batchId, locker.address);
    const fulfil = await measure(this.conn, f.market.connect(locker).fulfill(batchId, proof, 0, settlement));
    const verifierCall = await verifierCallGas(this.conn, fulfil.hash);
    const proofCalldata = calldataCost(proof).standard;
    return { lock, fulfil, verifierCall, bookkeeping: fulfil.gasUsed - verifierCall - proofCalldata, locker };
  }

  /**
   * Steady state: one batch per prover, so that every earnings slot (provers, poster, treasury) is non-zero,
   * then batches until every slot of the market's lock ring has held a lock once (a market that has run for
   * LOCK_RING batches rewrites a used ring slot at each lock instead of filling a fresh one).
   */
  async warmUp() {
    for (const p of this.f.provers) {
      const id = await this.postBatch(4, 1);
      await this.lockAndFulfil(id.batchId, p);
    }
    while ((await this.f.market.nextBatchId()) <= BigInt(LOCK_RING)) {
      await this.lockAndFulfil((await this.postBatch(4, 1)).batchId);
    }
  }

  async postBatch(n: number, submitters: number) {
    const { f } = this;
    const wallets = await this.ensurePayers(submitters);
    const groups: Parameters<typeof post>[3] = [];
    const sizes = Array.from({ length: submitters }, (_, i) => Math.floor(n / submitters) + (i < n % submitters ? 1 : 0));
    for (const [i, size] of sizes.entries()) {
      const w = wallets[i]!;
      const { inputs, digests } = freshStatements(f, size);
      const nonce = (await f.market.getAccount(w.address)).nonce;
      const group = await signRequest(f, w as unknown as HardhatEthersSigner, {
        programId: f.programId,
        digests,
        feePerProof: MIN_FEE,
        nonce,
        deadline: deadlineIn(await this.conn.networkHelpers.time.latest()),
      });
      groups.push({ group, digests, inputs });
    }
    const { receipt, batchId, tx } = await post(f, this.book, f.relay, groups);
    const m = await measureHash(this.conn, receipt.hash, tx.data);
    return { batchId, intake: m.gasUsed, txs: 1, blobs: 0, postTx: m };
  }

  async calldataBatch(n: number, perTx: number) {
    const { f } = this;
    await this.setCapacity(n);
    let intake = 0n;
    let txs = 0;
    let batchId = 0n;
    for (let at = 0; at < n; at += perTx) {
      const k = Math.min(perTx, n - at);
      const { inputs } = freshStatements(f, k);
      const ids = inputs.map(() => f.programId);
      const send =
        k === 1
          ? f.market.connect(f.user1).submit(f.programId, inputs[0]!, rollupProof(at + 1), { value: MIN_FEE })
          : f.market.connect(f.user1).submitMany(
              ids,
              inputs,
              inputs.map((_, j) => rollupProof(at + j + 1)),
              MIN_FEE,
              { value: MIN_FEE * BigInt(k) },
            );
      const sent = await send;
      const first = await recordSubmitted(f, this.book, sent, inputs, ids);
      batchId = first.batchId;
      intake += (await measure(this.conn, Promise.resolve(sent))).gasUsed;
      txs++;
    }
    return { batchId, intake, txs, blobs: 0 };
  }

  async blobBatch(n: number, perTx: number) {
    const { f } = this;
    await this.setCapacity(n);
    let intake = 0n;
    let txs = 0;
    let blobs = 0;
    let batchId = 0n;
    const proof = new Uint8Array(ROLLUP_PROOF_BYTES).fill(0x5a);
    for (let at = 0; at < n; at += perTx) {
      const k = Math.min(perTx, n - at);
      const { inputs } = freshStatements(f, k);
      const ids = inputs.map(() => f.programId);
      const packed = packProofs(Array(k).fill(proof), ROLLUP_PROOF_BYTES);
      const data = f.market.interface.encodeFunctionData('submitBlobs', [ids, inputs, MIN_FEE]);
      const hash = await sendBlobTransaction(this.ethers, 10, await f.market.getAddress(), data, MIN_FEE * BigInt(k), packed);
      const sent = (await this.ethers.provider.getTransaction(hash))!;
      const first = await recordSubmitted(f, this.book, sent as unknown as ContractTransactionResponse, inputs, ids);
      batchId = first.batchId;
      intake += (await measureHash(this.conn, hash, data)).gasUsed;
      txs++;
      blobs += packed.length;
    }
    return { batchId, intake, txs, blobs };
  }

  async run(channel: BatchRun['channel'], mix: BatchRun['mix'], n: number, path: BatchRun['path'] = 'lock'): Promise<BatchRun> {
    const submitters = mix === 'worst' ? n : Math.ceil(n / PER_SUBMITTER);
    const perTx = mix === 'worst' ? 1 : PER_SUBMITTER;
    const intake =
      channel === 'off-chain'
        ? await this.postBatch(n, submitters)
        : channel === 'calldata'
          ? await this.calldataBatch(n, perTx)
          : await this.blobBatch(n, perTx);
    let seal = 0n;
    const b = await this.f.market.getBatch(intake.batchId);
    if (b.state === 1n) {
      const sealableAt = b.openedAt + BigInt(this.f.params.batchTimeout);
      await this.conn.networkHelpers.time.increaseTo(sealableAt);
      seal = (await measure(this.conn, this.f.market.connect(this.f.outsider).seal(intake.batchId))).gasUsed;
    }
    const settled = await this.lockAndFulfil(intake.batchId, undefined, path === 'direct');
    return {
      channel,
      mix,
      path,
      n,
      submitters,
      txs: intake.txs,
      intake: intake.intake + BigInt(intake.blobs) * BLOB_GAS_EQUIVALENT,
      blobs: intake.blobs,
      seal,
      lock: settled.lock.gasUsed,
      fulfilBookkeeping: settled.bookkeeping,
      verifierCall: settled.verifierCall,
    };
  }
}

function perProof(r: BatchRun, rootVerify: Record<string, bigint>) {
  const n = BigInt(r.n);
  const bookkeeping = r.intake + r.seal + r.lock + r.fulfilBookkeeping;
  const allIn: Record<string, bigint> = {};
  for (const [name, gas] of Object.entries(rootVerify)) allIn[name] = (bookkeeping - 21_000n + gas) / n;
  return { bookkeepingPerProof: bookkeeping / n, allInPerProof: allIn };
}

function pad(cells: (string | number | bigint)[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
}

async function main() {
  // `hardhat run` passes the script's own arguments after its path (when it passes any): NEX_BENCH_JSON=1 and
  // NEX_BENCH_ROOT_VERIFY=name=gas,... do the same through the environment.
  const at = process.argv.findIndex((a) => a.endsWith('benchGas.ts'));
  const parsed = parseArgs(at === -1 ? [] : process.argv.slice(at + 1));
  const json = parsed.json || process.env.NEX_BENCH_JSON === '1';
  const { gas: rootVerify, source: rootVerifySource } = await rootVerifyGas(parsed.rootVerify, parsed.rootProof);
  const conn = await network.create();
  const f = await deployMarket(conn.ethers);
  const bench = new Bench(conn, f);
  const log = (line: string) => {
    if (!json) console.log(line);
  };
  // First payout: a fresh market (no earnings slot of the prover, poster or treasury yet, every ring slot
  // unused), one off-chain reference batch each on its own chain; then everything else in steady state.
  const firstPayout: BatchRun[] = [];
  for (const path of ['lock', 'direct'] as const) {
    for (const n of [32, 64]) {
      const fresh = await network.create();
      if (!json) process.stderr.write(`measuring off-chain reference ${n}, ${path} (first payout)\n`);
      firstPayout.push(await new Bench(fresh, await deployMarket(fresh.ethers)).run('off-chain', 'reference', n, path));
    }
  }
  if (!json) process.stderr.write(`warming up (earnings slots, ${LOCK_RING} lock-ring slots)\n`);
  await bench.warmUp();

  // ----- one-off and per-operation rows -----
  const ops: { operation: string; gasUsed: bigint; execution: bigint | null }[] = [];
  const add = (operation: string, t: Tx) => ops.push({ operation, gasUsed: t.gasUsed, execution: t.execution });
  add(
    'registerProgram (3,680-byte vk in the event)',
    await measure(conn, f.market.connect(f.user2).registerProgram(`0x${'00'.repeat(31)}07`, VK, 2)),
  );
  add('deposit (first: balance 0 -> x)', await measure(conn, f.market.connect(f.user2).deposit({ value: 10n ** 18n })));
  add('deposit (top-up)', await measure(conn, f.market.connect(f.user2).deposit({ value: 10n ** 18n })));
  add('requestWithdrawal', await measure(conn, f.market.connect(f.user2).requestWithdrawal(10n ** 18n)));
  await conn.networkHelpers.time.increase(Number(f.params.withdrawalDelay));
  add('withdraw', await measure(conn, f.market.connect(f.user2).withdraw()));

  // A posted batch of 32 (4 submitters): post, lock, fast fulfil; then the reads.
  const ref = await bench.postBatch(32, 4);
  add('postBatch (32 statements, 4 submitters)', ref.postTx);
  const settled = await bench.lockAndFulfil(ref.batchId);
  add('lock (32, lazy draw)', settled.lock);
  ops.push({ operation: 'fulfill fast path (32) excl. verifier call and proof calldata', gasUsed: settled.bookkeeping, execution: null });
  add(
    'claimEarnings (prover)',
    await measure(conn, f.market.connect(settled.locker).getFunction('claimEarnings()')() as Promise<ContractTransactionResponse>),
  );
  // The claim zeroed the locker's earnings slot: one more batch of its own keeps the per-proof rows in the
  // steady state they describe (otherwise whichever row draws that prover pays ~17k for a fresh slot).
  await bench.lockAndFulfil((await bench.postBatch(4, 1)).batchId, settled.locker);
  const entry = bench.book.of(ref.batchId);
  const inclusion = { batchId: ref.batchId, index: 5, siblings: inclusionPath(batchLeaves(entry.digests, entry.capacity), 5) };
  const isVerifiedData = f.market.interface.encodeFunctionData('isVerified(bytes32,bytes32[],(uint256,uint256,bytes32[]))', [
    f.programId,
    entry.inputs[5]!,
    inclusion,
  ]);
  const isVerifiedTx = await f.user2.sendTransaction({ to: await f.market.getAddress(), data: isVerifiedData });
  add(
    'isVerified with path (batch of 32, cold, as a transaction)',
    await measureHash(conn, (await isVerifiedTx.wait())!.hash, isVerifiedData),
  );
  add('recordVerified (stores the digest)', await measure(conn, f.market.recordVerified(f.programId, entry.inputs[5]!, inclusion)));
  const pathFree = f.market.interface.encodeFunctionData('isVerified(bytes32,bytes32[])', [f.programId, entry.inputs[5]!]);
  const pathFreeTx = await f.user2.sendTransaction({ to: await f.market.getAddress(), data: pathFree });
  add('isVerified path-free (recorded, cold, as a transaction)', await measureHash(conn, (await pathFreeTx.wait())!.hash, pathFree));

  // Calldata channel single submission and a slash / close / release for the per-operation table.
  await bench.setCapacity(8);
  const { inputs } = freshStatements(f, 1);
  const submitTx = await f.market.connect(f.user1).submit(f.programId, inputs[0]!, rollupProof(1), { value: MIN_FEE });
  await recordSubmitted(f, bench.book, submitTx, inputs, [f.programId]);
  add('submit (calldata, 14,656-byte proof; EIP-7623 floor)', await measure(conn, Promise.resolve(submitTx)));
  const open = (await f.market.openBatchId()) as bigint;
  await sealByTimeout(f, { time: conn.networkHelpers.time, mine: (n?: number) => conn.networkHelpers.mine(n) }, open);
  await conn.networkHelpers.mine(1);
  const closer = f.alice;
  await conn.networkHelpers.time.increase(Number(f.params.assignmentWindow) + 1);
  await f.market.connect(closer).lock(open);
  add('close (1 statement, fee back to its payer)', await measure(conn, f.market.connect(closer).close(open, bench.book.settlement(open))));

  // ----- per-proof tables -----
  const runs: BatchRun[] = [];
  for (const path of ['lock', 'direct'] as const) {
    for (const channel of ['off-chain', 'blob', 'calldata'] as const) {
      for (const mix of ['reference', 'worst'] as const) {
        for (const n of SIZES) {
          if (!json) process.stderr.write(`measuring ${channel} ${mix} ${n}, ${path}\n`);
          runs.push(await bench.run(channel, mix, n, path));
        }
      }
    }
  }

  const table = runs.map((r) => ({ ...r, state: 'steady' as const, ...perProof(r, rootVerify) }));
  const first = firstPayout.map((r) => ({ ...r, state: 'first payout' as const, ...perProof(r, rootVerify) }));
  if (json) {
    const out = {
      hardfork: 'osaka',
      rootVerify: Object.fromEntries(Object.entries(rootVerify).map(([k, v]) => [k, Number(v)])),
      rootVerifySource,
      singleProofBaseline: Number(SINGLE_PROOF_BASELINE),
      blobGasEquivalent: Number(BLOB_GAS_EQUIVALENT),
      operations: ops.map((o) => ({
        operation: o.operation,
        gasUsed: Number(o.gasUsed),
        execution: o.execution === null ? null : Number(o.execution),
      })),
      perProof: [...first, ...table].map((t) => ({
        state: t.state,
        channel: t.channel,
        mix: t.mix,
        path: t.path,
        proofs: t.n,
        submitters: t.submitters,
        transactions: t.txs,
        blobs: t.blobs,
        intake: Number(t.intake),
        seal: Number(t.seal),
        lock: Number(t.lock),
        fulfilBookkeeping: Number(t.fulfilBookkeeping),
        bookkeepingPerProof: Number(t.bookkeepingPerProof),
        allInPerProof: Object.fromEntries(Object.entries(t.allInPerProof).map(([k, v]) => [k, Number(v)])),
      })),
    };
    console.log(JSON.stringify(out, null, 2));
    return;
  }

  log('\nAggregationMarket v2 gas (Hardhat network, hardfork osaka, solc 0.8.28, optimizer 200 runs)\n');
  const w1 = [70, 11, 11];
  log(pad(['operation', 'tx gas', 'execution'], w1));
  log(pad(['-'.repeat(70), '-'.repeat(11), '-'.repeat(11)], w1));
  for (const o of ops) log(pad([o.operation, o.gasUsed, o.execution ?? 'floor/n.a.'], w1));

  const variants = Object.keys(rootVerify);
  log(
    `\nPer proof, all in (root verify transaction per variant, ${rootVerifySource}: ` +
      variants.map((v) => `${v} ${rootVerify[v]!.toLocaleString('en')}`).join(', ') +
      `; verifying one proof alone: ${SINGLE_PROOF_BASELINE.toLocaleString('en')})\n`,
  );
  const w2 = [9, 9, 6, 5, 5, 4, 11, 9, 9, 11, 12, ...variants.flatMap(() => [12, 8])];
  log(
    pad(
      [
        'channel',
        'mix',
        'path',
        'n',
        'subm',
        'txs',
        'intake',
        'seal',
        'lock',
        'fulfil bk',
        'bookkeep/pf',
        ...variants.flatMap((v) => [`${v}/pf`, 'ratio']),
      ],
      w2,
    ),
  );
  for (const t of [...table, ...first]) {
    log(
      pad(
        [
          t.state === 'steady' ? t.channel : `${t.channel}*`,
          t.mix,
          t.path,
          t.n,
          t.submitters,
          t.txs,
          t.intake,
          t.seal,
          t.lock,
          t.fulfilBookkeeping,
          t.bookkeepingPerProof,
          ...variants.flatMap((v) => [t.allInPerProof[v]!, `${(Number(SINGLE_PROOF_BASELINE) / Number(t.allInPerProof[v]!)).toFixed(1)}x`]),
        ],
        w2,
      ),
    );
  }
  log(
    '\nintake: the submitting transactions (whole transactions; blob: + 8,192 gas-equivalents per blob at the EIP-7918 reserve price);' +
      '\npath: lock = lock then fulfil (a prover that needs more than the assignment window); direct = the assigned prover fulfils within its' +
      '\nassignment window without a lock (no lock transaction, no collateral);' +
      '\nseal: when the batch did not fill; fulfil bk: fulfil minus the traced verifier call and the mock proof calldata (21,000 base included);' +
      '\nbookkeep/pf = (intake + seal + lock + fulfil bk) / n; <variant>/pf = (bookkeeping - 21,000 + root verify transaction) / n;' +
      '\n*: first payout (a fresh market: the prover, poster and treasury earn for the first time, the lock ring is unused); other rows: steady state;' +
      '\nratio = verifying one proof alone / all in per proof. Budget (docs/protocol.md V2.1): off-chain reference <= 35k at 32, <= 20k at 64; blob <= 60k at 32.',
  );
}

await main();
