// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";

/// @notice Test-only harness exposing BatchCommitment to the TypeScript vector tests.
contract CommitmentHarness {
    function digest(bytes32 vkHash, bytes32[] calldata publicInputs) external pure returns (bytes32) {
        return BatchCommitment.digest(vkHash, publicInputs);
    }

    function digestMemory(bytes32 vkHash, bytes32[] memory publicInputs) external pure returns (bytes32) {
        return BatchCommitment.digestMemory(vkHash, publicInputs);
    }

    function root(bytes32[] memory leaves) external pure returns (bytes32 result, bytes32[] memory leavesAfter) {
        result = BatchCommitment.root(leaves);
        leavesAfter = leaves;
    }

    function splitRoot(bytes32 batchRoot) external pure returns (bytes32, bytes32) {
        return BatchCommitment.splitRoot(batchRoot);
    }

    function aggregationPublicInputs(
        bytes32 batchRoot,
        address prover,
        bytes32[] memory keyHashes
    ) external pure returns (bytes32[] memory) {
        return BatchCommitment.aggregationPublicInputs(batchRoot, prover, keyHashes);
    }

    function isCanonical(bytes32 value) external pure returns (bool) {
        return BatchCommitment.isCanonical(value);
    }

    function isValidCapacity(uint256 capacity) external pure returns (bool) {
        return BatchCommitment.isValidCapacity(capacity);
    }
}
