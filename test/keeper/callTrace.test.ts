// The keeper finds a submission's proof when a contract posted it (the market call is an internal
// call): through the transaction's call trace (debug_traceTransaction callTracer), on anvil.
import { expect } from 'chai';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  concat,
  createPublicClient,
  custom,
  fallback,
  encodeFunctionData,
  http,
  HttpRequestError,
  numberToHex,
  pad,
  parseEventLogs,
  toHex,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { aggregationMarketAbi } from '../../prover/abi/v1.js';
import { CallTracer, isTraceUnsupported, marketSubmitCalls, type CallFrame } from '../../prover/keeper/chain/callTrace.js';
import { KeeperDb } from '../../prover/keeper/db/keeperDb.js';
import { createLogger } from '../../prover/keeper/obs/logger.js';
import { fetchBatchInputs, type SlotFetch } from '../../prover/keeper/work/inputs.js';
import { Anvil, DEV_KEYS } from './helpers/anvil.js';

function artifact(path: string): { abi: Abi; bytecode: Hex } {
  return JSON.parse(readFileSync(`artifacts/${path}`, 'utf8')) as { abi: Abi; bytecode: Hex };
}

const FORWARDER = artifact('test/mocks/SubmitForwarder.sol/SubmitForwarder.json');
const PROGRAM = pad(toHex(0xabc001));
const FEE = 10n ** 14n;
const BATCH = 1n; // the market's first batch id

interface Sub {
  programId: Hex;
  inputs: Hex[];
  proof: Hex;
  fee: bigint;
}
const sub = (n: number): Sub => ({
  programId: PROGRAM,
  inputs: [pad(toHex(n)), pad(toHex(n + 1000))],
  proof: toHex(`proof number ${n} `.repeat(20)),
  fee: FEE,
});

/** An RPC client over anvil that counts trace requests and can replace their answers. */
function rpcClient(url: string, traced: Hex[], onTrace?: (hash: Hex, forward: () => Promise<unknown>) => Promise<unknown>): PublicClient {
  const inner = http(url, { retryCount: 0 })({});
  return createPublicClient({
    cacheTime: 0,
    transport: custom(
      {
        async request({ method, params }: { method: string; params?: unknown }) {
          const forward = () => inner.request({ method, params } as never);
          if (method !== 'debug_traceTransaction') return forward();
          const hash = (params as [Hex])[0];
          traced.push(hash);
          return onTrace ? onTrace(hash, forward) : forward();
        },
      },
      { retryCount: 0 },
    ),
  });
}

