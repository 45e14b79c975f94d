/**
 * Gas benchmark of the aggregation market (npm run bench:gas). Deploys the real NexToken, ProverStaking,
 * VerifierRouter and AggregationMarket on an in-process Hardhat network, with the test-only MockVerifier
 * (whose own execution is measured and subtracted where the table says "excluding the verifier").
 *
 * "execution" = receipt.gasUsed - intrinsic, intrinsic = 21,000 + 4/16 gas per zero/non-zero calldata byte.
 * Since Prague (EIP-7623) a transaction pays at least the calldata floor 21,000 + 10 * (zero + 4 * nonzero
 * bytes); the floor is shown for the large-proof submission, where it dominates.
 */
import type { HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/types';
import type { ContractTransactionResponse, TransactionReceipt } from 'ethers';
import { network } from 'hardhat';
import { type Hex, keccak256, toHex } from 'viem';
import { PROOF_BYTES, VK_BYTES } from '../prover/protocol/index.js';
import { aggregationPublicInputsV1 as aggregationPublicInputs, submissionIdV1 as submissionId } from './lib/commitmentV1.js';
import {
  KEY_HASHES,
  MIN_FEE,
  PROGRAM_ID,
  abiEncodeInputs,
  deployMarket,
  inputsFor,
  proofFor,
  type MarketFixture,
} from './lib/marketDeployment.js';

const SMALL_PROOF: Hex = `0x${'11'.repeat(64)}`;

function calldataCost(data: string): { standard: number; floor: number } {
  let zero = 0;
  let nonzero = 0;
  for (let i = 2; i < data.length; i += 2) {
    if (data.slice(i, i + 2) === '00') zero++;
    else nonzero++;
  }
  return { standard: 21_000 + 4 * zero + 16 * nonzero, floor: 21_000 + 10 * (zero + 4 * nonzero) };
}

/** Pseudo-random bytes (a keccak stream): a realistic, incompressible proof. */
function randomBytes(length: number, seed: string): Hex {
  let out = '';
  let block: Hex = keccak256(toHex(seed));
  while (out.length < length * 2) {
    out += block.slice(2);
    block = keccak256(block);
  }
  return `0x${out.slice(0, length * 2)}`;
}

interface Measured {
  hash: string;
  gasUsed: bigint;
  execution: bigint;
  floor: bigint;
  intrinsic: bigint;
}

async function measure(tx: Promise<ContractTransactionResponse>): Promise<Measured> {
  const sent = await tx;
  const receipt = (await sent.wait()) as TransactionReceipt;
  const { standard, floor } = calldataCost(sent.data);
  return {
    hash: receipt.hash,
    gasUsed: receipt.gasUsed,
    execution: receipt.gasUsed - BigInt(standard),
    floor: BigInt(floor),
    intrinsic: BigInt(standard),
  };
}

/** Execution gas of a call sent as a transaction (views included). */
async function rawExecution(from: HardhatEthersSigner, to: string, data: string): Promise<bigint> {
  const receipt = (await (await from.sendTransaction({ to, data })).wait())!;
  return receipt.gasUsed - BigInt(calldataCost(data).standard);
}

let counter = 10_000_000;
const nextInputs = () => inputsFor(counter++);

async function submitOne(f: MarketFixture, proof: Hex = SMALL_PROOF, from?: HardhatEthersSigner) {
  return measure(f.market.connect(from ?? f.user1).submit(PROGRAM_ID, nextInputs(), proof, { value: MIN_FEE }));
}

type Conn = Awaited<ReturnType<typeof network.create>>;

async function sealLockFulfil(conn: Conn, f: MarketFixture, batchId: bigint, full: boolean) {
  const { networkHelpers } = conn;
  let seal: Measured | undefined;
  if (!full) {
    const b = await f.market.getBatch(batchId);
    await networkHelpers.time.increaseTo(b.openedAt + f.params.batchTimeout);
    seal = await measure(f.market.connect(f.outsider).seal(batchId));
  }
  const b = await f.market.getBatch(batchId);
  const locker = f.provers.find((p) => p.address === b.assigned) ?? f.alice;
  const lock = await measure(f.market.connect(locker).lock(batchId));
  const proof = await proofFor(f, batchId, locker.address);
  const fulfil = await measure(f.market.connect(locker).fulfill(batchId, proof, 0));
  return { seal, lock, fulfil, locker, proof };
}

interface StructLog {
  op: string;
  gas: number;
  depth: number;
}

/**
 * Gas of the verifier call inside a fulfilment: the router's STATICCALL to the verifier (depth 2 -> 3),
 * from the call opcode to the first step back in the router, i.e. cold account access, argument copy
 * and the verifier's whole execution. Read from the transaction's trace.
 */
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

function row(cells: (string | number | bigint)[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
}

async function main(): Promise<void> {
  const conn = await network.create();
  const { ethers, networkHelpers } = conn;
  const f = await deployMarket(ethers);
  const lines: [string, bigint | string, string][] = [];

  // register (vk of real size)
  const register = await measure(f.market.connect(f.rollup).registerProgram(`0x${'00'.repeat(31)}07`, randomBytes(VK_BYTES, 'vk'), 2));
  lines.push(['registerProgram (3,680-byte vk, event carries it)', register.execution, 'execution']);

  // submit: first of a batch (opens it), a middle one, the one that fills and seals it
  const first = await submitOne(f);
  const middle = await submitOne(f);
  for (let i = 0; i < 5; i++) await submitOne(f);
  const filling = await submitOne(f);
  lines.push(['submit, typical (slot 1..6 of 8, 64-byte proof)', middle.execution, 'execution']);
  lines.push(['submit, first of a batch (opens the batch)', first.execution, 'execution']);
  lines.push(['submit, filling the batch (includes seal + draw)', filling.execution, 'execution']);
  const batch1 = 1n;
  const { lock, fulfil, locker } = await sealLockFulfil(conn, f, batch1, true);

  // submitMany of 8 (one full batch)
  const ids: string[] = [];
  const inputs: Hex[][] = [];
  const proofs: Hex[] = [];
  const fees: bigint[] = [];
  for (let i = 0; i < 8; i++) {
    ids.push(PROGRAM_ID);
    inputs.push(nextInputs());
    proofs.push(SMALL_PROOF);
    fees.push(MIN_FEE);
  }
  const many = await measure(f.market.connect(f.user1).submitMany(ids, inputs, proofs, fees, { value: MIN_FEE * 8n }));
  lines.push(['submitMany of 8 (fills + seals a batch)', many.execution, 'execution']);
  lines.push(['submitMany of 8, per proof', many.execution / 8n, 'execution']);

  // explicit seal of a non-full batch
  await submitOne(f);
  await submitOne(f);
  const b3 = (await f.market.openBatchId()) as bigint;
  const partial = await sealLockFulfil(conn, f, b3, false);
  lines.push(['seal (timeout, 2 of 8, draws a prover)', partial.seal!.execution, 'execution']);
  lines.push(['lock (8 proofs)', lock.execution, 'execution']);
  const verifierCall8 = await verifierCallGas(conn, fulfil.hash);
  lines.push(['fulfill (8 proofs, excl. verifier call; first payout: earnings 0->x)', fulfil.execution - verifierCall8, 'execution']);
  lines.push(['  the verifier call inside it (subtracted; traced)', verifierCall8, 'execution']);

  // isVerified as a transaction (cold storage read, as a first call in a transaction)
  const isVerifiedData = f.market.interface.encodeFunctionData('isVerified', [PROGRAM_ID, inputs[0]!]);
  lines.push(['isVerified (2 public inputs, cold)', await rawExecution(f.user2, await f.market.getAddress(), isVerifiedData), 'execution']);

  // refund (expired) and slash
  await submitOne(f, SMALL_PROOF, f.user2);
  const bRefund = (await f.market.openBatchId()) as bigint;
  await networkHelpers.time.increaseTo((await f.market.batchExpiry(bRefund)) + 1n);
  const refund = await measure(f.market.connect(f.user2).refund(submissionId(bRefund, 0)));
  lines.push(['refund (expired batch)', refund.execution, 'execution']);

  for (let i = 0; i < 8; i++) await submitOne(f);
  const bSlash =
    (await f.market.getBatch((await f.market.openBatchId()) || 0n)).count === 0n
      ? bRefund + 1n
      : ((await f.market.openBatchId()) as bigint);
  const sealedSlash = await f.market.getBatch(bSlash);
  const slashLocker = f.provers.find((p) => p.address === sealedSlash.assigned) ?? f.alice;
  await f.market.connect(slashLocker).lock(bSlash);
  await networkHelpers.time.increaseTo((await f.market.getBatch(bSlash)).finalDeadline + 1n);
  const slash = await measure(f.market.connect(f.outsider).slash(bSlash));
  lines.push(['slash (8 proofs; burn + reward transfer)', slash.execution, 'execution']);
  const claim = await measure(f.market.connect(locker).getFunction('claimEarnings()')() as Promise<ContractTransactionResponse>);
  lines.push(['claimEarnings', claim.execution, 'execution']);

  // refund by a third party (frees a squatted statement; the fee is credited to the submitter's earnings)
  await submitOne(f, SMALL_PROOF, f.user2);
  const bCredit = (await f.market.openBatchId()) as bigint;
  await networkHelpers.time.increaseTo((await f.market.batchExpiry(bCredit)) + 1n);
  const credited = await measure(f.market.connect(f.outsider).refund(submissionId(bCredit, 0)));
  lines.push(['refund by a third party (expired; credits earnings 0->x)', credited.execution, 'execution']);

  // one submission with a real-size proof: the whole transaction here (osaka: EIP-7623 floor applies),
  // its execution measured on a cancun chain (no floor, so gasUsed - intrinsic is the execution)
  const bigProof = randomBytes(PROOF_BYTES, 'proof');
  const big = await submitOne(f, bigProof);
  const cancun = await network.create({ override: { hardfork: 'cancun' } });
  const fc = await deployMarket(cancun.ethers);
  await submitOne(fc);
  const bigCancun = await submitOne(fc, bigProof);
  const smallCancun = await submitOne(fc);
  lines.push([`submit with a ${PROOF_BYTES.toLocaleString('en')}-byte proof: execution (cancun)`, bigCancun.execution, 'execution']);
  lines.push(['  same with a 64-byte proof (cancun)', smallCancun.execution, 'execution']);
  lines.push(['  whole transaction, pre-Prague pricing (21k + 4/16 per byte + exec)', bigCancun.gasUsed, 'gas']);
  lines.push(['  EIP-7623 calldata floor (Prague+: 21k + 10/40 per byte)', big.floor, 'gas']);
  lines.push(['  whole transaction on this chain (osaka) = receipt.gasUsed', big.gasUsed, 'gas']);

  console.log('\nAggregationMarket gas (hardhat network, hardfork osaka, solc 0.8.28 optimizer 200 runs)\n');
  const w1 = [66, 10, 10];
  console.log(row(['operation', 'gas', 'kind'], w1));
  console.log(row(['-'.repeat(66), '-'.repeat(10), '-'.repeat(10)], w1));
  for (const [name, gas, kind] of lines) console.log(row([name, gas, kind], w1));

  // per-proof overhead by batch size, steady state: a first batch was fulfilled by every prover, so their
  // (and the treasury's) earnings slots are already non-zero
  console.log('\nPer-proof market overhead by batch size (capacity = size, size 1 = 1 of capacity 2 sealed by timeout; steady state)\n');
  const w2 = [6, 16, 12, 14, 18, 16];
  console.log(row(['size', 'submit+seal/pf', 'lock/pf', 'fulfil/pf', 'fulfil excl.ver/pf', 'total/pf'], w2));
  for (const size of [1, 2, 4, 8, 16, 32]) {
    const capacity = Math.max(size, 2);
    const g = await deployMarket(ethers, { params: { batchCapacity: BigInt(capacity) } });
    let warm = 1n;
    for (const p of g.provers) {
      for (let i = 0; i < capacity; i++) await submitOne(g);
      const b = await g.market.getBatch(warm);
      await networkHelpers.time.increaseTo(b.sealedAt + BigInt(g.params.assignmentWindow) + 1n);
      await g.market.connect(p).lock(warm);
      await g.market.connect(p).fulfill(warm, await proofFor(g, warm, p.address), 0);
      warm++;
    }
    const batchId = warm;
    let submitTotal = 0n;
    for (let i = 0; i < size; i++) submitTotal += (await submitOne(g)).execution;
    const r = await sealLockFulfil(conn, g, batchId, size >= 2);
    if (r.seal) submitTotal += r.seal.execution;
    const ver = await verifierCallGas(conn, r.fulfil.hash);
    const n = BigInt(size);
    const fulfilExcl = r.fulfil.execution - ver;
    console.log(
      row(
        [
          size,
          submitTotal / n,
          r.lock.execution / n,
          r.fulfil.execution / n,
          fulfilExcl / n,
          (submitTotal + r.lock.execution + fulfilExcl) / n,
        ],
        w2,
      ),
    );
  }
  console.log(
    '\nsubmit+seal/pf: all submissions of the batch (the first opens it, the last seals it and draws the prover) per proof; ' +
      '\nfulfil excl.ver: minus the traced router->verifier STATICCALL (cold access + MockVerifier execution); total = submit+seal + lock + fulfil excl. verifier, per proof.',
  );
  void ethers;
}

await main();
