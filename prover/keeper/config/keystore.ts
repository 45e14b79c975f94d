import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { bytesToHex, hexToBytes, keccak256, type Hex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { Secret } from './secret.js';
import { NexError } from '../../protocol/errors.js';

/** Web3 Secret Storage v3 (the keystore format of geth, ethers, foundry's `cast wallet`). */
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
interface ScryptParams { dklen: number; n: number; r: number; p: number; salt: string }
interface Pbkdf2Params { dklen: number; c: number; prf: 'hmac-sha256'; salt: string }

export class KeystoreError extends NexError {
  override readonly name = 'KeystoreError';
}

/** Encrypts a private key. `n` is the scrypt cost (2^18 by default, as geth). */
export function encryptKeystore(privateKey: Secret<Hex>, password: Secret, opts: { n?: number } = {}): KeystoreV3 {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const kdfparams: ScryptParams = { dklen: 32, n: opts.n ?? 262144, r: 8, p: 1, salt: salt.toString('hex') };
  const dk = deriveKey('scrypt', kdfparams, password);
  const cipher = createCipheriv('aes-128-ctr', dk.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(hexToBytes(privateKey.reveal())), cipher.final()]);
  return {
    version: 3,
    id: randomUUID(),
    address: privateKeyToAddress(privateKey.reveal()).slice(2).toLowerCase(),
    crypto: {
      cipher: 'aes-128-ctr',
      cipherparams: { iv: iv.toString('hex') },
      ciphertext: ciphertext.toString('hex'),
      kdf: 'scrypt',
      kdfparams,
      mac: mac(dk, ciphertext).slice(2),
    },
  };
}

/** Decrypts a keystore; throws KeystoreError on a wrong password or a malformed file. */
export function decryptKeystore(json: unknown, password: Secret): Secret<Hex> {
  const ks = json as Partial<KeystoreV3> & { Crypto?: KeystoreV3['crypto'] };
  const c = ks?.crypto ?? ks?.Crypto;
  if (!c || ks.version !== 3) throw new KeystoreError('not a version 3 keystore');
  if (c.cipher !== 'aes-128-ctr') throw new KeystoreError(`unsupported cipher ${String(c.cipher)}`);
  if (c.kdf !== 'scrypt' && c.kdf !== 'pbkdf2') throw new KeystoreError(`unsupported kdf ${String(c.kdf)}`);
  const ciphertext = Buffer.from(strip(c.ciphertext), 'hex');
  const dk = deriveKey(c.kdf, c.kdfparams, password);
  const expected = Buffer.from(strip(c.mac), 'hex');
  const actual = Buffer.from(mac(dk, ciphertext).slice(2), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new KeystoreError('wrong keystore password (MAC mismatch)');
  }
  const decipher = createDecipheriv('aes-128-ctr', dk.subarray(0, 16), Buffer.from(strip(c.cipherparams.iv), 'hex'));
  const key = bytesToHex(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  if (ks.address && privateKeyToAddress(key).slice(2).toLowerCase() !== strip(ks.address).toLowerCase()) {
    throw new KeystoreError('keystore address does not match the decrypted key');
  }
  return new Secret(key);
}

function deriveKey(kdf: 'scrypt' | 'pbkdf2', params: ScryptParams | Pbkdf2Params, password: Secret): Buffer {
  const salt = Buffer.from(strip(params.salt), 'hex');
  const pw = Buffer.from(password.reveal().normalize('NFKC'), 'utf8');
  if (params.dklen < 32) throw new KeystoreError('kdfparams.dklen must be at least 32');
  if (kdf === 'scrypt') {
    const { n, r, p, dklen } = params as ScryptParams;
    if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) throw new KeystoreError('scrypt n must be a power of two');
    return scryptSync(pw, salt, dklen, { N: n, r, p, maxmem: 256 * n * r * p + 1024 * 1024 });
  }
  const { c, dklen, prf } = params as Pbkdf2Params;
  if (prf !== 'hmac-sha256') throw new KeystoreError(`unsupported pbkdf2 prf ${String(prf)}`);
  return pbkdf2Sync(pw, salt, c, dklen, 'sha256');
}

function mac(dk: Buffer, ciphertext: Buffer): Hex {
  return keccak256(Buffer.concat([dk.subarray(16, 32), ciphertext]));
}

function strip(h: string): string {
  return h.startsWith('0x') ? h.slice(2) : h;
}
