// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";
import {SubmissionId} from "../../contracts/libraries/SubmissionId.sol";
import {IAggregationMarketTypes} from "../../contracts/interfaces/IAggregationMarket.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @notice TEST ONLY. Exposes BatchCommitment and SubmissionId to the TypeScript tests.
contract CommitmentHarness {
    function programId(address owner, bytes32 vkHash) external pure returns (bytes32) {
        return BatchCommitment.programId(owner, vkHash);
    }

    function digest(bytes32 id, bytes32[] calldata publicInputs) external pure returns (bytes32) {
        return BatchCommitment.digest(id, publicInputs);
    }

    function digestMemory(bytes32 id, bytes32[] memory publicInputs) external pure returns (bytes32) {
        return BatchCommitment.digestMemory(id, publicInputs);
    }

    function root(
        bytes32[] memory leaves,
        uint256 capacity
    ) external pure returns (bytes32 result, bytes32[] memory after_) {
        result = BatchCommitment.root(leaves, capacity);
        after_ = leaves;
    }

    function zeroSubtree(uint256 height) external pure returns (bytes32) {
        return BatchCommitment.zeroSubtree(height);
    }

    function walk(bytes32 leaf, uint256 index, bytes32[] calldata siblings) external pure returns (bytes32) {
        return BatchCommitment.walk(leaf, index, siblings);
    }

    function chainAppend(
        bytes32 c,
        uint256 word,
        bytes32 id,
        bytes32[] memory digests,
        uint256 from,
        uint256 count
    ) external pure returns (bytes32) {
        return BatchCommitment.chainAppend(c, word, id, digests, from, count);
    }

    function chainAppendCalldata(
        bytes32 c,
        uint256 word,
        bytes32 id,
        bytes32[] calldata digests,
        uint256 from,
        uint256 count
    ) external pure returns (bytes32) {
        return BatchCommitment.chainAppendCalldata(c, word, id, digests, from, count);
    }

    function postedCommitment(bytes32 r, bytes32 groupsHash, address poster) external pure returns (bytes32) {
        return BatchCommitment.postedCommitment(r, groupsHash, poster);
    }

    function packGroup(address payer, uint256 fee, uint256 count, uint256 gas) external pure returns (uint256) {
        return BatchCommitment.packGroup(payer, fee, count, gas);
    }

    function unpackGroup(uint256 word) external pure returns (address, uint256, uint256, uint256) {
        return BatchCommitment.unpackGroup(word);
    }

    function aggregationPublicInputs(
        bytes32 r,
        address prover,
        bytes32 keySet
    ) external pure returns (bytes32[] memory) {
        return BatchCommitment.aggregationPublicInputs(r, prover, keySet);
    }

    function capacityFor(uint256 count) external pure returns (uint256) {
        return BatchCommitment.capacityFor(count);
    }

    function isCanonical(bytes32 value) external pure returns (bool) {
        return BatchCommitment.isCanonical(value);
    }

    function isValidCapacity(uint256 capacity) external pure returns (bool) {
        return BatchCommitment.isValidCapacity(capacity);
    }

    function submissionId(uint256 batchId, uint256 slot) external pure returns (uint256, uint256, uint256) {
        uint256 id = SubmissionId.pack(batchId, slot);
        return (id, SubmissionId.batchOf(id), SubmissionId.slotOf(id));
    }

    /// @notice The market's request type hash, written out (the test compares it with the market extension's
    /// REQUEST_TYPEHASH).
    bytes32 public constant REQUEST_TYPEHASH = keccak256(
        "Request(bytes32 programId,bytes32 statementsHash,uint32 count,uint64 feePerProof,uint64 nonce,uint40 deadline)"
    );

    /// @notice The EIP-712 hash of an off-chain request for a market at `verifyingContract` on `chainId`: the
    /// market's type hash and OpenZeppelin's domain separator and typed-data hash, as the market computes it
    /// for its own address and chain.
    function requestHash(
        IAggregationMarketTypes.Request calldata r,
        uint256 chainId,
        address verifyingContract
    ) external pure returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("NEX AggregationMarket"),
                keccak256("2"),
                chainId,
                verifyingContract
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(REQUEST_TYPEHASH, r.programId, r.statementsHash, r.count, r.feePerProof, r.nonce, r.deadline)
        );
        return MessageHashUtils.toTypedDataHash(domainSeparator, structHash);
    }

    function statementsHash(bytes32[] calldata digests) external pure returns (bytes32) {
        return keccak256(abi.encodePacked(digests));
    }
}
