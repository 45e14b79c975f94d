import { buildModule } from '@nomicfoundation/ignition-core';
import type { NexParameters } from '../parameters.js';
import { accountOf } from './accounts.js';
import type { verifierRouterModule } from './router.js';
import type { proverStakingModule } from './staking.js';

/** The aggregation market, wired to staking (MARKET_ROLE via setMarket) and the router. */
export function aggregationMarketModule(
  p: NexParameters,
  stakingMod: ReturnType<typeof proverStakingModule>,
  routerMod: ReturnType<typeof verifierRouterModule>,
) {
  return buildModule('AggregationMarket', (m) => {
    const { staking } = m.useModule(stakingMod);
    const { router } = m.useModule(routerMod);
    const { treasury, ...params } = p.market;
    const market = m.contract('AggregationMarket', [
      staking,
      router,
      accountOf(m, treasury),
      m.getAccount(0),
      { ...params },
    ]);
    m.call(staking, 'setMarket', [market]);
    return { market };
  });
}
