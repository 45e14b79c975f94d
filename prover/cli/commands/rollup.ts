/**
 * `nex rollup …`: the rollup team's commands (protocol version 2), thin wrappers over the SDK (prover/sdk)
 * with readable output. Errors are the SDK's typed errors, whose messages say what is wrong and what to do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { bytesToHex, formatEther, isHex, parseEther, type Hex } from 'viem';
import { testAccounts } from '../../../deploy/devnet/accounts.js';
import { isLocalDevnet } from '../../protocol/index.js';
import {
  computeLatency,
  createNexClient,
  deposit,
  estimateFee,
  getAccount,
  getBatch,
  getParams,
  getProgram,
  isVerified,
  requestWithdrawal,
  registerProgram,
  submitBlobs,
  submitMany,
  submitOffchain,
  toField,
  waitForVerification,
  withdraw,
  type Channel,
  type Inclusion,
  type NexClient,
  type Statement,
  type VerificationResult,
  batchOf,
  slotOf,
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

function eth(f: string | undefined, flag = '--fee'): bigint | undefined {
  if (f === undefined) return undefined;
  try {
    return f.endsWith('wei') ? BigInt(f.slice(0, -3).trim()) : parseEther(f);
  } catch {
    throw new UsageError(`${flag}: expected ETH (e.g. 0.001) or '<n> wei', got ${f}`);
  }
}

function submissionId(s: string | undefined): bigint {
  if (s === undefined || !/^\d+$/.test(s)) throw new UsageError(`expected a submission id (batchId * 64 + slot), got ${String(s)}`);
  return BigInt(s);
}

const time = (unix: number | bigint): string => (Number(unix) === 0 ? '-' : new Date(Number(unix) * 1000).toISOString());

function timeoutMs(t: string | undefined): number {
  if (t === undefined) return 30 * 60_000;
  const n = Number(t);
  if (!(n > 0)) throw new UsageError(`--timeout: seconds > 0, got ${t}`);
  return n * 1000;
}

/** A program id: a 32-byte word (a keccak output, not necessarily a field element). */
function programIdArg(v: string): Hex {
  if (!isHex(v, { strict: true }) || v.length !== 66) throw new UsageError(`a program id is 32 bytes of 0x-prefixed hex, got ${v}`);
  return v;
}

const CHANNELS: readonly Channel[] = ['calldata', 'blob', 'offchain'];
function channelOf(c: string): Channel {
  if (!(CHANNELS as readonly string[]).includes(c)) throw new InvalidArgumentError(`one of ${CHANNELS.join(', ')}`);
  return c as Channel;
}

/** Relay URLs from --relay (repeatable or comma separated) or $NEX_RELAYS. */
function relaysOf(list: string[] | undefined): string[] {
  const raw = list && list.length > 0 ? list : (process.env.NEX_RELAYS ?? '').split(',');
  return raw
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
}

export function formatResult(r: VerificationResult): string {
  const lines = [`submission ${r.submissionId} (batch ${r.batchId} slot ${r.slot}): ${r.state.toUpperCase()}`, `  digest ${r.digest}`];
  if (r.inclusion) lines.push(`  inclusion ${JSON.stringify(inclusionJson(r.inclusion))}`);
  if (r.txHash) lines.push(`  fulfilment tx ${r.txHash}`);
  return lines.join('\n');
}

const inclusionJson = (i: Inclusion) => ({ batchId: i.batchId.toString(), index: i.index, siblings: i.siblings });

