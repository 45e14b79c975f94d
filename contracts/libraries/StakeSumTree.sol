// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title StakeSumTree
/// @notice A Fenwick (binary indexed) tree of non-negative weights that grows by appending, for
/// weighted random draws in O(log n): `find(t, x)` returns the index whose cumulative-weight
/// interval contains `x`.
/// @dev Indices are 1-based (0 means "none"). `nodes[i - 1]` holds the sum of the weights of indices
/// `(i - lowbit(i), i]`, where `lowbit(i) = i & -i`. The leaf weights are kept too (`leaves`) so
/// that callers can set a weight without knowing the old one, and `total` caches the sum of all
/// leaves so that it reads in one SLOAD.
///
/// Appending index `n` must initialise `nodes[n - 1]` with the sum of its range: the new weight plus
/// the nodes that cover `(n - lowbit(n), n - 1]`, which are exactly `n - 1, n - 2, n - 4, ...,
/// n - lowbit(n) / 2`. That is at most log2(n) reads, so every operation is O(log n).
library StakeSumTree {
    struct Tree {
        // Sum of all leaf weights.
        uint256 total;
        // Fenwick nodes, nodes[i - 1] for index i.
        uint256[] nodes;
        // Leaf weights, leaves[i - 1] for index i.
        uint256[] leaves;
    }

    /// @notice `index` is 0 or beyond the last appended index.
    error StakeSumTreeIndexOutOfRange(uint256 index, uint256 size);

    /// @notice `find` was asked for a point at or beyond the total weight.
    error StakeSumTreeTargetOutOfRange(uint256 target, uint256 total);

    /// @notice Number of indices appended so far.
    /// @param t The tree.
    /// @return The size.
    function size(Tree storage t) internal view returns (uint256) {
        return t.leaves.length;
    }

    /// @notice Weight of `index`.
    /// @param t The tree.
    /// @param index A 1-based index.
    /// @return The weight.
    function weightOf(Tree storage t, uint256 index) internal view returns (uint256) {
        _checkIndex(t, index);
        return t.leaves[index - 1];
    }

    /// @notice Appends a new index with weight `weight`. O(log n).
    /// @param t The tree.
    /// @param weight The new index's weight.
    /// @return index The new (1-based) index.
    function append(Tree storage t, uint256 weight) internal returns (uint256 index) {
        index = t.leaves.length + 1;
        uint256 node = weight;
        uint256 low = index & (~index + 1);
        for (uint256 step = 1; step < low; step <<= 1) {
            node += t.nodes[index - step - 1];
        }
        t.nodes.push(node);
        t.leaves.push(weight);
        t.total += weight;
    }

    /// @notice Sets the weight of `index` to `weight`. O(log n); a no-op when unchanged.
    /// @param t The tree.
    /// @param index A 1-based index.
    /// @param weight The new weight.
    function set(Tree storage t, uint256 index, uint256 weight) internal {
        _checkIndex(t, index);
        uint256 old = t.leaves[index - 1];
        if (weight == old) return;
        t.leaves[index - 1] = weight;
        uint256 n = t.leaves.length;
        if (weight > old) {
            uint256 delta = weight - old;
            t.total += delta;
            for (uint256 i = index; i <= n; i += i & (~i + 1)) {
                t.nodes[i - 1] += delta;
            }
        } else {
            uint256 delta = old - weight;
            t.total -= delta;
            for (uint256 i = index; i <= n; i += i & (~i + 1)) {
                // Cannot underflow: node i covers `index`, whose leaf held at least `delta`.
                unchecked {
                    t.nodes[i - 1] -= delta;
                }
            }
        }
    }

    /// @notice Sum of the weights of indices 1..index. O(log n).
    /// @param t The tree.
    /// @param index A 1-based index (0: empty sum).
    /// @return sum The prefix sum.
    function prefixSum(Tree storage t, uint256 index) internal view returns (uint256 sum) {
        if (index > t.leaves.length) revert StakeSumTreeIndexOutOfRange(index, t.leaves.length);
        for (uint256 i = index; i > 0; i &= i - 1) {
            sum += t.nodes[i - 1];
        }
    }

    /// @notice The index `i` with prefixSum(i - 1) <= target < prefixSum(i): a draw of `target`
    /// uniform in [0, total) returns `i` with probability weight(i) / total. O(log n).
    /// @param t The tree.
    /// @param target A point in [0, total).
    /// @return The index whose interval contains `target`.
    /// @dev Standard Fenwick descent: from the highest power of two <= size down to 1, step over a
    /// node whenever its whole range still lies at or below the remaining target. Indices with weight
    /// 0 are never returned.
    function find(Tree storage t, uint256 target) internal view returns (uint256) {
        if (target >= t.total) revert StakeSumTreeTargetOutOfRange(target, t.total);
        uint256 n = t.leaves.length;
        uint256 pos = 0;
        uint256 step = _highestPowerOfTwo(n);
        for (; step > 0; step >>= 1) {
            uint256 next = pos + step;
            if (next <= n) {
                uint256 node = t.nodes[next - 1];
                if (node <= target) {
                    pos = next;
                    target -= node;
                }
            }
        }
        return pos + 1;
    }

    function _checkIndex(Tree storage t, uint256 index) private view {
        if (index == 0 || index > t.leaves.length) revert StakeSumTreeIndexOutOfRange(index, t.leaves.length);
    }

    function _highestPowerOfTwo(uint256 n) private pure returns (uint256 p) {
        if (n == 0) return 0;
        p = 1;
        while (p <= n >> 1) p <<= 1;
    }
}
