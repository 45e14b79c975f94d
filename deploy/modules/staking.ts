import { buildModule } from '@nomicfoundation/ignition-core';
import type { NexParameters } from '../parameters.js';
import { nexTokenModule } from './token.js';

/** ProverStaking over the NEX token; the deployer is its admin until governance takes over. */
export function proverStakingModule(p: NexParameters, tokenModule: ReturnType<typeof nexTokenModule>) {
  return buildModule('ProverStaking', (m) => {
    const { token } = m.useModule(tokenModule);
    const staking = m.contract('ProverStaking', [
      token,
      m.getAccount(0),
      p.staking.minStake,
      p.staking.unbondingPeriod,
      p.staking.slashBurnBps,
    ]);
    return { staking };
  });
}
