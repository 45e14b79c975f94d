/**
 * The whole protocol as one Ignition module: token, staking, the verifier in the parameters' variant
 * (with its libraries, if any), router (version 1), market, timelock and role wiring. A factory,
 * because the verifier artifact comes from the circuits build and the values from the network's
 * parameters file.
 */
import { buildModule } from '@nomicfoundation/ignition-core';
import type { NexParameters } from '../parameters.js';
import { verifierVariantOf, type VerifierBuild } from '../verifierBuild.js';
import { governanceModule } from './governance.js';
import { aggregationMarketModule } from './market.js';
import { verifierRouterModule } from './router.js';
import { proverStakingModule } from './staking.js';
import { nexTokenModule } from './token.js';
import { verifierModule } from './verifier.js';

export function nexModule(p: NexParameters, build: VerifierBuild) {
  const tokenMod = nexTokenModule(p);
  const stakingMod = proverStakingModule(p, tokenMod);
  const verifierMod = verifierModule(verifierVariantOf(build, p.verifierVariant));
  const routerMod = verifierRouterModule(p, build, verifierMod);
  const marketMod = aggregationMarketModule(p, stakingMod, routerMod);
  const govMod = governanceModule(p, stakingMod, routerMod, marketMod);
  return buildModule('Nex', (m) => {
    const { token } = m.useModule(tokenMod);
    const { staking } = m.useModule(stakingMod);
    const verifierContracts = m.useModule(verifierMod);
    const { router } = m.useModule(routerMod);
    const { market } = m.useModule(marketMod);
    const { timelock } = m.useModule(govMod);
    return { ...verifierContracts, token, staking, router, market, timelock };
  });
}
