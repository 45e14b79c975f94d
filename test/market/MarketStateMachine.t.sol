// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {MockVerifier} from "../mocks/MockVerifiers.sol";
import {MarketBase} from "../../contracts/market/MarketBase.sol";
import {IAggregationMarketTypes} from "../../contracts/interfaces/IAggregationMarket.sol";
import {IProverStaking} from "../../contracts/interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../../contracts/interfaces/IVerifierRouter.sol";
import {BatchHeader} from "../../contracts/libraries/BatchHeader.sol";
import {VerifierRouter} from "../../contracts/router/VerifierRouter.sol";
import {ProverStaking} from "../../contracts/staking/ProverStaking.sol";
import {INexToken} from "../../contracts/token/INexToken.sol";
import {NexToken} from "../../contracts/token/NexToken.sol";

/// @notice TEST ONLY. The market's storage base with its one state-transition point exposed, applied to a
/// header word the caller gives (the market stores the header it returns), so that every (from, to) pair
/// can be tried.
contract MarketStateHarness is MarketBase {
    constructor(IProverStaking staking_, IVerifierRouter router_) MarketBase(staking_, router_) {}

    /// @notice Applies `_setState(batchId, header, to)` to the decoded `header` and returns it packed.
    function setState(uint256 batchId, uint256 header, BatchState to) external pure returns (uint256) {
        BatchHeader.Header memory h = BatchHeader.unpack(header);
        _setState(batchId, h, to);
        return BatchHeader.pack(h);
    }
}

/// @notice The batch state machine of version 2: `_setState` accepts exactly the edges of docs/protocol.md
/// ("A batch") and changes nothing but the state.
contract MarketStateMachineTest is TestBase {
    uint256 internal constant _STATES = 8; // None .. Expired (Expired is derived by views, never stored)
    uint256 internal constant _STATE_MASK = 0xf; // the low 4 bits of slot A

    MarketStateHarness internal market;

    function setUp() public {
        NexToken token = new NexToken(address(this), 1e27);
        ProverStaking staking = new ProverStaking(INexToken(address(token)), address(this), 1_000e18);
        VerifierRouter router = new VerifierRouter(address(this), address(this));
        router.addVersion(address(new MockVerifier()), bytes32(uint256(0x5e7)), 14_656);
        market = new MarketStateHarness(IProverStaking(address(staking)), IVerifierRouter(address(router)));
    }

    function _isEdge(uint256 from, uint256 to) internal pure returns (bool) {
        IAggregationMarketTypes.BatchState f = IAggregationMarketTypes.BatchState(from);
        IAggregationMarketTypes.BatchState t = IAggregationMarketTypes.BatchState(to);
        IAggregationMarketTypes.BatchState none = IAggregationMarketTypes.BatchState.None;
        IAggregationMarketTypes.BatchState open = IAggregationMarketTypes.BatchState.Open;
        IAggregationMarketTypes.BatchState sealed_ = IAggregationMarketTypes.BatchState.Sealed;
        IAggregationMarketTypes.BatchState locked = IAggregationMarketTypes.BatchState.Locked;
        IAggregationMarketTypes.BatchState released = IAggregationMarketTypes.BatchState.Released;
        return
            (f == none && (t == open || t == sealed_)) // first calldata/blob statement; postBatch
            || (f == open && (t == sealed_ || t == released)) // seal; release after expiry
            || (f == sealed_ && (t == locked || t == IAggregationMarketTypes.BatchState.Fulfilled || t == released)) // lock; direct fulfil; release after expiry
            || (f == locked
                && (t == IAggregationMarketTypes.BatchState.Fulfilled
                    || t == IAggregationMarketTypes.BatchState.Closed
                    || t == sealed_)); // fulfil; close; slash (or a removed version's release)
    }

    /// @notice A header word with every field other than the state set to a distinct non-zero value.
    function _header(uint256 state) internal pure returns (uint256) {
        BatchHeader.Header memory h = BatchHeader.Header({
            state: IAggregationMarketTypes.BatchState(state),
            flags: 0xf,
            capacity: 64,
            count: 37,
            version: 7,
            openedAt: 1_000,
            sealedAt: 2_000,
            sealBlock: 3_000,
            lockDeadline: 4_000,
            finalDelta: 1_800,
            escrow: 123_456_789
        });
        return BatchHeader.pack(h);
    }

    /// @notice Every pair of the eight states (Expired included, which is never stored): the nine edges
    /// succeed and change only the state; the other 55 pairs revert with MarketInvalidBatchTransition.
    function test_onlyTheDeclaredEdges() public view {
        uint256 edges;
        for (uint256 from; from < _STATES; ++from) {
            for (uint256 to; to < _STATES; ++to) {
                uint256 id = from * _STATES + to + 1;
                IAggregationMarketTypes.BatchState t = IAggregationMarketTypes.BatchState(to);
                uint256 before = _header(from);
                try market.setState(id, before, t) returns (uint256 afterWord) {
                    assertTrue(_isEdge(from, to), "an undeclared edge was accepted");
                    assertEq(afterWord & _STATE_MASK, to, "state set");
                    assertEq(afterWord & ~_STATE_MASK, before & ~_STATE_MASK, "nothing else changed");
                    ++edges;
                } catch (bytes memory reason) {
                    assertTrue(!_isEdge(from, to), "a declared edge was refused");
                    assertTrue(
                        keccak256(reason)
                            == keccak256(
                                abi.encodeWithSelector(
                                    IAggregationMarketTypes.MarketInvalidBatchTransition.selector,
                                    id,
                                    IAggregationMarketTypes.BatchState(from),
                                    t
                                )
                            ),
                        "MarketInvalidBatchTransition(batchId, from, to)"
                    );
                }
            }
        }
        assertEq(edges, 10, "ten edges");
    }
}
