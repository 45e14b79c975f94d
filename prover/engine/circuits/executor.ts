/** Witness generation: noir_js executors for the compiled programs of a build. */
import { Noir, type CompiledCircuit } from '@noir-lang/noir_js';

/** A noir_js executor for a compiled program (debug symbols are not kept in the build, so none are given). */
export function noirExecutor(program: { bytecode: string; abi: unknown }): Noir {
  return new Noir({ bytecode: program.bytecode, abi: program.abi, debug_symbols: '', file_map: {} } as unknown as CompiledCircuit);
}
