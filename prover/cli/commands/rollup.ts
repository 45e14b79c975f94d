/**
 * `nex rollup …`: the rollup team's commands, thin wrappers over the SDK (prover/sdk) with readable
 * output. Errors are the SDK's typed errors, whose messages say what is wrong and what to do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
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
import { action, type CliContext, type DefineCommand, UsageError } from '../command.js';

/** The options every rollup command takes (commander: flag, env variable, default and help in one place). */
interface CommonOptions {
  rpcUrl: string;
  account?: number;
  deployments?: string;
}

function commonOptions(): Option[] {
  return [
    new Option('--rpc-url <url>', 'JSON-RPC endpoint').env('NEX_RPC_URL').default('http://127.0.0.1:8545'),
    new Option(
      '--account <i>',
      'sign with well-known test account i (local devnets only); otherwise the key in $NEX_PRIVATE_KEY signs',
    ).argParser((v) => {
      const i = Number(v);
      if (!/^\d+$/.test(v) || i > 19) throw new InvalidArgumentError('--account: an index in 0..19');
      return i;
    }),
    new Option('--deployments <dir>', 'directory of deployments files (default $NEX_DEPLOYMENTS_DIR, else .nex/deployments)'),
  ];
}

async function clientFrom(v: CommonOptions, needsAccount: boolean): Promise<NexClient> {
  let privateKey = process.env.NEX_PRIVATE_KEY as Hex | undefined;
  const accountIndex = v.account;
  if (accountIndex !== undefined) privateKey = testAccounts(accountIndex + 1)[accountIndex]!.privateKey;
  if (needsAccount && !privateKey) throw new UsageError('this command signs a transaction: set NEX_PRIVATE_KEY or use --account <i>');
  const client = await createNexClient({ rpcUrl: v.rpcUrl, privateKey, deploymentsDir: v.deployments, pollingIntervalMs: 1_000 });
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

function fee(f: string | undefined): bigint | undefined {
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

function timeoutMs(t: string | undefined): number {
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

/** A rollup subcommand with the common options. */
function subcommand(group: Command, name: string, summary: string): Command {
  const cmd = group.command(name).summary(summary);
  for (const o of commonOptions()) cmd.addOption(o);
  return cmd;
}

/** `nex rollup …` */
export const rollup: DefineCommand = (group, ctx: CliContext) => {
  group.description("The rollup team's commands on the SDK (prover/sdk). Errors say what is wrong and what to do.");

  subcommand(group, 'register', "Register a rollup program (its circuit's verification key) in the market")
    .description(
      'The vk is the 3,680-byte noir-recursive verification key bb writes; --vk-hash its key hash\n' +
        '(the program id). The account becomes the program owner.',
    )
    .option('--vk <file|hex>', 'the verification key: hex, or a file (raw bytes, hex text or JSON {"vk": "0x…"})')
    .option('--vk-hash <hex>', 'its key hash: the program id')
    .option('--public-inputs <n>', 'public-input count of the program')
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<CommonOptions & { vk?: string; vkHash?: string; publicInputs?: string }>();
        const count = Number(o.publicInputs);
        if (!o.vk || !o.vkHash || !Number.isInteger(count)) throw new UsageError('--vk, --vk-hash and --public-inputs are required');
        const client = await clientFrom(o, true);
        const r = await registerProgram(client, { vkHash: toField(o.vkHash), vk: readBytes(o.vk, '--vk', 'vk'), publicInputCount: count });
        console.log(`registered program ${r.programId} (index ${r.index}, owner ${r.owner}) in tx ${r.txHash}`);
        return 0;
      }),
    );

  subcommand(group, 'submit', 'Submit a proof (or a JSON batch of proofs) with a fee')
    .usage(
      '--program <id> --inputs <hex,…|file.json> --proof <file|hex> [--fee <eth>] [--wait]\n       nex rollup submit --batch <file.json> [--wait]',
    )
    .description(
      'Checks the submission before paying (program registered, public-input count, canonical field\n' +
        'elements, proof shape, fee >= the market minimum). Without --fee the suggested fee is paid\n' +
        '(see nex rollup fee). --wait waits for verification and prints the outcome.',
    )
    .option('--program <id>', 'program id (the vk hash)')
    .option('--inputs <hex,…|file.json>', 'public inputs: comma separated, or a JSON array (inline or in a file)')
    .option('--proof <file|hex>', 'the proof: hex, or a file (raw bytes, hex text or JSON {"proof": "0x…"})')
    .option('--fee <eth>', "fee per proof in ETH (e.g. 0.001) or '<n> wei' (default: the suggested fee)")
    .option('--batch <file.json>', 'submit several proofs in one transaction: [{programId, publicInputs, proof, fee?}]')
    .option('--wait', 'wait for verification and print the outcome')
    .option('--timeout <seconds>', 'with --wait: give up after this long (default 1800)')
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<
          CommonOptions & {
            program?: string;
            inputs?: string;
            proof?: string;
            fee?: string;
            batch?: string;
            wait?: boolean;
            timeout?: string;
          }
        >();
        const timeout = timeoutMs(o.timeout);
        const client = await clientFrom(o, true);
        let ids: bigint[];
        if (o.batch) {
          const list = JSON.parse(readFileSync(o.batch, 'utf8')) as {
            programId: string;
            publicInputs: string[];
            proof: string;
            fee?: string;
          }[];
          const subs: Submission[] = list.map((s) => ({
            programId: toField(s.programId),
            publicInputs: s.publicInputs.map((x) => toField(x)),
            proof: s.proof as Hex,
            fee: s.fee === undefined ? undefined : BigInt(s.fee),
          }));
          const r = await submitMany(client, subs);
          for (const s of r.submissions)
            console.log(`submitted ${s.submissionId} (batch ${s.batchId} slot ${s.slot}, fee ${formatEther(s.fee)} ETH)`);
          console.log(`tx ${r.txHash}`);
          ids = r.submissions.map((s) => s.submissionId);
        } else {
          if (!o.program || !o.inputs || !o.proof) throw new UsageError('--program, --inputs and --proof are required (or --batch)');
          const r = await submit(client, {
            programId: toField(o.program),
            publicInputs: readInputs(o.inputs),
            proof: readBytes(o.proof, '--proof', 'proof'),
            fee: fee(o.fee),
          });
          console.log(`submitted ${r.submissionId} (batch ${r.batchId} slot ${r.slot}, fee ${formatEther(r.fee)} ETH) in tx ${r.txHash}`);
          ids = [r.submissionId];
        }
        if (!o.wait) return 0;
        let code = 0;
        for (const id of ids) code = Math.max(code, await waitAndPrint(client, id, timeout));
        return code;
      }),
    );

  subcommand(group, 'status', 'Show where a submission stands, or whether a statement is verified')
    .usage('<submissionId> [options]\n       nex rollup status --program <id> --inputs <hex,…|file.json> [options]')
    .description('Exit code 0, except 1 when --program/--inputs name a statement that is not verified.')
    .argument('[submissionId]', 'submission id (a number)')
    .option('--program <id>', 'with --inputs: is this statement verified?')
    .option('--inputs <hex,…|file.json>', 'public inputs of the statement')
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<CommonOptions & { program?: string; inputs?: string }>();
        if (o.program) {
          if (!o.inputs) throw new UsageError('--inputs is required with --program');
          const inputs = readInputs(o.inputs);
          const client = await clientFrom(o, false);
          const ok = await isVerified(client, toField(o.program), inputs);
          console.log(`statement ${ok ? 'VERIFIED' : 'NOT verified'} for program ${o.program}`);
          return ok ? 0 : 1;
        }
        const id = submissionId(cmd.args[0]);
        const client = await clientFrom(o, false);
        console.log(formatStatus(await getSubmission(client, id)));
        return 0;
      }),
    );

  subcommand(group, 'refund', 'Take back the fees of excluded or expired submissions')
    .argument('<submissionId...>', 'submission ids')
    .action(
      action(ctx, async (cmd) => {
        const ids = cmd.args.map(submissionId);
        const client = await clientFrom(cmd.opts<CommonOptions>(), true);
        const r = await refund(client, ids);
        for (const x of r.refunds) console.log(`refunded ${x.submissionId}: ${formatEther(x.amount)} ETH (submitter ${x.submitter})`);
        console.log(
          `sent to you ${formatEther(r.sent)} ETH; credited to other submitters ${formatEther(r.credited)} ETH (they claim it); tx ${r.txHash}`,
        );
        return 0;
      }),
    );

  subcommand(group, 'wait', 'Wait until a submission is verified (or excluded / expired)')
    .description('Exit code 0 when verified, 1 when it ended otherwise or timed out.')
    .argument('<submissionId>', 'submission id')
    .option('--timeout <seconds>', 'give up after this long (default 1800)')
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<CommonOptions & { timeout?: string }>();
        const id = submissionId(cmd.args[0]);
        const timeout = timeoutMs(o.timeout);
        return waitAndPrint(await clientFrom(o, false), id, timeout);
      }),
    );

  subcommand(group, 'fee', 'Estimate the fee per proof and the expected latency')
    .option('--batch-size <n>', 'batch size the estimate assumes (default: the market capacity)')
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<CommonOptions & { batchSize?: string }>();
        const batchSize = o.batchSize === undefined ? undefined : Number(o.batchSize);
        const client = await clientFrom(o, false);
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
      }),
    );
};
