import { buildModule } from '@nomicfoundation/ignition-core';
import type { NexParameters } from '../parameters.js';
import { accountOf } from './accounts.js';

/** The NEX work token: fixed supply minted to the treasury. */
export function nexTokenModule(p: NexParameters) {
  return buildModule('NexToken', (m) => {
    const token = m.contract('NexToken', [accountOf(m, p.token.treasury), p.token.supply]);
    return { token };
  });
}
