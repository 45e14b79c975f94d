/** Deploys the compiled root verifier: its library first (RelationsLib, standard variant only), then the linked HonkVerifier. */
import { ContractFactory, type BaseContract, type InterfaceAbi, type Signer } from 'ethers';
import type { VerifierArtifact } from '../../engine/index.js';
import { assertVerifierAllowedOnChain } from '../srs/patch.js';
import { linkVerifierBytecode } from './solidity.js';

/** The generated verifier's entry point: returns true or reverts with a custom error. */
export type RootVerifier = BaseContract & {
  verify: {
    staticCall(proof: string, publicInputs: string[]): Promise<boolean>;
    estimateGas(proof: string, publicInputs: string[]): Promise<bigint>;
  };
};

export interface DeployedRootVerifier {
  verifier: RootVerifier;
  address: string;
  libraries: Record<string, string>;
  /** Gas used by each deployment, in order: libraries, then the verifier. */
  deployGas: Record<string, bigint>;
}

/** Refuses (InsecureSrsError, before sending anything) a dev-SRS verifier on a chain that is not a local devnet. */
export async function deployRootVerifier(signer: Signer, artifact: VerifierArtifact): Promise<DeployedRootVerifier> {
  const network = await signer.provider?.getNetwork();
  if (!network) throw new Error('deployRootVerifier needs a signer connected to a provider');
  assertVerifierAllowedOnChain(artifact.bytecode, network.chainId);
  const libraries: Record<string, string> = {};
  const deployGas: Record<string, bigint> = {};
  const deploy = async (name: string, abi: unknown[], bytecode: string): Promise<BaseContract> => {
    const contract = await new ContractFactory(abi as InterfaceAbi, bytecode, signer).deploy();
    const receipt = await contract.deploymentTransaction()?.wait();
    if (!receipt || receipt.status !== 1) throw new Error(`deployment of ${name} failed`);
    deployGas[name] = receipt.gasUsed;
    return contract;
  };
  for (const lib of artifact.libraries) libraries[lib.name] = await (await deploy(lib.name, lib.abi, lib.bytecode)).getAddress();
  const verifier = (await deploy(
    artifact.contractName,
    artifact.abi,
    linkVerifierBytecode(artifact, libraries),
  )) as unknown as RootVerifier;
  return { verifier, address: await verifier.getAddress(), libraries, deployGas };
}
