// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title SubmissionId
/// @notice The packing of submission ids (docs/protocol.md, "Submission ids"): `id = batchId * 32 + slot`,
/// 32 being the largest batch capacity ({BatchCommitment-MAX_CAPACITY}), so the batch of an id is `id >> 5`
/// and its slot `id & 31`; the ids of a batch's slots are consecutive (`pack(b, s) == pack(b, 0) + s`).
/// The one place the contracts pack and unpack ids (the TypeScript code implements the same rule).
/// @dev Internal pure functions, inlined by the compiler where the market uses them: the market's gas
/// snapshot (test/market/MarketGas.t.sol) shows they cost what the inline shifts and masks did.
library SubmissionId {
    /// @notice Slots per batch id: the stride between the ids of consecutive batches.
    uint256 internal constant SLOTS_PER_BATCH = 32;

    /// @dev log2(SLOTS_PER_BATCH).
    uint256 private constant _SLOT_BITS = 5;
    /// @dev SLOTS_PER_BATCH - 1.
    uint256 private constant _SLOT_MASK = 31;

    /// @notice The id of slot `slot` of batch `batchId`.
    /// @param batchId The batch.
    /// @param slot The slot, below {SLOTS_PER_BATCH} (not checked: callers pass a slot below the batch's
    /// capacity).
    /// @return The submission id `batchId * 32 + slot`.
    function pack(uint256 batchId, uint256 slot) internal pure returns (uint256) {
        return (batchId << _SLOT_BITS) | slot;
    }

    /// @notice The batch and the slot of submission `id` ({batchOf} and {slotOf} in one call, which the
    /// compiler inlines more reliably than two).
    /// @param id The submission id.
    /// @return batchId The batch id `id >> 5`.
    /// @return slot The slot `id & 31`.
    function unpack(uint256 id) internal pure returns (uint256 batchId, uint256 slot) {
        return (id >> _SLOT_BITS, id & _SLOT_MASK);
    }

    /// @notice The batch of submission `id`.
    /// @param id The submission id.
    /// @return The batch id `id >> 5`.
    function batchOf(uint256 id) internal pure returns (uint256) {
        return id >> _SLOT_BITS;
    }

    /// @notice The slot of submission `id` in its batch.
    /// @param id The submission id.
    /// @return The slot `id & 31`.
    function slotOf(uint256 id) internal pure returns (uint256) {
        return id & _SLOT_MASK;
    }
}
