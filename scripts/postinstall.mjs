// Hardhat 3's EDR ships its native binding as an optional dependency that declares
// `engines.node >= 22`. When npm itself runs under an older Node (this project pins
// Node 22 through the `node` devDependency, but the machine's npm may run on Node 20),
// npm silently skips that package and Hardhat fails at start-up. This step puts the
// binding for the current platform in place, only when it is missing: it fetches the
// exact version EDR needs with `npm pack` (registry or npm cache), checks it against the
// integrity package-lock.json records, and unpacks it into node_modules. Unlike a nested
// `npm install`, this touches no other package, so `npm ci` leaves exactly the locked tree.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function edrNativePackage() {
  const platform = process.platform;
  const arch = process.arch;
  if (platform === 'linux') {
    const musl = existsSync('/etc/alpine-release');
    return `@nomicfoundation/edr-linux-${arch}-${musl ? 'musl' : 'gnu'}`;
  }
  if (platform === 'darwin') return `@nomicfoundation/edr-darwin-${arch}`;
  if (platform === 'win32') return `@nomicfoundation/edr-win32-${arch}-msvc`;
  return undefined;
}

function installedVersion(name) {
  // Read the manifest by path: EDR's `exports` map hides `./package.json` from require.resolve.
  const manifest = path.join(root, 'node_modules', ...name.split('/'), 'package.json');
  if (!existsSync(manifest)) return undefined;
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}

/** The integrity package-lock.json records for `name@version`, if it records that version. */
function lockedIntegrity(name, version) {
  const lockFile = path.join(root, 'package-lock.json');
  if (!existsSync(lockFile)) return undefined;
  const entry = JSON.parse(readFileSync(lockFile, 'utf8')).packages?.[`node_modules/${name}`];
  return entry?.version === version ? entry.integrity : undefined;
}

function npm(args) {
  const npmCli = process.env.npm_execpath;
  if (npmCli && existsSync(npmCli)) return execFileSync(process.execPath, [npmCli, ...args], { cwd: root });
  return execFileSync('npm', args, { cwd: root });
}

const edrVersion = installedVersion('@nomicfoundation/edr');
const native = edrNativePackage();
if (!edrVersion || !native || installedVersion(native) === edrVersion) {
  process.exit(0);
}

console.log(`[postinstall] installing ${native}@${edrVersion} (EDR native binding; npm skips it when npm itself runs under Node < 22)`);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nex-edr-'));
try {
  const [packed] = JSON.parse(
    npm(['pack', `${native}@${edrVersion}`, '--pack-destination', tmp, '--json', '--silent', '--ignore-scripts']).toString(),
  );
  const expected = lockedIntegrity(native, edrVersion);
  if (expected && packed.integrity !== expected) {
    throw new Error(`${native}@${edrVersion}: integrity ${packed.integrity} does not match package-lock.json (${expected})`);
  }
  const dest = path.join(root, 'node_modules', ...native.split('/'));
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(tmp, packed.filename), '-C', dest, '--strip-components=1']);
  if (installedVersion(native) !== edrVersion) throw new Error(`${native} did not unpack into ${dest}`);
  console.log(`[postinstall] ${native}@${edrVersion} installed${expected ? ' (integrity matches the lock)' : ''}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
