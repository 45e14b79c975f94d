// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {MockVerifier} from "../mocks/MockVerifiers.sol";
import {AggregationMarket} from "../../contracts/market/AggregationMarket.sol";
import {IAggregationMarket} from "../../contracts/interfaces/IAggregationMarket.sol";
import {IProverStaking} from "../../contracts/interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../../contracts/interfaces/IVerifierRouter.sol";
import {VerifierRouter} from "../../contracts/router/VerifierRouter.sol";
import {ProverStaking} from "../../contracts/staking/ProverStaking.sol";
import {INexToken} from "../../contracts/token/INexToken.sol";
import {NexToken} from "../../contracts/token/NexToken.sol";

/// @notice TEST ONLY. Exposes the market's state-transition point on batches of its own (a mapping the
/// market never reads), so that every (from, to) pair can be tried.
contract MarketStateHarness is AggregationMarket {
    mapping(uint256 batchId => Batch) private _probes;

    constructor(
        IProverStaking staking_,
        IVerifierRouter router_,
        Params memory p
    ) AggregationMarket(msg.sender, address(0), staking_, router_, msg.sender, p) {}

    /// @notice Stores a probe batch in state `state` with every other field of its first slot set.
    function put(uint256 batchId, BatchState state) external {
        Batch storage b = _probes[batchId];
        b.state = state;
        b.capacity = 8;
        b.count = 5;
        b.version = 7;
        b.openedAt = 1_000;
        b.sealedAt = 2_000;
        b.lockDeadline = 3_000;
        b.finalDeadline = 4_000;
        b.includedMask = 0x15;
        b.assigned = address(0xA55);
        b.locker = address(0x10C);
    }

    function setState(uint256 batchId, BatchState to) external {
        _setState(batchId, _probes[batchId], to);
    }

    function probe(uint256 batchId) external view returns (Batch memory) {
        return _probes[batchId];
    }
}

/// @notice The batch state machine: `_setState` accepts exactly the edges of docs/protocol.md ("A batch")
/// and changes nothing but the state.
contract MarketStateMachineTest is TestBase {
    MarketStateHarness internal market;

    function setUp() public {
        NexToken token = new NexToken(address(this), 1e27);
        ProverStaking staking = new ProverStaking(INexToken(address(token)), address(this), 1_000e18);
        VerifierRouter router = new VerifierRouter(address(this), address(this));
        bytes32[] memory keyHashes = new bytes32[](1);
        keyHashes[0] = bytes32(uint256(1));
        router.addVersion(address(new MockVerifier()), keyHashes);
        market = new MarketStateHarness(IProverStaking(address(staking)), IVerifierRouter(address(router)), _params());
    }

    function _isEdge(uint256 from, uint256 to) internal pure returns (bool) {
        IAggregationMarket.BatchState f = IAggregationMarket.BatchState(from);
        IAggregationMarket.BatchState t = IAggregationMarket.BatchState(to);
        return
            (f == IAggregationMarket.BatchState.None && t == IAggregationMarket.BatchState.Open)
            || (f == IAggregationMarket.BatchState.Open && t == IAggregationMarket.BatchState.Sealed)
            || (f == IAggregationMarket.BatchState.Sealed && t == IAggregationMarket.BatchState.Locked)
            || (f == IAggregationMarket.BatchState.Locked && t == IAggregationMarket.BatchState.Fulfilled)
            || (f == IAggregationMarket.BatchState.Locked && t == IAggregationMarket.BatchState.Sealed);
    }

    /// @notice Every pair of the six states (Expired included, which is never stored): the five edges
    /// succeed and change only the state; the other 31 pairs revert with MarketInvalidBatchTransition.
    function test_onlyTheDeclaredEdges() public {
        uint256 edges;
        for (uint256 from; from < 6; ++from) {
            for (uint256 to; to < 6; ++to) {
                uint256 id = from * 6 + to + 1;
                IAggregationMarket.BatchState f = IAggregationMarket.BatchState(from);
                IAggregationMarket.BatchState t = IAggregationMarket.BatchState(to);
                market.put(id, f);
                if (_isEdge(from, to)) {
                    market.setState(id, t);
                    IAggregationMarket.Batch memory b = market.probe(id);
                    assertTrue(b.state == t, "state set");
                    _assertUntouched(b);
                    ++edges;
                } else {
                    vm.expectRevert(
                        abi.encodeWithSelector(IAggregationMarket.MarketInvalidBatchTransition.selector, id, f, t)
                    );
                    market.setState(id, t);
                }
            }
        }
        assertEq(edges, 5, "five edges");
    }

    function _assertUntouched(IAggregationMarket.Batch memory b) internal pure {
        assertEq(b.capacity, 8, "capacity");
        assertEq(b.count, 5, "count");
        assertEq(b.version, 7, "version");
        assertEq(b.openedAt, 1_000, "openedAt");
        assertEq(b.sealedAt, 2_000, "sealedAt");
        assertEq(b.lockDeadline, 3_000, "lockDeadline");
        assertEq(b.finalDeadline, 4_000, "finalDeadline");
        assertEq(b.includedMask, 0x15, "includedMask");
        assertEq(uint160(b.assigned), 0xA55, "assigned");
        assertEq(uint160(b.locker), 0x10C, "locker");
    }

    function _params() internal pure returns (IAggregationMarket.Params memory) {
        return
            IAggregationMarket.Params({
                minFeePerProof: 0.0001 ether,
                batchCapacity: 8,
                batchTimeout: 300,
                assignmentWindow: 120,
                provingWindowBase: 600,
                provingWindowPerProof: 120,
                secondaryWindow: 1800,
                submissionTtl: 86_400,
                collateralPerProof: 10e18,
                protocolFeeBps: 500,
                callbackGasLimit: 100_000
            });
    }
}
