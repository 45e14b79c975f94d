/**
 * Local chain processes: Hardhat's node (what `nex devnet` runs) and anvil (an "external" devnet in
 * tests). Each is spawned in its own process group on loopback and stopped by its id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../../prover/sdk/index.js';
import { NexError } from '../../prover/protocol/index.js';

export interface LocalNode {
  readonly kind: 'hardhat' | 'anvil';
  readonly rpcUrl: string;
  readonly pid: number;
  /** Stops the node (SIGTERM to its process group, SIGKILL after `graceMs`). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnNodeOptions {
  kind?: 'hardhat' | 'anvil' | undefined;
  /** Loopback only. */
  host?: '127.0.0.1' | undefined;
  port?: number | undefined;
  chainId?: number | undefined;
  root?: string | undefined;
  readyTimeoutMs?: number | undefined;
}

export class NodeStartError extends NexError {
  override readonly name = 'NodeStartError';
}

/** eth_chainId over HTTP; undefined when nothing answers. */
export async function probeChainId(rpcUrl: string, timeoutMs = 2_000): Promise<number | undefined> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number(BigInt(body.result)) : undefined;
  } catch {
    return undefined;
  }
}

function command(kind: 'hardhat' | 'anvil', root: string, host: string, port: number, chainId: number): [string, string[]] {
  const require = createRequire(path.join(root, 'package.json'));
  if (kind === 'hardhat') {
    const cli = path.join(path.dirname(require.resolve('hardhat/package.json')), 'dist', 'src', 'cli.js');
    // process.execPath: the Node 22 that runs us (npx/npm put node_modules/.bin first).
    return [process.execPath, [cli, 'node', '--hostname', host, '--port', String(port), '--chain-id', String(chainId)]];
  }
  const bin = path.join(path.dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin', 'anvil');
  return [bin, ['--host', host, '--port', String(port), '--chain-id', String(chainId), '--silent']];
}

/** Spawns a local chain on loopback and resolves when it answers eth_chainId. */
export async function spawnNode(opts: SpawnNodeOptions = {}): Promise<LocalNode> {
  const kind = opts.kind ?? 'hardhat';
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8545;
  const chainId = opts.chainId ?? 31337;
  const root = opts.root ?? projectRoot();
  const rpcUrl = `http://${host}:${port}`;
  if ((await probeChainId(rpcUrl)) !== undefined) {
    throw new NodeStartError(`${rpcUrl} already answers: stop that node, choose another --port, or use it with --rpc-url`);
  }
  const [bin, args] = command(kind, root, host, port, chainId);
  const child: ChildProcess = spawn(bin, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new NodeStartError(`could not spawn ${bin}`);
  // The node runs in its own process group: never leave it behind when this process exits.
  const killOnExit = (): void => {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  void exitPromise.then(() => process.removeListener('exit', killOnExit));
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (exited) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    await exitPromise;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) throw new NodeStartError(`${kind} node exited during start-up:\n${output}`);
    const id = await probeChainId(rpcUrl, 1_000);
    if (id !== undefined) {
      // Stop reading the node's output: it would keep the buffers alive for nothing.
      child.stdout?.removeListener('data', keep).resume();
      child.stderr?.removeListener('data', keep).resume();
      return { kind, rpcUrl, pid, stop };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new NodeStartError(`${kind} node did not answer on ${rpcUrl} within ${opts.readyTimeoutMs ?? 60_000} ms:\n${output}`);
}
