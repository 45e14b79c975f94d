// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice TEST ONLY. The off-chain channel of the version-2 market as the relay sees it (spec V2.6:
/// deposits, EIP-712 `Request`, `postBatch` that skips failing groups), with exactly the ABI of the relay's
/// fragment (prover/relay/chain/abi.ts), so the viem RelayChain is tested against real Solidity encoding
/// and OpenZeppelin's EIP-712 hashing on a devnet. Batches, proofs and fees beyond the escrow are not modelled.
contract MockRelayMarket is EIP712 {
    struct Request {
        bytes32 programId;
        bytes32 statementsHash;
        uint32 count;
        uint64 feePerProof;
        uint64 nonce;
        uint40 deadline;
    }

    struct PostedGroup {
        Request request;
        bytes signature;
    }

    struct Account {
        uint256 balance;
        uint64 nonce;
        uint256 withdrawalAmount;
        uint64 withdrawableAt;
    }

    struct Program {
        address owner;
        bytes32 vkHash;
        uint8 publicInputCount;
    }

    bytes32 private constant REQUEST_TYPEHASH =
        keccak256("Request(bytes32 programId,bytes32 statementsHash,uint32 count,uint64 feePerProof,uint64 nonce,uint40 deadline)");

    uint8 public constant SKIP_DEADLINE = 1;
    uint8 public constant SKIP_NONCE = 2;
    uint8 public constant SKIP_PROGRAM = 3;
    uint8 public constant SKIP_FEE = 4;
    uint8 public constant SKIP_BALANCE = 5;
    uint8 public constant SKIP_STATEMENTS = 6;

    uint256 public minFeePerProof;
    uint256 public rollupProofBytes = 14_656;
    uint256 public nextBatchId = 1;
    mapping(address payer => Account) public accounts;
    mapping(bytes32 programId => Program) public programs;

    event ProgramRegistered(bytes32 indexed programId, address indexed owner, bytes32 vkHash, uint8 publicInputCount, bytes vk);
    event RequestPosted(uint256 indexed batchId, address indexed payer, uint64 nonce, bytes32 requestHash, uint8 firstSlot, uint8 count);
    event RequestSkipped(address indexed payer, uint64 nonce, uint8 reason);

    error MockDigestsMismatch(uint256 expected, uint256 given);
    error MockNothingPosted();

    constructor(uint256 minFee) EIP712("NEX AggregationMarket", "2") {
        minFeePerProof = minFee;
    }

    function register(bytes32 vkHash, uint8 publicInputCount, bytes calldata vk) external returns (bytes32 programId) {
        programId = keccak256(abi.encode(msg.sender, vkHash));
        programs[programId] = Program(msg.sender, vkHash, publicInputCount);
        emit ProgramRegistered(programId, msg.sender, vkHash, publicInputCount, vk);
    }

    function deposit() external payable {
        accounts[msg.sender].balance += msg.value;
    }

    function requestWithdrawal(uint256 amount) external {
        accounts[msg.sender].withdrawalAmount = amount;
        accounts[msg.sender].withdrawableAt = uint64(block.timestamp + 1 days);
    }

    function requestHash(Request calldata r) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(REQUEST_TYPEHASH, r.programId, r.statementsHash, r.count, r.feePerProof, r.nonce, r.deadline))
        );
    }

    function postBatch(PostedGroup[] calldata groups, bytes32[] calldata digests) external returns (uint256 batchId) {
        uint256 total;
        for (uint256 g = 0; g < groups.length; g++) total += groups[g].request.count;
        if (total != digests.length) revert MockDigestsMismatch(total, digests.length);
        batchId = nextBatchId;
        uint256 offset;
        uint256 slot;
        for (uint256 g = 0; g < groups.length; g++) {
            Request calldata r = groups[g].request;
            bytes32 hash = requestHash(r);
            address payer = ECDSA.recover(hash, groups[g].signature);
            uint8 reason = _skipReason(r, payer, digests[offset:offset + r.count]);
            offset += r.count;
            if (reason != 0) {
                emit RequestSkipped(payer, r.nonce, reason);
                continue;
            }
            Account storage a = accounts[payer];
            a.nonce = r.nonce + 1;
            a.balance -= uint256(r.count) * r.feePerProof;
            emit RequestPosted(batchId, payer, r.nonce, hash, uint8(slot), uint8(r.count));
            slot += r.count;
        }
        if (slot == 0) revert MockNothingPosted();
        nextBatchId = batchId + 1;
    }

    function _skipReason(Request calldata r, address payer, bytes32[] calldata digests) private view returns (uint8) {
        Account storage a = accounts[payer];
        if (r.deadline < block.timestamp) return SKIP_DEADLINE;
        if (r.nonce < a.nonce) return SKIP_NONCE;
        if (programs[r.programId].owner == address(0)) return SKIP_PROGRAM;
        if (r.feePerProof < minFeePerProof) return SKIP_FEE;
        if (keccak256(abi.encodePacked(digests)) != r.statementsHash) return SKIP_STATEMENTS;
        if (a.balance - (a.withdrawalAmount > a.balance ? a.balance : a.withdrawalAmount) < uint256(r.count) * r.feePerProof) return SKIP_BALANCE;
        return 0;
    }
}
