// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";
import {SubmissionId} from "../../contracts/libraries/SubmissionId.sol";

/// @notice TEST ONLY. External entry to the library's pack, so that a revert can be caught.
contract SubmissionIdHarness {
    function pack(uint256 batchId, uint256 slot) external pure returns (uint256) {
        return SubmissionId.pack(batchId, slot);
    }
}

/// @notice Tests of the submission-id packing against its definition `id = batchId * 64 + slot` (version 2).
contract SubmissionIdTest is TestBase {
    function test_strideIsTheLargestCapacity() public pure {
        assertEq(SubmissionId.SLOTS_PER_BATCH, BatchCommitment.MAX_CAPACITY, "stride");
    }

    function test_knownIds() public pure {
        assertEq(SubmissionId.pack(1, 0), 64, "batch 1 slot 0");
        assertEq(SubmissionId.pack(1, 63), 127, "batch 1 slot 63");
        assertEq(SubmissionId.pack(2, 5), 133, "batch 2 slot 5");
        assertEq(SubmissionId.batchOf(133), 2, "batch of 133");
        assertEq(SubmissionId.slotOf(133), 5, "slot of 133");
    }

    function test_refusesASlotBeyondTheStride() public {
        SubmissionIdHarness h = new SubmissionIdHarness();
        assertEq(h.pack(3, 63), 3 * 64 + 63, "last slot");
        try h.pack(3, 64) returns (uint256) {
            assertTrue(false, "slot 64 accepted");
        } catch (bytes memory reason) {
            assertTrue(
                keccak256(reason)
                    == keccak256(abi.encodeWithSelector(SubmissionId.SubmissionIdInvalidSlot.selector, 64)),
                "SubmissionIdInvalidSlot(64)"
            );
        }
    }

    function testFuzz_packMatchesDefinition(uint32 batchId, uint8 slotSeed) public pure {
        uint256 slot = bound(slotSeed, 0, 63);
        assertEq(SubmissionId.pack(batchId, slot), uint256(batchId) * 64 + slot, "pack");
        assertEq(SubmissionId.pack(batchId, slot), SubmissionId.pack(batchId, 0) + slot, "consecutive");
    }

    function testFuzz_unpackInvertsPack(uint256 batchId, uint8 slotSeed) public pure {
        batchId = bound(batchId, 0, type(uint256).max >> 6);
        uint256 slot = bound(slotSeed, 0, 63);
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
