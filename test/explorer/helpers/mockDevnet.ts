// A devnet for the explorer's tests: anvil with the real version-2 contracts and the test-only MockVerifier
// (it accepts abi.encode(publicInputs) as the aggregated proof), one staked prover, one registered program,
// and the steps that move a calldata batch from open to fulfilled. It writes a deployments file in the
// format `nex devnet` writes (chainId, startBlock, contracts.AggregationMarket.address).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeAbiParameters,
  hexToBigInt,
  keccak256,
  maxUint256,
  parseEther,
  parseEventLogs,
  size,
  slice,
  type Abi,
  type Address,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { aggregationMarketAbi, nexTokenAbi, proverStakingAbi, verifierRouterAbi } from '../../../prover/abi/generated.js';
import {
  aggregationPublicInputs,
  batchRoot,
  capacityFor,
  chainSettlement,
  marketDomain,
  postedGroup,
  postedSettlement,
  REQUEST_TYPES,
  requestMessage,
  statementsHash,
  type OffchainRequest,
  fieldToWord,
  groupWord,
  programIdOf,
  ROLLUP_PROOF_BYTES,
  statementDigest,
  submissionId,
  type Group,
} from '../../../prover/protocol/index.js';
import { Anvil, DEV_KEYS } from '../../keeper/helpers/anvil.js';

export const KEY_SET: Hex = fieldToWord(0x5e7n);
export const FEE = 10n ** 15n;
export const ADMIN = DEV_KEYS[0];
export const PROVER = DEV_KEYS[2];
export const ROLLUP = DEV_KEYS[3];
export const USER = DEV_KEYS[4];
export const proverAddress = privateKeyToAccount(PROVER).address;
const VK: Hex = `0x${'ab'.repeat(3_680)}`;
const VK_HASH: Hex = fieldToWord(0xabc001n);

export const PARAMS = {
  minFeePerProof: 10n ** 12n,
  batchCapacity: 8,
  batchTimeout: 300,
  assignmentWindow: 120,
  provingWindowBase: 600,
  provingWindowPerProof: 60,
  secondaryWindow: 1800,
  submissionTtl: 86_400,
  collateralPerProof: 10n ** 18n,
  protocolFeeBps: 500,
  posterFeeBps: 200,
  maxCallbackGas: 200_000,
  withdrawalDelay: 86_400,
} as const;

function artifact(path: string): { abi: Abi; bytecode: Hex } {
  const j = JSON.parse(readFileSync(`artifacts/${path}`, 'utf8')) as { abi: Abi; bytecode: Hex };
  return { abi: j.abi, bytecode: j.bytecode };
}

interface Book {
  groups: Group[];
  digests: Hex[];
  capacity: number;
  poster?: Address;
}

export class MockDevnet {
  readonly books = new Map<bigint, Book>();
  #counter = 0;

  private constructor(
    readonly anvil: Anvil,
    readonly market: Address,
    readonly staking: Address,
    readonly router: Address,
    readonly programId: Hex,
    readonly deploymentsFile: string,
  ) {}

