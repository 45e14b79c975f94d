// `nex prove example`, `nex aggregate`, `nex verify`: the prover engine's commands.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { bytesToHex, hexToBytes, isAddress } from 'viem';
import {
  aggregateBatch,
  batchFromJson,
  jsonLogger,
  openBackend,
  rollupFromJson,
  rollupToJson,
  type AggProof,
  type AggregateResult,
  type BackendOptions,
  type BatchJson,
  type Hex,
  type LogLevel,
  type ProgressEvent,
  type RollupProofJson,
} from '../../engine/index.js';
import { splitRoot } from '../../protocol/index.js';
import { action, type CliContext, type DefineCommand, positiveInt, UsageError } from '../command.js';

/** Where the prover finds its circuits and SRS (options of prove, aggregate and verify). */
interface BackendFlags {
  buildDir?: string;
  srsDir?: string;
  threads?: number;
}

function backendOptionList(): Option[] {
  return [
    new Option('--build-dir <dir>', "compiled aggregation circuits (default: the circuits module's cache, $NEX_BUILD_DIR)"),
    new Option('--srs-dir <dir>', "SRS directory (default: the SRS module's dev SRS cache)"),
    new Option('--threads <n>', 'bb threads per instance (default: all cores)').argParser(positiveInt('threads')),
  ];
}

function withBackendOptions(cmd: Command): Command {
  for (const o of backendOptionList()) cmd.addOption(o);
  return cmd;
}

