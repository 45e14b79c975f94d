// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {ProverStaking} from "../../contracts/staking/ProverStaking.sol";
import {IProverStaking} from "../../contracts/interfaces/IProverStaking.sol";
import {NexToken} from "../../contracts/token/NexToken.sol";
import {INexToken} from "../../contracts/token/INexToken.sol";

/// @notice Shared by the staking fuzz and invariant tests: a fixed cast of provers, bounded
/// actions against ProverStaking (the caller holds MARKET_ROLE) with ghost totals of what was
/// burnt and rewarded, and the accounting checks that must hold after any sequence of actions.
abstract contract StakingModel is TestBase {
    uint256 internal constant SUPPLY = 1e27;
    uint256 internal constant MIN_STAKE = 1_000e18;
    uint256 internal constant FUNDS = 1e24;
    address internal constant BENEFICIARY = address(0xBEEF);

    NexToken internal token;
    ProverStaking internal staking;
    address[] internal provers;

    uint256 public ghostBurned;
    uint256 public ghostRewarded;

    /// @dev Deploys token and staking with this contract as treasury, admin and market.
    function _deploy() internal {
        token = new NexToken(address(this), SUPPLY);
        staking = new ProverStaking(INexToken(address(token)), address(this), MIN_STAKE);
        staking.grantRole(staking.MARKET_ROLE(), address(this));
        // The draw warm-up is 0 here so that a weight is exactly its active stake after every action; the
        // warm-up has its own tests (ProverStaking.warmup.test.ts).
        staking.setWeightWarmup(0);
        for (uint256 i = 0; i < 3; ++i) {
            address p = address(uint160(0xA11CE0 + i));
            provers.push(p);
            token.transfer(p, FUNDS);
            vm.prank(p);
            token.approve(address(staking), type(uint256).max);
        }
    }

    function _prover(uint256 seed) internal view returns (address) {
        return provers[seed % provers.length];
    }

    // ------------------------------------------------------------ actions (never revert)

    function _doStake(address p, uint256 amount) internal {
        amount = bound(amount, 1, token.balanceOf(p) / 4 + 1);
        if (amount > token.balanceOf(p)) return;
        vm.prank(p);
        staking.stake(amount);
    }

    function _doRequestUnstake(address p, uint256 amount) internal {
        uint256 available = staking.availableStake(p);
        if (available == 0) return;
        vm.prank(p);
        staking.requestUnstake(bound(amount, 1, available));
    }

    function _doWithdraw(address p, uint256 maxEntries) internal {
        (, , uint256 pending) = staking.stakeOf(p);
        ProverStaking.UnstakeEntry[] memory q = staking.unstakeQueue(p);
        if (q.length == 0 || q[0].unlockAt > block.timestamp) return;
        uint256 balanceBefore = token.balanceOf(p);
        vm.prank(p);
        uint256 amount = staking.withdraw(bound(maxEntries, 1, 4));
        assertEq(token.balanceOf(p), balanceBefore + amount, "withdrawn amount paid");
        (, , uint256 pendingAfter) = staking.stakeOf(p);
        assertEq(pending - pendingAfter, amount, "pending released");
    }

    function _doLock(address p, uint256 amount) internal {
        staking.lockCollateral(p, bound(amount, 0, staking.availableStake(p)));
    }

    /// @dev Tries to lock up to the whole stake: must revert exactly when above available.
    function _doLockAny(address p, uint256 amount) internal {
        (uint256 staked, , ) = staking.stakeOf(p);
        uint256 available = staking.availableStake(p);
        amount = bound(amount, 0, staked);
        try staking.lockCollateral(p, amount) {
            assertLe(amount, available, "locked more than available");
        } catch (bytes memory reason) {
            assertTrue(amount > available, "lock within available reverted");
            _assertInsufficient(reason, p, available, amount);
        }
    }

    /// @dev Tries to unstake up to the whole stake: must revert exactly when above available
    /// (so locked and already queued stake can never be queued).
    function _doUnstakeAny(address p, uint256 amount) internal {
        (uint256 staked, , ) = staking.stakeOf(p);
        uint256 available = staking.availableStake(p);
        amount = bound(amount, 1, staked + 1);
        vm.prank(p);
        try staking.requestUnstake(amount) {
            assertLe(amount, available, "unstaked more than available");
        } catch (bytes memory reason) {
            assertTrue(amount > available, "unstake within available reverted");
            _assertInsufficient(reason, p, available, amount);
        }
    }

    function _assertInsufficient(bytes memory reason, address p, uint256 available, uint256 amount) private pure {
        bytes memory expected = abi.encodeWithSelector(
            IProverStaking.StakingInsufficientAvailableStake.selector,
            p,
            available,
            amount
        );
        assertTrue(keccak256(reason) == keccak256(expected), "InsufficientAvailableStake(prover, available, amount)");
    }

    function _doUnlock(address p, uint256 amount) internal {
        (, uint256 locked, ) = staking.stakeOf(p);
        staking.unlockCollateral(p, bound(amount, 0, locked));
    }

    /// @dev `beyondLocked` tries amounts up to the whole stake: above the locked collateral the slash must
    /// revert (the market can only take what it locked).
    function _doSlash(address p, uint256 amount, bool beyondLocked) internal {
        (uint256 staked, uint256 locked, uint256 pending) = staking.stakeOf(p);
        amount = bound(amount, 0, beyondLocked ? staked : locked);
        if (amount > locked) {
            try staking.slashCollateral(p, amount, BENEFICIARY) {
                assertTrue(false, "slash above locked succeeded");
            } catch (bytes memory reason) {
                bytes memory expected = abi.encodeWithSelector(
                    IProverStaking.StakingInsufficientLocked.selector,
                    p,
                    locked,
                    amount
                );
                assertTrue(keccak256(reason) == keccak256(expected), "InsufficientLocked(prover, locked, amount)");
            }
            return;
        }
        uint256 supplyBefore = token.totalSupply();
        uint256 beneficiaryBefore = token.balanceOf(BENEFICIARY);
        (uint256 burned, uint256 rewarded) = staking.slashCollateral(p, amount, BENEFICIARY);
        assertEq(burned + rewarded, amount, "slash split");
        assertEq(burned, (amount * staking.slashBurnBps()) / 10_000, "burn share");
        assertEq(supplyBefore - token.totalSupply(), burned, "burnt from supply");
        assertEq(token.balanceOf(BENEFICIARY) - beneficiaryBefore, rewarded, "beneficiary paid");
        (uint256 stakedAfter, uint256 lockedAfter, uint256 pendingAfter) = staking.stakeOf(p);
        assertEq(staked - stakedAfter, amount, "stake reduced by the slash");
        assertEq(locked - lockedAfter, amount, "taken from locked only");
        assertEq(pendingAfter, pending, "pending unstakes untouched");
        ghostBurned += burned;
        ghostRewarded += rewarded;
    }

    // ------------------------------------------------------------ checks

    function _checkAccounting() internal view {
        uint256 sumStaked = 0;
        uint256 sumWeights = 0;
        uint256 sumBalances = 0;
        for (uint256 i = 0; i < provers.length; ++i) {
            address p = provers[i];
            (uint256 staked, uint256 locked, uint256 pending) = staking.stakeOf(p);
            sumStaked += staked;
            sumBalances += token.balanceOf(p);
            assertLe(locked + pending, staked, "locked + pending <= staked");
            assertEq(staking.availableStake(p), staked - locked - pending, "available");

            ProverStaking.UnstakeEntry[] memory q = staking.unstakeQueue(p);
            uint256 queued = 0;
            for (uint256 k = 0; k < q.length; ++k) {
                queued += q[k].amount;
                if (k > 0) assertLe(q[k - 1].unlockAt, q[k].unlockAt, "queue unlocks in order");
            }
            assertEq(queued, pending, "queue entries sum to pendingUnstake");

            uint256 active = staked - pending;
            uint256 expected = active >= staking.minStake() ? active : 0;
            assertEq(staking.weightOf(p), expected, "weight = active stake if >= minStake");
            assertTrue(staking.isEligible(p) == (active >= staking.minStake()), "eligibility");
            sumWeights += staking.weightOf(p);
        }
        assertEq(token.balanceOf(address(staking)), sumStaked, "staking balance = sum of staked");
        assertEq(staking.totalWeight(), sumWeights, "tree total = sum of weights");
        assertEq(token.totalSupply() + ghostBurned, SUPPLY, "supply only falls by burns");
        assertEq(token.balanceOf(BENEFICIARY), ghostRewarded, "rewards reach the beneficiary");
        assertEq(
            sumStaked + sumBalances + token.balanceOf(BENEFICIARY) + token.balanceOf(address(this)),
            token.totalSupply(),
            "every token accounted for"
        );
    }
}
