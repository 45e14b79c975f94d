/**
 * The well-known test accounts of Hardhat and anvil (mnemonic "test test … junk", m/44'/60'/0'/0/i).
 * Their keys are public: for local devnets only.
 */
import { bytesToHex, type Address, type Hex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';

export const TEST_MNEMONIC = 'test test test test test test test test test test test junk';

export interface TestAccount {
  readonly index: number;
  readonly address: Address;
  readonly privateKey: Hex;
}

export function testAccounts(count: number): TestAccount[] {
  return Array.from({ length: count }, (_, index) => {
    const account = mnemonicToAccount(TEST_MNEMONIC, { addressIndex: index });
    const key = account.getHdKey().privateKey;
    if (!key) throw new Error(`no private key derived for test account ${index}`);
    return { index, address: account.address, privateKey: bytesToHex(key) };
  });
}
