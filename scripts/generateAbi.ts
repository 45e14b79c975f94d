/**
 * `npm run abi`: compiles (the npm script runs `hardhat build` first), then rewrites
 * prover/abi/generated.ts from the artifacts. Prints whether the file changed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ABI_MODULE_PATH, artifactReader, renderAbiModule } from './abiModule.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, ABI_MODULE_PATH);
const text = renderAbiModule(artifactReader(root));
const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
if (before === text) {
  console.log(`${ABI_MODULE_PATH} is up to date`);
} else {
  writeFileSync(file, text);
  console.log(`${ABI_MODULE_PATH} ${before === undefined ? 'written' : 'updated'}: commit it`);
}
