// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProverStaking} from "../../contracts/interfaces/IProverStaking.sol";
import {ProverStaking} from "../../contracts/staking/ProverStaking.sol";
import {IProverStaking} from "../../contracts/interfaces/IProverStaking.sol";
import {StakingModel} from "./StakingModel.sol";

/// @notice Fuzz tests of ProverStaking: random action sequences keep the accounting exact, and
/// the slashing rule, the lock guard on unstaking and the unbonding timing hold for any amounts.
contract ProverStakingFuzzTest is StakingModel {
    function setUp() public {
        _deploy();
    }

    /// @dev Each word encodes an action (low byte), a prover (next byte) and an amount (the rest).
    function testFuzz_randomSequencesKeepAccounting(uint256[32] memory ops) public {
        for (uint256 i = 0; i < ops.length; ++i) {
            uint256 op = ops[i];
            address p = _prover(op >> 8);
            uint256 amount = op >> 16;
            uint256 kind = op % 10;
            if (kind == 0 || kind == 1) _doStake(p, amount);
            else if (kind == 2) _doRequestUnstake(p, amount);
            else if (kind == 3) _doWithdraw(p, amount);
            else if (kind == 4) _doLock(p, amount);
            else if (kind == 5) _doUnlock(p, amount);
            else if (kind == 6) _doSlash(p, amount, (amount & 1) == 1);
            else if (kind == 7) _doLockAny(p, amount);
            else if (kind == 8) _doUnstakeAny(p, amount);
            else vm.warp(block.timestamp + bound(amount, 1, 4 days));
            _checkAccounting();
        }
    }

    struct SlashCase {
        uint256 staked;
        uint256 older; // first unstake entry
        uint256 newer; // second unstake entry
        uint256 locked;
        uint256 amount;
    }

    /// @dev The rule (issue #10 item 10): a slash takes only locked collateral; above it, it reverts and
    /// available stake and pending unstake entries are never touched.
    function testFuzz_slashRule(
        uint96 stake,
        uint256 lockSeed,
        uint256 u1Seed,
        uint256 u2Seed,
        uint256 slashSeed
    ) public {
        address p = provers[0];
        SlashCase memory c;
        c.staked = bound(stake, 1, 1e24);
        c.older = bound(u1Seed, 0, c.staked);
        c.newer = bound(u2Seed, 0, c.staked - c.older);
        c.locked = bound(lockSeed, 0, c.staked - c.older - c.newer);
        c.amount = bound(slashSeed, 0, c.staked);
        _setUpSlashCase(p, c);
        if (c.amount > c.locked) {
            vm.expectRevert(
                abi.encodeWithSelector(IProverStaking.StakingInsufficientLocked.selector, p, c.locked, c.amount)
            );
            staking.slashCollateral(p, c.amount, BENEFICIARY);
            c.amount = 0;
        } else {
            (uint256 burned, uint256 rewarded) = staking.slashCollateral(p, c.amount, BENEFICIARY);
            ghostBurned += burned;
            ghostRewarded += rewarded;
        }
        _checkSlashCase(p, c);
        _checkAccounting();
    }

    function _setUpSlashCase(address p, SlashCase memory c) internal {
        vm.startPrank(p);
        staking.stake(c.staked);
        if (c.older > 0) staking.requestUnstake(c.older);
        if (c.newer > 0) staking.requestUnstake(c.newer);
        vm.stopPrank();
        staking.lockCollateral(p, c.locked);
    }

    function _checkSlashCase(address p, SlashCase memory c) internal view {
        (uint256 stakedAfter, uint256 lockedAfter, uint256 pendingAfter) = staking.stakeOf(p);
        assertEq(stakedAfter, c.staked - c.amount, "staked");
        assertEq(lockedAfter, c.locked - c.amount, "locked");
        assertEq(pendingAfter, c.older + c.newer, "pending untouched");
        ProverStaking.UnstakeEntry[] memory q = staking.unstakeQueue(p);
        uint256 queued;
        for (uint256 k; k < q.length; ++k) queued += q[k].amount;
        assertEq(queued, c.older + c.newer, "queue untouched");
    }

    function testFuzz_unstakeOfLockedStakeReverts(uint96 stake, uint256 lockSeed, uint256 extra) public {
        address p = provers[1];
        uint256 s = bound(stake, 1, 1e24);
        vm.prank(p);
        staking.stake(s);
        uint256 lock = bound(lockSeed, 1, s);
        staking.lockCollateral(p, lock);
        uint256 asked = s - lock + bound(extra, 1, lock);
        vm.expectRevert(
            abi.encodeWithSelector(IProverStaking.StakingInsufficientAvailableStake.selector, p, s - lock, asked)
        );
        vm.prank(p);
        staking.requestUnstake(asked);
    }

    function testFuzz_withdrawOnlyAfterUnbonding(uint96 stake, uint256 waitSeed) public {
        address p = provers[2];
        uint256 s = bound(stake, 1, 1e24);
        vm.prank(p);
        staking.stake(s);
        vm.prank(p);
        staking.requestUnstake(s);
        uint64 unlockAt = uint64(block.timestamp) + staking.unbondingPeriod();
        uint256 wait = bound(waitSeed, 0, 2 * uint256(staking.unbondingPeriod()));
        vm.warp(block.timestamp + wait);
        if (block.timestamp < unlockAt) {
            vm.expectRevert(abi.encodeWithSelector(IProverStaking.StakingNothingToWithdraw.selector, p, unlockAt));
            vm.prank(p);
            staking.withdraw(1);
        } else {
            vm.prank(p);
            assertEq(staking.withdraw(1), s, "full withdrawal");
        }
        _checkAccounting();
    }
}
