// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {StakeSumTree} from "../../contracts/libraries/StakeSumTree.sol";

/// @notice Exposes the library on its own storage tree.
contract StakeSumTreeHarness {
    using StakeSumTree for StakeSumTree.Tree;

    StakeSumTree.Tree private _t;

    function append(uint256 w) external returns (uint256) {
        return _t.append(w);
    }

    function set(uint256 i, uint256 w) external {
        _t.set(i, w);
    }

    function total() external view returns (uint256) {
        return _t.total;
    }

    function size() external view returns (uint256) {
        return _t.size();
    }

    function weightOf(uint256 i) external view returns (uint256) {
        return _t.weightOf(i);
    }

    function prefixSum(uint256 i) external view returns (uint256) {
        return _t.prefixSum(i);
    }

    function find(uint256 target) external view returns (uint256) {
        return _t.find(target);
    }
}

/// @notice Fuzz tests of the Fenwick tree against a plain array model: after random appends
/// (with non-zero initial weights, which exercises the append-time node initialisation) and random
/// updates, every prefix sum and draws at and around every interval boundary match a linear scan.
contract StakeSumTreeTest is TestBase {
    StakeSumTreeHarness internal tree;
    uint256[] internal model;

    function setUp() public {
        tree = new StakeSumTreeHarness();
    }

    function testFuzz_matchesLinearModel(uint64[] memory weights, uint256[] memory updates) public {
        uint256 n = bound(weights.length, 0, 40);
        for (uint256 i = 0; i < n; ++i) {
            // Some zero weights, so that find must skip empty intervals.
            uint256 w = weights[i] % 5 == 0 ? 0 : weights[i];
            assertEq(tree.append(w), i + 1, "append index");
            model.push(w);
        }
        for (uint256 k = 0; k < updates.length && n > 0; ++k) {
            uint256 index = bound(updates[k], 1, n);
            uint256 w = (updates[k] >> 128) % 3 == 0 ? 0 : uint64(updates[k] >> 64);
            tree.set(index, w);
            model[index - 1] = w;
        }
        _checkAgainstModel();
    }

    function testFuzz_findIsProportional(uint64[8] memory weights, uint256 target) public {
        uint256 sum = 0;
        for (uint256 i = 0; i < weights.length; ++i) {
            tree.append(weights[i]);
            model.push(weights[i]);
            sum += weights[i];
        }
        vm.assume(sum > 0);
        target = target % sum;
        uint256 found = tree.find(target);
        uint256 before = found > 1 ? tree.prefixSum(found - 1) : 0;
        assertLe(before, target, "prefix before <= target");
        assertTrue(target < before + model[found - 1], "target < prefix through found");
    }

    function test_revertsOutOfRange() public {
        tree.append(5);
        vm.expectRevert(abi.encodeWithSelector(StakeSumTree.StakeSumTreeTargetOutOfRange.selector, 5, 5));
        tree.find(5);
        vm.expectRevert(abi.encodeWithSelector(StakeSumTree.StakeSumTreeIndexOutOfRange.selector, 0, 1));
        tree.set(0, 1);
        vm.expectRevert(abi.encodeWithSelector(StakeSumTree.StakeSumTreeIndexOutOfRange.selector, 2, 1));
        tree.weightOf(2);
        vm.expectRevert(abi.encodeWithSelector(StakeSumTree.StakeSumTreeIndexOutOfRange.selector, 2, 1));
        tree.prefixSum(2);
    }

    function _checkAgainstModel() internal view {
        uint256 n = model.length;
        assertEq(tree.size(), n, "size");
        uint256 running = 0;
        for (uint256 i = 1; i <= n; ++i) {
            assertEq(tree.weightOf(i), model[i - 1], "leaf");
            running += model[i - 1];
            assertEq(tree.prefixSum(i), running, "prefix sum");
            if (model[i - 1] != 0) {
                assertEq(tree.find(running - model[i - 1]), i, "find at interval start");
                assertEq(tree.find(running - 1), i, "find at interval end");
            }
        }
        assertEq(tree.total(), running, "total");
    }
}
