// Shared deployment fixture for the market tests: the market stack of scripts/lib/marketDeployment.ts
// (also used by `npm run bench:gas`) plus the helpers the tests submit, seal and lock with.
import type { HardhatEthersSigner } from '@nomicfoundation/hardhat-ethers/types';
import type { ContractTransactionResponse, Log } from 'ethers';
import type { Hex } from 'viem';
import { MIN_FEE, PROGRAM_ID, inputsFor, type MarketFixture } from '../../scripts/lib/marketDeployment.js';

export * from '../../scripts/lib/marketDeployment.js';
export { FIELD_MODULUS } from '../../prover/protocol/index.js';

export const BatchState = { None: 0n, Open: 1n, Sealed: 2n, Locked: 3n, Fulfilled: 4n, Expired: 5n } as const;
export const StatementStatus = { None: 0n, Pending: 1n, Verified: 2n } as const;

/** A dummy rollup proof (the market only hashes it). */
export function rollupProof(n: number, size = 64): Hex {
  return ('0x' + (n % 256).toString(16).padStart(2, '0').repeat(size)) as Hex;
}

/** Decoded Submitted events of a transaction. */
export async function submittedIds(f: MarketFixture, tx: ContractTransactionResponse) {
  const receipt = await tx.wait();
  const out: { id: bigint; digest: string }[] = [];
  for (const log of (receipt?.logs ?? []) as Log[]) {
    const parsed = f.market.interface.parseLog(log);
    if (parsed?.name === 'Submitted') out.push({ id: parsed.args[0] as bigint, digest: parsed.args[3] as string });
  }
  return out;
}

let statementCounter = 0;

/** Submits `n` fresh statements from `from` (default user1); returns their ids and digests in order. */
export async function submitN(f: MarketFixture, n: number, from?: HardhatEthersSigner, fee = MIN_FEE) {
  const signer = from ?? f.user1;
  const out: { id: bigint; digest: string; inputs: Hex[] }[] = [];
  for (let i = 0; i < n; i++) {
    const inputs = inputsFor(statementCounter++);
    const tx = await f.market.connect(signer).submit(PROGRAM_ID, inputs, rollupProof(i), { value: fee });
    const [ev] = await submittedIds(f, tx);
    out.push({ id: ev!.id, digest: ev!.digest, inputs });
  }
  return out;
}

/** The signer (prover) for an address among the fixture's provers. */
export function proverSigner(f: MarketFixture, address: string): HardhatEthersSigner {
  const s = f.provers.find((p) => p.address === address);
  if (!s) throw new Error(`${address} is not a fixture prover`);
  return s;
}

/** Locks `batchId` by its assigned prover (or alice when the assignment is open); returns the locker. */
export async function lockByAssigned(f: MarketFixture, batchId: bigint): Promise<HardhatEthersSigner> {
  const batch = await f.market.getBatch(batchId);
  const locker = batch.assigned === '0x0000000000000000000000000000000000000000' ? f.alice : proverSigner(f, batch.assigned);
  await f.market.connect(locker).lock(batchId);
  return locker;
}

/** The subset of networkHelpers.time the helpers need. */
export interface TimeHelpers {
  latest(): Promise<number>;
  increaseTo(timestamp: number | bigint): Promise<void>;
}

/** Submits `n` statements into a new batch, seals it (waiting out the timeout when not full), locks it
 * by its assigned prover and returns the submissions, the batch id and the locker. */
export async function fullLockedBatch(f: MarketFixture, time: TimeHelpers, n = 8) {
  const subs = await submitN(f, n);
  const batchId = subs[0]!.id >> 5n;
  if (n < Number(f.params.batchCapacity)) {
    const b = await f.market.getBatch(batchId);
    const sealableAt = b.openedAt + f.params.batchTimeout;
    if (BigInt(await time.latest()) < sealableAt) await time.increaseTo(sealableAt);
    await f.market.seal(batchId);
  }
  const locker = await lockByAssigned(f, batchId);
  return { subs, batchId, locker };
}
