// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title BatchCommitment
/// @notice The NEX version-2 commitment format (docs/protocol.md, "Commitment format"): program ids,
/// domain-separated statement digests, batch trees of 4 to 64 leaves with their zero subtrees, the two
/// forms of a batch commitment (chain and posted), group words, inclusion paths and the public inputs
/// of an aggregated proof. The Noir circuits and the TypeScript protocol module implement the same
/// functions.
/// @dev Every value is a 32-byte big-endian word. Interior nodes are `keccak256(left || right)` (64
/// bytes); a statement digest hashes at least 96 bytes that start with {STATEMENT_DOMAIN}, so the two
/// can never be confused (docs/prover.md, soundness argument).
library BatchCommitment {
    /// @notice The BN254 scalar field modulus r: public inputs, key hashes and the key-set root are
    /// elements of F_r. The one place the contracts define it.
    uint256 internal constant FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    /// @notice `keccak256("NEX.statement.v2")`: the first word of every statement digest's preimage.
    bytes32 internal constant STATEMENT_DOMAIN = 0xfc6982d08372d42ae8dd44bfc8c30777d63b29ccd74d3694daab9639f820a2f2;

    /// @notice Smallest batch tree depth (4 leaves).
    uint256 internal constant MIN_DEPTH = 2;
    /// @notice Largest batch tree depth (64 leaves).
    uint256 internal constant MAX_DEPTH = 6;
    /// @notice Smallest batch capacity.
    uint256 internal constant MIN_CAPACITY = 4;
    /// @notice Largest batch capacity, also the submission-id stride (`batchId * 64 + slot`).
    uint256 internal constant MAX_CAPACITY = 64;

    /// @notice The number of public inputs of an aggregation proof: `[rootHi, rootLo, prover, keySet]`.
    uint256 internal constant AGGREGATION_PUBLIC_INPUTS = 4;

    /// @notice `capacity` is not a power of two between {MIN_CAPACITY} and {MAX_CAPACITY}.
    /// @param capacity The rejected capacity.
    error BatchCommitmentInvalidCapacity(uint256 capacity);

    /// @notice More leaves than the tree's capacity.
    /// @param count The number of leaves given.
    /// @param capacity The capacity of the tree.
    error BatchCommitmentTooManyLeaves(uint256 count, uint256 capacity);

    /// @notice An inclusion path does not have the tree's depth, or its index is outside the tree.
    /// @param index The leaf index of the path.
    /// @param length The number of siblings given.
    error BatchCommitmentInvalidPath(uint256 index, uint256 length);

    // ===== FIELD AND SHAPE =====

    /// @notice True when `value` is a canonical BN254 scalar field element (< r).
    /// @param value The word to check.
    /// @return Whether `value < r`.
    function isCanonical(bytes32 value) internal pure returns (bool) {
        return uint256(value) < FIELD_MODULUS;
    }

    /// @notice True when `capacity` is a power of two in [{MIN_CAPACITY}, {MAX_CAPACITY}].
    /// @param capacity The number of leaves.
    /// @return Whether a batch tree can have `capacity` leaves.
    function isValidCapacity(uint256 capacity) internal pure returns (bool) {
        return capacity >= MIN_CAPACITY && capacity <= MAX_CAPACITY && capacity & (capacity - 1) == 0;
    }

    /// @notice The depth (log2) of a valid capacity.
    /// @param capacity A valid capacity.
    /// @return depth The number of levels above the leaves.
    function depthOf(uint256 capacity) internal pure returns (uint256 depth) {
        if (!isValidCapacity(capacity)) revert BatchCommitmentInvalidCapacity(capacity);
        while (capacity > 1) {
            capacity >>= 1;
            ++depth;
        }
    }

    /// @notice The capacity of a posted batch of `count` statements: the smallest power of two that is
    /// at least `max(4, count)`.
    /// @param count The number of statements (at most {MAX_CAPACITY}).
    /// @return capacity The batch capacity.
    function capacityFor(uint256 count) internal pure returns (uint256 capacity) {
        if (count > MAX_CAPACITY) revert BatchCommitmentTooManyLeaves(count, MAX_CAPACITY);
        capacity = MIN_CAPACITY;
        while (capacity < count) capacity <<= 1;
    }

    /// @notice The root of an all-zero subtree of height `height`: `Z_0 = 0`, `Z_{h+1} = keccak(Z_h || Z_h)`.
    /// @param height 0..{MAX_DEPTH}.
    /// @return The zero-subtree root.
    function zeroSubtree(uint256 height) internal pure returns (bytes32) {
        if (height == 0) return bytes32(0);
        if (height == 1) return 0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5;
        if (height == 2) return 0xb4c11951957c6f8f642c4af61cd6b24640fec6dc7fc607ee8206a99e92410d30;
        if (height == 3) return 0x21ddb9a356815c3fac1026b6dec5df3124afbadb485c9ba5a3e3398a04b7ba85;
        if (height == 4) return 0xe58769b32a1beaf1ea27375a44095a0d1fb664ce2dd358e7fcbfb78c26a19344;
        if (height == 5) return 0x0eb01ebfc9ed27500cd4dfc979272d1f0913cc9f66540d7e8005811109e1cf2d;
        if (height == 6) return 0x887c22bd8750d34016ac3c66b5ff102dacdd73f6b014e710b51e8022af9a1968;
        revert BatchCommitmentInvalidCapacity(1 << height);
    }

    // ===== IDENTITIES =====

    /// @notice The program id of a key registered by `owner`: `keccak256(abi.encode(owner, vkHash))`.
    /// @param owner The registering address.
    /// @param vkHash The rollup circuit's verification-key hash.
    /// @return The program id.
    function programId(address owner, bytes32 vkHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(owner, vkHash));
    }

    /// @notice Statement digest `keccak256(abi.encodePacked(STATEMENT_DOMAIN, programId, publicInputs))`
    /// for calldata inputs.
    /// @param programId_ The program id.
    /// @param publicInputs The statement's public inputs (canonical field elements).
    /// @return result The digest.
    function digest(bytes32 programId_, bytes32[] calldata publicInputs) internal pure returns (bytes32 result) {
        // Same bytes as abi.encodePacked(...) (packed arrays have no length prefix), hashed at the free
        // pointer without allocating.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, STATEMENT_DOMAIN)
            mstore(add(ptr, 0x20), programId_)
            let len := shl(5, publicInputs.length)
            calldatacopy(add(ptr, 0x40), publicInputs.offset, len)
            result := keccak256(ptr, add(len, 0x40))
        }
    }

    /// @notice {digest} for memory inputs (same value).
    /// @param programId_ The program id.
    /// @param publicInputs The statement's public inputs.
    /// @return The digest.
    function digestMemory(bytes32 programId_, bytes32[] memory publicInputs) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(STATEMENT_DOMAIN, programId_, publicInputs));
    }

    // ===== TREES =====

    /// @notice The root of the batch tree of `capacity` leaves whose first `leaves.length` leaves are
    /// `leaves` and whose other leaves are zero. `leaves` is not modified. Only the non-zero prefix is
    /// hashed: a missing right child at height h is `Z_h`.
    /// @param leaves The first leaves, in slot order (zero for an excluded slot).
    /// @param capacity The tree's capacity (a valid capacity).
    /// @return result The root.
    function root(bytes32[] memory leaves, uint256 capacity) internal pure returns (bytes32 result) {
        uint256 depth = depthOf(capacity);
        uint256 n = leaves.length;
        if (n > capacity) revert BatchCommitmentTooManyLeaves(n, capacity);
        if (n == 0) return zeroSubtree(depth);
        // Level 1 goes to a fresh buffer; upper levels overwrite it in place (node i is written after
        // its children 2i and 2i + 1 were read, and every later read is at an index above i).
        bytes32[] memory level = new bytes32[]((n + 1) >> 1);
        assembly ("memory-safe") {
            let src := add(leaves, 0x20)
            let dst := add(level, 0x20)
            let zero := 0
            for {} depth {
                depth := sub(depth, 1)
            } {
                let m := shr(1, add(n, 1))
                for {
                    let i := 0
                } lt(i, m) {
                    i := add(i, 1)
                } {
                    mstore(0x00, mload(add(src, shl(6, i))))
                    let j := add(shl(1, i), 1)
                    switch lt(j, n)
                    case 1 {
                        mstore(0x20, mload(add(src, shl(5, j))))
                    }
                    default {
                        mstore(0x20, zero)
                    }
                    mstore(add(dst, shl(5, i)), keccak256(0x00, 0x40))
                }
                mstore(0x00, zero)
                mstore(0x20, zero)
                zero := keccak256(0x00, 0x40)
                src := dst
                n := m
            }
            result := mload(src)
        }
    }

    /// @notice The root reached by walking `leaf` at `index` up through `siblings` (bottom first).
    /// @param leaf The leaf value.
    /// @param index The leaf's position (bit h chooses the side at height h).
    /// @param siblings The sibling at each height, from the leaves up.
    /// @return result The root the path leads to.
    function walk(bytes32 leaf, uint256 index, bytes32[] calldata siblings) internal pure returns (bytes32 result) {
        uint256 depth = siblings.length;
        if (index >> depth != 0) revert BatchCommitmentInvalidPath(index, depth);
        result = leaf;
        for (uint256 h; h < depth; ++h) {
            bytes32 sibling = siblings[h];
            assembly ("memory-safe") {
                switch and(shr(h, index), 1)
                case 0 {
                    mstore(0x00, result)
                    mstore(0x20, sibling)
                }
                default {
                    mstore(0x00, sibling)
                    mstore(0x20, result)
                }
                result := keccak256(0x00, 0x40)
            }
        }
    }

    // ===== BATCH COMMITMENTS =====

    /// @notice The chain-form commitment after appending one group:
    /// `keccak256(commitment || groupWord || programId || digests[from] || ... || digests[from + count - 1])`.
    /// @param commitment The commitment before the group (0 for an empty batch).
    /// @param groupWord The group word ({packGroup}).
    /// @param programId_ The group's program id.
    /// @param digests Statement digests.
    /// @param from Index of the group's first digest in `digests`.
    /// @param count The group's number of statements.
    /// @return result The new commitment.
    function chainAppend(
        bytes32 commitment,
        uint256 groupWord,
        bytes32 programId_,
        bytes32[] memory digests,
        uint256 from,
        uint256 count
    ) internal pure returns (bytes32 result) {
        if (from + count > digests.length) revert BatchCommitmentTooManyLeaves(from + count, digests.length);
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, commitment)
            mstore(add(ptr, 0x20), groupWord)
            mstore(add(ptr, 0x40), programId_)
            let src := add(add(digests, 0x20), shl(5, from))
            let dst := add(ptr, 0x60)
            for {
                let i := 0
            } lt(i, count) {
                i := add(i, 1)
            } {
                mstore(add(dst, shl(5, i)), mload(add(src, shl(5, i))))
            }
            result := keccak256(ptr, add(0x60, shl(5, count)))
        }
    }

    /// @notice {chainAppend} for calldata digests.
    /// @param commitment The commitment before the group.
    /// @param groupWord The group word.
    /// @param programId_ The group's program id.
    /// @param digests Statement digests (calldata).
    /// @param from Index of the group's first digest.
    /// @param count The group's number of statements.
    /// @return result The new commitment.
    function chainAppendCalldata(
        bytes32 commitment,
        uint256 groupWord,
        bytes32 programId_,
        bytes32[] calldata digests,
        uint256 from,
        uint256 count
    ) internal pure returns (bytes32 result) {
        if (from + count > digests.length) revert BatchCommitmentTooManyLeaves(from + count, digests.length);
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, commitment)
            mstore(add(ptr, 0x20), groupWord)
            mstore(add(ptr, 0x40), programId_)
            let len := shl(5, count)
            calldatacopy(add(ptr, 0x60), add(digests.offset, shl(5, from)), len)
            result := keccak256(ptr, add(0x60, len))
        }
    }

    /// @notice The posted-form commitment `keccak256(abi.encode(root, groupsHash, poster))`.
    /// @param batchRoot The full batch root computed at post.
    /// @param groupsHash `keccak256(groupWord_1 || programId_1 || ...)` over the accepted groups.
    /// @param poster The account that posted the batch.
    /// @return The commitment.
    function postedCommitment(bytes32 batchRoot, bytes32 groupsHash, address poster) internal pure returns (bytes32) {
        return keccak256(abi.encode(batchRoot, groupsHash, poster));
    }

    /// @notice Packs a group word: `payer (160) | feePerProof (64) | count (8) | callbackGas (24)`, most
    /// significant first.
    /// @param payer Who pays the group's fees and gets back those not earned.
    /// @param feePerProof Wei per statement.
    /// @param count Statements in the group (1..64).
    /// @param callbackGas Gas of each callback of the group's verified statements (0: no callback).
    /// @return The group word.
    function packGroup(
        address payer,
        uint256 feePerProof,
        uint256 count,
        uint256 callbackGas
    ) internal pure returns (uint256) {
        return
            (uint256(uint160(payer)) << 96)
            | (uint256(uint64(feePerProof)) << 32)
            | (uint256(uint8(count)) << 24)
            | uint256(uint24(callbackGas));
    }

    /// @notice Unpacks a group word ({packGroup}).
    /// @param word The group word.
    /// @return payer The payer.
    /// @return feePerProof Wei per statement.
    /// @return count Statements in the group.
    /// @return callbackGas Gas of each callback (0: none).
    function unpackGroup(
        uint256 word
    ) internal pure returns (address payer, uint256 feePerProof, uint256 count, uint256 callbackGas) {
        payer = address(uint160(word >> 96));
        feePerProof = uint64(word >> 32);
        count = uint8(word >> 24);
        callbackGas = uint24(word);
    }

    // ===== AGGREGATION PUBLIC INPUTS =====

    /// @notice The root split into two 128-bit halves (public inputs 0 and 1 of an aggregated proof).
    /// @param batchRoot The root.
    /// @return high The upper 128 bits.
    /// @return low The lower 128 bits.
    function splitRoot(bytes32 batchRoot) internal pure returns (bytes32 high, bytes32 low) {
        high = bytes32(uint256(batchRoot) >> 128);
        low = bytes32(uint256(batchRoot) & type(uint128).max);
    }

    /// @notice The public inputs of an aggregated proof: `[rootHi, rootLo, uint160(prover), keySet]`.
    /// @param batchRoot The proven batch root.
    /// @param prover The prover credited on L1.
    /// @param keySet The Poseidon2 root of the version's aggregation key hashes.
    /// @return inputs The four public inputs.
    function aggregationPublicInputs(
        bytes32 batchRoot,
        address prover,
        bytes32 keySet
    ) internal pure returns (bytes32[] memory inputs) {
        inputs = new bytes32[](AGGREGATION_PUBLIC_INPUTS);
        (inputs[0], inputs[1]) = splitRoot(batchRoot);
        inputs[2] = bytes32(uint256(uint160(prover)));
        inputs[3] = keySet;
    }
}
