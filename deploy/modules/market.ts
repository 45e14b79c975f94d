import { buildModule } from '@nomicfoundation/ignition-core';
import type { NexParameters } from '../parameters.js';
import { accountOf } from './accounts.js';
import type { verifierRouterModule } from './router.js';
import type { proverStakingModule } from './staking.js';

/**
 * The aggregation market (pauser = the network's guardian), wired to the router and to staking: the
 * market gets staking's MARKET_ROLE through setMarket, after staking's unbonding period is set (it
 * must outlast the market's longest job).
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
    const market = m.contract('AggregationMarket', [
      m.getAccount(0),
      accountOf(m, p.governance.guardian),
      staking,
      router,
      accountOf(m, treasury),
      { ...params },
    ]);
    m.call(staking, 'setMarket', [market], { after: [stakingMod] });
    return { market };
  });
}
