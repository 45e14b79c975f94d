// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {ExampleRollup} from "../../contracts/examples/ExampleRollup.sol";
import {IAggregationMarket} from "../../contracts/interfaces/IAggregationMarket.sol";

/// @dev Test double of the market's statement query (isVerified) and callback: a statement is "verified" when the
/// test says so. The market's own verification is tested with the market; here only the example's
/// logic is under test.
contract StatementOracleDouble {
    mapping(bytes32 digest => bool verified) public verifiedDigest;

    function setVerified(bytes32 programId, bytes32[] memory publicInputs) external returns (bytes32 digest) {
        digest = keccak256(abi.encodePacked(programId, publicInputs));
        verifiedDigest[digest] = true;
    }

    function isVerified(bytes32 programId, bytes32[] calldata publicInputs) external view returns (bool) {
        return verifiedDigest[keccak256(abi.encodePacked(programId, publicInputs))];
    }

    function callback(ExampleRollup rollup, bytes32 programId, uint256 submissionId, bytes32 digest) external {
        rollup.onProofVerified(programId, submissionId, digest);
    }
}

contract ExampleRollupTest is TestBase {
    bytes32 internal constant PROGRAM = bytes32(uint256(0x1234));
    bytes32 internal constant GENESIS = bytes32(uint256(7));
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    StatementOracleDouble internal market;
    ExampleRollup internal rollup;

    function setUp() public {
        market = new StatementOracleDouble();
        rollup = new ExampleRollup(IAggregationMarket(address(market)), PROGRAM, GENESIS);
    }

    function _pis(bytes32 a, bytes32 b) internal pure returns (bytes32[] memory p) {
        p = new bytes32[](2);
        p[0] = a;
        p[1] = b;
    }

    function test_finalize_revertsWhenNotVerified() public {
        bytes32 next = bytes32(uint256(8));
        vm.expectRevert(abi.encodeWithSelector(ExampleRollup.TransitionNotVerified.selector, GENESIS, next));
        rollup.finalize(next);
    }

    function test_finalize_advancesWhenVerified() public {
        bytes32 next = bytes32(uint256(8));
        market.setVerified(PROGRAM, _pis(GENESIS, next));
        rollup.finalize(next);
        assertTrue(rollup.stateRoot() == next, "root advanced");
    }

    function test_finalize_ignoresOtherProgramsProofs() public {
        bytes32 next = bytes32(uint256(8));
        market.setVerified(bytes32(uint256(0x999)), _pis(GENESIS, next));
        vm.expectRevert(abi.encodeWithSelector(ExampleRollup.TransitionNotVerified.selector, GENESIS, next));
        rollup.finalize(next);
    }

    function test_finalize_cannotReplayATransitionFromAnOlderRoot() public {
        bytes32 a = bytes32(uint256(8));
        bytes32 b = bytes32(uint256(9));
        market.setVerified(PROGRAM, _pis(GENESIS, a));
        market.setVerified(PROGRAM, _pis(GENESIS, b));
        rollup.finalize(a);
        // GENESIS -> b is verified but no longer starts at the current root.
        vm.expectRevert(abi.encodeWithSelector(ExampleRollup.TransitionNotVerified.selector, a, b));
        rollup.finalize(b);
    }

    function test_callback_finalizesAProposedTransition() public {
        bytes32 next = bytes32(uint256(8));
        bytes32 digest = rollup.propose(next);
        assertTrue(digest == keccak256(abi.encodePacked(PROGRAM, _pis(GENESIS, next))), "digest format");
        market.callback(rollup, PROGRAM, 33, digest);
        assertTrue(rollup.stateRoot() == next, "root advanced by callback");
        assertTrue(rollup.proposalOf(digest).newRoot == bytes32(0), "proposal consumed");
    }

    function test_callback_onlyFromTheMarket() public {
        bytes32 digest = rollup.propose(bytes32(uint256(8)));
        vm.expectRevert(abi.encodeWithSelector(ExampleRollup.NotMarket.selector, address(this)));
        rollup.onProofVerified(PROGRAM, 33, digest);
    }

    function test_callback_rejectsAnotherProgram() public {
        bytes32 digest = rollup.propose(bytes32(uint256(8)));
        vm.expectRevert(abi.encodeWithSelector(ExampleRollup.WrongProgram.selector, bytes32(uint256(1))));
        market.callback(rollup, bytes32(uint256(1)), 33, digest);
    }

    function test_callback_ignoresUnknownAndStaleDigests() public {
        market.callback(rollup, PROGRAM, 33, keccak256("unknown"));
        assertTrue(rollup.stateRoot() == GENESIS, "unknown digest ignored");
        bytes32 stale = rollup.propose(bytes32(uint256(8)));
        bytes32 other = bytes32(uint256(9));
        market.setVerified(PROGRAM, _pis(GENESIS, other));
        rollup.finalize(other);
        market.callback(rollup, PROGRAM, 34, stale);
        assertTrue(rollup.stateRoot() == other, "stale proposal ignored");
    }

    function test_rootsMustBeCanonical() public {
        vm.expectRevert(abi.encodeWithSelector(ExampleRollup.NonCanonicalRoot.selector, bytes32(R)));
        rollup.propose(bytes32(R));
        vm.expectRevert(abi.encodeWithSelector(ExampleRollup.NonCanonicalRoot.selector, bytes32(R)));
        new ExampleRollup(IAggregationMarket(address(market)), PROGRAM, bytes32(R));
    }

    /// Only a verified transition from the current root ever changes the state root.
    function testFuzz_onlyVerifiedTransitionsAdvance(uint256 next, uint256 verifiedNext) public {
        bytes32 n = bytes32(bound(next, 0, R - 1));
        bytes32 v = bytes32(bound(verifiedNext, 0, R - 1));
        market.setVerified(PROGRAM, _pis(GENESIS, v));
        if (n == v) {
            rollup.finalize(n);
            assertTrue(rollup.stateRoot() == n, "advanced");
        } else {
            vm.expectRevert(abi.encodeWithSelector(ExampleRollup.TransitionNotVerified.selector, GENESIS, n));
            rollup.finalize(n);
            assertTrue(rollup.stateRoot() == GENESIS, "unchanged");
        }
    }
}
