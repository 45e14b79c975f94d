// SDK test fixture: the version-2 market stack of the market tests (scripts/lib/marketDeployment.ts: the real
// NexToken, ProverStaking, VerifierRouter and AggregationMarket with the test-only MockVerifier) on Hardhat's
// in-process EDR chain, with SDK clients over the same provider. Batches are fulfilled with the MockVerifier's
// proof format (abi.encode of the 4 public inputs); real proofs are the end-to-end tests' business.
import { network } from 'hardhat';
import { createPublicClient, createWalletClient, custom, getAddress, type Address, type EIP1193Provider, type Hex } from 'viem';
import { chainFor, type NexClient } from '../../prover/sdk/client.js';
import { deployMarket, lockByAssigned, mockProof, sealByTimeout, type MarketFixture } from '../market/fixture.js';
import { batchRoot, chainSettlement, postedSettlement, ROLLUP_PROOF_BYTES } from '../../prover/protocol/index.js';
import type { BatchContents } from '../../prover/sdk/index.js';

export * from '../market/fixture.js';

export async function sdkFixture(params: Parameters<typeof deployMarket>[1] = {}) {
  const { ethers, networkHelpers, provider } = await network.create();
  const f = await deployMarket(ethers, params);
  const eip1193 = provider as unknown as EIP1193Provider;
  const addresses = {
    market: getAddress(await f.market.getAddress()),
    router: getAddress(await f.router.getAddress()),
    staking: getAddress(await f.staking.getAddress()),
    token: getAddress(await f.token.getAddress()),
  };
  const chain = chainFor(Number(await eip1193.request({ method: 'eth_chainId' })), 'http://in-process.invalid');
  const publicClient = createPublicClient({ chain, transport: custom(eip1193), pollingInterval: 20 });
  const client = (account?: string): NexClient => ({
    public: publicClient,
    wallet: account
      ? createWalletClient({ account: getAddress(account), chain, transport: custom(eip1193), pollingInterval: 20 })
      : undefined,
    addresses,
    pollingIntervalMs: 20,
  });
  const h = { time: networkHelpers.time, mine: (n?: number) => networkHelpers.mine(n) };
  /** Seals (when open), locks by the assigned prover and fulfils `batchId` with `mask` excluded, using the SDK's rebuilt contents. */
  const fulfil = async (contents: BatchContents, mask = 0n) => {
    if (!contents.posted) await sealByTimeout(f, h, contents.batchId);
    const locker = await lockByAssigned(f, h, contents.batchId);
    const root = batchRoot(contents.digests, contents.capacity, mask);
    const settlement = contents.posted
      ? postedSettlement(contents.groups, contents.digests, contents.poster!)
      : chainSettlement(contents.groups, contents.digests);
    const tx = await f.market.connect(locker).fulfill(contents.batchId, mockProof(root, locker.address), mask, settlement);
    await tx.wait();
    return { locker: getAddress(locker.address) as Address, root };
  };
  return {
    f,
    ethers,
    h,
    helpers: networkHelpers,
    addresses,
    /** The program owner's client (f.rollup registered f.programId). */
    rollup: client(f.rollup.address),
    user: client(f.user1.address),
    other: client(f.user2.address),
    relay: client(f.relay.address),
    reader: client(),
    client,
    fulfil,
  };
}

export type SdkFixture = Awaited<ReturnType<typeof sdkFixture>>;

/** A proof-shaped byte string of `size` bytes (the MockVerifier never reads rollup proofs). */
export function fakeProof(seed: number, size = ROLLUP_PROOF_BYTES): Hex {
  const byte = (seed % 255) + 1;
  return `0x${byte.toString(16).padStart(2, '0').repeat(size)}`;
}

/** Awaits `p`, expects it to reject with an instance of `cls` (and a message matching `match`), returns the error. */
export async function rejects(p: Promise<unknown>, cls: abstract new (...args: never[]) => Error, match?: RegExp): Promise<Error> {
  const outcome = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof cls))
    throw new Error(`expected a rejection with ${cls.name}, got ${outcome === undefined ? 'fulfilment' : String(outcome)}`);
  if (match && !match.test(outcome.message))
    throw new Error(`${cls.name} message ${JSON.stringify(outcome.message)} does not match ${match}`);
  return outcome;
}
