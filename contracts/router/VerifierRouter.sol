// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAggregationVerifier, IVerifierRouter} from "../interfaces/IVerifierRouter.sol";
import {BatchCommitment} from "../libraries/BatchCommitment.sol";

/// @title VerifierRouter
/// @notice Versioned registry of aggregation verifiers. A version pins a verifier contract and the key
/// hashes of the aggregation circuits whose proofs it accepts (public inputs 3.. of an aggregated
/// proof). Versions are numbered 1, 2, 3...; a removed version is a tombstone that is never usable or
/// reused. The guardian can freeze a version (emergency stop) and unfreeze it.
/// @dev DEFAULT_ADMIN_ROLE (a TimelockController after deployment) adds, removes and selects versions;
/// GUARDIAN_ROLE freezes and unfreezes.
contract VerifierRouter is IVerifierRouter, AccessControl {
    /// @notice Role allowed to freeze and unfreeze versions.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Upper bound on pinned key hashes per version (bounds the public-input array).
    uint256 public constant MAX_KEY_HASHES = 16;

    /// @dev One slot, so a verification reads one slot and one code blob.
    struct Version {
        address data; // contract whose code is 0x00 || verifier (32 bytes) || keyHashes; 0 for unknown versions
        bool removed; // tombstone: never usable again
        bool frozen; // emergency stop, reversible
    }

    mapping(uint32 version => Version) private _versions;
    uint32 private _versionCount;
    uint32 private _current;

    /// @notice Deploys an empty router (no version yet).
    /// @param admin Receives DEFAULT_ADMIN_ROLE (hand it to a TimelockController).
    /// @param guardian Receives GUARDIAN_ROLE (fast emergency stop; may be address(0)).
    constructor(address admin, address guardian) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (guardian != address(0)) _grantRole(GUARDIAN_ROLE, guardian);
    }

    // ===== ADMIN =====

    /// @notice Adds a version (verifier + pinned aggregation key hashes) and makes it current.
    /// @param verifier The aggregation verifier contract (`verify(bytes,bytes32[])`).
    /// @param keyHashes Aggregation-circuit key hashes, in the order the root circuit exposes them.
    /// @return version The new version number (1, 2, 3...).
    function addVersion(
        address verifier,
        bytes32[] calldata keyHashes
    ) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint32 version) {
        if (verifier.code.length == 0) revert RouterInvalidVerifier(verifier);
        uint256 k = keyHashes.length;
        if (k == 0 || k > MAX_KEY_HASHES) revert RouterInvalidKeyHashCount(k);
        for (uint256 i; i < k; ++i) {
            if (!BatchCommitment.isCanonical(keyHashes[i])) revert RouterNonCanonicalKeyHash(i, keyHashes[i]);
        }
        version = ++_versionCount;
        _versions[version].data = _storeVersionData(verifier, keyHashes);
        _current = version;
        emit VersionAdded(version, verifier, keyHashes);
        emit CurrentVersionSet(version);
    }

    /// @notice Removes `version` forever. When it was current, the newest older usable version
    /// becomes current (0 when there is none).
    /// @param version The version.
    function removeVersion(uint32 version) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Version storage v = _existing(version);
        if (v.removed) revert RouterVersionIsRemoved(version);
        v.removed = true;
        uint32 current = _current;
        if (current == version) {
            current = 0;
            for (uint32 older = version; older > 1;) {
                --older;
                if (_isUsable(older)) {
                    current = older;
                    break;
                }
            }
            _current = current;
            emit CurrentVersionSet(current);
        }
        emit VersionRemoved(version, current);
    }

    /// @notice Makes `version` the one new batches are sealed with. It must be usable.
    /// @param version The version.
    function setCurrentVersion(uint32 version) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_isUsable(version)) revert RouterVersionNotUsable(version);
        _current = version;
        emit CurrentVersionSet(version);
    }

    // ===== GUARDIAN =====

    /// @notice Emergency stop: `version` can no longer verify (fulfilments of batches sealed with it
    /// wait) and, while it is current, no batch can be sealed.
    /// @param version The version.
    function freeze(uint32 version) external onlyRole(GUARDIAN_ROLE) {
        Version storage v = _existing(version);
        if (v.removed) revert RouterVersionIsRemoved(version);
        if (v.frozen) revert RouterVersionIsFrozen(version);
        v.frozen = true;
        emit VersionFrozen(version);
    }

    /// @notice Lifts the emergency stop on `version`.
    /// @param version The version.
    function unfreeze(uint32 version) external onlyRole(GUARDIAN_ROLE) {
        Version storage v = _existing(version);
        if (v.removed) revert RouterVersionIsRemoved(version);
        if (!v.frozen) revert RouterVersionNotFrozen(version);
        v.frozen = false;
        emit VersionUnfrozen(version);
    }

    // ===== VIEWS =====

    /// @inheritdoc IVerifierRouter
    function currentVersion() external view returns (uint32) {
        uint32 current = _current;
        if (!_isUsable(current)) revert RouterNoUsableVersion();
        return current;
    }

    /// @inheritdoc IVerifierRouter
    function isUsable(uint32 version) external view returns (bool) {
        return _isUsable(version);
    }

    /// @notice The number of versions ever added (the newest version number).
    function versionCount() external view returns (uint32) {
        return _versionCount;
    }

    /// @notice A version's verifier, pinned key hashes and flags. Reverts for an unknown version.
    /// @param version The version.
    /// @return verifier Its verifier contract.
    /// @return keyHashes Its pinned aggregation key hashes.
    /// @return removed Whether it was removed.
    /// @return frozen Whether it is frozen.
    function getVersion(
        uint32 version
    ) external view returns (address verifier, bytes32[] memory keyHashes, bool removed, bool frozen) {
        Version storage v = _existing(version);
        (verifier, keyHashes) = _loadVersionData(v.data);
        return (verifier, keyHashes, v.removed, v.frozen);
    }

    /// @inheritdoc IVerifierRouter
    function verifyAggregation(
        uint32 version,
        bytes calldata proof,
        bytes32 batchRoot,
        address prover
    ) external view returns (bool) {
        if (!_isUsable(version)) revert RouterVersionNotUsable(version);
        (address verifier, bytes32[] memory keyHashes) = _loadVersionData(_versions[version].data);
        bytes32[] memory inputs = BatchCommitment.aggregationPublicInputs(batchRoot, prover, keyHashes);
        try IAggregationVerifier(verifier).verify(proof, inputs) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    function _existing(uint32 version) private view returns (Version storage v) {
        if (version == 0 || version > _versionCount) revert RouterUnknownVersion(version);
        v = _versions[version];
    }

    function _isUsable(uint32 version) private view returns (bool) {
        Version storage v = _versions[version];
        // Unknown versions (0 and > _versionCount) have no verifier.
        return v.data != address(0) && !v.removed && !v.frozen;
    }

    /// @dev Stores a version's verifier and key hashes as the code of a new contract (0x00 STOP prefix,
    /// so it cannot be executed): reading them back costs one cold EXTCODESIZE and one EXTCODECOPY
    /// instead of one cold SLOAD per word.
    function _storeVersionData(address verifier, bytes32[] calldata keyHashes) private returns (address data) {
        bytes memory runtime = abi.encodePacked(hex"00", uint256(uint160(verifier)), keyHashes);
        // Init code: PUSH2 len, DUP1, PUSH1 0x0a, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN.
        // It copies the runtime that follows its 10 bytes to memory 0 and returns it.
        bytes memory init = abi.encodePacked(hex"61", uint16(runtime.length), hex"80600a3d393df3", runtime);
        assembly ("memory-safe") {
            data := create(0, add(init, 0x20), mload(init))
        }
        if (data == address(0)) revert RouterKeyHashStorageFailed();
    }

    function _loadVersionData(address data) private view returns (address verifier, bytes32[] memory keyHashes) {
        uint256 count = (data.code.length - 33) / 32;
        keyHashes = new bytes32[](count);
        assembly ("memory-safe") {
            extcodecopy(data, 0x00, 1, 0x20)
            verifier := mload(0x00)
            extcodecopy(data, add(keyHashes, 0x20), 33, shl(5, count))
        }
    }
}
