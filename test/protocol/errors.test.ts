// The error base (NexError) and the one revert decoder of prover/protocol, without a chain: reverts are
// built as viem and the nodes build them (ContractFunctionRevertedError, a JSON-RPC error with revert
// data, ExecutionRevertedError). The SDK, keeper and deploy tests exercise the same code against anvil.
import { expect } from 'chai';
import {
  BaseError,
  ContractFunctionRevertedError,
  EstimateGasExecutionError,
  ExecutionRevertedError,
  HttpRequestError,
  RpcRequestError,
  encodeErrorResult,
  getAddress,
  slice,
  type Hex,
} from 'viem';
import { aggregationMarketAbi, proverStakingAbi, verifierRouterAbi } from '../../prover/abi/generated.js';
import { NexError, walkCauses } from '../../prover/protocol/errors.js';
import { decodeRevert, decodeRevertData, nexErrorsAbi, revertErrorName } from '../../prover/protocol/revert.js';

const FEE_BELOW_FLOOR = encodeErrorResult({ abi: aggregationMarketAbi, errorName: 'MarketFeeBelowFloor', args: [1n, 2n] });
const NO_USABLE_VERSION = encodeErrorResult({ abi: verifierRouterAbi, errorName: 'RouterNoUsableVersion' });
const NOTHING_TO_WITHDRAW = encodeErrorResult({
  abi: proverStakingAbi,
  errorName: 'StakingNothingToWithdraw',
  args: ['0x00000000000000000000000000000000000000aa', 20n],
});
const UNKNOWN_SELECTOR: Hex = '0xdeadbeef';

/** What viem's simulateContract / readContract throws for a revert of `market.<functionName>`. */
function simulationRevert(data: Hex, functionName = 'submit'): BaseError {
  return new BaseError('simulation failed', {
    cause: new ContractFunctionRevertedError({ abi: aggregationMarketAbi, data, functionName }),
  });
}

/** What viem's estimateGas throws against anvil: the node's JSON-RPC error (code 3) at the bottom. */
function estimateGasRevert(data: Hex | undefined): BaseError {
  const rpc = new RpcRequestError({ body: {}, url: 'http://127.0.0.1:8545', error: { code: 3, message: 'execution reverted', data } });
  return new EstimateGasExecutionError(new ExecutionRevertedError({ cause: rpc, message: 'execution reverted' }), {});
}

describe('protocol errors: NexError', () => {
  it('keeps the short message, meta messages, details and cause, one per line in message', () => {
    const cause = new Error('root cause');
    const e = new NexError('it failed', { metaMessages: ['line a', 'line b'], details: 'do this', cause });
    expect(e.shortMessage).to.equal('it failed');
    expect(e.message).to.equal('it failed\nline a\nline b\ndo this');
    expect(e.metaMessages).to.deep.equal(['line a', 'line b']);
    expect(e.details).to.equal('do this');
    expect(e.cause).to.equal(cause);
    expect(e.name).to.equal('NexError');
    expect(e).to.be.instanceOf(Error);
    expect(new NexError('plain').message).to.equal('plain');
    expect(Object.hasOwn(new NexError('no cause'), 'cause')).to.equal(false);
  });

  it('subclasses keep their own stable name', () => {
    class ThingError extends NexError {
      override readonly name = 'ThingError';
    }
    const e = new ThingError('x');
    expect(e.name).to.equal('ThingError');
    expect(e).to.be.instanceOf(NexError);
    expect(String(e)).to.equal('ThingError: x');
  });

  it('walks the cause chain, through non-NEX errors too', () => {
    const bottom = { code: 3, data: '0x' };
    const middle = new Error('middle', { cause: bottom });
    const top = new NexError('top', { cause: middle });
    expect(top.walk()).to.equal(bottom);
    expect(top.walk((e) => e === middle)).to.equal(middle);
    expect(top.walk(() => false)).to.equal(undefined);
    expect(walkCauses('not an error')).to.equal('not an error');
  });
});

