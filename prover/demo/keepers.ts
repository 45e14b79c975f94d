/** The demo's two prover operators: stake, start their keepers, and know which one is which. */
import path from 'node:path';
import { parseEther, type Address } from 'viem';
import { nexTokenAbi, proverStakingAbi } from '../abi/generated.js';
import type { DemoChain, Actor } from './chain.js';
import type { Cleanup } from './cleanup.js';
import { KeeperProcess } from './keeperProcess.js';
import { short, until, type Update } from './stage.js';
import { DemoError } from './types.js';

export const STAKE = parseEther('1000');

/** The running keepers, each with the operator account it signs with. */
export class DemoKeepers {
  constructor(readonly entries: readonly { keeper: KeeperProcess; operator: Actor }[]) {}

  get all(): KeeperProcess[] {
    return this.entries.map((e) => e.keeper);
  }

  /** The keeper whose operator (or prover) address is `a`. */
  keeperOf(a: Address): KeeperProcess | undefined {
    return this.entries.find((e) => e.operator.address.toLowerCase() === a.toLowerCase())?.keeper;
  }

  addressOf(k: KeeperProcess): Address {
    return this.entries.find((e) => e.keeper === k)!.operator.address;
  }

  /** Throws when a keeper process is gone (with its last errors). */
  failIfDied(): void {
    for (const k of this.all)
      if (!k.running)
        throw new DemoError(`${k.name} exited unexpectedly (log: ${k.logFile}); last errors: ${k.lastErrors().join(' | ') || 'none'}`);
  }

  /** Until every keeper has emitted `keeper.ready`. */
  async ready(timeoutMs = 120_000): Promise<void> {
    await until('both keepers to be ready', timeoutMs, async () => {
      this.failIfDied();
      return this.all.every((k) => k.find((l) => l.event === 'keeper.ready')) ? true : undefined;
    });
  }
}

/** Keepers: each operator stakes 1,000 NEX and starts `nex keeper run` (a child process, own data dir, the demo's relay). */
export async function startKeepers(
  chain: DemoChain,
  root: string,
  workDir: string,
  relays: readonly string[],
  cleanup: Cleanup,
  update: Update,
): Promise<DemoKeepers> {
  const entries: { keeper: KeeperProcess; operator: Actor }[] = [];
  for (const [i, operator] of chain.operators.entries()) {
    const name = `keeper-${i + 1}`;
    update(`${name} (${short(operator.address)}) stakes`);
    await stake(chain, operator, name);
    const keeper = new KeeperProcess({
      name,
      root,
      privateKey: operator.privateKey,
      rpcUrl: chain.devnet.rpcUrl,
      deploymentsFile: chain.devnet.deploymentsFile,
      dataDir: path.join(workDir, name),
      relays,
    });
    keeper.start();
    cleanup.add(name, () => keeper.stop());
    entries.push({ keeper, operator });
  }
  return new DemoKeepers(entries);
}

async function stake(chain: DemoChain, operator: Actor, name: string): Promise<void> {
  const { addresses } = chain;
  const w = operator.client.wallet!;
  const approve = await w.writeContract({
    address: addresses.token,
    abi: nexTokenAbi,
    functionName: 'approve',
    args: [addresses.staking, STAKE],
    chain: w.chain,
  });
  await operator.client.public.waitForTransactionReceipt({ hash: approve });
  const tx = await w.writeContract({
    address: addresses.staking,
    abi: proverStakingAbi,
    functionName: 'stake',
    args: [STAKE],
    chain: w.chain,
  });
  const r = await operator.client.public.waitForTransactionReceipt({ hash: tx });
  if (r.status !== 'success') throw new DemoError(`${name}: stake reverted`);
}
