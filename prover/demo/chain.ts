/** The demo's first stages: the circuits build and the devnet with the protocol deployed. */
import path from 'node:path';
import type { Hex } from 'viem';
import { startDevnet, type Devnet } from '../../deploy/devnet/devnet.js';
import { ensureVerifierBuild } from '../../deploy/devnet/build.js';
import type { VerifierBuild } from '../../deploy/verifierBuild.js';
import { addressesOf, createNexClient, type NexAddresses, type NexClient } from '../sdk/index.js';
import type { Cleanup } from './cleanup.js';
import type { Update } from './stage.js';
import { DemoError, type DemoOptions } from './types.js';

/** The running devnet and the clients of the demo's actors. */
export interface DemoChain {
  readonly devnet: Devnet;
  readonly addresses: NexAddresses;
  /** Accounts and clients: two prover operators, two rollup teams. */
  readonly operators: readonly [Actor, Actor];
  readonly rollupA: Actor;
  readonly rollupB: Actor;
  /** A client for reads (rollup A's). */
  readonly reader: NexClient;
}

export interface Actor {
  readonly address: `0x${string}`;
  readonly privateKey: Hex;
  readonly client: NexClient;
}

/** Setup: the INSECURE dev SRS and the circuits build (both cached after the first run). */
export function buildVerifier(update: Update): Promise<VerifierBuild> {
  return ensureVerifierBuild({
    log: (event, fields) => {
      if (event === 'circuits' && fields && typeof fields.step === 'string') {
        // Circuits build progress (a cache miss: minutes): step, circuit, detail.
        update(
          ['circuits', fields.step, fields.circuit, fields.detail]
            .filter((x) => typeof x === 'string' && x)
            .join(' ')
            .slice(0, 100),
        );
      } else if (event === 'devnet.build' && fields?.step) update(`${String(fields.step)}${fields.cacheHit === true ? ' (cached)' : ''}`);
    },
    onSrsProgress: (p) => update(`dev SRS ${p.phase} ${p.done}/${p.total}`, p.total > 0 ? p.done / p.total : undefined),
  });
}

/**
 * Devnet: a Hardhat node on loopback (or the given devnet), the protocol deployed, the well-known
 * accounts funded, a block mined every second (batch timeouts and windows are judged by block time).
 */
export async function startChain(opts: DemoOptions, verifierBuild: VerifierBuild, cleanup: Cleanup, update: Update): Promise<DemoChain> {
  const devnet = await startDevnet({
    rpcUrl: opts.rpcUrl,
    port: opts.port,
    verifierBuild,
    root: opts.root,
    deploymentsDir: path.join(opts.workDir, 'deployments'),
    ignitionDir: path.join(opts.workDir, 'ignition'),
    log: (event, fields) =>
      update(`${event}${fields?.step ? ` ${String(fields.step)}` : ''}${fields?.module ? ` ${String(fields.module)}` : ''}`),
  });
  cleanup.add('devnet node', () => devnet.stop());
  const addresses = addressesOf(devnet.deployments);
  const [, op1, op2, rollupA, rollupB] = devnet.accounts;
  if (!op1 || !op2 || !rollupA || !rollupB) throw new DemoError('the devnet funded fewer than 5 accounts');
  const actor = async (a: { address: `0x${string}`; privateKey: Hex }): Promise<Actor> => ({
    address: a.address,
    privateKey: a.privateKey,
    client: await createNexClient({ rpcUrl: devnet.rpcUrl, privateKey: a.privateKey, addresses, pollingIntervalMs: 500 }),
  });
  const [o1, o2, a, b] = await Promise.all([op1, op2, rollupA, rollupB].map(actor));
  const chain: DemoChain = { devnet, addresses, operators: [o1!, o2!], rollupA: a!, rollupB: b!, reader: a!.client };
  // A devnet that mines only on transactions has a frozen clock between them: an open batch would never time out.
  await chain.reader.public.request({ method: 'evm_setIntervalMining' as never, params: [1_000] as never }).catch((err: unknown) => {
    throw new DemoError(
      `the devnet refused evm_setIntervalMining (needed so batches time out): ${err instanceof Error ? err.message : String(err)}`,
    );
  });
  return chain;
}
