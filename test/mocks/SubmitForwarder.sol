// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregationMarket} from "../../contracts/interfaces/IAggregationMarket.sol";

/// @notice TEST ONLY. A rollup's own L1 contract posting to the market: the market call is an internal
/// call, so the transaction's input is this contract's calldata, not the market's.
contract SubmitForwarder {
    struct Submission {
        bytes32 programId;
        bytes32[] inputs;
        bytes proof;
        uint256 fee;
    }

    error Undone();

    /// @notice Forwards one submission unchanged (the market calldata is a substring of the tx input).
    function forward(
        IAggregationMarket market,
        bytes32 programId,
        bytes32[] calldata inputs,
        bytes calldata proof
    ) external payable returns (uint256) {
        return market.submit{value: msg.value}(programId, inputs, proof);
    }

    /// @notice Forwards one submission carried in this contract's own packing:
    /// programId (32 bytes) || n (1 byte) || n public inputs (32 bytes each) || proof. The market call's
    /// calldata is re-encoded here, so it appears nowhere in the transaction input.
    function forwardPacked(IAggregationMarket market, bytes calldata packed) external payable returns (uint256) {
        bytes32 programId = bytes32(packed[0:32]);
        uint256 n = uint8(packed[32]);
        bytes32[] memory inputs = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            inputs[i] = bytes32(packed[33 + 32 * i:65 + 32 * i]);
        }
        return market.submit{value: msg.value}(programId, inputs, packed[33 + 32 * n:]);
    }

    /// @notice Submits each of `subs` in turn, and `undone` inside a sub-call that reverts after its
    /// market call succeeded (caught, so the transaction succeeds without it). msg.value pays all fees.
    function forwardAll(
        IAggregationMarket market,
        Submission[] calldata subs,
        Submission calldata undone
    ) external payable {
        for (uint256 i; i < subs.length; ++i) {
            market.submit{value: subs[i].fee}(subs[i].programId, subs[i].inputs, subs[i].proof);
        }
        try this.submitThenRevert{value: undone.fee}(market, undone) {} catch {}
    }

    /// @notice Submits, then reverts the whole sub-call (only for forwardAll).
    function submitThenRevert(IAggregationMarket market, Submission calldata s) external payable {
        market.submit{value: s.fee}(s.programId, s.inputs, s.proof);
        revert Undone();
    }
}