function backendOptions(v: BackendFlags): BackendOptions {
  return { buildDir: v.buildDir, srsDir: v.srsDir, threads: v.threads };
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`);
  }
}

// ---- proof files ----

/** A rollup proof file (`nex prove example`). */
export interface RollupProofFile extends RollupProofJson {
  kind: 'rollup-proof';
}

/** An aggregated proof file (`nex aggregate`). */
export interface AggregateProofFile {
  kind: 'aggregate-proof';
  prover: Hex;
  root: Hex;
  /** The market's uint64 exclusion mask, as hex (bit i = slot i excluded). */
  excludedMask: Hex;
  invalidSlots: number[];
  /** Slots excluded because their leaf failed after the pre-check. */
  failedSlots: number[];
  publicInputs: Hex[];
  proof: Hex;
  stats: AggregateResult['stats'];
}

/**
 * Batch files hold `{ capacity, slots }`; a proof slot is either inline (`{ kind: 'proof', rollup: {...} }`)
 * or a reference to a rollup proof file (`{ kind: 'proof', file: 'r0.json' }`, relative to the batch file).
 */
export async function loadBatchFile(file: string): Promise<ReturnType<typeof batchFromJson>> {
  const j = (await readJson(file)) as { capacity?: unknown; slots?: unknown };
  if (typeof j !== 'object' || j === null || !Array.isArray(j.slots)) throw new Error(`${file}: expected { capacity, slots: [...] }`);
  const slots = await Promise.all(
    (j.slots as Record<string, unknown>[]).map(async (s, i) => {
      if (s?.kind === 'proof' && typeof s.file === 'string') {
        const ref = (await readJson(path.resolve(path.dirname(file), s.file))) as RollupProofFile;
        if (ref?.kind !== 'rollup-proof') throw new Error(`${file}: slots[${i}].file ${s.file} is not a rollup proof file`);
        return {
          kind: 'proof',
          rollup: { vk: ref.vk, vkHash: ref.vkHash, owner: ref.owner, proof: ref.proof, publicInputs: ref.publicInputs },
        };
      }
      return s;
    }),
  );
  return batchFromJson({ capacity: j.capacity, slots } as BatchJson);
}

function progressLine(e: ProgressEvent): string | undefined {
  switch (e.type) {
    case 'level-started':
      return `level ${e.level + 1} of ${e.levels}: ${e.jobs} job(s)`;
    case 'level-finished':
      return `level ${e.level + 1} of ${e.levels} done in ${(e.elapsedMs / 1000).toFixed(1)} s`;
    case 'job-started':
      return `  ${e.jobId} (${e.circuit}) started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`;
    case 'job-finished':
      return `  ${e.jobId} (${e.circuit}) proven in ${(e.ms / 1000).toFixed(1)} s${e.rssMiB ? `, bb peak ${e.rssMiB} MiB` : ''} [${e.done}/${e.total}]`;
    case 'job-retry':
      return `  ${e.jobId} retried: ${e.reason}`;
    case 'job-failed':
      return `  ${e.jobId} (${e.circuit}) FAILED for its inputs (slots ${e.slots.join(', ')}): ${e.reason}`;
    case 'slots-excluded':
      return `slot(s) ${e.slots.join(', ')} excluded; the tree is planned again (proofs already made are reused)`;
    default: {
      const never: never = e;
      return never;
    }
  }
}

// ---- commands ----

/** `nex prove example` */
export const prove: DefineCommand = (group, ctx) => {
  withBackendOptions(
    group
      .command('example')
      .summary('Prove a statement of the example rollup circuit to a file')
      .description(
        'Proves one statement of the example rollup circuit (noir-recursive target, ready for aggregation)\n' +
          "and writes { kind: 'rollup-proof', vk, vkHash, owner, proof, publicInputs } as JSON. The statement belongs to\n" +
          'the program `--owner` registers (program id = keccak256(abi.encode(owner, vkHash))).',
      )
      .option('--out <file>', 'output file (required)')
      .addOption(
        new Option('--public-inputs <n>', 'public-input count of the example program: 1, 2 or 4').default(1).argParser((v) => {
          const n = Number(v);
          if (n !== 1 && n !== 2 && n !== 4) throw new InvalidArgumentError('--public-inputs must be 1, 2 or 4');
          return n as 1 | 2 | 4;
        }),
      )
      .option('--invalid', 'write a proof that does not verify (for exclusion demos)')
      .option('--owner <address>', "the address that registers the example program (default: the toolchain's EXAMPLE_OWNER)"),
  ).action(
    action(ctx, async (cmd) => {
      const v = cmd.opts<BackendFlags & { out?: string; publicInputs: 1 | 2 | 4; invalid?: boolean; owner?: string }>();
      const out = required(v.out, 'out');
      if (v.owner !== undefined && !isAddress(v.owner, { strict: false })) throw new UsageError('--owner must be a 20-byte hex address');
      const { openExampleBackend } = await import('../../toolchain/index.js');
      const backend = await openExampleBackend(backendOptions(v));
      let rollup;
      try {
        rollup = await backend.proveExampleRollup({
          publicInputCount: v.publicInputs,
          seed: `cli-${Date.now()}`,
          valid: v.invalid !== true,
          owner: v.owner as Hex | undefined,
        });
      } finally {
        await backend.close();
      }
      const file: RollupProofFile = { kind: 'rollup-proof', ...rollupToJson(rollup) };
      await writeJson(out, file);
      console.log(
        `wrote ${out}: ${rollup.publicInputs.length} public input(s), vkHash ${rollup.vkHash}, ${rollup.proof.length} proof bytes`,
      );
      return 0;
    }),
  );
};

/** `nex aggregate` */
export const aggregate: DefineCommand = (cmd, ctx) => {
  withBackendOptions(
    cmd
      .description(
        'Pre-checks every proof (invalid ones are excluded unless --no-auto-exclude), proves the aggregation tree\n' +
          'in worker processes with checkpoints (a rerun resumes), and writes the root proof and its public inputs.',
      )
      .option(
        '--batch <file>',
        "{ capacity, slots: [{kind:'proof', rollup:{vk,vkHash,owner,proof,publicInputs}} | {kind:'proof', file} | {kind:'empty'} | {kind:'excluded'}] } (required)",
      )
      .option('--prover <address>', 'prover credited with the fulfilment (public input of the root) (required)')
      .option('--out <file>', 'output file (required)')
      .addOption(
        new Option('--parallelism <n>', 'worker processes (default 1: bb already uses every core)').argParser(positiveInt('parallelism')),
      )
      .option('--checkpoint-dir <dir>', 'checkpoint directory (default: <tmp>/nex-prover-checkpoints)')
      .option('--no-auto-exclude', 'fail instead of excluding slots that fail the pre-check')
      .addOption(
        new Option('--queue <url>', 'prove through this queue (redis:// or rediss://) with `nex worker` processes instead').env(
          'NEX_QUEUE_URL',
        ),
      )
      .addOption(new Option('--queue-name <name>', 'name of the proving queue (default prove; same as the workers)'))
      .addOption(
        new Option('--log-level <level>', 'level of the JSON logs on stderr').choices(['debug', 'info', 'warn', 'error']).default('info'),
      ),
  ).action(
    action(ctx, async (c) => {
      const v = c.opts<
        BackendFlags & {
          batch?: string;
          prover?: string;
          out?: string;
          parallelism?: number;
          checkpointDir?: string;
          autoExclude: boolean;
          queue?: string;
          queueName?: string;
          logLevel: LogLevel;
        }
      >();
      if (v.queueName !== undefined && v.queue === undefined) throw new UsageError('--queue-name needs --queue');
      const batchFile = required(v.batch, 'batch');
      const out = required(v.out, 'out');
      const prover = required(v.prover, 'prover');
      if (!isAddress(prover, { strict: false })) throw new UsageError('--prover must be a 20-byte hex address');
      const batch = await loadBatchFile(batchFile);
      const ac = new AbortController();
      const onSignal = (): void => ac.abort(new Error('interrupted'));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const res = await aggregateBatch({
          batch,
          prover: prover as Hex,
          parallelism: v.parallelism,
          checkpointDir: v.checkpointDir,
          autoExclude: v.autoExclude,
          queue: v.queue === undefined ? undefined : { url: v.queue, name: v.queueName },
          backend: backendOptions(v),
          logger: jsonLogger({ level: v.logLevel }),
          signal: ac.signal,
          onProgress: (e) => {
            const line = progressLine(e);
            if (line) console.log(line);
          },
        });
        const file: AggregateProofFile = {
          kind: 'aggregate-proof',
          prover: prover.toLowerCase() as Hex,
          root: res.root,
          excludedMask: `0x${res.excludedMask.toString(16)}`,
          invalidSlots: res.invalidSlots,
          failedSlots: res.failedSlots,
          publicInputs: res.publicInputs,
          proof: bytesToHex(res.proof),
          stats: res.stats,
        };
        await writeJson(out, file);
        console.log(
          `wrote ${out}: root ${res.root}, excludedMask 0x${res.excludedMask.toString(16)}` +
            `${res.invalidSlots.length ? `, invalid slots ${res.invalidSlots.join(',')}` : ''}` +
            `${res.failedSlots.length ? `, failed slots ${res.failedSlots.join(',')}` : ''}, ${(res.stats.totalMs / 1000).toFixed(1)} s`,
        );
        return 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    }),
  );
};

/** `nex verify` */
export const verify: DefineCommand = (cmd, ctx: CliContext) => {
  withBackendOptions(
    cmd
      .description(
        'Verifies a proof file written by `nex prove example` (rollup proof, bb) or `nex aggregate` (root proof:\n' +
          'bb with the stored node VK; with --evm the generated Solidity verifier is compiled, deployed on an\n' +
          'in-process Hardhat EVM, and verify(proof, publicInputs) is called). Exit code 0 = valid, 1 = invalid.',
      )
      .option('--proof <file>', 'proof file (required)')
      .option('--evm', 'verify on the in-process EVM (aggregated proofs only)'),
  ).action(
    action(ctx, async (c) => {
      const v = c.opts<BackendFlags & { proof?: string; evm?: boolean }>();
      const file = required(v.proof, 'proof');
      const j = (await readJson(file)) as RollupProofFile | AggregateProofFile;
      const bopts = backendOptions(v);
      if (j?.kind === 'rollup-proof') {
        if (v.evm) throw new UsageError('--evm verifies aggregated proofs only (rollup proofs use the noir-recursive target)');
        const backend = await openBackend(bopts);
        try {
          const ok = await backend.verifyRollupProof(rollupFromJson(j, file));
          console.log(ok ? `${file}: rollup proof valid (bb)` : `${file}: rollup proof INVALID (bb)`);
          return ok ? 0 : 1;
        } finally {
          await backend.close();
        }
      }
      if (j?.kind !== 'aggregate-proof') throw new Error(`${file}: not a proof file (kind must be 'rollup-proof' or 'aggregate-proof')`);
      const proof = hexToBytes(j.proof);
      const [hi, lo] = splitRoot(j.root);
      if (
        j.publicInputs.length < 3 ||
        BigInt(j.publicInputs[0]!) !== BigInt(hi) ||
        BigInt(j.publicInputs[1]!) !== BigInt(lo) ||
        BigInt(j.publicInputs[2]!) !== BigInt(j.prover)
      ) {
        console.log(`${file}: public inputs do not commit the file's root ${j.root} and prover ${j.prover}`);
        return 1;
      }
      if (v.evm) {
        const { fromVerifierBuild, deployVerifier, evmVerify } = await import('../../toolchain/index.js');
        const { network } = await import('hardhat');
        const backend = await openBackend(bopts);
        let compiled;
        try {
          compiled = fromVerifierBuild(await backend.rootVerifier());
        } finally {
          await backend.close();
        }
        const { ethers } = await network.create();
        const [signer] = await ethers.getSigners();
        const deployed = await deployVerifier(compiled, signer!);
        const res = await evmVerify(compiled, deployed.address, signer!, proof, j.publicInputs);
        console.log(
          res.verified
            ? `${file}: root proof valid on the EVM (verify gas ${res.gasUsed}, calldata ${res.calldataBytes} B)`
            : `${file}: root proof INVALID on the EVM (${res.error})`,
        );
        return res.verified ? 0 : 1;
      }
      const backend = await openBackend(bopts);
      try {
        const p: AggProof = { circuit: 'node', target: 'evm-no-zk', proof, publicInputs: j.publicInputs, root: j.root };
        const ok = await backend.verifyAggProof(p);
        console.log(ok ? `${file}: root proof valid (bb)` : `${file}: root proof INVALID (bb)`);
        return ok ? 0 : 1;
      } finally {
        await backend.close();
      }
    }),
  );
};
