// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAggregationVerifier
/// @notice The interface of the Solidity verifier that bb generates for the aggregation root circuit.
/// It reverts or returns false on an invalid proof.
interface IAggregationVerifier {
    /// @notice Verifies an UltraHonk proof of the aggregation root circuit.
    /// @param proof The proof bytes.
    /// @param publicInputs Its public inputs: [rootHi, rootLo, prover, keyHashes...].
    /// @return True when the proof is valid (an invalid proof reverts or returns false).
    function verify(bytes calldata proof, bytes32[] calldata publicInputs) external view returns (bool);
}

/// @title IVerifierRouter
/// @notice Versioned registry of aggregation verifiers. Each version pins the verifier contract and
/// the key hashes of the aggregation circuits whose proofs it accepts. The events and errors are those
/// of {VerifierRouter}, which implements it.
interface IVerifierRouter {
    // ===== EVENTS =====

    /// @notice A new version was added and became current.
    /// @param version The new version number.
    /// @param verifier Its verifier contract.
    /// @param keyHashes Its pinned aggregation key hashes.
    event VersionAdded(uint32 indexed version, address verifier, bytes32[] keyHashes);
    /// @notice `version` was removed for good; `newCurrent` is the current version afterwards (0 = none).
    /// @param version The removed version.
    /// @param newCurrent The current version now.
    event VersionRemoved(uint32 indexed version, uint32 newCurrent);
    /// @notice `version` was frozen by the guardian.
    /// @param version The version.
    event VersionFrozen(uint32 indexed version);
    /// @notice `version` was unfrozen by the guardian.
    /// @param version The version.
    event VersionUnfrozen(uint32 indexed version);
    /// @notice The current version (used to seal new batches) changed.
    /// @param version The current version now (0: none).
    event CurrentVersionSet(uint32 indexed version);

    // ===== ERRORS =====
    // Prefixed with the contract's name (EIP-6093 style); AccessControlUnauthorizedAccount keeps its name.

    /// @notice The verifier address has no code.
    /// @param verifier The rejected address.
    error RouterInvalidVerifier(address verifier);
    /// @notice More than {VerifierRouter-MAX_KEY_HASHES} key hashes, or none.
    /// @param count The number given.
    error RouterInvalidKeyHashCount(uint256 count);
    /// @notice A key hash is not a canonical BN254 field element.
    /// @param index Its position.
    /// @param keyHash The value.
    error RouterNonCanonicalKeyHash(uint256 index, bytes32 keyHash);
    /// @notice `version` was never added.
    /// @param version The version.
    error RouterUnknownVersion(uint32 version);
    /// @notice `version` was removed (tombstone).
    /// @param version The version.
    error RouterVersionIsRemoved(uint32 version);
    /// @notice `version` is already frozen.
    /// @param version The version.
    error RouterVersionIsFrozen(uint32 version);
    /// @notice `version` is not frozen.
    /// @param version The version.
    error RouterVersionNotFrozen(uint32 version);
    /// @notice `version` is unknown, removed or frozen.
    /// @param version The version.
    error RouterVersionNotUsable(uint32 version);
    /// @notice There is no usable current version (none added, the current one removed with no usable
    /// older one, or the current one frozen): no batch can be sealed.
    error RouterNoUsableVersion();
    /// @notice Deploying the key-hash data contract failed.
    error RouterKeyHashStorageFailed();

    // ===== FUNCTIONS =====

    /// @notice The version new batches are sealed with. Reverts {RouterNoUsableVersion} when no usable
    /// version exists.
    /// @return The current version.
    function currentVersion() external view returns (uint32);

    /// @notice True when `version` exists, is not removed and is not frozen.
    /// @param version The version.
    /// @return Whether it can verify.
    function isUsable(uint32 version) external view returns (bool);

    /// @notice Verifies an aggregated proof for a batch root bound to `prover`, under `version`.
    /// Builds the public inputs [rootHi, rootLo, prover, keyHashes...] and calls the verifier.
    /// @param version The verifier version (the batch's, recorded at seal).
    /// @param proof The aggregated proof.
    /// @param batchRoot The batch root it must prove.
    /// @param prover The prover it must be bound to.
    /// @return True when the verifier accepts; reverts {RouterVersionNotUsable} when the version is not
    /// usable; returns false (never reverts) when the verifier rejects the proof.
    function verifyAggregation(
        uint32 version,
        bytes calldata proof,
        bytes32 batchRoot,
        address prover
    ) external view returns (bool);
}
