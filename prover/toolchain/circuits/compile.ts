/** Compiles Noir packages in-process with noir_wasm. */
import { resolve } from 'node:path';
import { CIRCUITS_DIR } from '../../engine/index.js';

/** A compiled Noir program as noir_js and bb consume it. */
export interface CompiledProgram {
  /** base64 of the gzipped ACIR. */
  bytecode: string;
  abi: unknown;
  noirVersion: string;
}

/** Compiles the Noir package at `packageDir` (relative to prover/circuits); path dependencies resolve inside prover/circuits. */
export async function compileNoirPackage(packageDir: string): Promise<CompiledProgram> {
  // Loaded on first use: only a build compiles, and noir_wasm is large.
  const { compile_program, createFileManager } = await import('@noir-lang/noir_wasm');
  const fm = createFileManager(CIRCUITS_DIR);
  const silent = (): void => {};
  const { program } = await compile_program(fm, resolve(CIRCUITS_DIR, packageDir), silent, silent);
  return { bytecode: program.bytecode, abi: program.abi, noirVersion: program.noir_version };
}
