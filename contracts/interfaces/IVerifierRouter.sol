// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAggregationVerifier
/// @notice The interface of the Solidity verifier that bb generates for the aggregation root circuit.
/// It reverts or returns false on an invalid proof.
interface IAggregationVerifier {
    /// @notice Verifies `proof` against `publicInputs`.
    /// @param proof The proof bytes.
    /// @param publicInputs The public inputs, in the circuit's order.
    /// @return True when the proof is valid (an invalid one reverts or returns false).
    function verify(bytes calldata proof, bytes32[] calldata publicInputs) external view returns (bool);
}

/// @title IVerifierRouter
/// @notice Versioned registry of aggregation verifiers (version 2). A version pins the verifier, the
/// key-set root of the aggregation circuits whose proofs it accepts and the byte length of the rollup
/// proofs its leaf circuits take; it keeps freeze accounting so that the market can move the deadlines
/// of the locks a freeze overlaps (docs/protocol.md, "Verifier router").
interface IVerifierRouter {
    // ===== TYPES =====

    /// @notice Lifecycle of a version. A removed version is a tombstone: never usable, never reused.
    enum VersionState {
        Unknown,
        Active,
        Frozen,
        Removed
    }

    /// @notice A version as the views return it.
    struct Version {
        address verifier; // the aggregation (root) verifier
        bytes32 keySet; // Poseidon2 root of the aggregation key hashes (public input 3)
        uint24 rollupProofBytes; // byte length of the rollup proofs the leaf circuits take
        VersionState state;
        uint32 frozenSince; // when the current freeze began (0 when not frozen)
        uint32 frozenTotal; // seconds frozen in completed freezes, cumulative
    }

    // ===== EVENTS =====

    /// @notice A new version was added and became current.
    /// @param version The version number.
    /// @param verifier The aggregation verifier.
    /// @param keySet The pinned key-set root.
    /// @param rollupProofBytes The rollup proof length of the version.
    event RouterVersionAdded(uint16 indexed version, address verifier, bytes32 keySet, uint24 rollupProofBytes);

    /// @notice `version` was removed for good.
    /// @param version The removed version.
    /// @param newCurrent The current version afterwards (0 = none).
    event RouterVersionRemoved(uint16 indexed version, uint16 newCurrent);

    /// @notice `version` was frozen by the guardian.
    /// @param version The frozen version.
    /// @param frozenSince When the freeze began.
    event RouterVersionFrozen(uint16 indexed version, uint32 frozenSince);

    /// @notice `version` was unfrozen; `frozenTotal` now includes the freeze that ended.
    /// @param version The unfrozen version.
    /// @param frozenTotal Seconds frozen in all completed freezes of the version.
    event RouterVersionUnfrozen(uint16 indexed version, uint32 frozenTotal);

    /// @notice The current version (used to seal new batches) changed.
    /// @param version The new current version (0 = none).
    event RouterCurrentVersionSet(uint16 indexed version);

    // ===== ERRORS =====

    /// @notice The verifier address has no code.
    /// @param verifier The rejected address.
    error RouterInvalidVerifier(address verifier);

    /// @notice The key-set root is zero or not a canonical BN254 field element.
    /// @param keySet The rejected root.
    error RouterInvalidKeySet(bytes32 keySet);

    /// @notice The rollup proof length is zero.
    /// @param rollupProofBytes The rejected length.
    error RouterInvalidProofLength(uint256 rollupProofBytes);

    /// @notice `version` was never added.
    /// @param version The version.
    error RouterUnknownVersion(uint16 version);

    /// @notice `version` is removed, or it is not in the state an operation needs.
    /// @param version The version.
    /// @param state Its state.
    error RouterUnexpectedVersionState(uint16 version, VersionState state);

    /// @notice `version` is not usable (unknown, frozen or removed).
    /// @param version The version.
    error RouterVersionNotUsable(uint16 version);

    /// @notice No usable current version exists.
    error RouterNoUsableVersion();

    /// @notice All 65,535 version numbers are taken.
    error RouterTooManyVersions();

    // ===== VIEWS =====

    /// @notice The version new batches are sealed with, and the rollup proof length it takes.
    /// Reverts {RouterNoUsableVersion} when the current version is not usable (or there is none).
    /// @return version The current version.
    /// @return rollupProofBytes Its rollup proof length.
    function current() external view returns (uint16 version, uint256 rollupProofBytes);

    /// @notice The version new batches are sealed with; reverts {RouterNoUsableVersion} like {current}.
    /// @return The current version.
    function currentVersion() external view returns (uint16);

    /// @notice True when `version` exists, is not removed and is not frozen.
    /// @param version The version.
    /// @return Whether the version verifies now.
    function isUsable(uint16 version) external view returns (bool);

    /// @notice A version's state and its cumulative completed-freeze time (the value a lock records).
    /// @param version The version.
    /// @return state Its state (Unknown for a version never added).
    /// @return frozenTotal Seconds frozen in completed freezes.
    function status(uint16 version) external view returns (VersionState state, uint256 frozenTotal);

    /// @notice How long `version` has been frozen since a lock that saw `frozenTotal == since`:
    /// `frozenTotal - since`, plus `now - frozenSince` while frozen. Deadlines of that lock move by it.
    /// @param version The version.
    /// @param since The `frozenTotal` the lock recorded.
    /// @return Seconds to add to the lock's deadlines.
    function frozenShift(uint16 version, uint256 since) external view returns (uint256);

    /// @notice Verifies an aggregated proof of `batchRoot` bound to `prover` under `version`: calls the
    /// verifier with `[rootHi, rootLo, uint160(prover), keySet]`.
    /// @param version The version the batch was sealed with.
    /// @param proof The aggregated proof.
    /// @param batchRoot The proven batch root.
    /// @param prover The prover credited with the proof.
    /// @return True when the verifier accepts; false (never a revert) when it rejects or reverts.
    /// Reverts {RouterVersionNotUsable} when the version is not usable.
    function verifyAggregation(
        uint16 version,
        bytes calldata proof,
        bytes32 batchRoot,
        address prover
    ) external view returns (bool);

    /// @notice A version's verifier, key set, proof length and freeze accounting. Reverts for an unknown
    /// version.
    /// @param version The version.
    /// @return The version.
    function getVersion(uint16 version) external view returns (Version memory);
}
