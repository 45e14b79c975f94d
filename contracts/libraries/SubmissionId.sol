// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title SubmissionId
/// @notice Packing of submission ids (version 2): `submissionId = batchId * 64 + slot`, 64 being the
/// largest batch capacity. Batch ids start at 1 and are shared by every channel. The TypeScript protocol
/// module implements the same mapping.
library SubmissionId {
    /// @notice Slots per batch id (the largest capacity).
    uint256 internal constant SLOTS = 64;
    uint256 private constant _SHIFT = 6;

    /// @notice The slot is not below {SLOTS}.
    /// @param slot The rejected slot.
    error SubmissionIdInvalidSlot(uint256 slot);

    /// @notice The id of slot `slot` of batch `batchId`.
    /// @param batchId The batch.
    /// @param slot The slot (0..63).
    /// @return The submission id.
    function pack(uint256 batchId, uint256 slot) internal pure returns (uint256) {
        if (slot >= SLOTS) revert SubmissionIdInvalidSlot(slot);
        return (batchId << _SHIFT) | slot;
    }

    /// @notice The batch of a submission id.
    /// @param id The submission id.
    /// @return The batch id.
    function batchOf(uint256 id) internal pure returns (uint256) {
        return id >> _SHIFT;
    }

    /// @notice The slot of a submission id.
    /// @param id The submission id.
    /// @return The slot.
    function slotOf(uint256 id) internal pure returns (uint256) {
        return id & (SLOTS - 1);
    }
}
