import { buildModule } from '@nomicfoundation/ignition-core';
import type { NexParameters } from '../parameters.js';
import { ROLES } from '../roles.js';
import { accountOf } from './accounts.js';
import type { aggregationMarketModule } from './market.js';
import type { verifierRouterModule } from './router.js';
import type { proverStakingModule } from './staking.js';

const ZERO = '0x0000000000000000000000000000000000000000';

/**
 * Governance: a TimelockController (self-administered) becomes the admin of staking, router and
 * market, then the deployer renounces its admin role everywhere, after every call that needed it.
 * The guardian's fast emergency roles (market pause, router freeze) are constructor arguments.
 */
export function governanceModule(
  p: NexParameters,
  stakingMod: ReturnType<typeof proverStakingModule>,
  routerMod: ReturnType<typeof verifierRouterModule>,
  marketMod: ReturnType<typeof aggregationMarketModule>,
) {
  return buildModule('NexGovernance', (m) => {
    const { staking } = m.useModule(stakingMod);
    const { router } = m.useModule(routerMod);
    const { market } = m.useModule(marketMod);
    const g = p.governance;
    const timelock = m.contract('TimelockController', [
      g.minDelay,
      g.proposers.map((a) => accountOf(m, a)),
      g.executors.length === 0 ? [ZERO] : g.executors.map((a) => accountOf(m, a)),
      ZERO,
    ]);
    const grants = [
      m.call(staking, 'grantRole', [ROLES.DEFAULT_ADMIN_ROLE, timelock], { id: 'staking_grantAdmin' }),
      m.call(router, 'grantRole', [ROLES.DEFAULT_ADMIN_ROLE, timelock], { id: 'router_grantAdmin' }),
      m.call(market, 'grantRole', [ROLES.DEFAULT_ADMIN_ROLE, timelock], { id: 'market_grantAdmin' }),
    ];
    // After every call that needs the deployer's admin role (parameters, addVersion, setMarket, grants).
    const after = [...grants, stakingMod, routerMod, marketMod];
    const deployer = m.getAccount(0);
    m.call(staking, 'renounceRole', [ROLES.DEFAULT_ADMIN_ROLE, deployer], { id: 'staking_renounceAdmin', after });
    m.call(router, 'renounceRole', [ROLES.DEFAULT_ADMIN_ROLE, deployer], { id: 'router_renounceAdmin', after });
    m.call(market, 'renounceRole', [ROLES.DEFAULT_ADMIN_ROLE, deployer], { id: 'market_renounceAdmin', after });
    return { timelock };
  });
}