describe('protocol errors: the revert decoder', () => {
  /** Revert data of `item` with placeholder arguments. */
  const sample = (item: (typeof nexErrorsAbi)[number]): Hex => {
    const value = (type: string): unknown =>
      type === 'string' ? 'x' : type === 'address' ? `0x${'11'.repeat(20)}` : type === 'bytes32' ? `0x${'22'.repeat(32)}` : 1n;
    return encodeErrorResult({ abi: [item], errorName: item.name, args: item.inputs.map((i) => value(i.type)) } as never);
  };

  it('knows every NEX error once, by a unique name and selector', () => {
    const names = nexErrorsAbi.map((e) => e.name);
    expect(new Set(names).size).to.equal(names.length);
    const selectors = nexErrorsAbi.map((e) => slice(sample(e), 0, 4));
    expect(new Set(selectors).size).to.equal(selectors.length);
    expect(names).to.include.members([
      'MarketZeroAddress',
      'StakingZeroAddress',
      'RouterVersionNotUsable',
      'MarketVersionNotUsable',
      'NexTokenZeroSupply',
      'AccessControlUnauthorizedAccount',
      'EnforcedPause',
    ]);
  });

  it('decodes every NEX error back to its name (round trip over the whole ABI)', () => {
    expect(nexErrorsAbi.length).to.be.greaterThan(60);
    for (const item of nexErrorsAbi) expect(decodeRevertData(sample(item)).errorName, item.name).to.equal(item.name);
  });

  it('decodes a simulation revert by name, with typed arguments', () => {
    const r = decodeRevert(simulationRevert(FEE_BELOW_FLOOR));
    expect(r).to.deep.equal({ errorName: 'MarketFeeBelowFloor', args: [1n, 2n], data: FEE_BELOW_FLOOR });
  });

  it('decodes a revert of another NEX contract under a market call (the router under submit)', () => {
    // viem cannot decode it with the market ABI the call used; the decoder reads the raw data.
    const err = simulationRevert(NO_USABLE_VERSION);
    expect((err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError).data).to.equal(undefined);
    expect(revertErrorName(err)).to.equal('RouterNoUsableVersion');
  });

  it('decodes the revert data of a JSON-RPC error (eth_estimateGas against a node)', () => {
    expect(decodeRevert(estimateGasRevert(NOTHING_TO_WITHDRAW))).to.deep.equal({
      errorName: 'StakingNothingToWithdraw',
      args: [getAddress('0x00000000000000000000000000000000000000aa'), 20n],
      data: NOTHING_TO_WITHDRAW,
    });
    // Some providers nest it one level deeper.
    const nested = new Error('call failed', { cause: { code: 3, message: 'execution reverted', data: { data: FEE_BELOW_FLOOR } } });
    expect(revertErrorName(nested)).to.equal('MarketFeeBelowFloor');
  });

  it('decodes require strings and panics as Error and Panic', () => {
    const reason = encodeErrorResult({
      abi: [{ type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] }],
      errorName: 'Error',
      args: ['nope'],
    });
    expect(decodeRevertData(reason)).to.deep.equal({ errorName: 'Error', args: ['nope'], data: reason });
    const panic = encodeErrorResult({
      abi: [{ type: 'error', name: 'Panic', inputs: [{ name: 'code', type: 'uint256' }] }],
      errorName: 'Panic',
      args: [0x11n],
    });
    expect(decodeRevertData(panic).errorName).to.equal('Panic');
  });

  it('reports a revert it cannot name (unknown selector, or no data) as a revert without a name', () => {
    expect(decodeRevert(simulationRevert(UNKNOWN_SELECTOR))).to.deep.equal({ errorName: undefined, args: [], data: UNKNOWN_SELECTOR });
    expect(decodeRevert(estimateGasRevert(undefined))).to.deep.equal({ errorName: undefined, args: [], data: undefined });
    expect(decodeRevert(estimateGasRevert('0x'))).to.deep.equal({ errorName: undefined, args: [], data: undefined });
  });

  it('is not fooled by text: an error that only mentions a NEX error or "revert" is not a revert', () => {
    expect(decodeRevert(new Error('reverted: MarketInvalidProof(3)'))).to.equal(undefined);
    const transport = new HttpRequestError({ url: 'http://127.0.0.1:1', details: 'execution reverted (connection refused)' });
    expect(decodeRevert(transport)).to.equal(undefined);
    // `data` on an error that is no revert carrier (here a plain Error) is not revert data.
    expect(decodeRevert(Object.assign(new Error('x'), { data: FEE_BELOW_FLOOR }))).to.equal(undefined);
    expect(decodeRevert(undefined)).to.equal(undefined);
  });
});

