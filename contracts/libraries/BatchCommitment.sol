// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title BatchCommitment
/// @notice The NEX commitment format (docs/protocol.md, "Commitment format"): statement digests, the
/// batch Merkle root and the public inputs of an aggregated proof. Shared with the TypeScript
/// (`prover/protocol/commitment.ts`) and Noir implementations through `test/vectors/commitment.json`.
library BatchCommitment {
    /// @notice The BN254 scalar field modulus r. Public inputs and key hashes are elements of F_r.
    uint256 internal constant FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    /// @notice The largest batch capacity (leaves of a batch tree) and the submission-id stride.
    uint256 internal constant MAX_CAPACITY = 32;

    /// @notice The number of leaves is not a power of two between 2 and {MAX_CAPACITY}.
    /// @param capacity The rejected number of leaves.
    error BatchCommitmentInvalidCapacity(uint256 capacity);

    /// @notice True when `value` is a canonical BN254 scalar field element (< r).
    /// @param value The word.
    /// @return Whether it is below r.
    function isCanonical(bytes32 value) internal pure returns (bool) {
        return uint256(value) < FIELD_MODULUS;
    }

    /// @notice True when `capacity` is a power of two in [2, {MAX_CAPACITY}].
    /// @param capacity A number of leaves.
    /// @return Whether it is a valid batch capacity.
    function isValidCapacity(uint256 capacity) internal pure returns (bool) {
        return capacity >= 2 && capacity <= MAX_CAPACITY && capacity & (capacity - 1) == 0;
    }

    /// @notice Statement digest `keccak256(abi.encodePacked(vkHash, publicInputs))` for calldata inputs.
    /// @param vkHash The program id.
    /// @param publicInputs The public inputs.
    /// @return result The digest.
    function digest(bytes32 vkHash, bytes32[] calldata publicInputs) internal pure returns (bytes32 result) {
        // Same bytes as abi.encodePacked(vkHash, publicInputs) (packed arrays have no length prefix),
        // hashed from scratch memory at the free pointer without allocating.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, vkHash)
            let len := shl(5, publicInputs.length)
            calldatacopy(add(ptr, 0x20), publicInputs.offset, len)
            result := keccak256(ptr, add(len, 0x20))
        }
    }

    /// @notice Statement digest for memory inputs (same value as {digest}).
    /// @param vkHash The program id.
    /// @param publicInputs The public inputs.
    /// @return The digest.
    function digestMemory(bytes32 vkHash, bytes32[] memory publicInputs) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(vkHash, publicInputs));
    }

    /// @notice Root of the binary keccak Merkle tree over `leaves` (`parent = keccak256(left || right)`).
    /// `leaves` is not modified. Reverts with {BatchCommitmentInvalidCapacity} unless its length is a power
    /// of two in [2, {MAX_CAPACITY}].
    /// @param leaves The leaves, in slot order.
    /// @return result The root.
    function root(bytes32[] memory leaves) internal pure returns (bytes32 result) {
        uint256 width = leaves.length;
        if (!isValidCapacity(width)) revert BatchCommitmentInvalidCapacity(width);
        // Level 1 is written into a fresh buffer; the upper levels overwrite it in place (the parent
        // index i is always <= the child index 2i, so no unread child is overwritten).
        bytes32[] memory level = new bytes32[](width >> 1);
        assembly ("memory-safe") {
            let src := add(leaves, 0x20)
            let dst := add(level, 0x20)
            for {
                let i := 0
            } lt(i, width) {
                i := add(i, 2)
            } {
                mstore(add(dst, shl(4, i)), keccak256(add(src, shl(5, i)), 0x40))
            }
            width := shr(1, width)
            for {} gt(width, 1) {
                width := shr(1, width)
            } {
                for {
                    let i := 0
                } lt(i, width) {
                    i := add(i, 2)
                } {
                    mstore(add(dst, shl(4, i)), keccak256(add(dst, shl(5, i)), 0x40))
                }
            }
            result := mload(dst)
        }
    }

    /// @notice The root split into two 128-bit halves (public inputs 0 and 1 of an aggregated proof).
    /// @param batchRoot The root.
    /// @return high Its upper 128 bits.
    /// @return low Its lower 128 bits.
    function splitRoot(bytes32 batchRoot) internal pure returns (bytes32 high, bytes32 low) {
        high = bytes32(uint256(batchRoot) >> 128);
        low = bytes32(uint256(batchRoot) & type(uint128).max);
    }

    /// @notice The public inputs of an aggregated proof: [rootHi, rootLo, uint160(prover), keyHashes...].
    /// @param batchRoot The batch root.
    /// @param prover The prover the proof is bound to.
    /// @param keyHashes The aggregation key hashes of the verifier version.
    /// @return inputs The public inputs.
    function aggregationPublicInputs(
        bytes32 batchRoot,
        address prover,
        bytes32[] memory keyHashes
    ) internal pure returns (bytes32[] memory inputs) {
        uint256 k = keyHashes.length;
        inputs = new bytes32[](3 + k);
        (inputs[0], inputs[1]) = splitRoot(batchRoot);
        inputs[2] = bytes32(uint256(uint160(prover)));
        for (uint256 i; i < k; ++i) {
            inputs[3 + i] = keyHashes[i];
        }
    }
}
