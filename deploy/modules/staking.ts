import { buildModule } from '@nomicfoundation/ignition-core';
import type { NexParameters } from '../parameters.js';
import { nexTokenModule } from './token.js';

/**
 * ProverStaking over the NEX token with the network's minimum stake, unbonding period, slash burn
 * share and weight warm-up; the deployer is its admin until governance takes over (NexGovernance).
 */
export function proverStakingModule(p: NexParameters, tokenModule: ReturnType<typeof nexTokenModule>) {
  return buildModule('ProverStaking', (m) => {
    const { token } = m.useModule(tokenModule);
    const staking = m.contract('ProverStaking', [token, m.getAccount(0), p.staking.minStake]);
    m.call(staking, 'setUnbondingPeriod', [p.staking.unbondingPeriod]);
    m.call(staking, 'setSlashBurnBps', [p.staking.slashBurnBps]);
    m.call(staking, 'setWeightWarmup', [p.staking.weightWarmup]);
    return { staking };
  });
}