describe('keeper: submissions posted through a contract (call trace, anvil)', function () {
  this.timeout(120_000);
  let anvil: Anvil;
  let market: Address;
  let forwarder: Address;
  const txs: Record<'direct' | 'forward' | 'packed' | 'all', Hex> = { direct: '0x', forward: '0x', packed: '0x', all: '0x' };
  // Slot order of the batch: direct, forward, packed, all[0], all[1] (the undone one has none).
  const subs = [sub(1), sub(2), sub(3), sub(4), sub(5)];
  const undone = sub(6);

  before(async () => {
    anvil = await Anvil.launch(mkdtempSync(join(tmpdir(), 'nex-keeper-trace-')));
    const admin = anvil.wallet(DEV_KEYS[0]);
    const me = admin.account.address;
    const deploy = async (path: string, args: unknown[]): Promise<Address> => {
      const a = artifact(path);
      const hash = await admin.deployContract({ abi: a.abi, bytecode: a.bytecode, args });
      return (await anvil.client.waitForTransactionReceipt({ hash })).contractAddress!;
    };
    const send = async (to: Address, data: Hex, value = 0n): Promise<Hex> => {
      const hash = await admin.sendTransaction({ to, data, value, gas: 5_000_000n });
      const r = await anvil.client.waitForTransactionReceipt({ hash });
      if (r.status !== 'success') throw new Error(`tx to ${to} reverted`);
      return hash;
    };
    const token = await deploy('contracts/token/NexToken.sol/NexToken.json', [me, 10n ** 27n]);
    const staking = await deploy('contracts/staking/ProverStaking.sol/ProverStaking.json', [token, me, 10n ** 21n]);
    const router = await deploy('contracts/router/VerifierRouter.sol/VerifierRouter.json', [me, me]);
    const params = {
      minFeePerProof: FEE,
      batchCapacity: 16,
      batchTimeout: 300,
      assignmentWindow: 120,
      provingWindowBase: 600,
      provingWindowPerProof: 120,
      secondaryWindow: 1800,
      submissionTtl: 86_400,
      collateralPerProof: 10n ** 19n,
      protocolFeeBps: 500,
      callbackGasLimit: 100_000,
    };
    market = await deploy('contracts/market/AggregationMarket.sol/AggregationMarket.json', [me, me, staking, router, me, params]);
    forwarder = await deploy('test/mocks/SubmitForwarder.sol/SubmitForwarder.json', []);
    await send(market, encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'registerProgram', args: [PROGRAM, '0xabcd', 2] }));

    const [s0, s1, s2, s3, s4] = subs as [Sub, Sub, Sub, Sub, Sub];
    txs.direct = await send(
      market,
      encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'submit', args: [s0.programId, s0.inputs, s0.proof] }),
      FEE,
    );
    txs.forward = await send(
      forwarder,
      encodeFunctionData({ abi: FORWARDER.abi, functionName: 'forward', args: [market, s1.programId, s1.inputs, s1.proof] }),
      FEE,
    );
    const packed = concat([s2.programId, numberToHex(s2.inputs.length, { size: 1 }), ...s2.inputs, s2.proof]);
    txs.packed = await send(
      forwarder,
      encodeFunctionData({ abi: FORWARDER.abi, functionName: 'forwardPacked', args: [market, packed] }),
      FEE,
    );
    txs.all = await send(
      forwarder,
      encodeFunctionData({ abi: FORWARDER.abi, functionName: 'forwardAll', args: [market, [s3, s4], undone] }),
      3n * FEE,
    );
    const r = await anvil.client.getTransactionReceipt({ hash: txs.all });
    const ids = parseEventLogs({ abi: aggregationMarketAbi, eventName: 'Submitted', logs: r.logs }).map((e) => e.args.submissionId);
    expect(ids).to.deep.equal([BATCH * 32n + 3n, BATCH * 32n + 4n]); // the undone submission left no event
  });
  after(async () => anvil?.stop());

  function source(client: PublicClient, lines: string[] = []) {
    const log = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    return { client, db: new KeeperDb(':memory:'), market, startBlock: 0n, maxLogRange: 10_000, log, tracer: new CallTracer(client, log) };
  }

  function expectFound(s: SlotFetch, expected: Sub): void {
    if (!s.ok) expect.fail(`slot ${s.slot} excluded: ${s.reason}`);
    expect(s.input.submissionId).to.equal(BATCH * 32n + BigInt(s.slot));
    expect(s.input.publicInputs).to.deep.equal(expected.inputs);
    expect(s.input.proof).to.equal(expected.proof);
    expect(s.input.vk).to.equal('0xabcd');
  }

  it('a direct submit is read from the transaction input without tracing', async () => {
    const traced: Hex[] = [];
    const [slot0] = await fetchBatchInputs(source(rpcClient(anvil.url, traced)), BATCH, 1);
    expectFound(slot0!, subs[0]!);
    expect(traced).to.deep.equal([]);
  });

  it('forwarded submits (plain, re-packed, two in one tx) are matched to their slots through the trace', async () => {
    const traced: Hex[] = [];
    const slots = await fetchBatchInputs(source(rpcClient(anvil.url, traced)), BATCH, 5);
    slots.forEach((s, i) => expectFound(s, subs[i]!));
    expect(traced).to.deep.equal([txs.forward, txs.packed, txs.all]); // one trace per transaction
  });

  it('the trace yields only the successful market submit calls (the undone sub-call is skipped)', async () => {
    const tracer = new CallTracer(anvil.client, createLogger({ level: 'error', format: 'json', write: () => {} }));
    const calls = await tracer.marketCalls(txs.all, market);
    if (!calls.ok) expect.fail(calls.unsupported);
    // Three market calls ran; the third was inside a reverted sub-call.
    expect(calls.inputs).to.have.length(2);
    expect(calls.inputs.map((d) => d.toLowerCase())).to.deep.equal(
      subs
        .slice(3)
        .map((s) =>
          encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'submit', args: [s.programId, s.inputs, s.proof] }).toLowerCase(),
        ),
    );
  });

  it('walks a call tree: to == market (any case), submit selectors only, reverted frames and their subtrees skipped', () => {
    const submitData = encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'submit', args: [PROGRAM, [], '0x01'] });
    const other = encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'lock', args: [1n] });
    const m = '0x00000000000000000000000000000000000000aa' as Address;
    const frame = (to: Address, input: Hex, extra: Partial<CallFrame> = {}): CallFrame => ({ type: 'CALL', from: m, to, input, ...extra });
    const tree = frame('0x00000000000000000000000000000000000000bb', '0x', {
      calls: [
        frame('0x00000000000000000000000000000000000000AA', submitData),
        frame(m, other),
        frame('0x00000000000000000000000000000000000000cc', submitData),
        frame(m, `${submitData}ff`, { type: 'DELEGATECALL' }),
        frame(m, '0x', { error: 'execution reverted', calls: [frame(m, `${submitData}ee`)] }),
        frame(m, `${submitData}dd`, { error: 'out of gas' }),
      ],
    });
    expect(marketSubmitCalls(tree, m)).to.deep.equal([submitData]);
  });

  it('a trace whose market call differs from the on-chain commitment is rejected', async () => {
    const traced: Hex[] = [];
    // Change one proof byte ('proof' -> 'proog') in every market call of the trace: the event's proofHash no longer matches.
    const tamper = (f: CallFrame): CallFrame => ({
      ...f,
      input: f.to?.toLowerCase() === market.toLowerCase() ? (f.input.replace('70726f6f66', '70726f6f67') as Hex) : f.input,
      calls: f.calls?.map(tamper),
    });
    const client = rpcClient(anvil.url, traced, async (_hash, forward) => tamper((await forward()) as CallFrame));
    const slots = await fetchBatchInputs(source(client), BATCH, 5);
    expectFound(slots[0]!, subs[0]!);
    for (const s of slots.slice(1)) {
      expect(s.ok).to.equal(false);
      if (!s.ok)
        expect(s.reason).to.match(
          /proof matching the event not found in 0x[0-9a-f]{64}: neither its input nor its [12] successful market submit call/,
        );
    }
  });

  it('an RPC without the debug method: forwarded slots excluded with the cause, one warning per keeper run', async () => {
    const traced: Hex[] = [];
    const client = rpcClient(anvil.url, traced, async () => {
      throw Object.assign(new Error('the method debug_traceTransaction does not exist/is not available'), { code: -32601 });
    });
    const lines: string[] = [];
    const src = source(client, lines);
    for (let run = 0; run < 2; run++) {
      const slots = await fetchBatchInputs(src, BATCH, 5);
      expectFound(slots[0]!, subs[0]!);
      for (const s of slots.slice(1)) {
        expect(s.ok).to.equal(false);
        if (!s.ok)
          expect(s.reason)
            .to.include('submitted through another contract and the RPC does not serve debug_traceTransaction callTracer')
            .and.include('use an RPC with the debug API, e.g. anvil, geth, reth, or post directly to the market');
      }
    }
    expect(traced).to.have.length(6); // 3 forwarding transactions, 2 runs
    const warnings = lines.map((l) => JSON.parse(l) as { level: string; msg: string; error?: string }).filter((l) => l.level === 'warn');
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.msg).to.include('does not serve debug_traceTransaction');
    expect(warnings[0]!.error).to.include('does not exist');
  });

  it('a fallback RPC with the debug API serves the trace when the primary lacks it', async () => {
    const askedPrimary: Hex[] = [];
    const primary = rpcClient(anvil.url, askedPrimary, async () => {
      throw Object.assign(new Error('Method not found'), { code: -32601 });
    });
    const client = createPublicClient({
      cacheTime: 0,
      transport: fallback([custom(primary), http(anvil.url, { retryCount: 0 })], { retryCount: 0 }),
    });
    const slots = await fetchBatchInputs(source(client), BATCH, 2);
    slots.forEach((s, i) => expectFound(s, subs[i]!));
    expect(askedPrimary).to.deep.equal([txs.forward]);
  });

  it('a transient RPC error while tracing fails the fetch (the caller retries) instead of excluding the slot', async () => {
    const client = rpcClient(anvil.url, [], async () => {
      throw new HttpRequestError({ url: anvil.url, status: 503, details: 'Service Unavailable' });
    });
    const src = source(client);
    await fetchBatchInputs(src, BATCH, 5).then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err.message).to.match(/^fetching batch 1 slot 1: /),
    );
  });

  it('tells "method or tracer not served" apart from transient failures', () => {
    const rpc = (code: number, message: string) => Object.assign(new Error(message), { code });
    for (const e of [
      rpc(-32601, 'the method debug_traceTransaction does not exist/is not available'),
      rpc(-32004, 'method not supported'),
      rpc(-32000, 'tracer not found'),
      rpc(-32602, 'Hardhat currently only supports the default tracer'),
      rpc(-32600, 'debug_traceTransaction is not available on the Free tier'),
      new Error('wrapped', { cause: rpc(-32601, 'Method not found') }),
    ])
      expect(isTraceUnsupported(e), e.message).to.equal(true);
    for (const e of [
      new HttpRequestError({ url: 'http://x', status: 503 }),
      new Error('The request took too long to respond.'),
      rpc(-32005, 'limit exceeded'),
      rpc(-32603, 'internal error'),
      rpc(-32000, 'header not found'),
      rpc(429, 'Too Many Requests'),
    ])
      expect(isTraceUnsupported(e), e.message).to.equal(false);
  });
});
