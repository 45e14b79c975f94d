// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";
import {SubmissionId} from "../../contracts/libraries/SubmissionId.sol";

/// @notice Tests of the submission-id packing against its definition `id = batchId * 32 + slot`.
contract SubmissionIdTest is TestBase {
    function test_strideIsTheLargestCapacity() public pure {
        assertEq(SubmissionId.SLOTS_PER_BATCH, BatchCommitment.MAX_CAPACITY, "stride");
    }

    function test_knownIds() public pure {
        assertEq(SubmissionId.pack(1, 0), 32, "batch 1 slot 0");
        assertEq(SubmissionId.pack(1, 31), 63, "batch 1 slot 31");
        assertEq(SubmissionId.pack(2, 5), 69, "batch 2 slot 5");
        assertEq(SubmissionId.batchOf(69), 2, "batch of 69");
        assertEq(SubmissionId.slotOf(69), 5, "slot of 69");
    }

    function testFuzz_packMatchesDefinition(uint32 batchId, uint8 slotSeed) public pure {
        uint256 slot = bound(slotSeed, 0, 31);
        assertEq(SubmissionId.pack(batchId, slot), uint256(batchId) * 32 + slot, "pack");
        assertEq(SubmissionId.pack(batchId, slot), SubmissionId.pack(batchId, 0) + slot, "consecutive");
    }

    function testFuzz_unpackInvertsPack(uint256 batchId, uint8 slotSeed) public pure {
        batchId = bound(batchId, 0, type(uint256).max >> 5);
        uint256 slot = bound(slotSeed, 0, 31);
        uint256 id = SubmissionId.pack(batchId, slot);
        (uint256 b, uint256 s) = SubmissionId.unpack(id);
        assertEq(b, batchId, "unpack batch");
        assertEq(s, slot, "unpack slot");
        assertEq(SubmissionId.batchOf(id), batchId, "batchOf");
        assertEq(SubmissionId.slotOf(id), slot, "slotOf");
    }

    function testFuzz_everyIdHasOnePacking(uint256 id) public pure {
        assertEq(SubmissionId.pack(SubmissionId.batchOf(id), SubmissionId.slotOf(id)), id, "pack(unpack(id))");
        assertTrue(SubmissionId.slotOf(id) < SubmissionId.SLOTS_PER_BATCH, "slot below the stride");
    }
}
