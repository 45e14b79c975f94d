// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregationVerifier} from "../../contracts/interfaces/IVerifierRouter.sol";

/// @notice TEST ONLY. Accepts a proof iff proof == abi.encode(publicInputs), so a "proof" is bound to
/// the batch root, the prover and the key hashes exactly like a real aggregated proof.
contract MockVerifier is IAggregationVerifier {
    function verify(bytes calldata proof, bytes32[] calldata publicInputs) external pure returns (bool) {
        return keccak256(proof) == keccak256(abi.encode(publicInputs));
    }
}

/// @notice TEST ONLY. Always reverts.
contract RevertingVerifier is IAggregationVerifier {
    error AlwaysReverts();

    function verify(bytes calldata, bytes32[] calldata) external pure returns (bool) {
        revert AlwaysReverts();
    }
}

/// @notice TEST ONLY. Always returns false.
contract FalseVerifier is IAggregationVerifier {
    function verify(bytes calldata, bytes32[] calldata) external pure returns (bool) {
        return false;
    }
}
