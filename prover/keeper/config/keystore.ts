/**
 * Web3 Secret Storage v3 keystores (the format of geth, ethers, foundry's `cast wallet`), read and
 * written by ethers' implementation (scrypt/pbkdf2, AES-128-CTR, keccak MAC): key handling stays on a
 * maintained, widely used library. This module only adds the keeper's Secret wrapper and its messages.
 */
import { decryptKeystoreJsonSync, encryptKeystoreJsonSync, isError } from 'ethers';
import type { Hex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { Secret } from './secret.js';
import { NexError } from '../../protocol/index.js';

export interface KeystoreV3 {
  version: 3;
  id: string;
  address: string;
  crypto: {
    cipher: 'aes-128-ctr';
    cipherparams: { iv: string };
    ciphertext: string;
    kdf: 'scrypt' | 'pbkdf2';
    kdfparams: ScryptParams | Pbkdf2Params;
    mac: string;
  };
}
interface ScryptParams {
  dklen: number;
  n: number;
  r: number;
  p: number;
  salt: string;
}
interface Pbkdf2Params {
  dklen: number;
  c: number;
  prf: 'hmac-sha256';
  salt: string;
}

export class KeystoreError extends NexError {
  override readonly name = 'KeystoreError';
}

/** Encrypts a private key. `n` is the scrypt cost (2^18 by default, as geth). */
export function encryptKeystore(privateKey: Secret<Hex>, password: Secret, opts: { n?: number } = {}): KeystoreV3 {
  const key = privateKey.reveal();
  const json = encryptKeystoreJsonSync({ address: privateKeyToAddress(key), privateKey: key }, password.reveal(), {
    scrypt: { N: opts.n ?? 262144, r: 8, p: 1 },
  });
  // ethers writes geth's `Crypto`; the v3 specification (and this type) spell it `crypto`. Readers take both.
  const { Crypto, ...rest } = JSON.parse(json) as Omit<KeystoreV3, 'crypto'> & { Crypto: KeystoreV3['crypto'] };
  return { ...rest, crypto: Crypto };
}

/** Decrypts a keystore; throws KeystoreError on a wrong password or a malformed file. */
export function decryptKeystore(json: unknown, password: Secret): Secret<Hex> {
  const ks = json as Partial<KeystoreV3> & { Crypto?: KeystoreV3['crypto'] };
  const c = ks?.crypto ?? ks?.Crypto;
  if (!c || Number(ks.version) !== 3) throw new KeystoreError('not a version 3 keystore');
  if (c.cipher !== 'aes-128-ctr') throw new KeystoreError(`unsupported cipher ${String(c.cipher)}`);
  if (c.kdf !== 'scrypt' && c.kdf !== 'pbkdf2') throw new KeystoreError(`unsupported kdf ${String(c.kdf)}`);
  try {
    return new Secret(decryptKeystoreJsonSync(JSON.stringify(json), password.reveal()).privateKey as Hex);
  } catch (err) {
    if (isError(err, 'INVALID_ARGUMENT')) {
      if (err.argument === 'password') throw new KeystoreError('wrong keystore password (MAC mismatch)');
      if (err.argument === 'address') throw new KeystoreError('keystore address does not match the decrypted key');
      throw new KeystoreError(`invalid keystore: ${err.shortMessage} (${err.argument})`);
    }
    throw new KeystoreError(`invalid keystore: ${(err as { shortMessage?: string }).shortMessage ?? (err as Error).message}`);
  }
}
