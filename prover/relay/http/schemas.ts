/**
 * JSON schemas of the relay's HTTP API. Fastify validates bodies and parameters with them (Ajv, unknown
 * properties refused) and @fastify/swagger turns them into the OpenAPI document at /openapi.json.
 */
import { MAX_CAPACITY, ROLLUP_PROOF_BYTES } from '../../protocol/index.js';
import { REQUEST_STATUSES } from '../store/types.js';

const bytes32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$', description: '32-byte word, 0x-prefixed hex' } as const;
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$', description: '20-byte address, 0x-prefixed hex' } as const;
const uint64 = {
  type: 'string',
  pattern: '^(0|[1-9][0-9]{0,19})$',
  description: 'uint64 in decimal (a string: JSON numbers lose precision above 2^53)',
} as const;
const hexBytes = (maxBytes: number, description: string) =>
  ({ type: 'string', pattern: '^0x([0-9a-fA-F]{2})*$', maxLength: 2 + 2 * maxBytes, description }) as const;

export const errorSchema = {
  $id: 'RelayError',
  type: 'object',
  description: 'A refused or failed call. `error` is a stable machine-readable reason (docs/relay.md, "Rejections").',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const receiptSchema = {
  $id: 'Receipt',
  type: 'object',
  description:
    'The relay\'s signed acknowledgement: EIP-191 signature by `relay` of keccak256(abi.encode(keccak256("NEX.relay.receipt.v2"), requestHash, ' +
    'payer, uint64 acceptedAt, uint64 postBy)). It binds nothing on chain (a relay has no stake); the request itself protects the submitter (nonce, deadline).',
  required: ['requestHash', 'payer', 'relay', 'acceptedAt', 'postBy', 'signature'],
  properties: {
    requestHash: { ...bytes32, description: 'EIP-712 hash of the request (domain NEX AggregationMarket, version 2)' },
    payer: { ...address, description: 'The signer of the request' },
    relay: address,
    acceptedAt: { type: 'integer', description: 'Unix seconds at which the request was persisted' },
    postBy: { type: 'integer', description: 'Unix seconds by which the relay intends to have posted it (at most the deadline)' },
    signature: { type: 'string', description: 'EIP-191 signature, 65 bytes hex' },
  },
} as const;

export const submitBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['payer', 'request', 'signature', 'statements'],
  properties: {
    payer: { ...address, description: 'The signer of the request (checked against the recovered address)' },
    request: {
      type: 'object',
      additionalProperties: false,
      description: 'The EIP-712 `Request` exactly as signed',
      required: ['programId', 'statementsHash', 'count', 'feePerProof', 'nonce', 'deadline'],
      properties: {
        programId: bytes32,
        statementsHash: { ...bytes32, description: 'keccak256 of the statement digests concatenated in slot order' },
        count: { type: 'integer', minimum: 1, maximum: MAX_CAPACITY },
        feePerProof: { ...uint64, description: 'wei per statement (uint64, decimal)' },
        nonce: uint64,
        deadline: { type: 'integer', minimum: 0, maximum: 2 ** 40 - 1, description: 'Unix seconds (uint40)' },
      },
    },
    signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$', description: "The payer's EIP-712 signature (65 bytes hex)" },
    statements: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_CAPACITY,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['publicInputs', 'proof'],
        properties: {
          publicInputs: {
            type: 'array',
            minItems: 1,
            maxItems: 4,
            items: { ...bytes32, description: 'canonical BN254 field element (< r)' },
          },
          proof: hexBytes(2 * ROLLUP_PROOF_BYTES, `UltraHonk ZK proof bytes (${ROLLUP_PROOF_BYTES} for version 2)`),
        },
      },
    },
  },
} as const;

export const requestViewSchema = {
  $id: 'RequestView',
  type: 'object',
  required: ['requestHash', 'payer', 'status', 'request', 'receipt', 'digests'],
  properties: {
    requestHash: bytes32,
    payer: address,
    status: {
      type: 'string',
      enum: [...REQUEST_STATUSES],
      description: 'accepted | posting | posted | skipped | expired | void (docs/relay.md)',
    },
    request: {
      type: 'object',
      properties: {
        programId: bytes32,
        statementsHash: bytes32,
        count: { type: 'integer' },
        feePerProof: uint64,
        nonce: uint64,
        deadline: { type: 'integer' },
      },
    },
    receipt: { $ref: 'Receipt#' },
    digests: { type: 'array', items: bytes32 },
    batchId: { type: 'string', description: 'Batch holding the request once posted (decimal)' },
    slots: { type: 'array', items: { type: 'integer' }, description: 'Its slots in that batch' },
    submissionIds: { type: 'array', items: { type: 'string' }, description: 'batchId * 64 + slot for each statement (decimal)' },
    postTx: bytes32,
    reason: { type: 'string', description: 'Why it was skipped, expired or voided' },
  },
} as const;

export const proofViewSchema = {
  $id: 'ProofView',
  type: 'object',
  required: ['digest', 'programId', 'publicInputs', 'proof', 'requestHash', 'payer', 'status'],
  properties: {
    digest: bytes32,
    programId: bytes32,
    publicInputs: { type: 'array', items: bytes32 },
    proof: { type: 'string', description: 'proof bytes, hex' },
    requestHash: bytes32,
    payer: address,
    status: { type: 'string', enum: [...REQUEST_STATUSES] },
    batchId: { type: 'string' },
    slot: { type: 'integer' },
  },
} as const;

export const statusSchema = {
  $id: 'RelayStatus',
  type: 'object',
  properties: {
    relay: address,
    chainId: { type: 'integer' },
    market: address,
    store: { type: 'string', enum: ['sqlite', 'postgres'] },
    capacity: { type: 'integer' },
    postTimeoutSeconds: { type: 'integer' },
    maxStatementsPerRequest: { type: 'integer' },
    deadline: { type: 'object', properties: { minSeconds: { type: 'integer' }, horizonSeconds: { type: 'integer' } } },
    requests: { type: 'object', additionalProperties: { type: 'integer' } },
    queuedStatements: { type: 'integer' },
    openPosts: { type: 'integer' },
    lastTickAt: { type: 'integer' },
  },
} as const;

export const payerQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { payer: { ...address, description: 'The payer, when several signed the same request fields' } },
} as const;

export const hashParams = (name: string, description: string) =>
  ({ type: 'object', required: [name], additionalProperties: false, properties: { [name]: { ...bytes32, description } } }) as const;
