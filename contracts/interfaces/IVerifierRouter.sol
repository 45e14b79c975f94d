// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAggregationVerifier
/// @notice The interface of the Solidity verifier that bb generates for the aggregation root circuit.
/// It reverts or returns false on an invalid proof.
interface IAggregationVerifier {
    function verify(bytes calldata proof, bytes32[] calldata publicInputs) external view returns (bool);
}

/// @title IVerifierRouter
/// @notice Versioned registry of aggregation verifiers. Each version pins the verifier contract and
/// the key hashes of the aggregation circuits whose proofs it accepts.
interface IVerifierRouter {
    /// @notice The version new batches are sealed with. Reverts when no usable version exists.
    function currentVersion() external view returns (uint32);

    /// @notice True when `version` exists, is not removed and is not frozen.
    function isUsable(uint32 version) external view returns (bool);

    /// @notice Verifies an aggregated proof for a batch root bound to `prover`, under `version`.
    /// Builds the public inputs [rootHi, rootLo, prover, keyHashes...] and calls the verifier.
    /// @return True when the verifier accepts; reverts with a custom error when the version is not
    /// usable; returns false (never reverts) when the verifier rejects the proof.
    function verifyAggregation(uint32 version, bytes calldata proof, bytes32 batchRoot, address prover)
        external
        view
        returns (bool);
}
