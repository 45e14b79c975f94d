/** The rollup side of the demo: their proofs, the single-proof gas baseline, registration, submission. */
import { bytesToHex, type Hash, type Hex } from 'viem';
import type { RollupProof } from '../engine/index.js';
import { openExampleBackend as openBackend, type ExampleBackend as ProvingBackend } from '../toolchain/index.js';
import { estimateFee, programIdOf, registerProgram, submit, type NexClient, type SubmittedStatement } from '../sdk/index.js';
import { measureBaseline, type Baseline } from './baseline.js';
import type { DemoChain } from './chain.js';
import type { Cleanup } from './cleanup.js';
import type { Update } from './stage.js';
import { DemoError } from './types.js';

/** What each rollup's prover would produce: a valid statement per rollup and channel, and one tampered proof. */
export interface RollupProofs {
  /** Calldata channel. */
  readonly counter: RollupProof;
  readonly transfer: RollupProof;
  readonly tampered: RollupProof;
  /** Off-chain channel (the next statement of each rollup). */
  readonly counter2: RollupProof;
  readonly transfer2: RollupProof;
}

/** One posted submission and what the demo knows about it. */
export interface Posted {
  readonly rollup: string;
  readonly client: NexClient;
  readonly proof: RollupProof;
  readonly valid: boolean;
  readonly submission: SubmittedStatement;
  /** The submit transaction (its gas is part of the all-in figure). */
  readonly txHash: Hash;
}

/** The bb instance of the rollup stages (proofs, baseline), stopped by the cleanup if the demo fails first. */
export class RollupBackend {
  #backend: ProvingBackend | undefined;
  readonly #unregister: () => void;

  constructor(cleanup: Cleanup) {
    this.#unregister = cleanup.add('bb (rollup proofs)', () => this.close());
  }

  async get(): Promise<ProvingBackend> {
    this.#backend ??= await openBackend({});
    return this.#backend;
  }

  async close(): Promise<void> {
    const b = this.#backend;
    this.#backend = undefined;
    this.#unregister();
    await b?.close();
  }
}

/** Rollup proofs: two of counter (1 public input), two of transfer (2 public inputs), one transfer proof tampered. */
export async function proveRollups(backend: ProvingBackend, update: Update): Promise<RollupProofs> {
  update('rollup_counter statements');
  const counter = await backend.proveExampleRollup({ publicInputCount: 1, seed: 'nex-demo-counter-1' });
  const counter2 = await backend.proveExampleRollup({ publicInputCount: 1, seed: 'nex-demo-counter-2' });
  update('rollup_transfer statements');
  const transfer = await backend.proveExampleRollup({ publicInputCount: 2, seed: 'nex-demo-transfer-1' });
  const transfer2 = await backend.proveExampleRollup({ publicInputCount: 2, seed: 'nex-demo-transfer-3' });
  update('rollup_transfer statement, then one proof byte flipped');
  const tampered = await backend.proveExampleRollup({ publicInputCount: 2, seed: 'nex-demo-transfer-2', valid: false });
  if (await backend.verifyRollupProof(tampered)) throw new DemoError('the tampered proof still verifies');
  return { counter, transfer, tampered, counter2, transfer2 };
}

/** Baseline: one rollup proof verified alone by its own Solidity verifier (cached per circuits build). */
export function baselineGas(backend: ProvingBackend, chain: DemoChain, cacheFile: string, update: Update): Promise<Baseline> {
  update('proving for the EVM, compiling and deploying its verifier');
  return measureBaseline({
    backend,
    rpcUrl: chain.devnet.rpcUrl,
    privateKey: chain.devnet.accounts[0]!.privateKey,
    cacheFile,
    variant: chain.devnet.deployments.verifier.variant ?? 'standard',
  });
}

/** Registration: rollup A registers the counter circuit's key, rollup B the transfer circuit's. */
export async function registerPrograms(chain: DemoChain, proofs: RollupProofs): Promise<{ a: Hex; b: Hex }> {
  const a = await registerProgram(chain.rollupA.client, {
    vkHash: proofs.counter.vkHash,
    vk: bytesToHex(proofs.counter.vk),
    publicInputCount: 1,
  });
  const b = await registerProgram(chain.rollupB.client, {
    vkHash: proofs.transfer.vkHash,
    vk: bytesToHex(proofs.transfer.vk),
    publicInputCount: 2,
  });
  return { a: a.programId, b: b.programId };
}

/** The fee each submission pays: the market's suggestion for a one-proof batch. */
export async function suggestedFee(chain: DemoChain): Promise<bigint> {
  return (await estimateFee(chain.reader, { batchSize: 1 })).suggestedFee;
}

/** Submission: 2 valid + 1 invalid proofs into one batch (devnet capacity 4, sealed on timeout). */
export async function submitProofs(chain: DemoChain, proofs: RollupProofs, fee: bigint, update: Update): Promise<Posted[]> {
  const items = [
    { rollup: 'A (counter)', client: chain.rollupA.client, proof: proofs.counter, valid: true },
    { rollup: 'B (transfer)', client: chain.rollupB.client, proof: proofs.transfer, valid: true },
    { rollup: 'B (transfer)', client: chain.rollupB.client, proof: proofs.tampered, valid: false },
  ];
  const out: Posted[] = [];
  for (const it of items) {
    update(`rollup ${it.rollup}${it.valid ? '' : ' (tampered)'}`);
    // Version 2: the program id is bound to its registrant (the submitting rollup here).
    const programId = programIdOf(it.client.wallet!.account.address, it.proof.vkHash);
    const r = await submit(it.client, { programId, publicInputs: it.proof.publicInputs, proof: bytesToHex(it.proof.proof), fee });
    out.push({ ...it, submission: r.statements[0]!, txHash: r.txHash });
  }
  const batchIds = new Set(out.map((o) => o.submission.batchId));
  if (batchIds.size !== 1) throw new DemoError(`the submissions landed in ${batchIds.size} batches (another client is using this devnet?)`);
  return out;
}
