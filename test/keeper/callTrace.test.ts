// The keeper finds the market calls a transaction made through other contracts in its call trace
// (debug_traceTransaction callTracer): the call-tree walk over every intake function of the version-2
// market, and telling an RPC without the debug API apart from a transient failure.
import { expect } from 'chai';
import { encodeFunctionData, HttpRequestError, pad, toHex, zeroAddress, type Address, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../prover/abi/generated.js';
import { isIntakeCall, isTraceUnsupported, marketIntakeCalls, type CallFrame } from '../../prover/keeper/chain/callTrace.js';

const PROGRAM = pad(toHex(0xabc001));

describe('keeper: market calls in a call trace', () => {
  it('walks a call tree: to == market (any case), intake selectors only, reverted frames and their subtrees skipped', () => {
    const submitData = encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'submit', args: [PROGRAM, [], '0x01'] });
    const blobData = encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'submitBlobs', args: [[PROGRAM], [[]], 1n] });
    const postData = encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'postBatch', args: [[], []] });
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
        frame(m, blobData),
        frame(m, postData),
      ],
    });
    expect(marketIntakeCalls(tree, m)).to.deep.equal([submitData, blobData, postData]);
    expect(isIntakeCall(other)).to.equal(false);
    expect(isIntakeCall(encodeFunctionData({ abi: aggregationMarketAbi, functionName: 'seal', args: [1n] }))).to.equal(false);
    expect(marketIntakeCalls(frame(zeroAddress, '0x'), m)).to.deep.equal([]);
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
