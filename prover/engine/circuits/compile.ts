/** Compiles Noir packages in-process with noir_wasm and fingerprints their sources. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Noir, type CompiledCircuit } from '@noir-lang/noir_js';
import { compile_program, createFileManager } from '@noir-lang/noir_wasm';
import { CIRCUITS_DIR, REPO_ROOT } from './paths.js';

/** A compiled Noir program as noir_js and bb consume it. */
export interface CompiledProgram {
  /** base64 of the gzipped ACIR. */
  bytecode: string;
  abi: unknown;
  noirVersion: string;
}

/** Compiles the Noir package at `packageDir` (relative to prover/circuits); path dependencies resolve inside prover/circuits. */
export async function compileNoirPackage(packageDir: string): Promise<CompiledProgram> {
  const fm = createFileManager(CIRCUITS_DIR);
  const silent = (): void => {};
  const { program } = await compile_program(fm, resolve(CIRCUITS_DIR, packageDir), silent, silent);
  return { bytecode: program.bytecode, abi: program.abi, noirVersion: program.noir_version };
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry === 'target' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (entry.endsWith('.nr') || entry === 'Nargo.toml') out.push(path);
  }
  return out;
}

/** SHA-256 over every Noir source and manifest under prover/circuits (relative path + content). */
export function hashCircuitSources(): string {
  const h = createHash('sha256');
  for (const path of listSources(CIRCUITS_DIR)) {
    h.update(relative(CIRCUITS_DIR, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  return h.digest('hex');
}

/** Installed versions of the packages whose output the build depends on. */
export function toolchainVersions(): Record<string, string> {
  const versionOf = (pkg: string): string =>
    (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  return Object.fromEntries(['@noir-lang/noir_wasm', '@noir-lang/noir_js', '@aztec/bb.js', 'solc'].map((p) => [p, versionOf(p)]));
}

/** A noir_js executor for a compiled program (debug symbols are not kept in the build, so none are given). */
export function noirExecutor(program: { bytecode: string; abi: unknown }): Noir {
  return new Noir({ bytecode: program.bytecode, abi: program.abi, debug_symbols: '', file_map: {} } as unknown as CompiledCircuit);
}
