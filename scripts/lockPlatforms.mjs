// Records the other platforms' native binaries in package-lock.json so that `npm ci` accepts it.
//
// anvil, cast, Hardhat's EDR and msgpackr-extract ship one optional package per platform. The npm
// registry reachable from our machines answers 404 for the ones it does not mirror (e.g.
// `npm view @foundry-rs/anvil-darwin-amd64@1.7.1`), so npm 11 leaves them out of the lock, and
// `npm ci` then rejects that lock as out of sync ("Missing: @foundry-rs/anvil-darwin-amd64@ from
// lock file"; npm/cli#9846). This script adds an entry for every such package: the exact version
// its parent pins, `optional: true`, and the `os`/`cpu`/`libc` its name encodes, so npm ci matches
// the lock and installs each package only on the platform it names, like the ones npm records.
// The entries carry no `integrity`: the registry never gave us the tarballs to hash.
//
// npm keeps such entries once they are in the lock (`npm install`, adding a dependency), but drops
// them when it rewrites the lock from scratch, and a version bump of a parent needs new ones.
//
//   node scripts/lockPlatforms.mjs          add the missing entries (after any change to the lock)
//   node scripts/lockPlatforms.mjs --check  exit 1 and list them if any are missing
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const lockPath = path.join(root, 'package-lock.json');

const OS = ['aix', 'android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'sunos', 'win32'];
const CPU = { amd64: 'x64', x64: 'x64', arm64: 'arm64', arm: 'arm', ia32: 'ia32' };
const LIBC = { gnu: 'glibc', musl: 'musl' };

/** The os/cpu/libc a platform package's name encodes (`…-linux-arm64-gnu`), or undefined. */
export function platformOf(name) {
  const parts = name.slice(name.lastIndexOf('/') + 1).split('-');
  const at = parts.findIndex((part) => OS.includes(part));
  if (at < 0 || !(parts[at + 1] in CPU)) return undefined;
  const platform = { os: [parts[at]], cpu: [CPU[parts[at + 1]]] };
  const libc = LIBC[parts[at + 2]];
  return libc ? { ...platform, libc: [libc] } : platform;
}

/** Where Node's resolution from the package at `from` finds `name`, if the lock has it. */
function resolveInLock(packages, from, name) {
  let dir = from;
  for (;;) {
    const location = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[location]) return location;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/** Lock entries to add: location → entry. Throws on a missing dependency that is not a platform binary. */
export function missingPlatformEntries(lock) {
  const packages = lock.packages;
  const added = {};
  for (const [parent, entry] of Object.entries(packages)) {
    const optional = Object.entries(entry.optionalDependencies ?? {});
    const present = optional.map(([name]) => resolveInLock(packages, parent, name)).filter((location) => location !== undefined);
    for (const [name, spec] of optional) {
      if (resolveInLock(packages, parent, name)) continue;
      const platform = platformOf(name);
      if (!platform || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) {
        throw new Error(`${parent} → ${name}@${spec} is missing from the lock and is not a pinned platform binary`);
      }
      // A recorded sibling (e.g. the linux-x64 build) tells where npm puts them and their shared fields.
      const sibling = present.length ? packages[present[0]] : undefined;
      const dir = present.length ? present[0].slice(0, present[0].lastIndexOf('node_modules/')) : `${parent}/`;
      // Field order as npm writes it, so that a later `npm install` leaves the entries byte-identical.
      added[`${dir}node_modules/${name}`] = {
        version: spec,
        cpu: platform.cpu,
        ...(sibling?.dev ? { dev: true } : {}),
        ...(platform.libc ? { libc: platform.libc } : {}),
        ...(sibling?.license ? { license: sibling.license } : {}),
        optional: true,
        os: platform.os,
        ...(sibling?.engines ? { engines: sibling.engines } : {}),
      };
    }
  }
  return added;
}

function main() {
  const check = process.argv.includes('--check');
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const added = missingPlatformEntries(lock);
  const names = Object.keys(added);
  if (check) {
    if (names.length) {
      console.error(`package-lock.json lacks ${names.length} platform entries, so npm ci rejects it; run node scripts/lockPlatforms.mjs:`);
      for (const name of names) console.error(`  ${name}`);
      process.exit(1);
    }
    console.log('package-lock.json records every platform binary');
    return;
  }
  // npm writes the packages sorted by location (en locale) with two-space JSON; keep that shape.
  const merged = { ...lock.packages, ...added };
  const sorted = Object.fromEntries(
    Object.keys(merged)
      .sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en')))
      .map((location) => [location, merged[location]]),
  );
  writeFileSync(lockPath, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
  console.log(`package-lock.json: added ${names.length} platform entries`);
  for (const name of names) console.log(`  ${name}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) main();
