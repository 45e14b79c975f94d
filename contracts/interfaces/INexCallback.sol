// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title INexCallback
/// @notice Optional hook a program owner registers with the aggregation market. The market calls it
/// once per verified submission of the program, after all of the fulfilment's effects, with a fixed gas
/// budget (`callbackGasLimit`). A revert or out-of-gas is ignored by the market (it emits
/// `CallbackFailed`), so the hook can never make a fulfilment fail, and its return data is not read.
interface INexCallback {
    /// @notice Called by the market once per verified submission of the program.
    /// @param programId The program (vkHash) the statement belongs to.
    /// @param submissionId The submission that was verified (batchId * 32 + slot).
    /// @param digest The statement digest keccak256(abi.encodePacked(programId, publicInputs)).
    function onProofVerified(bytes32 programId, uint256 submissionId, bytes32 digest) external;
}
