// Starts relays for tests: a real HTTP server, a real store (SQLite file or PostgreSQL), real bb (the
// engine verifier) and the FakeMarket chain double.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { crossCheck, type RelayConfig } from '../../../prover/relay/config.js';
import { startRelay, type RunningRelay } from '../../../prover/relay/index.js';
import { silentLogger } from '../../../prover/relay/log.js';
import { openStore } from '../../../prover/relay/store/open.js';
import type { RelayStore } from '../../../prover/relay/store/types.js';
import { openEngineVerifier, type ProofVerifier } from '../../../prover/relay/verify.js';
import { Clock, FakeMarket } from './fakeMarket.js';

/** Well-known dev keys (anvil/Hardhat accounts #5..#9): public, test only. */
export const KEYS = {
  relay: '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  alice: '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  bob: '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  carol: '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  otherRelay: '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
} as const satisfies Record<string, Hex>;

export const relayAccount = privateKeyToAccount(KEYS.relay);

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `nex-relay-${label}-`));
}

/** A valid configuration for tests (no RPC is contacted: the chain is a double). */
export function testConfig(
  patch: { [K in keyof RelayConfig]?: RelayConfig[K] extends object ? Partial<RelayConfig[K]> : RelayConfig[K] } = {},
): RelayConfig {
  const base: RelayConfig = {
    listen: { host: '127.0.0.1', port: 0, trustProxy: false },
    rpcUrl: 'http://127.0.0.1:9',
    chainId: 31337,
    marketAddress: '0x00000000000000000000000000000000000A11cE',
    startBlock: 0n,
    dataDir: '/nonexistent',
    db: ':memory:',
    limits: { bodyLimitBytes: 1_048_576, maxStatementsPerRequest: 8, ipPerMinute: 1000, payerPerMinute: 1000, maxPendingVerifications: 64 },
    posting: true,
    capacity: 8,
    postTimeoutSeconds: 60,
    postMarginSeconds: 30,
    minDeadlineSeconds: 120,
    deadlineHorizonSeconds: 3600,
    pollIntervalMs: 50,
    confirmations: 0,
    maxLogRange: 1000,
    proofRetentionSeconds: 86_400,
    maxPostAttempts: 3,
    gas: { maxFeePerGas: 10n ** 11n, bumpPercent: 20, stuckAfterSeconds: 90 },
    engine: { srs: 'dev', buildDir: undefined, threads: undefined },
    log: { level: 'silent' },
  };
  const c = {
    ...base,
    ...patch,
    listen: { ...base.listen, ...patch.listen },
    limits: { ...base.limits, ...patch.limits },
    gas: { ...base.gas, ...patch.gas },
    engine: { ...base.engine, ...patch.engine },
    log: { ...base.log, ...patch.log },
  } as RelayConfig;
  const problems = crossCheck(c);
  if (problems.length > 0) throw new Error(`test config invalid: ${problems.join('; ')}`);
  return c;
}

export interface TestRelay {
  readonly relay: RunningRelay;
  readonly chain: FakeMarket;
  readonly clock: Clock;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  get(path: string): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export interface TestRelayOptions {
  readonly config?: Parameters<typeof testConfig>[0];
  readonly chain?: FakeMarket;
  readonly clock?: Clock;
  /** A store location (SQLite path or postgres URL); default a fresh SQLite file. */
  readonly db?: string;
  readonly store?: RelayStore;
  readonly verifier?: ProofVerifier;
  readonly posting?: boolean;
}

export async function startTestRelay(o: TestRelayOptions = {}): Promise<TestRelay> {
  const clock = o.clock ?? new Clock();
  const chain = o.chain ?? new FakeMarket({ sender: relayAccount.address, clock });
  const db = o.db ?? join(tempDir('db'), 'relay.sqlite');
  const config = testConfig({ db, ...o.config });
  const relay = await startRelay(config, {
    chain,
    store: o.store ?? openStore(db, { now: clock.now }),
    verifier: o.verifier ?? (await openEngineVerifier({ maxPending: config.limits.maxPendingVerifications })),
    account: relayAccount,
    log: silentLogger(),
    now: clock.now,
    posting: o.posting ?? false,
  });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${relay.url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as any, text, headers: res.headers };
  };
  return {
    relay,
    chain,
    clock,
    post: (path, body, headers) => call('POST', path, body, headers),
    get: (path) => call('GET', path),
    close: () => relay.close(),
  };
}
