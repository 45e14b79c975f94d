import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { formatAbiItem } from 'abitype';
import type { Abi } from 'viem';
import { marketAbi, stakingAbi } from '../../prover/keeper/abi.js';

function compiled(path: string): Set<string> {
  const abi = JSON.parse(readFileSync(path, 'utf8')).abi as Abi;
  return new Set(abi.filter((i) => i.type !== 'constructor').map((i) => formatAbiItem(i)));
}

describe('keeper ABI module', () => {
  // `hardhat test` compiles first, so the artifacts are current.
  it('matches the compiled AggregationMarket and ProverStaking item by item', () => {
    for (const [abi, path] of [
      [marketAbi, 'artifacts/contracts/market/AggregationMarket.sol/AggregationMarket.json'],
      [stakingAbi, 'artifacts/contracts/staking/ProverStaking.sol/ProverStaking.json'],
    ] as const) {
      const have = compiled(path);
      for (const item of abi as Abi) expect(have.has(formatAbiItem(item)), `${path}: ${formatAbiItem(item)}`).to.equal(true);
    }
  });
});
