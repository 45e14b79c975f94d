// The SDK's revert table (prover/sdk/errors.ts) on the version-2 market's errors, without a chain: reverts
// built as viem builds them from a simulation, decoded by name through the generated (v2) ABI.
import { expect } from 'chai';
import { BaseError, ContractFunctionRevertedError, encodeErrorResult, type Hex } from 'viem';
import { aggregationMarketAbi } from '../../prover/abi/generated.js';
import {
  ContractRevertError,
  FeeTooHighError,
  FeeTooLowError,
  MalformedProofError,
  MarketPausedError,
  NexError,
  NonCanonicalFieldError,
  ProgramExistsError,
  PublicInputCountError,
  UnknownProgramError,
  toNexError,
} from '../../prover/sdk/errors.js';

const ID: Hex = `0x${'ab'.repeat(32)}`;
const ACCOUNT = '0x00000000000000000000000000000000000000AA';

function revert(errorName: string, args: readonly unknown[] = []): BaseError {
  const data = encodeErrorResult({ abi: aggregationMarketAbi, errorName, args } as never);
  return new BaseError('simulation failed', {
    cause: new ContractFunctionRevertedError({ abi: aggregationMarketAbi, data, functionName: 'submit' }),
  });
}

describe('SDK errors: the version-2 market reverts', () => {
  it('maps the v2 intake and program errors to their SDK classes, keeping the arguments', () => {
    const unknown = toNexError(revert('MarketUnknownProgram', [ID]));
    expect(unknown).to.be.instanceOf(UnknownProgramError);
    expect((unknown as UnknownProgramError).programId).to.equal(ID);
    expect(toNexError(revert('MarketProgramExists', [ID]))).to.be.instanceOf(ProgramExistsError);
    const count = toNexError(revert('MarketPublicInputCountMismatch', [ID, 2n, 3n])) as PublicInputCountError;
    expect([count.expected, count.actual]).to.deep.equal([2, 3]);
    const low = toNexError(revert('MarketFeeBelowFloor', [1n, 2n])) as FeeTooLowError;
    expect(low).to.be.instanceOf(FeeTooLowError);
    expect([low.fee, low.minFee]).to.deep.equal([1n, 2n]);
    expect(toNexError(revert('MarketFeeTooHigh', [2n ** 64n]))).to.be.instanceOf(FeeTooHighError);
    const length = toNexError(revert('MarketInvalidProofLength', [64n, 14_656n]));
    expect(length).to.be.instanceOf(MalformedProofError);
    expect((length as Error).message).to.match(/64 bytes; the market's current verifier version takes 14656-byte proofs/);
    expect(toNexError(revert('MarketNonCanonicalVkHash', [ID]))).to.be.instanceOf(NonCanonicalFieldError);
    const input = toNexError(revert('MarketNonCanonicalPublicInput', [1n, ID])) as NonCanonicalFieldError;
    expect([input.index, input.value]).to.deep.equal([1, ID]);
    expect(toNexError(revert('EnforcedPause'))).to.be.instanceOf(MarketPausedError);
  });

  it('explains the off-chain channel errors and names every other v2 error', () => {
    const balance = toNexError(revert('MarketInsufficientBalance', [ACCOUNT, 5n, 9n]));
    expect(balance).to.be.instanceOf(NexError).and.not.instanceOf(ContractRevertError);
    expect((balance as Error).message).to.equal(`the deposit of ${ACCOUNT} holds 5 wei, 9 wei needed`);
    expect((toNexError(revert('MarketWithdrawalNotReady', [ACCOUNT, 0n])) as Error).message).to.match(/no withdrawal requested/);
    expect((toNexError(revert('MarketWithdrawalNotReady', [ACCOUNT, 1_900_000_000n])) as Error).message).to.match(/from 2030-03-17T/);
    const other = toNexError(revert('MarketSettlementMismatch', [4n])) as ContractRevertError;
    expect(other).to.be.instanceOf(ContractRevertError);
    expect([other.errorName, other.args]).to.deep.equal(['MarketSettlementMismatch', [4n]]);
  });

  it('passes non-reverts through and reverts it cannot name as a nameless ContractRevertError', () => {
    const transport = new Error('socket hang up');
    expect(toNexError(transport)).to.equal(transport);
    const raw = new BaseError('simulation failed', {
      cause: new ContractFunctionRevertedError({ abi: aggregationMarketAbi, data: '0xdeadbeef', functionName: 'submit' }),
    });
    const nameless = toNexError(raw) as ContractRevertError;
    expect(nameless).to.be.instanceOf(ContractRevertError);
    expect(nameless.errorName).to.equal(undefined);
  });
});
