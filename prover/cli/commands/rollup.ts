/**
 * `nex rollup …`: the rollup team's commands, thin wrappers over the SDK (prover/sdk) with readable
 * output. Errors are the SDK's typed errors, whose messages say what is wrong and what to do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { bytesToHex, formatEther, isHex, parseEther, type Hex } from 'viem';
import { testAccounts } from '../../../deploy/devnet/accounts.js';
import { isLocalDevnet } from '../../protocol/index.js';
import {
  computeLatency,
  createNexClient,
  estimateFee,
  getParams,
  getSubmission,
  isVerified,
  refund,
  registerProgram,
  submit,
  submitMany,
  toField,
  waitForVerification,
  type NexClient,
  type Submission,
  type SubmissionStatus,
} from '../../sdk/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

const COMMON: ParseArgsOptionsConfig = {
  'rpc-url': { type: 'string' },
  account: { type: 'string' },
  deployments: { type: 'string' },
};

const COMMON_USAGE = [
  'Common options:',
  '  --rpc-url <url>      JSON-RPC endpoint (default $NEX_RPC_URL or http://127.0.0.1:8545)',
  '  --account <i>        sign with well-known test account i (local devnets only); otherwise the',
  '                       key in $NEX_PRIVATE_KEY signs',
  '  --deployments <dir>  directory of deployments files (default .nex/deployments)',
].join('\n');

function parse(args: readonly string[], options: ParseArgsOptionsConfig, positionals = false) {
  try {
    return parseArgs({ args: [...args], options: { ...COMMON, ...options }, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

type Values = ReturnType<typeof parse>['values'];

const str = (v: Values, k: string): string | undefined => v[k] as string | undefined;

async function clientFrom(v: Values, needsAccount: boolean): Promise<NexClient> {
  const rpcUrl = str(v, 'rpc-url') ?? process.env.NEX_RPC_URL ?? 'http://127.0.0.1:8545';
  let privateKey = process.env.NEX_PRIVATE_KEY as Hex | undefined;
  const accountIndex = str(v, 'account');
  if (accountIndex !== undefined) {
    const i = Number(accountIndex);
    if (!Number.isInteger(i) || i < 0 || i > 19) throw new UsageError('--account: an index in 0..19');
    privateKey = testAccounts(i + 1)[i]!.privateKey;
  }
  if (needsAccount && !privateKey) throw new UsageError('this command signs a transaction: set NEX_PRIVATE_KEY or use --account <i>');
  const client = await createNexClient({ rpcUrl, privateKey, deploymentsDir: str(v, 'deployments'), pollingIntervalMs: 1_000 });
  if (accountIndex !== undefined) {
    const chainId = await client.public.getChainId();
    if (!isLocalDevnet(chainId)) throw new UsageError(`--account uses public test keys: refused on chain ${chainId}`);
  }
  return client;
}

/** Reads a hex value given inline or as a file holding hex text, raw bytes or JSON {"<field>": "0x…"}. */
function readBytes(arg: string, what: string, jsonField: string): Hex {
  if (isHex(arg) && !existsSync(arg)) return arg;
  if (!existsSync(arg)) throw new UsageError(`${what}: ${arg} is neither hex nor a file`);
  const raw = readFileSync(arg);
  const text = raw.toString('utf8').trim();
  if (isHex(text)) return text;
  if (text.startsWith('{')) {
    const v = (JSON.parse(text) as Record<string, unknown>)[jsonField];
    if (typeof v === 'string' && isHex(v)) return v;
    throw new UsageError(`${what}: ${arg} has no hex "${jsonField}" field`);
  }
  return bytesToHex(raw);
}

