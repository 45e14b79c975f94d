// Hardhat 3's EDR ships its native binding as an optional dependency that declares
// `engines.node >= 22`. When npm itself runs under an older Node (this project pins
// Node 22 through the `node` devDependency, but the machine's npm may run on Node 20),
// npm silently skips that package and Hardhat fails at start-up. This step installs the
// binding for the current platform under the project's Node 22, only when it is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

const edrVersion = installedVersion('@nomicfoundation/edr');
const native = edrNativePackage();
if (!edrVersion || !native) {
  process.exit(0);
}
const have = installedVersion(native);
if (have === edrVersion) {
  process.exit(0);
}
const node22 = path.join(root, 'node_modules', 'node', 'bin', 'node');
const npmCli = process.env.npm_execpath;
console.log(`[postinstall] installing ${native}@${edrVersion} (EDR native binding) under Node 22`);
const args = ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', `${native}@${edrVersion}`];
if (npmCli && existsSync(node22)) {
  execFileSync(node22, [npmCli, ...args], { cwd: root, stdio: 'inherit' });
} else {
  execFileSync('npm', args, { cwd: root, stdio: 'inherit' });
}
