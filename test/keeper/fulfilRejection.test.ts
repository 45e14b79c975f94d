// The keeper gives a batch up ('fulfil-rejected') only when the fulfil simulation reverted with a market
// error that retrying the same proof cannot fix, decoded by name (no longer matched in message text).
import { expect } from 'chai';
import { BaseError, ContractFunctionRevertedError, encodeErrorResult, type Hex } from 'viem';
import { aggregationMarketAbi, verifierRouterAbi } from '../../prover/abi/generated.js';
import { fulfilRejection } from '../../prover/keeper/daemon/batchJob.js';
import { toRevertError } from '../../prover/keeper/tx/txManager.js';

/** What the TxManager throws when estimating `fulfill` reverts with `data`. */
function fulfilRevert(data: Hex): unknown {
  const viem = new BaseError('estimate failed', {
    cause: new ContractFunctionRevertedError({ abi: aggregationMarketAbi, data, functionName: 'fulfill' }),
  });
  return toRevertError(viem);
}
const market = (
  errorName: 'MarketInvalidProof' | 'MarketNothingIncluded' | 'MarketFulfilTooLate' | 'MarketNotLocker',
  args: readonly unknown[],
) => encodeErrorResult({ abi: aggregationMarketAbi, errorName, args } as never);

describe('keeper: fulfil rejections', () => {
  it('gives up on an invalid proof, an invalid exclusion or nothing to include', () => {
    expect(fulfilRejection(fulfilRevert(market('MarketInvalidProof', [7n])))).to.equal('MarketInvalidProof');
    expect(fulfilRejection(fulfilRevert(market('MarketNothingIncluded', [7n])))).to.equal('MarketNothingIncluded');
    const mask = encodeErrorResult({ abi: aggregationMarketAbi, errorName: 'MarketInvalidExcludedMask', args: [3n] });
    expect(fulfilRejection(fulfilRevert(mask))).to.equal('MarketInvalidExcludedMask');
  });

  it('keeps retrying on other reverts, reverts it cannot name and non-reverts', () => {
    const lateArgs = [7n, 1000n];
    expect(fulfilRejection(fulfilRevert(market('MarketFulfilTooLate', lateArgs)))).to.equal(undefined);
    expect(fulfilRejection(fulfilRevert(market('MarketNotLocker', [7n, `0x${'11'.repeat(20)}`])))).to.equal(undefined);
    const routerFrozen = encodeErrorResult({ abi: verifierRouterAbi, errorName: 'RouterVersionNotUsable', args: [1] });
    expect(fulfilRejection(fulfilRevert(routerFrozen))).to.equal(undefined);
    expect(fulfilRejection(fulfilRevert('0xdeadbeef'))).to.equal(undefined);
    expect(fulfilRejection(new Error('socket hang up'))).to.equal(undefined);
  });

  it('is not fooled by an error message that merely names a rejection', () => {
    expect(fulfilRejection(new Error('upstream said: MarketInvalidProof'))).to.equal(undefined);
  });
});
