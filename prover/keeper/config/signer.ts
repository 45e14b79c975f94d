import { readFileSync } from 'node:fs';
import { isHex, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { ConfigError, type KeeperConfig } from './config.js';
import { decryptKeystore, KeystoreError } from './keystore.js';
import { SECRET_ENV } from './options.js';
import { Secret } from './secret.js';

export interface KeeperSigner {
  readonly account: PrivateKeyAccount;
  /** The raw key, kept only so that log/error scrubbing can recognise it. */
  readonly key: Secret<Hex>;
}

/**
 * Loads the signing key: NEX_KEEPER_PRIVATE_KEY first, else the keystore file with the password
 * from NEX_KEEPER_KEYSTORE_PASSWORD or `prompt`. Errors never contain the key or the password.
 */
export async function loadSigner(
  config: Pick<KeeperConfig, 'keystoreFile'>,
  env: Readonly<Record<string, string | undefined>>,
  prompt?: (question: string) => Promise<string>,
): Promise<KeeperSigner> {
  const raw = env[SECRET_ENV.privateKey];
  if (raw !== undefined && raw !== '') {
    const key = raw.trim().startsWith('0x') ? raw.trim() : `0x${raw.trim()}`;
    if (!isHex(key) || key.length !== 66) {
      throw new ConfigError([`${SECRET_ENV.privateKey}: expected 32 bytes of hex (64 hex digits), got ${raw.length} characters`]);
    }
    return fromKey(new Secret(key as Hex));
  }
  if (!config.keystoreFile) {
    throw new ConfigError([
      `no signing key: set ${SECRET_ENV.privateKey} or keystoreFile (${SECRET_ENV.keystorePassword} or a prompt gives its password)`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(config.keystoreFile, 'utf8'));
  } catch (err) {
    throw new ConfigError([`keystoreFile: cannot read ${config.keystoreFile}: ${(err as Error).message}`]);
  }
  const envPw = env[SECRET_ENV.keystorePassword];
  let password: Secret;
  if (envPw !== undefined) password = new Secret(envPw);
  else if (prompt) password = new Secret(await prompt(`Password for ${config.keystoreFile}: `));
  else throw new ConfigError([`keystoreFile: no password (set ${SECRET_ENV.keystorePassword} or run in a terminal)`]);
  try {
    return fromKey(decryptKeystore(json, password));
  } catch (err) {
    if (err instanceof KeystoreError) throw new ConfigError([`keystoreFile: ${err.message}`]);
    throw err;
  }
}

function fromKey(key: Secret<Hex>): KeeperSigner {
  try {
    return { account: privateKeyToAccount(key.reveal()), key };
  } catch {
    throw new ConfigError(['signing key: not a valid secp256k1 private key']);
  }
}

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  const { stdin, stdout } = process;
  if (!stdin.isTTY) throw new ConfigError(['cannot prompt for the keystore password: stdin is not a terminal']);
  stdout.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return await new Promise<string>((resolve, reject) => {
    let answer = '';
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(answer);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new Error('aborted'));
          return;
        }
        if (ch === '\u007f') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    const done = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stdout.write('\n');
    };
    stdin.on('data', onData);
  });
}
