import { buildModule } from '@nomicfoundation/ignition-core';
import type { NexParameters } from '../parameters.js';
import type { VerifierBuild } from '../verifierBuild.js';
import { accountOf } from './accounts.js';
import { verifierModule } from './verifier.js';

/**
 * VerifierRouter (guardian = the network's guardian) with version 1 = the generated verifier + the
 * aggregation circuits' key hashes.
 */
export function verifierRouterModule(p: NexParameters, build: VerifierBuild, verifierMod: ReturnType<typeof verifierModule>) {
  return buildModule('VerifierRouter', (m) => {
    const { verifier } = m.useModule(verifierMod);
    const router = m.contract('VerifierRouter', [m.getAccount(0), accountOf(m, p.governance.guardian)]);
    m.call(router, 'addVersion', [verifier, [...build.keyHashes]], { id: 'addVersion1' });
    return { router };
  });
}
