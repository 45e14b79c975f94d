// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAggregationVerifier, IVerifierRouter} from "../interfaces/IVerifierRouter.sol";
import {BatchCommitment} from "../libraries/BatchCommitment.sol";

/// @title VerifierRouter
/// @notice Versioned registry of aggregation verifiers (version 2). A version pins
/// `{verifier, keySet, rollupProofBytes}`; versions are numbered 1, 2, 3...; a removed version is a
/// tombstone that is never usable or reused. The guardian can freeze a version (emergency stop) and
/// unfreeze it; the router records how long each version was frozen so that the market can move the
/// deadlines of the locks a freeze overlaps ({frozenShift}).
/// @dev DEFAULT_ADMIN_ROLE (a TimelockController after deployment) adds, removes and selects versions;
/// GUARDIAN_ROLE freezes and unfreezes. A version is two storage slots: the verifier, the proof length,
/// the freeze accounting and the removed flag in one, the key set in the other.
contract VerifierRouter is IVerifierRouter, AccessControl {
    /// @notice Role allowed to freeze and unfreeze versions.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @dev Slot 1 of a version (256 bits); slot 2 is `keySet`.
    struct StoredVersion {
        address verifier; // 0 for unknown versions
        uint24 rollupProofBytes;
        uint32 frozenSince; // 0 when not frozen
        uint32 frozenTotal; // seconds, completed freezes
        bool removed;
        bytes32 keySet;
    }

    mapping(uint16 version => StoredVersion) private _versions;
    uint16 private _versionCount;
    uint16 private _current;

    /// @notice Deploys the VerifierRouter.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (hand it to a TimelockController).
    /// @param guardian Receives GUARDIAN_ROLE (fast emergency stop; may be address(0)).
    constructor(address admin, address guardian) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
    }

    // ===== ADMIN =====

    /// @notice Adds a version and makes it current. Admin only.
    /// @param verifier The aggregation verifier contract (`verify(bytes,bytes32[])`).
    /// @param keySet The Poseidon2 root of the aggregation key hashes (canonical, non-zero).
    /// @param rollupProofBytes The byte length of the rollup proofs the version's leaf circuits take.
    /// @return version The new version number (1, 2, 3...).
    function addVersion(
        address verifier,
        bytes32 keySet,
        uint24 rollupProofBytes
    ) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint16 version) {
        if (verifier.code.length == 0) revert RouterInvalidVerifier(verifier);
        if (keySet == bytes32(0) || !BatchCommitment.isCanonical(keySet)) revert RouterInvalidKeySet(keySet);
        if (rollupProofBytes == 0) revert RouterInvalidProofLength(rollupProofBytes);
        if (_versionCount == type(uint16).max) revert RouterTooManyVersions();
        version = ++_versionCount;
        StoredVersion storage v = _versions[version];
        v.verifier = verifier;
        v.rollupProofBytes = rollupProofBytes;
        v.keySet = keySet;
        _current = version;
        emit RouterVersionAdded(version, verifier, keySet, rollupProofBytes);
        emit RouterCurrentVersionSet(version);
    }

    /// @notice Removes `version` forever. When it was current, the newest older usable version
    /// becomes current (0 when there is none). Admin only.
    /// @param version The version to remove.
    function removeVersion(uint16 version) external onlyRole(DEFAULT_ADMIN_ROLE) {
        StoredVersion storage v = _existing(version);
        if (v.removed) revert RouterUnexpectedVersionState(version, VersionState.Removed);
        v.removed = true;
        uint16 current_ = _current;
        if (current_ == version) {
            current_ = 0;
            for (uint16 older = version; older > 1;) {
                --older;
                if (_isUsable(_versions[older])) {
                    current_ = older;
                    break;
                }
            }
            _current = current_;
            emit RouterCurrentVersionSet(current_);
        }
        emit RouterVersionRemoved(version, current_);
    }

    /// @notice Makes `version` the one new batches are sealed with. It must be usable. Admin only.
    /// @param version The version.
    function setCurrentVersion(uint16 version) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_isUsable(_versions[version])) revert RouterVersionNotUsable(version);
        _current = version;
        emit RouterCurrentVersionSet(version);
    }

    // ===== GUARDIAN =====

    /// @notice Emergency stop: `version` verifies nothing until unfrozen and, while it is current, no
    /// batch can be sealed. Deadlines of locks on its batches move by the frozen time ({frozenShift}).
    /// Guardian only.
    /// @param version The version to freeze.
    function freeze(uint16 version) external onlyRole(GUARDIAN_ROLE) {
        StoredVersion storage v = _existing(version);
        VersionState state = _stateOf(v);
        if (state != VersionState.Active) revert RouterUnexpectedVersionState(version, state);
        uint32 now_ = uint32(block.timestamp);
        v.frozenSince = now_;
        emit RouterVersionFrozen(version, now_);
    }

    /// @notice Lifts the emergency stop on `version`, adding the freeze's length to its `frozenTotal`.
    /// Guardian only.
    /// @param version The version to unfreeze.
    function unfreeze(uint16 version) external onlyRole(GUARDIAN_ROLE) {
        StoredVersion storage v = _existing(version);
        VersionState state = _stateOf(v);
        if (state != VersionState.Frozen) revert RouterUnexpectedVersionState(version, state);
        // A freeze and its unfreeze in the same second still count as one second, so that a lock taken
        // before the freeze always sees a shift.
        uint256 length = block.timestamp - v.frozenSince;
        if (length == 0) length = 1;
        uint32 total = uint32(v.frozenTotal + length);
        v.frozenTotal = total;
        v.frozenSince = 0;
        emit RouterVersionUnfrozen(version, total);
    }

    // ===== VIEWS =====

    /// @inheritdoc IVerifierRouter
    function current() external view returns (uint16 version, uint256 rollupProofBytes) {
        version = _current;
        StoredVersion storage v = _versions[version];
        if (!_isUsable(v)) revert RouterNoUsableVersion();
        rollupProofBytes = v.rollupProofBytes;
    }

    /// @inheritdoc IVerifierRouter
    function currentVersion() external view returns (uint16) {
        uint16 version = _current;
        if (!_isUsable(_versions[version])) revert RouterNoUsableVersion();
        return version;
    }

    /// @inheritdoc IVerifierRouter
    function isUsable(uint16 version) external view returns (bool) {
        return _isUsable(_versions[version]);
    }

    /// @inheritdoc IVerifierRouter
    function status(uint16 version) external view returns (VersionState state, uint256 frozenTotal) {
        StoredVersion storage v = _versions[version];
        return (_stateOf(v), v.frozenTotal);
    }

    /// @inheritdoc IVerifierRouter
    function frozenShift(uint16 version, uint256 since) external view returns (uint256 shift) {
        StoredVersion storage v = _versions[version];
        uint256 total = v.frozenTotal;
        shift = total > since ? total - since : 0;
        uint256 frozenSince_ = v.frozenSince;
        if (frozenSince_ != 0 && !v.removed) shift += block.timestamp - frozenSince_;
    }

    /// @notice The number of versions ever added (the newest version number).
    /// @return The count.
    function versionCount() external view returns (uint16) {
        return _versionCount;
    }

    /// @inheritdoc IVerifierRouter
    function getVersion(uint16 version) external view returns (Version memory) {
        StoredVersion storage v = _existing(version);
        return
            Version({
                verifier: v.verifier,
                keySet: v.keySet,
                rollupProofBytes: v.rollupProofBytes,
                state: _stateOf(v),
                frozenSince: v.frozenSince,
                frozenTotal: v.frozenTotal
            });
    }

    /// @inheritdoc IVerifierRouter
    function verifyAggregation(
        uint16 version,
        bytes calldata proof,
        bytes32 batchRoot,
        address prover
    ) external view returns (bool) {
        StoredVersion storage v = _versions[version];
        if (!_isUsable(v)) revert RouterVersionNotUsable(version);
        bytes32[] memory inputs = BatchCommitment.aggregationPublicInputs(batchRoot, prover, v.keySet);
        try IAggregationVerifier(v.verifier).verify(proof, inputs) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    function _existing(uint16 version) private view returns (StoredVersion storage v) {
        v = _versions[version];
        if (v.verifier == address(0)) revert RouterUnknownVersion(version);
    }

    function _stateOf(StoredVersion storage v) private view returns (VersionState) {
        if (v.verifier == address(0)) return VersionState.Unknown;
        if (v.removed) return VersionState.Removed;
        if (v.frozenSince != 0) return VersionState.Frozen;
        return VersionState.Active;
    }

    function _isUsable(StoredVersion storage v) private view returns (bool) {
        return v.verifier != address(0) && !v.removed && v.frozenSince == 0;
    }
}
