// `nex prove example`, `nex aggregate`, `nex verify`: the prover engine's commands.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { bytesToHex, hexToBytes, isAddress } from 'viem';
import type { AggProof, BackendOptions, Hex } from '../../engine/backend.js';
import { openBackend } from '../../engine/backend.js';
import { type BatchJson, batchFromJson, type RollupProofJson, rollupFromJson, rollupToJson } from '../../engine/batch.js';
import { splitRoot } from '../../engine/commitment.js';
import { aggregateBatch, type AggregateResult } from '../../engine/index.js';
import { jsonLogger } from '../../engine/logger.js';
import type { ProgressEvent } from '../../engine/scheduler.js';
import { type Command, UsageError } from '../command.js';

type Values = Record<string, string | boolean | undefined>;

function parse(args: readonly string[], options: ParseArgsConfig['options']): Values {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values as Values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const BACKEND_OPTIONS = {
  'build-dir': { type: 'string' },
  'srs-dir': { type: 'string' },
  threads: { type: 'string' },
} as const;
const BACKEND_USAGE = `  --build-dir <dir>   compiled aggregation circuits (default: the circuits module's cache)
  --srs-dir <dir>     SRS directory (default: the SRS module's dev SRS cache)
  --threads <n>       bb threads per instance (default: all cores)`;

function positiveInt(v: string | boolean | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

function backendOptions(v: Values): BackendOptions {
  return {
    buildDir: v['build-dir'] as string | undefined,
    srsDir: v['srs-dir'] as string | undefined,
    threads: positiveInt(v.threads, 'threads'),
  };
}

function required(v: Values, name: string): string {
  const x = v[name];
  if (typeof x !== 'string' || x === '') throw new UsageError(`--${name} is required`);
  return x;
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
  excludedMask: number;
  invalidSlots: number[];
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
        return { kind: 'proof', rollup: { vk: ref.vk, vkHash: ref.vkHash, proof: ref.proof, publicInputs: ref.publicInputs } };
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
    default: {
      const never: never = e;
      return never;
    }
  }
}

// ---- commands ----

const proveExample: Command = {
  path: ['prove', 'example'],
  summary: 'prove a statement of the example rollup circuit to a file',
  usage: `Usage: nex prove example --out <file> [--public-inputs 1|2|4] [--invalid]

Proves one statement of the example rollup circuit (noir-recursive target, ready for aggregation)
and writes { kind: 'rollup-proof', vk, vkHash, proof, publicInputs } as JSON.
  --out <file>            output file
  --public-inputs <n>     public-input count of the example program: 1, 2 or 4 (default 1)
  --invalid               write a proof that does not verify (for exclusion demos)
${BACKEND_USAGE}`,
  async run(args) {
    const v = parse(args, { out: { type: 'string' }, 'public-inputs': { type: 'string' }, invalid: { type: 'boolean' }, ...BACKEND_OPTIONS });
    const out = required(v, 'out');
    const n = Number(v['public-inputs'] ?? 1);
    if (n !== 1 && n !== 2 && n !== 4) throw new UsageError('--public-inputs must be 1, 2 or 4');
    const backend = await openBackend(backendOptions(v));
    let rollup;
    try {
      rollup = await backend.proveExampleRollup({ publicInputCount: n, seed: `cli-${Date.now()}`, valid: v.invalid !== true });
    } finally {
      await backend.close();
    }
    const file: RollupProofFile = { kind: 'rollup-proof', ...rollupToJson(rollup) };
    await writeJson(out, file);
    console.log(`wrote ${out}: ${rollup.publicInputs.length} public input(s), vkHash ${rollup.vkHash}, ${rollup.proof.length} proof bytes`);
    return 0;
  },
};

const aggregate: Command = {
  path: ['aggregate'],
  summary: 'aggregate a batch of rollup proofs into one EVM root proof',
  usage: `Usage: nex aggregate --batch <file.json> --prover <address> --out <file> [options]

Pre-checks every proof (invalid ones are excluded unless --no-auto-exclude), proves the aggregation tree
in worker processes with checkpoints (a rerun resumes), and writes the root proof and its public inputs.
  --batch <file>          { capacity, slots: [{kind:'proof', rollup:{vk,vkHash,proof,publicInputs}} | {kind:'proof', file} | {kind:'empty'} | {kind:'excluded'}] }
  --prover <address>      prover credited with the fulfilment (public input of the root)
  --out <file>            output file
  --parallelism <n>       worker processes (default 1: bb already uses every core)
  --queue <url>           prove through this queue (redis:// or rediss://) with \`nex worker\` processes instead
                          (env NEX_QUEUE_URL; --queue-name <name>, default prove)
  --checkpoint-dir <dir>  checkpoint directory (default: <tmp>/nex-prover-checkpoints)
  --no-auto-exclude       fail instead of excluding slots that fail the pre-check
  --log-level <level>     debug|info|warn|error for the JSON logs on stderr (default info)
${BACKEND_USAGE}`,
  async run(args) {
    const v = parse(args, {
      batch: { type: 'string' }, prover: { type: 'string' }, out: { type: 'string' }, parallelism: { type: 'string' },
      queue: { type: 'string' }, 'queue-name': { type: 'string' }, 'checkpoint-dir': { type: 'string' }, 'no-auto-exclude': { type: 'boolean' }, 'log-level': { type: 'string' }, ...BACKEND_OPTIONS,
    });
    const batchFile = required(v, 'batch');
    const out = required(v, 'out');
    const prover = required(v, 'prover');
    if (!isAddress(prover, { strict: false })) throw new UsageError('--prover must be a 20-byte hex address');
    const level = (v['log-level'] ?? 'info') as string;
    if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError('--log-level must be debug, info, warn or error');
    const parallelism = positiveInt(v.parallelism, 'parallelism');
    const queueUrl = (v.queue as string | undefined) ?? process.env.NEX_QUEUE_URL;
    if (v['queue-name'] !== undefined && queueUrl === undefined) throw new UsageError('--queue-name needs --queue');
    const backend = backendOptions(v);
    const batch = await loadBatchFile(batchFile);
    const ac = new AbortController();
    const onSignal = (): void => ac.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const res = await aggregateBatch({
        batch,
        prover: prover as Hex,
        parallelism,
        queue: queueUrl === undefined ? undefined : { url: queueUrl, name: v['queue-name'] as string | undefined },
        checkpointDir: v['checkpoint-dir'] as string | undefined,
        autoExclude: v['no-auto-exclude'] !== true,
        backend,
        logger: jsonLogger({ level: level as 'info' }),
        signal: ac.signal,
        onProgress: (e) => {
          const line = progressLine(e);
          if (line) console.log(line);
        },
      });
      const file: AggregateProofFile = {
        kind: 'aggregate-proof', prover: prover.toLowerCase() as Hex, root: res.root, excludedMask: res.excludedMask,
        invalidSlots: res.invalidSlots, publicInputs: res.publicInputs, proof: bytesToHex(res.proof), stats: res.stats,
      };
      await writeJson(out, file);
      console.log(`wrote ${out}: root ${res.root}, excludedMask 0x${res.excludedMask.toString(16)}` +
        `${res.invalidSlots.length ? `, invalid slots ${res.invalidSlots.join(',')}` : ''}, ${(res.stats.totalMs / 1000).toFixed(1)} s`);
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

const verify: Command = {
  path: ['verify'],
  summary: 'verify a rollup or aggregated proof file with bb, or on an in-process EVM (--evm)',
  usage: `Usage: nex verify --proof <file> [--evm]

Verifies a proof file written by \`nex prove example\` (rollup proof, bb) or \`nex aggregate\` (root proof:
bb with the stored node VK; with --evm the generated Solidity verifier is compiled, deployed on an
in-process Hardhat EVM, and verify(proof, publicInputs) is called). Exit code 0 = valid, 1 = invalid.
  --proof <file>          proof file
  --evm                   verify on the in-process EVM (aggregated proofs only)
${BACKEND_USAGE}`,
  async run(args) {
    const v = parse(args, { proof: { type: 'string' }, evm: { type: 'boolean' }, ...BACKEND_OPTIONS });
    const file = required(v, 'proof');
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
    if (j.publicInputs.length < 3 || BigInt(j.publicInputs[0]!) !== BigInt(hi) || BigInt(j.publicInputs[1]!) !== BigInt(lo) ||
      BigInt(j.publicInputs[2]!) !== BigInt(j.prover)) {
      console.log(`${file}: public inputs do not commit the file's root ${j.root} and prover ${j.prover}`);
      return 1;
    }
    if (v.evm) {
      const { fromVerifierBuild, deployVerifier, evmVerify } = await import('../../engine/evm-verifier.js');
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
      console.log(res.verified
        ? `${file}: root proof valid on the EVM (verify gas ${res.gasUsed}, calldata ${res.calldataBytes} B)`
        : `${file}: root proof INVALID on the EVM (${res.error})`);
      return res.verified ? 0 : 1;
    }
    const backend = await openBackend(bopts);
    try {
      const p: AggProof = { circuit: 'node', target: 'evm', proof, publicInputs: j.publicInputs, root: j.root };
      const ok = await backend.verifyAggProof(p);
      console.log(ok ? `${file}: root proof valid (bb)` : `${file}: root proof INVALID (bb)`);
      return ok ? 0 : 1;
    } finally {
      await backend.close();
    }
  },
};

/** The prover engine's `nex` commands (listed in prover/cli/registry.ts by the lead). */
export const proveCommands: Command[] = [proveExample, aggregate, verify];
