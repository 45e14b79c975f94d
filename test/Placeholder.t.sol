// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./lib/Vm.sol";

contract PlaceholderTest is TestBase {
    function testFuzz_add(uint8 a) public pure {
        assertTrue(uint256(a) + 1 > a, "monotone");
    }
}
