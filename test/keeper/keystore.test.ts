import { expect } from 'chai';
import { encryptKeystoreJson, Wallet } from 'ethers';
import type { Hex } from 'viem';
import { decryptKeystore, encryptKeystore, type KeystoreV3 } from '../../prover/keeper/config/keystore.js';
import { Secret } from '../../prover/keeper/config/secret.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSigner } from '../../prover/keeper/config/signer.js';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as Hex;

describe('keeper keystore (Web3 Secret Storage v3)', () => {
  it('round-trips and rejects a wrong password', () => {
    const ks = encryptKeystore(new Secret(KEY), new Secret('correct horse'), { n: 1024 });
    expect(ks.crypto.kdf).to.equal('scrypt');
    expect(JSON.stringify(ks)).not.to.include(KEY.slice(2));
    expect(decryptKeystore(ks, new Secret('correct horse')).reveal()).to.equal(KEY);
    expect(() => decryptKeystore(ks, new Secret('wrong'))).to.throw(/wrong keystore password/);
    const tampered: KeystoreV3 = { ...ks, crypto: { ...ks.crypto, ciphertext: `00${ks.crypto.ciphertext.slice(2)}` } };
    expect(() => decryptKeystore(tampered, new Secret('correct horse'))).to.throw(/MAC mismatch/);
  });

  it('reads keystores written by ethers (scrypt) and writes ones ethers reads', async () => {
    const wallet = new Wallet(KEY);
    const json = await encryptKeystoreJson({ address: wallet.address, privateKey: KEY }, 'pw', { scrypt: { N: 1024 } });
    expect(decryptKeystore(JSON.parse(json), new Secret('pw')).reveal()).to.equal(KEY);
    const ours = encryptKeystore(new Secret(KEY), new Secret('pw'), { n: 1024 });
    const back = await Wallet.fromEncryptedJson(JSON.stringify(ours), 'pw');
    expect(back.privateKey).to.equal(KEY);
  });

  it('reads pbkdf2 keystores', async () => {
    // The Web3 Secret Storage test vector (password "testpassword").
    const vector = {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
        ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
        kdf: 'pbkdf2',
        kdfparams: { c: 262144, dklen: 32, prf: 'hmac-sha256', salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd' },
        mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    };
    expect(decryptKeystore(vector, new Secret('testpassword')).reveal()).to.equal(
      '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d',
    );
  });

  it('loads the signer from a keystore file with the password from env or prompt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nex-ks-'));
    const file = join(dir, 'key.json');
    writeFileSync(file, JSON.stringify(encryptKeystore(new Secret(KEY), new Secret('pw'), { n: 1024 })));
    const a = await loadSigner({ keystoreFile: file }, { NEX_KEEPER_KEYSTORE_PASSWORD: 'pw' });
    expect(a.account.address).to.equal(new Wallet(KEY).address);
    const b = await loadSigner({ keystoreFile: file }, {}, async () => 'pw');
    expect(b.account.address).to.equal(a.account.address);
    let msg = '';
    try {
      await loadSigner({ keystoreFile: file }, { NEX_KEEPER_KEYSTORE_PASSWORD: 'nope' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).to.include('keystoreFile: wrong keystore password');
    expect(msg).not.to.include('nope');
  });
});
