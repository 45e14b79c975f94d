import { keccak256, toHex, type Hex } from 'viem';

/** AccessControl role ids used by the protocol contracts. */
export const ROLES = {
  DEFAULT_ADMIN_ROLE: `0x${'0'.repeat(64)}` as Hex,
  MARKET_ROLE: keccak256(toHex('MARKET_ROLE')),
  PAUSER_ROLE: keccak256(toHex('PAUSER_ROLE')),
  GUARDIAN_ROLE: keccak256(toHex('GUARDIAN_ROLE')),
  PROPOSER_ROLE: keccak256(toHex('PROPOSER_ROLE')),
  EXECUTOR_ROLE: keccak256(toHex('EXECUTOR_ROLE')),
  CANCELLER_ROLE: keccak256(toHex('CANCELLER_ROLE')),
} as const;
export type RoleName = keyof typeof ROLES;
