// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";

/// @notice Fuzz tests of the version-2 BatchCommitment against naive reference implementations.
contract BatchCommitmentTest is TestBase {
    function digestCalldata(bytes32 id, bytes32[] calldata inputs) external pure returns (bytes32) {
        return BatchCommitment.digest(id, inputs);
    }

    function walkCalldata(bytes32 leaf, uint256 index, bytes32[] calldata siblings) external pure returns (bytes32) {
        return BatchCommitment.walk(leaf, index, siblings);
    }

    function chainCalldata(
        bytes32 c,
        uint256 w,
        bytes32 id,
        bytes32[] calldata d,
        uint256 from,
        uint256 n
    ) external pure returns (bytes32) {
        return BatchCommitment.chainAppendCalldata(c, w, id, d, from, n);
    }

    function testFuzz_digestIsDomainSeparated(bytes32 id, uint256 seed, uint8 countSeed) public view {
        uint256 count = bound(countSeed, 1, 8);
        bytes32[] memory inputs = new bytes32[](count);
        bytes memory packed = abi.encodePacked(keccak256("NEX.statement.v2"), id);
        for (uint256 i; i < count; ++i) {
            inputs[i] = keccak256(abi.encode(seed, i));
            packed = bytes.concat(packed, inputs[i]);
        }
        bytes32 expected = keccak256(packed);
        assertEq(uint256(this.digestCalldata(id, inputs)), uint256(expected), "calldata digest");
        assertEq(uint256(BatchCommitment.digestMemory(id, inputs)), uint256(expected), "memory digest");
        for (uint256 h; h <= 6; ++h) {
            assertTrue(expected != BatchCommitment.zeroSubtree(h), "a digest is never a zero subtree");
        }
    }

    function testFuzz_rootMatchesRecursiveDefinition(
        uint256 seed,
        uint8 depthSeed,
        uint8 nSeed,
        uint64 zeroMask
    ) public pure {
        uint256 capacity = 1 << bound(depthSeed, 2, 6);
        uint256 n = bound(nSeed, 0, capacity);
        bytes32[] memory leaves = new bytes32[](n);
        bytes32[] memory full = new bytes32[](capacity);
        for (uint256 i; i < n; ++i) {
            if ((zeroMask >> i) & 1 == 0) leaves[i] = keccak256(abi.encode(seed, i));
            full[i] = leaves[i];
        }
        bytes32 root = BatchCommitment.root(leaves, capacity);
        assertEq(uint256(root), uint256(_naive(full, 0, capacity)), "root");
        for (uint256 i; i < n; ++i) {
            if ((zeroMask >> i) & 1 == 0)
                assertEq(uint256(leaves[i]), uint256(keccak256(abi.encode(seed, i))), "leaves untouched");
        }
    }

    function testFuzz_walkReachesTheRoot(uint256 seed, uint8 depthSeed, uint8 indexSeed) public view {
        uint256 depth = bound(depthSeed, 2, 6);
        uint256 capacity = 1 << depth;
        uint256 index = bound(indexSeed, 0, capacity - 1);
        bytes32[] memory leaves = new bytes32[](capacity);
        for (uint256 i; i < capacity; ++i) leaves[i] = keccak256(abi.encode(seed, i));
        bytes32[] memory siblings = new bytes32[](depth);
        bytes32[] memory level = leaves;
        uint256 at = index;
        for (uint256 h; h < depth; ++h) {
            siblings[h] = level[at ^ 1];
            bytes32[] memory up = new bytes32[](level.length / 2);
            for (uint256 i; i < up.length; ++i) up[i] = keccak256(abi.encodePacked(level[2 * i], level[2 * i + 1]));
            level = up;
            at >>= 1;
        }
        assertEq(uint256(this.walkCalldata(leaves[index], index, siblings)), uint256(level[0]), "walk");
        assertEq(uint256(BatchCommitment.root(leaves, capacity)), uint256(level[0]), "root");
    }

    function testFuzz_chainAppendIsKeccakOfTheGroup(
        bytes32 c,
        uint256 w,
        bytes32 id,
        uint256 seed,
        uint8 nSeed
    ) public view {
        uint256 n = bound(nSeed, 1, 8);
        bytes32[] memory d = new bytes32[](n + 2);
        bytes memory packed = abi.encodePacked(c, w, id);
        for (uint256 i; i < n + 2; ++i) d[i] = keccak256(abi.encode(seed, i));
        for (uint256 i = 1; i <= n; ++i) packed = bytes.concat(packed, d[i]);
        bytes32 expected = keccak256(packed);
        assertEq(uint256(BatchCommitment.chainAppend(c, w, id, d, 1, n)), uint256(expected), "memory");
        assertEq(uint256(this.chainCalldata(c, w, id, d, 1, n)), uint256(expected), "calldata");
    }

    function testFuzz_groupWordRoundTrips(address payer, uint64 fee, uint8 count, uint24 gas) public pure {
        uint256 w = BatchCommitment.packGroup(payer, fee, count, gas);
        (address p, uint256 f, uint256 c, uint256 g) = BatchCommitment.unpackGroup(w);
        assertTrue(p == payer, "payer");
        assertEq(f, fee, "fee");
        assertEq(c, count, "count");
        assertEq(g, gas, "gas");
    }

    function testFuzz_splitRootAndPublicInputs(bytes32 root, address prover, bytes32 keySet) public pure {
        (bytes32 hi, bytes32 lo) = BatchCommitment.splitRoot(root);
        assertEq((uint256(hi) << 128) | uint256(lo), uint256(root), "recombines");
        bytes32[] memory inputs = BatchCommitment.aggregationPublicInputs(root, prover, keySet);
        assertEq(inputs.length, 4, "length");
        assertEq(uint256(inputs[2]), uint160(prover), "prover");
        assertEq(uint256(inputs[3]), uint256(keySet), "key set");
    }

    function testFuzz_capacity(uint256 c, uint8 count) public pure {
        c = bound(c, 0, 130);
        bool expected = c == 4 || c == 8 || c == 16 || c == 32 || c == 64;
        assertTrue(BatchCommitment.isValidCapacity(c) == expected, "capacity");
        uint256 n = bound(count, 0, 64);
        uint256 cap = BatchCommitment.capacityFor(n);
        assertTrue(BatchCommitment.isValidCapacity(cap) && cap >= n && (cap == 4 || cap / 2 < n), "capacityFor");
    }

    function _naive(bytes32[] memory leaves, uint256 from, uint256 width) private pure returns (bytes32) {
        if (width == 1) return leaves[from];
        uint256 half = width / 2;
        return keccak256(abi.encodePacked(_naive(leaves, from, half), _naive(leaves, from + half, half)));
    }
}
