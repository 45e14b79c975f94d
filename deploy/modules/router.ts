import { buildModule } from '@nomicfoundation/ignition-core';
import type { VerifierBuild } from '../verifierBuild.js';
import { verifierModule } from './verifier.js';

/** VerifierRouter with version 1 = the generated verifier + the aggregation circuits' key hashes. */
export function verifierRouterModule(build: VerifierBuild, verifierMod: ReturnType<typeof verifierModule>) {
  return buildModule('VerifierRouter', (m) => {
    const { verifier } = m.useModule(verifierMod);
    const router = m.contract('VerifierRouter', [m.getAccount(0)]);
    m.call(router, 'addVersion', [verifier, [...build.keyHashes]], { id: 'addVersion1' });
    return { router };
  });
}
