// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title INexCallback
/// @notice Optional hook a program owner registers with the aggregation market. The market calls it
/// once per verified submission of the program, after all of the fulfilment's effects, with the gas the
/// program's callback gas was when the statement entered its batch (fixed at submission, so a callback set
/// later never costs a fulfiller more than the batch announced). A revert or out-of-gas is ignored by the market (it emits
/// `CallbackFailed`), so the hook can never make a fulfilment fail, and its return data is not read.
interface INexCallback {
    /// @notice Called by the market for each verified statement of the program.
    /// @param programId The program the statement belongs to.
    /// @param submissionId The submission that was verified (batchId * 64 + slot).
    /// @param digest The statement digest keccak256(abi.encodePacked(STATEMENT_DOMAIN, programId, publicInputs)).
    function onProofVerified(bytes32 programId, uint256 submissionId, bytes32 digest) external;
}
