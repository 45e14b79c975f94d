// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title SubmissionId
/// @notice The packing of submission ids (version 2; docs/protocol.md, "Submission ids"):
/// `id = batchId * 64 + slot`, 64 being the largest batch capacity ({BatchCommitment-MAX_CAPACITY}), so the
/// batch of an id is `id >> 6` and its slot `id & 63`; the ids of a batch's slots are consecutive
/// (`pack(b, s) == pack(b, 0) + s`). Batch ids start at 1 and are shared by every channel. The one place
/// the contracts pack and unpack ids (prover/protocol implements the same rule in TypeScript).
/// @dev Internal pure functions, inlined by the compiler where the market uses them.
library SubmissionId {
    /// @notice Slots per batch id: the stride between the ids of consecutive batches.
    uint256 internal constant SLOTS_PER_BATCH = 64;

    /// @dev log2(SLOTS_PER_BATCH).
    uint256 private constant _SLOT_BITS = 6;
    /// @dev SLOTS_PER_BATCH - 1.
    uint256 private constant _SLOT_MASK = 63;

    /// @notice The slot is not below {SLOTS_PER_BATCH}.
    /// @param slot The rejected slot.
    error SubmissionIdInvalidSlot(uint256 slot);

    /// @notice The id of slot `slot` of batch `batchId`.
    /// @param batchId The batch.
    /// @param slot The slot (0..63).
    /// @return The submission id `batchId * 64 + slot`.
    function pack(uint256 batchId, uint256 slot) internal pure returns (uint256) {
        if (slot >= SLOTS_PER_BATCH) revert SubmissionIdInvalidSlot(slot);
        return (batchId << _SLOT_BITS) | slot;
    }

    /// @notice The batch and the slot of submission `id` ({batchOf} and {slotOf} in one call).
    /// @param id The submission id.
    /// @return batchId The batch id `id >> 6`.
    /// @return slot The slot `id & 63`.
    function unpack(uint256 id) internal pure returns (uint256 batchId, uint256 slot) {
        return (id >> _SLOT_BITS, id & _SLOT_MASK);
    }

    /// @notice The batch of submission `id`.
    /// @param id The submission id.
    /// @return The batch id `id >> 6`.
    function batchOf(uint256 id) internal pure returns (uint256) {
        return id >> _SLOT_BITS;
    }

    /// @notice The slot of submission `id` in its batch.
    /// @param id The submission id.
    /// @return The slot `id & 63`.
    function slotOf(uint256 id) internal pure returns (uint256) {
        return id & _SLOT_MASK;
    }
}
