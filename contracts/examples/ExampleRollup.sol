// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregationMarket} from "../interfaces/IAggregationMarket.sol";
import {INexCallback} from "../interfaces/INexCallback.sol";
import {BatchCommitment} from "../libraries/BatchCommitment.sol";

/// @title ExampleRollup
/// @notice A minimal rollup settlement contract built on the NEX market. Its circuit proves a state
/// transition with public inputs [oldRoot, newRoot]; the contract advances its state root only to a
/// root whose transition from the current root the market has verified. Two ways in:
/// - pull: anyone calls {finalize} with the statement's inclusion path in a fulfilled batch (the market
///   keeps one root per batch, nothing per statement); the contract asks `market.isVerified`;
/// - push: the rollup registers this contract as its program's callback; the market calls
///   {onProofVerified} when it verifies a proposed transition, which finalizes it in the same
///   transaction. The callback cannot see public inputs, only the statement digest, so transitions
///   are proposed first ({propose}) to map digest -> (oldRoot, newRoot).
/// @dev Statement digest = keccak256(abi.encodePacked(STATEMENT_DOMAIN, programId, publicInputs)), with
/// programId = keccak256(abi.encode(registrant, vkHash)) (docs/protocol.md).
contract ExampleRollup is INexCallback {
    struct Transition {
        bytes32 oldRoot;
        bytes32 newRoot;
    }

    IAggregationMarket private immutable _MARKET;
    bytes32 private immutable _PROGRAM_ID;
    /// @notice The current finalized state root.
    bytes32 public stateRoot;

    mapping(bytes32 digest => Transition transition) private _proposals;

    /// @notice A transition was proposed for push finalization.
    /// @param digest Its statement digest.
    /// @param oldRoot The root it starts from.
    /// @param newRoot The root it ends at.
    event TransitionProposed(bytes32 indexed digest, bytes32 indexed oldRoot, bytes32 newRoot);
    /// @notice The state root advanced; `viaCallback` tells push (market callback) from pull.
    /// @param oldRoot The previous root.
    /// @param newRoot The new root.
    /// @param viaCallback True for push, false for pull.
    event StateRootFinalized(bytes32 indexed oldRoot, bytes32 indexed newRoot, bool indexed viaCallback);
    /// @notice The market reported a verified statement that does not advance the current root.
    /// @param digest The statement digest.
    /// @param submissionId The verified submission.
    event CallbackIgnored(bytes32 indexed digest, uint256 indexed submissionId);

    /// @notice The market has not verified the transition from the current root to `newRoot`.
    error TransitionNotVerified(bytes32 oldRoot, bytes32 newRoot);
    /// @notice A root is not a canonical BN254 field element, so no proof can carry it.
    error NonCanonicalRoot(bytes32 root);
    /// @notice Only the market may call the callback.
    error NotMarket(address caller);
    /// @notice The callback reported another program's statement.
    error WrongProgram(bytes32 programId);

    /// @notice Deploys the example rollup at `genesisRoot`.
    /// @param market_ The AggregationMarket.
    /// @param programId_ The rollup circuit's program id (`keccak256(abi.encode(registrant, vkHash))`),
    /// registered with 2 public inputs.
    /// @param genesisRoot The initial state root.
    constructor(IAggregationMarket market_, bytes32 programId_, bytes32 genesisRoot) {
        _requireCanonical(genesisRoot);
        _MARKET = market_;
        _PROGRAM_ID = programId_;
        stateRoot = genesisRoot;
    }

    /// @notice The market whose verification this rollup trusts.
    /// @return The AggregationMarket.
    function market() external view returns (IAggregationMarket) {
        return _MARKET;
    }

    /// @notice The rollup circuit's program id in the market.
    /// @return The program id.
    function programId() external view returns (bytes32) {
        return _PROGRAM_ID;
    }

    /// @notice The statement digest of the transition oldRoot -> newRoot for this rollup's program.
    /// @param oldRoot The root the transition starts from.
    /// @param newRoot The root it ends at.
    /// @return The digest the market stores and reports for that statement.
    function transitionDigest(bytes32 oldRoot, bytes32 newRoot) public view returns (bytes32) {
        return keccak256(abi.encodePacked(BatchCommitment.STATEMENT_DOMAIN, _PROGRAM_ID, oldRoot, newRoot));
    }

    /// @notice The proposed transition with statement digest `digest` (zero roots when none).
    /// @param digest A statement digest.
    /// @return The proposed transition.
    function proposalOf(bytes32 digest) external view returns (Transition memory) {
        return _proposals[digest];
    }

    /// @notice Records the transition from the current root to `newRoot` so that the market's
    /// callback can finalize it when its proof is verified. Anyone may propose: only a verified
    /// transition ever takes effect.
    /// @param newRoot The proposed next state root.
    /// @return digest The statement digest the callback will report.
    function propose(bytes32 newRoot) external returns (bytes32 digest) {
        _requireCanonical(newRoot);
        bytes32 oldRoot = stateRoot;
        digest = transitionDigest(oldRoot, newRoot);
        _proposals[digest] = Transition(oldRoot, newRoot);
        emit TransitionProposed(digest, oldRoot, newRoot);
    }

    /// @notice Pull finalization: advances the state root to `newRoot` when the market says the
    /// transition from the current root was verified, proven by the statement's inclusion path in a
    /// fulfilled batch (batch id, slot and siblings, which the SDK or keeper supplies).
    /// @param newRoot The next state root.
    /// @param inclusion The statement's inclusion in a fulfilled batch.
    function finalize(bytes32 newRoot, IAggregationMarket.Inclusion calldata inclusion) external {
        bytes32 oldRoot = stateRoot;
        if (!_MARKET.isVerified(_PROGRAM_ID, _inputs(oldRoot, newRoot), inclusion)) {
            revert TransitionNotVerified(oldRoot, newRoot);
        }
        _advance(oldRoot, newRoot, false);
    }

    /// @notice Pull finalization without a path, for a statement someone recorded with
    /// `market.recordVerified` (it paid the storage so that every reader can skip the path).
    /// @param newRoot The next state root.
    function finalizeRecorded(bytes32 newRoot) external {
        bytes32 oldRoot = stateRoot;
        if (!_MARKET.isVerified(_PROGRAM_ID, _inputs(oldRoot, newRoot))) revert TransitionNotVerified(oldRoot, newRoot);
        _advance(oldRoot, newRoot, false);
    }

    /// @notice Push finalization, called by the market (the program's callback) when it verifies one
    /// of this program's submissions. Finalizes the proposed transition with that digest when it
    /// starts at the current root; ignores anything else (the market ignores callback failures anyway).
    /// @inheritdoc INexCallback
    function onProofVerified(bytes32 programId_, uint256 submissionId, bytes32 digest) external {
        if (msg.sender != address(_MARKET)) revert NotMarket(msg.sender);
        if (programId_ != _PROGRAM_ID) revert WrongProgram(programId_);
        Transition memory t = _proposals[digest];
        if (t.newRoot == bytes32(0) && t.oldRoot == bytes32(0)) {
            emit CallbackIgnored(digest, submissionId);
            return;
        }
        if (t.oldRoot != stateRoot) {
            emit CallbackIgnored(digest, submissionId);
            return;
        }
        delete _proposals[digest];
        _advance(t.oldRoot, t.newRoot, true);
    }

    function _advance(bytes32 oldRoot, bytes32 newRoot, bool viaCallback) private {
        stateRoot = newRoot;
        emit StateRootFinalized(oldRoot, newRoot, viaCallback);
    }

    function _inputs(bytes32 oldRoot, bytes32 newRoot) private pure returns (bytes32[] memory publicInputs) {
        publicInputs = new bytes32[](2);
        publicInputs[0] = oldRoot;
        publicInputs[1] = newRoot;
    }

    function _requireCanonical(bytes32 root) private pure {
        if (!BatchCommitment.isCanonical(root)) revert NonCanonicalRoot(root);
    }
}