  static async launch(): Promise<MockDevnet> {
    const dir = mkdtempSync(join(tmpdir(), 'nex-explorer-'));
    const anvil = await Anvil.launch(dir);
    const admin = privateKeyToAccount(ADMIN).address;
    const deploy = async (path: string, args: readonly unknown[]): Promise<Address> => {
      const a = artifact(path);
      const hash = await anvil.wallet(ADMIN).deployContract({ abi: a.abi, bytecode: a.bytecode, args } as never);
      const r = await anvil.client.waitForTransactionReceipt({ hash });
      if (r.status !== 'success' || !r.contractAddress) throw new Error(`deploying ${path} failed`);
      return r.contractAddress;
    };
    const send = (key: Hex, to: Address, abi: Abi, functionName: string, args: readonly unknown[], value?: bigint) =>
      sendTx(anvil, key, to, abi, functionName, args, value);
    const startBlock = await anvil.client.getBlockNumber();
    const token = await deploy('contracts/token/NexToken.sol/NexToken.json', [admin, parseEther('1000000000')]);
    const staking = await deploy('contracts/staking/ProverStaking.sol/ProverStaking.json', [token, admin, parseEther('1000')]);
    await send(ADMIN, staking, proverStakingAbi, 'setWeightWarmup', [0n]);
    const verifier = await deploy('test/mocks/MockVerifiers.sol/MockVerifier.json', []);
    const router = await deploy('contracts/router/VerifierRouter.sol/VerifierRouter.json', [admin, admin]);
    await send(ADMIN, router, verifierRouterAbi, 'addVersion', [verifier, KEY_SET, ROLLUP_PROOF_BYTES]);
    const market = await deploy('contracts/market/AggregationMarket.sol/AggregationMarket.json', [
      admin,
      admin,
      staking,
      router,
      admin,
      PARAMS,
    ]);
    await send(ADMIN, staking, proverStakingAbi, 'setMarket', [market]);
    await send(ADMIN, token, nexTokenAbi, 'transfer', [proverAddress, parseEther('5000')]);
    await send(PROVER, token, nexTokenAbi, 'approve', [staking, maxUint256]);
    await send(PROVER, staking, proverStakingAbi, 'stake', [parseEther('2000')]);
    await send(ROLLUP, market, aggregationMarketAbi, 'registerProgram', [VK_HASH, VK, 2]);
    const programId = programIdOf(privateKeyToAccount(ROLLUP).address, VK_HASH);
    const deploymentsFile = join(dir, '31337.json');
    writeFileSync(
      deploymentsFile,
      JSON.stringify({ chainId: 31337, startBlock: startBlock.toString(), contracts: { AggregationMarket: { address: market } } }, null, 2),
    );
    return new MockDevnet(anvil, market, staking, router, programId, deploymentsFile);
  }

  write(key: Hex, functionName: string, args: readonly unknown[], value?: bigint): Promise<Hex> {
    return sendTx(this.anvil, key, this.market, aggregationMarketAbi, functionName, args, value);
  }

  /** A router call from ADMIN (admin and guardian of the router). */
  routerWrite(functionName: string, args: readonly unknown[]): Promise<Hex> {
    return sendTx(this.anvil, ADMIN, this.router, verifierRouterAbi, functionName, args);
  }

  /** Submits `n` statements (one `submit` each); returns their batch, slots and digests. */
  async submit(n: number): Promise<{ batchId: bigint; slot: number; submissionId: bigint; digest: Hex }[]> {
    const out = [];
    for (let i = 0; i < n; i++) {
      const k = this.#counter + 1;
      const inputs = this.#inputs();
      const proof: Hex = `0x${(k % 256).toString(16).padStart(2, '0').repeat(ROLLUP_PROOF_BYTES)}`;
      const hash = await this.write(USER, 'submit', [this.programId, inputs, proof], FEE);
      const receipt = await this.anvil.client.getTransactionReceipt({ hash });
      const ev = parseEventLogs({ abi: aggregationMarketAbi, logs: receipt.logs, eventName: 'MarketSubmitted' })[0]!;
      const { batchId, payer, feePerProof, count, callbackGas, firstSlot } = ev.args;
      const book = this.books.get(batchId) ?? { groups: [], digests: [], capacity: PARAMS.batchCapacity };
      this.books.set(batchId, book);
      book.groups.push({
        word: groupWord({ payer, feePerProof, count: Number(count), callbackGas: BigInt(callbackGas) }),
        programId: this.programId,
      });
      const digest = statementDigest(this.programId, inputs);
      book.digests.push(digest);
      out.push({ batchId, slot: Number(firstSlot), submissionId: submissionId(batchId, Number(firstSlot)), digest });
    }
    return out;
  }

