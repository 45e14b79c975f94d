import type { IgnitionModuleBuilder } from '@nomicfoundation/ignition-core';
import type { AccountRef } from '../parameters.js';

/** Resolves "deployer" to Ignition's account 0 (the deploying account); addresses pass through. */
export function accountOf(m: IgnitionModuleBuilder, ref: AccountRef) {
  return ref === 'deployer' ? m.getAccount(0) : ref;
}
