// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";

/// @notice Fuzz tests of BatchCommitment against naive reference implementations.
contract BatchCommitmentTest is TestBase {
    function digestCalldata(bytes32 vkHash, bytes32[] calldata inputs) external pure returns (bytes32) {
        return BatchCommitment.digest(vkHash, inputs);
    }

    function testFuzz_digestIsKeccakOfPackedWords(bytes32 vkHash, uint256 seed, uint8 countSeed) public view {
        uint256 count = bound(countSeed, 1, 32);
        bytes32[] memory inputs = new bytes32[](count);
        bytes memory packed = abi.encodePacked(vkHash);
        for (uint256 i; i < count; ++i) {
            inputs[i] = keccak256(abi.encode(seed, i));
            packed = bytes.concat(packed, inputs[i]);
        }
        bytes32 expected = keccak256(packed);
        assertEq(uint256(this.digestCalldata(vkHash, inputs)), uint256(expected), "calldata digest");
        assertEq(uint256(BatchCommitment.digestMemory(vkHash, inputs)), uint256(expected), "memory digest");
    }

    function testFuzz_rootMatchesRecursiveDefinition(uint256 seed, uint8 logSeed, uint32 zeroMask) public pure {
        uint256 capacity = 1 << bound(logSeed, 1, 5);
        bytes32[] memory leaves = new bytes32[](capacity);
        for (uint256 i; i < capacity; ++i) {
            if ((zeroMask >> i) & 1 == 0) leaves[i] = keccak256(abi.encode(seed, i));
        }
        bytes32[] memory copy = new bytes32[](capacity);
        for (uint256 i; i < capacity; ++i) copy[i] = leaves[i];
        bytes32 root = BatchCommitment.root(leaves);
        assertEq(uint256(root), uint256(_naive(leaves, 0, capacity)), "root");
        for (uint256 i; i < capacity; ++i) assertEq(uint256(leaves[i]), uint256(copy[i]), "leaves untouched");
    }

    function testFuzz_splitRootRecombines(bytes32 root, address prover) public pure {
        (bytes32 hi, bytes32 lo) = BatchCommitment.splitRoot(root);
        assertLe(uint256(hi), type(uint128).max, "hi is 128-bit");
        assertLe(uint256(lo), type(uint128).max, "lo is 128-bit");
        assertEq((uint256(hi) << 128) | uint256(lo), uint256(root), "recombines");
        bytes32[] memory keys = new bytes32[](1);
        keys[0] = bytes32(uint256(7));
        bytes32[] memory inputs = BatchCommitment.aggregationPublicInputs(root, prover, keys);
        assertEq(inputs.length, 4, "length");
        assertEq(uint256(inputs[2]), uint160(prover), "prover");
        assertEq(uint256(inputs[3]), 7, "key hash");
    }

    function testFuzz_canonicalIsBelowModulus(uint256 x) public pure {
        assertTrue(BatchCommitment.isCanonical(bytes32(x)) == (x < BatchCommitment.FIELD_MODULUS), "canonical");
    }

    function testFuzz_capacityIsPowerOfTwoUpTo32(uint256 c) public pure {
        c = bound(c, 0, 70);
        bool expected = c == 2 || c == 4 || c == 8 || c == 16 || c == 32;
        assertTrue(BatchCommitment.isValidCapacity(c) == expected, "capacity");
    }

    function _naive(bytes32[] memory leaves, uint256 from, uint256 width) private pure returns (bytes32) {
        if (width == 1) return leaves[from];
        uint256 half = width / 2;
        return keccak256(abi.encodePacked(_naive(leaves, from, half), _naive(leaves, from + half, half)));
    }
}
