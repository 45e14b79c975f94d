import { buildModule } from '@nomicfoundation/ignition-core';
import type { NexParameters } from '../parameters.js';
import { accountOf } from './accounts.js';
import type { verifierRouterModule } from './router.js';
import type { proverStakingModule } from './staking.js';

/**
 * The aggregation market (pauser = the network's guardian), wired to the router and to staking. Its
 * constructor deploys its AggregationMarketExtension (the delegate-called half of the market:
 * calldata and blob channels, settlement reads) and checks that staking's unbonding period outlasts
 * its longest job, so it is deployed after every staking call; then it gets staking's MARKET_ROLE
 * through setMarket.
 */
export function aggregationMarketModule(
  p: NexParameters,
  stakingMod: ReturnType<typeof proverStakingModule>,
  routerMod: ReturnType<typeof verifierRouterModule>,
) {
  return buildModule('AggregationMarket', (m) => {
    const { staking } = m.useModule(stakingMod);
    const { router } = m.useModule(routerMod);
    const { treasury, ...params } = p.market;
    const market = m.contract(
      'AggregationMarket',
      [m.getAccount(0), accountOf(m, p.governance.guardian), staking, router, accountOf(m, treasury), { ...params }],
      { after: [stakingMod] },
    );
    m.call(staking, 'setMarket', [market], { after: [stakingMod] });
    return { market };
  });
}
