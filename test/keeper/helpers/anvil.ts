import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type Hex,
  type PublicClient,
  type TestClient,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { chainFor } from '../../../prover/keeper/chain/clients.js';

/** The well-known dev keys of anvil and Hardhat (test only). */
export const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
] as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** An anvil process on a loopback port; `stop()` + `start()` simulate an RPC outage (state kept). */
export class Anvil {
  #proc?: ChildProcess;
  readonly url: string;
  readonly client: PublicClient;
  readonly test: TestClient;

  private constructor(
    readonly port: number,
    readonly stateFile: string,
    private readonly extra: string[],
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.client = createPublicClient({ transport: http(this.url, { retryCount: 0 }), cacheTime: 0, pollingInterval: 200 });
    this.test = createTestClient({ mode: 'anvil', transport: http(this.url, { retryCount: 0 }) });
  }

  /** A wallet client for a dev key (test transactions outside the keeper). */
  wallet(key: Hex): WalletClient<ReturnType<typeof http>, ReturnType<typeof chainFor>, ReturnType<typeof privateKeyToAccount>> {
    return createWalletClient({ account: privateKeyToAccount(key), transport: http(this.url), chain: chainFor(31337) });
  }

  static async launch(stateDir: string, extra: string[] = []): Promise<Anvil> {
    const a = new Anvil(await freePort(), join(stateDir, 'anvil-state.json'), extra);
    await a.start();
    return a;
  }

  async start(): Promise<void> {
    // The native binary itself (the npm wrapper in .bin does not forward SIGTERM, so anvil would
    // neither stop nor dump its state).
    const native = join(
      process.cwd(),
      'node_modules',
      '@foundry-rs',
      `anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`,
      'bin',
      'anvil',
    );
    const bin = existsSync(native) ? native : join(process.cwd(), 'node_modules', '.bin', 'anvil');
    this.#proc = spawn(
      bin,
      ['--port', String(this.port), '--host', '127.0.0.1', '--silent', '--state', this.stateFile, '--chain-id', '31337', ...this.extra],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await this.client.getChainId();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error('anvil did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stops anvil gracefully (it dumps its state to the state file). */
  async stop(): Promise<void> {
    const p = this.#proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
    this.#proc = undefined;
  }
}
