import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'mocha';
import {
  addressesOf,
  CORE_CONTRACTS,
  DeploymentsNotFoundError,
  deploymentsPath,
  readDeployments,
  writeDeployments,
  type Deployments,
} from '../../prover/sdk/deployments.js';

const addr = (i: number) => `0x${i.toString(16).padStart(40, '0')}` as const;

function sample(): Deployments {
  return {
    format: 1,
    chainId: 31337,
    network: 'devnet',
    genesisHash: `0x${'11'.repeat(32)}`,
    deployer: addr(1),
    writtenAt: '2026-01-01T00:00:00.000Z',
    srs: { mode: 'dev', id: 'dev-x' },
    startBlock: '0',
    contracts: Object.fromEntries(
      CORE_CONTRACTS.map((n, i) => [n, { address: addr(100 + i), abi: [] }]),
    ) as unknown as Deployments['contracts'],
    verifier: { version: 1, keyHashes: [`0x${'22'.repeat(32)}`] },
  };
}

describe('deployments file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nex-deployments-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips and yields the SDK addresses', () => {
    const file = writeDeployments(sample(), dir);
    assert.equal(file, deploymentsPath(31337, dir));
    const d = readDeployments(31337, dir);
    assert.deepEqual(d, sample());
    assert.deepEqual(addressesOf(d), { market: addr(103), router: addr(102), staking: addr(101), token: addr(100) });
  });

  it('says what to do when the file is missing or invalid', () => {
    assert.throws(
      () => readDeployments(5, dir),
      (e: unknown) => e instanceof DeploymentsNotFoundError && /nex devnet/.test(e.message),
    );
    const bad = { ...sample(), contracts: { ...sample().contracts, AggregationMarket: { address: 'nope', abi: [] } } };
    writeFileSync(deploymentsPath(7, dir), JSON.stringify({ ...bad, chainId: 7 }));
    assert.throws(
      () => readDeployments(7, dir),
      (e: unknown) => e instanceof DeploymentsNotFoundError && /AggregationMarket\.address/.test(e.message),
    );
    writeFileSync(deploymentsPath(8, dir), JSON.stringify({ ...sample(), chainId: 8, srs: 'dev' }));
    assert.throws(() => readDeployments(8, dir), /srs/);
  });
});
