/**
 * The market functions and events the relay uses, written from the version-2 specification (V2.2, V2.6
 * "Off-chain"). The only file that knows the market's ABI.
 *
 * TODO(#11): the integration replaces this fragment with `aggregationMarketAbi` from prover/abi/generated.ts
 * once the version-2 market lands; names that are guesses here are listed in docs/relay.md ("Seams").
 */
import { parseAbi } from 'viem';

export const relayMarketAbi = parseAbi([
  'struct Request { bytes32 programId; bytes32 statementsHash; uint32 count; uint64 feePerProof; uint64 nonce; uint40 deadline; }',
  'struct PostedGroup { Request request; bytes signature; }',
  'function minFeePerProof() view returns (uint256)',
  'function rollupProofBytes() view returns (uint256)',
  'function accounts(address payer) view returns (uint256 balance, uint64 nonce, uint256 withdrawalAmount, uint64 withdrawableAt)',
  'function programs(bytes32 programId) view returns (address owner, bytes32 vkHash, uint8 publicInputCount)',
  'function postBatch(PostedGroup[] groups, bytes32[] digests) returns (uint256 batchId)',
  'event ProgramRegistered(bytes32 indexed programId, address indexed owner, bytes32 vkHash, uint8 publicInputCount, bytes vk)',
  'event RequestPosted(uint256 indexed batchId, address indexed payer, uint64 nonce, bytes32 requestHash, uint8 firstSlot, uint8 count)',
  'event RequestSkipped(address indexed payer, uint64 nonce, uint8 reason)',
]);
