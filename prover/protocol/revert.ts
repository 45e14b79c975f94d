/**
 * The one decoder of contract reverts in the NEX TypeScript code (SDK, keeper, CLI). It finds the revert
 * data in whatever a call threw (viem's `ContractFunctionRevertedError` from a simulation or a read, or
 * the node's JSON-RPC error under an `eth_estimateGas` failure) by walking the `cause` chain, and decodes
 * it by error NAME with viem's `decodeErrorResult` against the generated ABIs of every NEX contract. A
 * revert raised by a contract the call did not target (the router under `market.submit`, the staking
 * contract under `market.lock`) therefore decodes too. Nothing here matches message text.
 */
import {
  ContractFunctionRevertedError,
  ExecutionRevertedError,
  RawContractError,
  RpcError,
  RpcRequestError,
  decodeErrorResult,
  isHex,
  size,
  type Abi,
  type ContractErrorName,
  type Hex,
} from 'viem';
import {
  accessControlAbi,
  aggregationMarketAbi,
  exampleRollupAbi,
  nexTokenAbi,
  proverStakingAbi,
  verifierRouterAbi,
} from '../abi/generated.js';
import { walkCauses } from './errors.js';

/** The name of a custom error of a NEX contract (or of an OpenZeppelin error one inherits). */
export type NexContractErrorName =
  | ContractErrorName<typeof aggregationMarketAbi>
  | ContractErrorName<typeof proverStakingAbi>
  | ContractErrorName<typeof verifierRouterAbi>
  | ContractErrorName<typeof nexTokenAbi>
  | ContractErrorName<typeof exampleRollupAbi>
  | ContractErrorName<typeof accessControlAbi>;

/** What a revert decodes to: a NEX error, or Solidity's `Error(string)` (require) / `Panic(uint256)`. */
export type RevertErrorName = NexContractErrorName | 'Error' | 'Panic';

/** A contract revert, decoded. */
export interface DecodedRevert {
  /** The error's name; undefined when the revert carried no data or data no NEX ABI knows. */
  readonly errorName: RevertErrorName | undefined;
  /** The error's arguments, decoded by its ABI (empty when `errorName` is undefined). */
  readonly args: readonly unknown[];
  /** The raw revert data; undefined when the node returned none. */
  readonly data: Hex | undefined;
}

type AbiError = Extract<Abi[number], { type: 'error' }>;
const isError = (item: Abi[number]): item is AbiError => item.type === 'error';

/** Every error of the NEX contracts once, keyed by signature (inherited errors appear in several ABIs). */
export const nexErrorsAbi: readonly AbiError[] = (() => {
  const all = [aggregationMarketAbi, proverStakingAbi, verifierRouterAbi, nexTokenAbi, exampleRollupAbi, accessControlAbi].flatMap(
    (abi): AbiError[] => (abi as Abi).filter(isError),
  );
  const bySignature = new Map<string, AbiError>();
  for (const e of all) bySignature.set(`${e.name}(${e.inputs.map((i) => i.type).join(',')})`, e);
  return [...bySignature.values()];
})();

/** JSON-RPC error code of a reverted call (EIP-1474; geth, anvil, reth and Hardhat use it). */
const EXECUTION_REVERTED = 3;

/**
 * Revert data (a selector at least) carried by one error of a cause chain, if any: the raw data of
 * viem's ContractFunctionRevertedError / RawContractError, or the `data` (or `data.data`, as some
 * providers nest it) of a JSON-RPC error. Other errors' `data` (e.g. viem's ABI decoding errors) is not
 * revert data and is ignored.
 */
function revertDataIn(err: unknown): Hex | undefined {
  if (err instanceof ContractFunctionRevertedError) return asRevertData(err.raw);
  const isCarrier =
    err instanceof RawContractError ||
    err instanceof RpcRequestError ||
    err instanceof RpcError ||
    (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === EXECUTION_REVERTED);
  if (!isCarrier) return undefined;
  const data = (err as { data?: unknown }).data;
  return asRevertData(typeof data === 'object' && data !== null ? (data as { data?: unknown }).data : data);
}

function asRevertData(value: unknown): Hex | undefined {
  return typeof value === 'string' && isHex(value, { strict: true }) && size(value) >= 4 ? value : undefined;
}

/** Decodes raw revert data against the NEX errors (and Error / Panic). */
export function decodeRevertData(data: Hex): DecodedRevert {
  try {
    const decoded = decodeErrorResult({ abi: nexErrorsAbi, data });
    return { errorName: decoded.errorName as RevertErrorName, args: decoded.args ?? [], data };
  } catch {
    return { errorName: undefined, args: [], data };
  }
}

/**
 * The revert inside `err`, decoded by name through the generated ABIs; undefined when `err` is not a
 * contract revert (a transport error, a rejected transaction, a bug). A revert without data (or with
 * data no NEX ABI knows) decodes to `errorName: undefined`.
 */
export function decodeRevert(err: unknown): DecodedRevert | undefined {
  let data: Hex | undefined;
  walkCauses(err, (e) => (data = revertDataIn(e)) !== undefined);
  if (data !== undefined) return decodeRevertData(data);
  const reverted = walkCauses(err, (e) => e instanceof ContractFunctionRevertedError || e instanceof ExecutionRevertedError);
  return reverted === undefined ? undefined : { errorName: undefined, args: [], data: undefined };
}

/** The name of the revert inside `err` (see {@link decodeRevert}); undefined when none or unknown. */
export function revertErrorName(err: unknown): RevertErrorName | undefined {
  return decodeRevert(err)?.errorName;
}
