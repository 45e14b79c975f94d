#!/usr/bin/env node
// Entry point of the `nex` command. The CLI is written in TypeScript and run through tsx's ESM
// loader, so no build step is needed; npm and npx put the project's Node 22 first on PATH.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