  #inputs(): Hex[] {
    const k = ++this.#counter;
    return [fieldToWord(BigInt(1_000_000 * k)), fieldToWord(BigInt(1_000_000 * k + 1))];
  }

  /**
   * The off-chain channel: USER deposits and signs a request over `n` statements, ADMIN posts it with
   * postBatch together with a second request reusing its nonce (skipped: stale nonce). The batch is created
   * sealed. Returns the batch, the digests and their public inputs.
   */
  async post(n: number): Promise<{ batchId: bigint; digests: Hex[]; inputs: Hex[][] }> {
    const user = privateKeyToAccount(USER);
    await this.write(USER, 'deposit', [], FEE * BigInt(n + 1));
    const inputs = Array.from({ length: n }, () => this.#inputs());
    const digests = inputs.map((i) => statementDigest(this.programId, i));
    const block = await this.anvil.client.getBlock();
    const sign = async (ds: Hex[], nonce: bigint) => {
      const request: OffchainRequest = {
        programId: this.programId,
        statementsHash: statementsHash(ds),
        count: ds.length,
        feePerProof: FEE,
        nonce,
        deadline: Number(block.timestamp) + 3600,
      };
      const signature = await user.signTypedData({
        domain: marketDomain(31337, this.market),
        types: { Request: [...REQUEST_TYPES.Request] },
        primaryType: 'Request',
        message: requestMessage(request),
      });
      return postedGroup(request, signature);
    };
    const nonce = (
      await this.anvil.client.readContract({
        address: this.market,
        abi: aggregationMarketAbi,
        functionName: 'getAccount',
        args: [user.address],
      })
    ).nonce;
    const extra = [statementDigest(this.programId, this.#inputs())];
    const groups = [await sign(digests, BigInt(nonce)), await sign(extra, BigInt(nonce))];
    const poster = privateKeyToAccount(ADMIN).address;
    const hash = await this.write(ADMIN, 'postBatch', [groups, [...digests, ...extra]]);
    const receipt = await this.anvil.client.getTransactionReceipt({ hash });
    const posted = parseEventLogs({ abi: aggregationMarketAbi, logs: receipt.logs, eventName: 'MarketBatchPosted' })[0]!;
    // The post accepts the first request only (the second reuses its nonce): its one group is the event's.
    const { groups: packed, groupsHash: hashed, requestHashes } = posted.args;
    if (requestHashes.length !== 1 || size(packed) !== 64) throw new Error(`expected one accepted request, got ${requestHashes.length}`);
    if (keccak256(packed) !== hashed) throw new Error('the posted groups do not hash to groupsHash');
    this.books.set(posted.args.batchId, {
      groups: [{ word: hexToBigInt(slice(packed, 0, 32)), programId: slice(packed, 32, 64) }],
      digests,
      capacity: capacityFor(n),
      poster,
    });
    return { batchId: posted.args.batchId, digests, inputs };
  }

  /** Moves the chain past the batch timeout and seals the batch. */
  async seal(batchId: bigint): Promise<void> {
    await this.anvil.test.increaseTime({ seconds: PARAMS.batchTimeout + 1 });
    await this.anvil.test.mine({ blocks: 1 });
    await this.write(ADMIN, 'seal', [batchId]);
    await this.anvil.test.mine({ blocks: 1 });
  }

  async lock(batchId: bigint): Promise<void> {
    await this.write(PROVER, 'lock', [batchId]);
  }

  /** Fulfils with the MockVerifier's proof of the root with `mask` excluded. */
  async fulfil(batchId: bigint, mask = 0n): Promise<Hex> {
    const book = this.books.get(batchId)!;
    const root = batchRoot(book.digests, book.capacity, mask);
    const proof = encodeAbiParameters([{ type: 'bytes32[]' }], [aggregationPublicInputs(root, proverAddress, KEY_SET)]);
    const settlement = book.poster ? postedSettlement(book.groups, book.digests, book.poster) : chainSettlement(book.groups, book.digests);
    return this.write(PROVER, 'fulfill', [batchId, proof, mask, settlement]);
  }

  /** Moves the chain's clock forward by `seconds` and mines a block. */
  async advance(seconds: number): Promise<void> {
    await this.anvil.test.increaseTime({ seconds });
    await this.anvil.test.mine({ blocks: 1 });
  }

  /** Releases an expired calldata batch (its fees go back to their payers). */
  async release(batchId: bigint): Promise<Hex> {
    const book = this.books.get(batchId)!;
    return this.write(USER, 'release', [batchId, chainSettlement(book.groups, book.digests)]);
  }

  async stop(): Promise<void> {
    await this.anvil.stop();
  }
}

async function sendTx(
  anvil: Anvil,
  key: Hex,
  to: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
  value?: bigint,
): Promise<Hex> {
  const hash = await anvil.wallet(key).writeContract({ address: to, abi, functionName, args, value } as never);
  const r = await anvil.client.waitForTransactionReceipt({ hash });
  if (r.status !== 'success') throw new Error(`${functionName} reverted`);
  return hash;
}