describe('protocol errors: every error class of the code base is a NexError', () => {
  it('keeps each class its name, message and cause', async () => {
    const classes: [string, new (message: string, options?: { cause?: unknown }) => Error][] = [
      ['WorkerCrashError', (await import('../../prover/engine/scheduler.js')).WorkerCrashError],
      ['ConfigError', (await import('../../prover/engine/config.js')).ConfigError],
      ['BatchError', (await import('../../prover/engine/batch.js')).BatchError],
      ['InsecureSrsError', (await import('../../prover/protocol/devnet.js')).InsecureSrsError],
      ['UsageError', (await import('../../prover/cli/command.js')).UsageError],
      ['KeystoreError', (await import('../../prover/keeper/config/keystore.js')).KeystoreError],
      ['DemoError', (await import('../../prover/demo/run.js')).DemoError],
      ['CommitmentError', (await import('../../prover/protocol/commitmentError.js')).CommitmentError],
      ['ArtifactError', (await import('../../deploy/artifacts.js')).ArtifactError],
      ['VerifierBuildError', (await import('../../deploy/verifierBuild.js')).VerifierBuildError],
      ['DeployError', (await import('../../deploy/deploy.js')).DeployError],
      ['ParametersError', (await import('../../deploy/parameters.js')).ParametersError],
      ['NodeStartError', (await import('../../deploy/devnet/node.js')).NodeStartError],
      ['AbiModuleError', (await import('../../scripts/abiModule.js')).AbiModuleError],
      ['SrsNotReadyError', (await import('../../prover/engine/srs/open.js')).SrsNotReadyError],
    ];
    const cause = new Error('below');
    for (const [name, Class] of classes) {
      const e = new Class('what happened', { cause });
      expect(e, name).to.be.instanceOf(NexError);
      expect(e.name).to.equal(name);
      expect(e.message).to.equal('what happened');
      expect((e as NexError).shortMessage).to.equal('what happened');
      expect(e.cause).to.equal(cause);
    }
    // The classes with their own constructors keep the information they carry.
    const { JobFailedError } = await import('../../prover/engine/scheduler.js');
    const job = new JobFailedError('leaf-3', 'bb crashed', { cause });
    expect([job instanceof NexError, job.name, job.jobId, job.message, job.cause]).to.deep.equal([
      true,
      'JobFailedError',
      'leaf-3',
      'bb crashed',
      cause,
    ]);
    const { ConfigError: KeeperConfigError } = await import('../../prover/keeper/config/config.js');
    const config = new KeeperConfigError(['rpcUrls: missing']);
    expect([config instanceof NexError, config.name, config.problems]).to.deep.equal([true, 'ConfigError', ['rpcUrls: missing']]);
    expect(config.message).to.equal('invalid keeper configuration:\n  - rpcUrls: missing');
    const { RevertError } = await import('../../prover/keeper/tx/txManager.js');
    const revert = new RevertError('MarketInvalidProof', [3n], { cause });
    expect([revert instanceof NexError, revert.name, revert.errorName, revert.shortMessage]).to.deep.equal([
      true,
      'RevertError',
      'MarketInvalidProof',
      'reverted: MarketInvalidProof(3)',
    ]);
    const sdk = await import('../../prover/sdk/index.js');
    expect(sdk.NexError).to.equal(NexError);
    expect(new sdk.FeeTooLowError(1n, 2n)).to.be.instanceOf(NexError);
  });
});
