// Compiles a bb-generated Solidity verifier (HonkVerifier + its external libraries) with the npm solc,
// deploys it on an EVM through an ethers signer, and calls verify(bytes, bytes32[]). Used by
// `nex verify --evm` (in-process Hardhat network) and the prover benchmark (gas, calldata size).
import { createRequire } from 'node:module';
import { type ContractRunner, ContractFactory, Interface, type Signer, getBytes } from 'ethers';
import type { Hex, VerifierBuild } from '../../engine/index.js';

const require = createRequire(import.meta.url);

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<
    string,
    Record<
      string,
      {
        abi: unknown[];
        evm: { bytecode: { object: string; linkReferences: Record<string, Record<string, { start: number; length: number }[]>> } };
      }
    >
  >;
}

export interface CompiledContract {
  name: string;
  source: string;
  abi: unknown[];
  /** Unlinked creation bytecode (hex, no 0x). */
  bytecode: string;
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>;
}

export interface CompiledVerifier {
  verifier: CompiledContract;
  /** Every contract of the compilation, by name (the libraries the verifier links against among them). */
  contracts: Map<string, CompiledContract>;
}

/** Compiles the verifier source with solc 0.8.28 (optimizer on, `runs` 1 keeps HonkVerifier under EIP-170). */
export function compileVerifier(source: string, opts: { fileName?: string; runs?: number } = {}): CompiledVerifier {
  const solc = require('solc') as { compile(input: string): string };
  const fileName = opts.fileName ?? 'Verifier.sol';
  const input = {
    language: 'Solidity',
    sources: { [fileName]: { content: source } },
    settings: {
      optimizer: { enabled: true, runs: opts.runs ?? 1 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`verifier does not compile:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contracts = new Map<string, CompiledContract>();
  for (const [src, byName] of Object.entries(out.contracts)) {
    for (const [name, c] of Object.entries(byName)) {
      contracts.set(name, {
        name,
        source: src,
        abi: c.abi,
        bytecode: c.evm.bytecode.object,
        linkReferences: c.evm.bytecode.linkReferences,
      });
    }
  }
  const verifiers = [...contracts.values()].filter(
    (c) => c.bytecode.length > 0 && new Interface(c.abi as never).getFunction('verify(bytes,bytes32[])') !== null,
  );
  if (verifiers.length !== 1) {
    throw new Error(
      `expected one deployable contract with verify(bytes,bytes32[]), found ${verifiers.map((c) => c.name).join(', ') || 'none'}`,
    );
  }
  return { verifier: verifiers[0]!, contracts };
}

/** Wraps an already compiled verifier (the circuits module's build) in the shape used here. */
export function fromVerifierBuild(v: VerifierBuild): CompiledVerifier {
  const strip = (h: string): string => (h.startsWith('0x') ? h.slice(2) : h);
  const contracts = new Map<string, CompiledContract>();
  const verifier: CompiledContract = {
    name: v.name,
    source: '',
    abi: v.abi,
    bytecode: strip(v.bytecode),
    linkReferences: v.linkReferences,
  };
  contracts.set(v.name, verifier);
  for (const l of v.libraries)
    contracts.set(l.name, { name: l.name, source: '', abi: l.abi, bytecode: strip(l.bytecode), linkReferences: {} });
  return { verifier, contracts };
}

export interface DeployedVerifier {
  address: string;
  /** Gas of every deployment transaction (libraries first, verifier last). */
  deployGas: { name: string; gas: bigint; codeBytes: number }[];
}

function link(c: CompiledContract, addresses: Map<string, string>): string {
  let code = c.bytecode;
  for (const byLib of Object.values(c.linkReferences)) {
    for (const [lib, refs] of Object.entries(byLib)) {
      const addr = addresses.get(lib);
      if (!addr) throw new Error(`library ${lib} not deployed`);
      for (const { start, length } of refs) {
        code = code.slice(0, start * 2) + addr.slice(2).toLowerCase() + code.slice((start + length) * 2);
      }
    }
  }
  return `0x${code}`;
}

/** Deploys the libraries the verifier links against (recursively), then the verifier. */
export async function deployVerifier(compiled: CompiledVerifier, signer: Signer): Promise<DeployedVerifier> {
  const addresses = new Map<string, string>();
  const deployGas: DeployedVerifier['deployGas'] = [];
  const deploy = async (c: CompiledContract): Promise<string> => {
    for (const byLib of Object.values(c.linkReferences)) {
      for (const lib of Object.keys(byLib)) {
        if (addresses.has(lib)) continue;
        const libC = compiled.contracts.get(lib);
        if (!libC) throw new Error(`library ${lib} missing from the compilation`);
        addresses.set(lib, await deploy(libC));
      }
    }
    const factory = new ContractFactory(c.abi as never, link(c, addresses), signer);
    const contract = await factory.deploy();
    const receipt = await contract.deploymentTransaction()!.wait();
    const address = await contract.getAddress();
    const code = await signer.provider!.getCode(address);
    deployGas.push({ name: c.name, gas: receipt!.gasUsed, codeBytes: getBytes(code).length });
    return address;
  };
  const address = await deploy(compiled.verifier);
  return { address, deployGas };
}

export interface EvmVerifyResult {
  verified: boolean;
  /** Decoded custom error (or message) when verify reverted. */
  error?: string | undefined;
  /** Gas used by a verify transaction (includes the 21,000 base and calldata); only when verified. */
  gasUsed?: bigint | undefined;
  /** Size of the verify calldata in bytes. */
  calldataBytes: number;
}

/** Calls verify(proof, publicInputs); on success also sends it as a transaction to measure gas. */
export async function evmVerify(
  compiled: CompiledVerifier,
  address: string,
  runner: ContractRunner & Signer,
  proof: Uint8Array,
  publicInputs: readonly Hex[],
): Promise<EvmVerifyResult> {
  const iface = new Interface(compiled.verifier.abi as never);
  const data = iface.encodeFunctionData('verify', [proof, publicInputs]);
  const calldataBytes = getBytes(data).length;
  try {
    const ret = await runner.call({ to: address, data });
    const [ok] = iface.decodeFunctionResult('verify', ret) as unknown as [boolean];
    if (!ok) return { verified: false, error: 'verify returned false', calldataBytes };
  } catch (err) {
    const revertData = (err as { data?: string }).data;
    let error = (err as Error).message;
    if (typeof revertData === 'string' && revertData.length >= 10) {
      const parsed = iface.parseError(revertData);
      if (parsed) error = parsed.name;
    }
    return { verified: false, error, calldataBytes };
  }
  const tx = await runner.sendTransaction({ to: address, data });
  const receipt = await tx.wait();
  return { verified: true, gasUsed: receipt!.gasUsed, calldataBytes };
}
