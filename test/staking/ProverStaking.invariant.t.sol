// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {StakingModel} from "./StakingModel.sol";

/// @notice Handler for the invariant runner: each entry point is one bounded staking action by
/// one of three provers (or the market, which this contract is). Actions never revert, so every
/// call of a run changes or keeps state meaningfully.
contract StakingHandler is StakingModel {
    uint256 public calls;

    constructor() {
        _deploy();
    }

    function stake(uint256 who, uint256 amount) external {
        _doStake(_prover(who), amount);
        ++calls;
    }

    function requestUnstake(uint256 who, uint256 amount) external {
        _doRequestUnstake(_prover(who), amount);
        ++calls;
    }

    function withdraw(uint256 who, uint256 maxEntries) external {
        _doWithdraw(_prover(who), maxEntries);
        ++calls;
    }

    function lock(uint256 who, uint256 amount) external {
        _doLock(_prover(who), amount);
        ++calls;
    }

    function lockAny(uint256 who, uint256 amount) external {
        _doLockAny(_prover(who), amount);
        ++calls;
    }

    function requestUnstakeAny(uint256 who, uint256 amount) external {
        _doUnstakeAny(_prover(who), amount);
        ++calls;
    }

    function unlock(uint256 who, uint256 amount) external {
        _doUnlock(_prover(who), amount);
        ++calls;
    }

    function slash(uint256 who, uint256 amount, bool beyondLocked) external {
        _doSlash(_prover(who), amount, beyondLocked);
        ++calls;
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1, 3 days));
        ++calls;
    }

    /// @dev The checks, callable by the invariant test.
    function checkAccounting() external view {
        _checkAccounting();
    }
}

/// @notice Invariants of ProverStaking over random action sequences (Hardhat 3's invariant
/// runner, targeting only the handler): the staking contract's NEX balance equals the sum of all
/// stakes (pending unstakes included), locked + pending <= staked for every prover, queue entries
/// sum to pendingUnstake, the sum tree's total equals the sum of the provers' weights and every
/// weight equals the active stake when at least minStake, and the token supply only falls by burns.
/// The handler's actions assert their own effects (slash split, burn, payouts) and never revert
/// otherwise, so the runs fail on any revert.
contract ProverStakingInvariantTest is TestBase {
    StakingHandler internal handler;

    function setUp() public {
        handler = new StakingHandler();
        targetContract(address(handler));
    }

    /// forge-config: default.invariant.runs = 48
    /// forge-config: default.invariant.depth = 40
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_accounting() public view {
        handler.checkAccounting();
    }
}