async function waitAndPrint(client: NexClient, id: bigint, timeout: number): Promise<number> {
  const started = Date.now();
  const r = await waitForVerification(
    client,
    { submissionId: id },
    {
      timeoutMs: timeout,
      onStatus: (b) => console.log(`[${Math.round((Date.now() - started) / 1000)} s] batch ${b.batchId}: ${b.state}`),
    },
  );
  console.log(formatResult(r));
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
  group.description("The rollup team's commands on the SDK (prover/sdk, protocol version 2). Errors say what is wrong and what to do.");

  subcommand(group, 'register', "Register a rollup program (its circuit's verification key) in the market")
    .description(
      'The vk is the 3,680-byte noir-recursive verification key bb writes; --vk-hash its key hash.\n' +
        'The program id is keccak256(abi.encode(your address, vkHash)): the account becomes its owner.',
    )
    .option('--vk <file|hex>', 'the verification key: hex, or a file (raw bytes, hex text or JSON {"vk": "0x…"})')
    .option('--vk-hash <hex>', 'its key hash')
    .option('--public-inputs <n>', 'public-input count of the program (1, 2 or 4)')
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<CommonOptions & { vk?: string; vkHash?: string; publicInputs?: string }>();
        const count = Number(o.publicInputs);
        if (!o.vk || !o.vkHash || !Number.isInteger(count)) throw new UsageError('--vk, --vk-hash and --public-inputs are required');
        const client = await clientFrom(o, true);
        const r = await registerProgram(client, { vkHash: toField(o.vkHash), vk: readBytes(o.vk, '--vk', 'vk'), publicInputCount: count });
        console.log(`registered program ${r.programId} (owner ${r.owner}) in tx ${r.txHash}`);
        return 0;
      }),
    );

  subcommand(group, 'submit', 'Submit proofs on the calldata, blob or off-chain channel')
    .usage(
      '--program <id> --inputs <hex,…|file.json> --proof <file|hex> [--channel calldata|blob|offchain] [--fee <eth>] [--wait]\n' +
        '       nex rollup submit --batch <file.json> [--channel …] [--wait]',
    )
    .description(
      'Checks the statements before paying (program registered, public-input count, canonical field\n' +
        "elements, proof length of the router's current version, fee >= the market minimum). Without --fee\n" +
        'the suggested fee of the channel is paid (see nex rollup fee). --channel offchain signs a request\n' +
        'paid from your deposit (nex rollup deposit) and hands it to the relays (--relay, or $NEX_RELAYS),\n' +
        'routing around a relay that refuses or delays it; after the deadline it falls back to calldata.\n' +
        '--wait waits for verification and prints the outcome with the inclusion path.',
    )
    .addOption(
      new Option('--channel <channel>', 'calldata, blob (EIP-7594 sidecar; a private key signs) or offchain')
        .argParser(channelOf)
        .default('calldata'),
    )
    .option('--program <id>', 'program id')
    .option('--inputs <hex,…|file.json>', 'public inputs: comma separated, or a JSON array (inline or in a file)')
    .option('--proof <file|hex>', 'the proof: hex, or a file (raw bytes, hex text or JSON {"proof": "0x…"})')
    .option('--fee <eth>', "fee per proof in ETH (e.g. 0.001) or '<n> wei' (default: the suggested fee)")
    .option('--batch <file.json>', 'several proofs in one call: [{programId, publicInputs, proof}]')
    .option('--relay <url...>', 'relay URLs for --channel offchain, tried in order (default $NEX_RELAYS, comma separated)')
    .option('--deadline <seconds>', 'lifetime of an off-chain request (default 600)')
    .option('--no-fallback', 'off-chain: fail instead of falling back to calldata')
    .option('--wait', 'wait for verification and print the outcome')
    .option('--timeout <seconds>', 'with --wait: give up after this long (default 1800)')
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<
          CommonOptions & {
            channel: Channel;
            program?: string;
            inputs?: string;
            proof?: string;
            fee?: string;
            batch?: string;
            relay?: string[];
            deadline?: string;
            fallback: boolean;
            wait?: boolean;
            timeout?: string;
          }
        >();
        const timeout = timeoutMs(o.timeout);
        let statements: Statement[];
        if (o.batch) {
          const list = JSON.parse(readFileSync(o.batch, 'utf8')) as { programId: string; publicInputs: string[]; proof: string }[];
          statements = list.map((s) => ({
            programId: programIdArg(s.programId),
            publicInputs: s.publicInputs.map((x) => toField(x)),
            proof: s.proof as Hex,
          }));
        } else {
          if (!o.program || !o.inputs || !o.proof) throw new UsageError('--program, --inputs and --proof are required (or --batch)');
          statements = [
            { programId: programIdArg(o.program), publicInputs: readInputs(o.inputs), proof: readBytes(o.proof, '--proof', 'proof') },
          ];
        }
        const client = await clientFrom(o, true);
        let placed;
        if (o.channel === 'offchain') {
          const relays = relaysOf(o.relay);
          if (relays.length === 0) throw new UsageError('--channel offchain needs relays: --relay <url> or $NEX_RELAYS');
          const r = await submitOffchain(client, {
            relays,
            statements,
            feePerProof: eth(o.fee),
            deadlineSec: o.deadline === undefined ? undefined : Number(o.deadline),
            fallback: o.fallback ? 'calldata' : 'none',
            onEvent: (e) => console.log(`[${e.kind}] ${'relay' in e ? e.relay : ''}${'reason' in e ? ' ' + e.reason : ''}`.trimEnd()),
          });
          console.log(
            `${r.channel === 'offchain' ? `posted (request ${r.requestHash})` : 'submitted on calldata (fallback)'} in tx ${r.txHash}`,
          );
          placed = r.statements;
        } else if (o.channel === 'blob') {
          const r = await submitBlobs(client, { statements, feePerProof: eth(o.fee) });
          console.log(`tx ${r.txHash} (blobs ${r.versionedHashes.join(', ')})`);
          placed = r.statements;
        } else {
          const r = await submitMany(client, { statements, feePerProof: eth(o.fee) });
          console.log(`tx ${r.txHash}`);
          placed = r.statements;
        }
        for (const s of placed)
          console.log(`submission ${s.submissionId} (batch ${s.batchId} slot ${s.slot}, fee ${formatEther(s.feePerProof)} ETH)`);
        if (!o.wait) return 0;
        let code = 0;
        for (const s of placed) code = Math.max(code, await waitAndPrint(client, s.submissionId, timeout));
        return code;
      }),
    );

  subcommand(group, 'deposit', 'Deposit ETH for off-chain requests')
    .argument('<eth>', "amount in ETH (e.g. 0.1) or '<n> wei'")
    .action(
      action(ctx, async (cmd) => {
        const amount = eth(cmd.args[0], 'amount')!;
        const r = await deposit(await clientFrom(cmd.opts<CommonOptions>(), true), amount);
        console.log(`deposited ${formatEther(amount)} ETH; balance ${formatEther(r.balance)} ETH; tx ${r.txHash}`);
        return 0;
      }),
    );

  subcommand(group, 'withdraw', 'Withdraw from the deposit: announce an amount, then execute after the notice')
    .description("--request <eth> announces a withdrawal; without it, executes the announced one (after the market's withdrawalDelay).")
    .option('--request <eth>', "announce a withdrawal of this amount (ETH or '<n> wei')")
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<CommonOptions & { request?: string }>();
        const client = await clientFrom(o, true);
        if (o.request !== undefined) {
          const r = await requestWithdrawal(client, eth(o.request, '--request')!);
          console.log(`withdrawal announced; executable from ${time(r.withdrawableAt)}; tx ${r.txHash}`);
          return 0;
        }
        const r = await withdraw(client);
        console.log(`withdrew ${formatEther(r.amount)} ETH; tx ${r.txHash}`);
        return 0;
      }),
    );

  subcommand(group, 'status', 'Show a submission, a program, or your deposit account')
    .usage('<submissionId> [options]\n       nex rollup status --program <id>\n       nex rollup status --account-of <address>')
    .argument('[submissionId]', 'submission id (batchId * 64 + slot)')
    .option('--program <id>', 'show a program')
    .option('--account-of <address>', 'show a deposit account')
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<CommonOptions & { program?: string; accountOf?: string }>();
        const client = await clientFrom(o, false);
        if (o.program) {
          const p = await getProgram(client, programIdArg(o.program));
          console.log(p ? JSON.stringify(p, null, 2) : `program ${o.program} is not registered`);
          return p ? 0 : 1;
        }
        if (o.accountOf) {
          const a = await getAccount(client, o.accountOf as Hex);
          console.log(
            `balance ${formatEther(a.balance)} ETH (free ${formatEther(a.free)}), nonce ${a.nonce}` +
              (a.withdrawableAt ? `, withdrawal of ${formatEther(a.pendingWithdrawal)} ETH from ${time(a.withdrawableAt)}` : ''),
          );
          return 0;
        }
        const id = submissionId(cmd.args[0]);
        const b = await getBatch(client, batchOf(id));
        console.log(
          [
            `submission ${id}: batch ${b.batchId} slot ${slotOf(id)}: ${b.state}${b.posted ? ' (posted)' : ''}, ${b.count}/${b.capacity} statements`,
            `  opened ${time(b.openedAt)}, sealed ${time(b.sealedAt)}, expires ${time(b.expiry)}`,
            ...(b.lockDeadline ? [`  locked by ${b.locker}, lock deadline ${time(b.lockDeadline)}, final ${time(b.finalDeadline)}`] : []),
          ].join('\n'),
        );
        return 0;
      }),
    );

  subcommand(group, 'wait', 'Wait until a submission is verified (or excluded, or its batch ends unproven)')
    .description('Prints the inclusion path. Exit code 0 when verified, 1 when it ended otherwise or timed out.')
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

  subcommand(group, 'verified', 'Ask the market whether a statement is verified')
    .description(
      'With --inclusion (the JSON nex rollup wait prints), checks the path; without, the recorded statements.\nExit code 0 when verified, 1 otherwise.',
    )
    .option('--program <id>', 'program id')
    .option('--inputs <hex,…|file.json>', 'public inputs of the statement')
    .option('--inclusion <json>', '{"batchId","index","siblings"} from nex rollup wait')
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<CommonOptions & { program?: string; inputs?: string; inclusion?: string }>();
        if (!o.program || !o.inputs) throw new UsageError('--program and --inputs are required');
        const raw = o.inclusion ? (JSON.parse(o.inclusion) as { batchId: string; index: number; siblings: Hex[] }) : undefined;
        const inclusion = raw ? { batchId: BigInt(raw.batchId), index: Number(raw.index), siblings: raw.siblings } : undefined;
        const client = await clientFrom(o, false);
        const ok = await isVerified(client, { programId: programIdArg(o.program), publicInputs: readInputs(o.inputs), inclusion });
        console.log(`statement ${ok ? 'VERIFIED' : 'NOT verified'} for program ${o.program}`);
        return ok ? 0 : 1;
      }),
    );

  subcommand(group, 'fee', 'Estimate the fee per proof of a channel and the expected latency')
    .addOption(new Option('--channel <channel>', 'calldata, blob or offchain').argParser(channelOf).default('calldata'))
    .option('--batch-size <n>', 'batch size the estimate assumes (default: the market capacity; 32 off-chain)')
    .option('--program <id>', "include this program's callback gas")
    .action(
      action(ctx, async (cmd) => {
        const o = cmd.opts<CommonOptions & { channel: Channel; batchSize?: string; program?: string }>();
        const batchSize = o.batchSize === undefined ? undefined : Number(o.batchSize);
        const client = await clientFrom(o, false);
        const program = o.program ? await getProgram(client, programIdArg(o.program)) : undefined;
        const [f, params] = await Promise.all([
          estimateFee(client, { channel: o.channel, batchSize, callbackGas: program?.callbackGas }),
          getParams(client),
        ]);
        const l = computeLatency(params, batchSize);
        console.log(
          [
            `channel ${f.channel}, batch of ${f.batchSize}, gas price ${f.gasPrice} wei`,
            `minimum fee per proof:   ${formatEther(f.minFeePerProof)} ETH`,
            `suggested fee per proof: ${formatEther(f.suggestedFee)} ETH (covers ${f.feeGasPerProof} gas of the batch's fixed cost and callbacks)`,
            `all-in L1 gas per proof: ${f.allInGasPerProof} (your own intake: ${f.intakeGasPerProof})`,
            `latency: sealed within ${l.sealWithinSec} s, assignment ${l.assignmentWindowSec} s, proving window ${l.provingWindowSec} s`,
            `  verified within ${l.expectedMaxSec} s by the assigned prover; ${l.worstCaseSec} s worst case; releasable after ${l.releasableAfterSec} s`,
          ].join('\n'),
        );
        return 0;
      }),
    );
};