function readInputs(arg: string): Hex[] {
  const text = existsSync(arg) ? readFileSync(arg, 'utf8').trim() : arg;
  const list: unknown[] = text.startsWith('[') ? (JSON.parse(text) as unknown[]) : text.split(',').map((s) => s.trim());
  return list.map((x, i) => {
    try {
      return toField(String(x));
    } catch (err) {
      throw new UsageError(`--inputs: public input ${i}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

function fee(v: Values): bigint | undefined {
  const f = str(v, 'fee');
  if (f === undefined) return undefined;
  try {
    return f.endsWith('wei') ? BigInt(f.slice(0, -3).trim()) : parseEther(f);
  } catch {
    throw new UsageError(`--fee: expected ETH (e.g. 0.001) or '<n> wei', got ${f}`);
  }
}

function submissionId(s: string | undefined): bigint {
  if (s === undefined || !/^\d+$/.test(s)) throw new UsageError(`expected a submission id (a number), got ${String(s)}`);
  return BigInt(s);
}

const time = (unix: number): string => (unix === 0 ? '-' : new Date(unix * 1000).toISOString());

export function formatStatus(s: SubmissionStatus): string {
  const b = s.batch;
  return [
    `submission ${s.submissionId}: ${s.state.toUpperCase()}${s.refundable ? ' (refundable: nex rollup refund ' + s.submissionId + ')' : ''}`,
    `  batch ${s.batchId} slot ${s.slot}: ${b.state}, ${b.count}/${b.capacity} proofs${b.version === 0 ? '' : `, verifier v${b.version}`}`,
    `  opened ${time(b.openedAt)}, sealed ${time(b.sealedAt)}, expires ${time(b.expiry)}`,
    ...(b.locker !== '0x0000000000000000000000000000000000000000'
      ? [`  locked by ${b.locker}, lock deadline ${time(b.lockDeadline)}, final deadline ${time(b.finalDeadline)}`]
      : b.assigned !== '0x0000000000000000000000000000000000000000'
        ? [`  assigned to ${b.assigned}`]
        : []),
  ].join('\n');
}

const register: Command = {
  path: ['rollup', 'register'],
  summary: "Register a rollup program (its circuit's verification key) in the market",
  usage: [
    'Usage: nex rollup register --vk <file|hex> --vk-hash <hex> --public-inputs <n> [common options]',
    '',
    'The vk is the 3,680-byte noir-recursive verification key bb writes; --vk-hash its key hash',
    '(the program id). The account becomes the program owner.',
    COMMON_USAGE,
  ].join('\n'),
  async run(args) {
    const { values } = parse(args, { vk: { type: 'string' }, 'vk-hash': { type: 'string' }, 'public-inputs': { type: 'string' } });
    const vkArg = str(values, 'vk');
    const vkHash = str(values, 'vk-hash');
    const count = Number(str(values, 'public-inputs'));
    if (!vkArg || !vkHash || !Number.isInteger(count)) throw new UsageError('--vk, --vk-hash and --public-inputs are required');
    const client = await clientFrom(values, true);
    const r = await registerProgram(client, { vkHash: toField(vkHash), vk: readBytes(vkArg, '--vk', 'vk'), publicInputCount: count });
    console.log(`registered program ${r.programId} (index ${r.index}, owner ${r.owner}) in tx ${r.txHash}`);
    return 0;
  },
};

const submitCommand: Command = {
  path: ['rollup', 'submit'],
  summary: 'Submit a proof (or a JSON batch of proofs) with a fee',
  usage: [
    'Usage: nex rollup submit --program <id> --inputs <hex,…|file.json> --proof <file|hex> [--fee <eth>] [--wait]',
    '       nex rollup submit --batch <file.json> [--wait]     (JSON: [{programId, publicInputs, proof, fee?}])',
    '',
    'Checks the submission before paying (program registered, public-input count, canonical field',
    'elements, proof shape, fee >= the market minimum). Without --fee the suggested fee is paid',
    '(see nex rollup fee). --wait waits for verification and prints the outcome.',
    COMMON_USAGE,
  ].join('\n'),
  async run(args) {
    const { values } = parse(args, {
      program: { type: 'string' },
      inputs: { type: 'string' },
      proof: { type: 'string' },
      fee: { type: 'string' },
      batch: { type: 'string' },
      wait: { type: 'boolean' },
      timeout: { type: 'string' },
    });
    const client = await clientFrom(values, true);
    let ids: bigint[];
    const batchFile = str(values, 'batch');
    if (batchFile) {
      const list = JSON.parse(readFileSync(batchFile, 'utf8')) as { programId: string; publicInputs: string[]; proof: string; fee?: string }[];
      const subs: Submission[] = list.map((s) => ({
        programId: toField(s.programId),
        publicInputs: s.publicInputs.map((x) => toField(x)),
        proof: s.proof as Hex,
        fee: s.fee === undefined ? undefined : BigInt(s.fee),
      }));
      const r = await submitMany(client, subs);
      for (const s of r.submissions) console.log(`submitted ${s.submissionId} (batch ${s.batchId} slot ${s.slot}, fee ${formatEther(s.fee)} ETH)`);
      console.log(`tx ${r.txHash}`);
      ids = r.submissions.map((s) => s.submissionId);
    } else {
      const program = str(values, 'program');
      const inputs = str(values, 'inputs');
      const proof = str(values, 'proof');
      if (!program || !inputs || !proof) throw new UsageError('--program, --inputs and --proof are required (or --batch)');
      const r = await submit(client, {
        programId: toField(program),
        publicInputs: readInputs(inputs),
        proof: readBytes(proof, '--proof', 'proof'),
        fee: fee(values),
      });
      console.log(`submitted ${r.submissionId} (batch ${r.batchId} slot ${r.slot}, fee ${formatEther(r.fee)} ETH) in tx ${r.txHash}`);
      ids = [r.submissionId];
    }
    if (!values.wait) return 0;
    let code = 0;
    for (const id of ids) code = Math.max(code, await waitAndPrint(client, id, timeoutMs(values)));
    return code;
  },
};

function timeoutMs(v: Values): number {
  const t = str(v, 'timeout');
  if (t === undefined) return 30 * 60_000;
  const n = Number(t);
  if (!(n > 0)) throw new UsageError(`--timeout: seconds > 0, got ${t}`);
  return n * 1000;
}

async function waitAndPrint(client: NexClient, id: bigint, timeout: number): Promise<number> {
  const started = Date.now();
  let last = '';
  const r = await waitForVerification(client, id, {
    timeoutMs: timeout,
    onStatus: (s) => {
      const line = `submission ${id}: ${s.state}, batch ${s.batchId} ${s.batch.state}`;
      if (line !== last) console.log(`[${Math.round((Date.now() - started) / 1000)} s] ${line}`);
      last = line;
    },
  });
  console.log(formatStatus(r.status));
  return r.state === 'verified' ? 0 : 1;
}

const status: Command = {
  path: ['rollup', 'status'],
  summary: 'Show where a submission stands, or whether a statement is verified',
  usage: [
    'Usage: nex rollup status <submissionId> [common options]',
    '       nex rollup status --program <id> --inputs <hex,…|file.json>',
    COMMON_USAGE,
  ].join('\n'),
  async run(args) {
    const { values, positionals } = parse(args, { program: { type: 'string' }, inputs: { type: 'string' } }, true);
    const client = await clientFrom(values, false);
    const program = str(values, 'program');
    if (program) {
      const inputs = str(values, 'inputs');
      if (!inputs) throw new UsageError('--inputs is required with --program');
      const ok = await isVerified(client, toField(program), readInputs(inputs));
      console.log(`statement ${ok ? 'VERIFIED' : 'NOT verified'} for program ${program}`);
      return ok ? 0 : 1;
    }
    console.log(formatStatus(await getSubmission(client, submissionId(positionals[0]))));
    return 0;
  },
};

const refundCommand: Command = {
  path: ['rollup', 'refund'],
  summary: 'Take back the fees of excluded or expired submissions',
  usage: ['Usage: nex rollup refund <submissionId>… [common options]', COMMON_USAGE].join('\n'),
  async run(args) {
    const { values, positionals } = parse(args, {}, true);
    if (positionals.length === 0) throw new UsageError('give at least one submission id');
    const client = await clientFrom(values, true);
    const r = await refund(client, positionals.map(submissionId));
    for (const x of r.refunds) console.log(`refunded ${x.submissionId}: ${formatEther(x.amount)} ETH (submitter ${x.submitter})`);
    console.log(`sent to you ${formatEther(r.sent)} ETH; credited to other submitters ${formatEther(r.credited)} ETH (they claim it); tx ${r.txHash}`);
    return 0;
  },
};

const wait: Command = {
  path: ['rollup', 'wait'],
  summary: 'Wait until a submission is verified (or excluded / expired)',
  usage: [
    'Usage: nex rollup wait <submissionId> [--timeout <seconds>] [common options]',
    'Exit code 0 when verified, 1 when it ended otherwise or timed out.',
    COMMON_USAGE,
  ].join('\n'),
  async run(args) {
    const { values, positionals } = parse(args, { timeout: { type: 'string' } }, true);
    const client = await clientFrom(values, false);
    return waitAndPrint(client, submissionId(positionals[0]), timeoutMs(values));
  },
};

const feeCommand: Command = {
  path: ['rollup', 'fee'],
  summary: 'Estimate the fee per proof and the expected latency',
  usage: ['Usage: nex rollup fee [--batch-size <n>] [common options]', COMMON_USAGE].join('\n'),
  async run(args) {
    const { values } = parse(args, { 'batch-size': { type: 'string' } });
    const client = await clientFrom(values, false);
    const size = str(values, 'batch-size');
    const batchSize = size === undefined ? undefined : Number(size);
    const [f, params] = await Promise.all([estimateFee(client, { batchSize }), getParams(client)]);
    const l = computeLatency(params, batchSize);
    console.log(
      [
        `minimum fee per proof:   ${formatEther(f.minFeePerProof)} ETH`,
        `suggested fee per proof: ${formatEther(f.suggestedFee)} ETH (batch of ${f.batchSize}, gas price ${f.gasPrice} wei)`,
        `latency: sealed within ${l.sealWithinSec} s, assignment ${l.assignmentWindowSec} s, proving window ${l.provingWindowSec} s`,
        `  verified within ${l.expectedMaxSec} s by the assigned prover; ${l.worstCaseSec} s worst case; refundable after ${l.refundableAfterSec} s`,
      ].join('\n'),
    );
    return 0;
  },
};

export const rollupCommands: Command[] = [register, submitCommand, status, refundCommand, wait, feeCommand];
