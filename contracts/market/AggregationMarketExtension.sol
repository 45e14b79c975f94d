// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProverStaking} from "../interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../interfaces/IVerifierRouter.sol";
import {BatchCommitment} from "../libraries/BatchCommitment.sol";
import {BatchHeader} from "../libraries/BatchHeader.sol";
import {SubmissionId} from "../libraries/SubmissionId.sol";
import {MarketBase} from "./MarketBase.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @title AggregationMarketExtension
/// @notice The second half of the aggregation market's code (see {MarketBase}): the batch-calldata and
/// blob intake of several statements, the off-chain channel (deposits, withdrawals, posting signed
/// requests) and closing, slashing and releasing batches, plus the pure computations of settlements
/// ({readSettlement}, which the market also calls with STATICCALL on a fulfilment's slow path).
/// {AggregationMarket} deploys it and runs these functions with DELEGATECALL, in its own storage and with
/// its own balance; the NatSpec of each is in {IAggregationMarket}. Called directly, every function reverts.
contract AggregationMarketExtension is MarketBase {
    address private immutable _SELF;

    /// @notice A function of the extension was called directly instead of through the market.
    error MarketExtensionDirectCall();

    /// @notice Deploys the extension; only the market that creates it runs its code (by DELEGATECALL).
    /// @param staking_ The market's ProverStaking.
    /// @param router_ The market's VerifierRouter.
    constructor(IProverStaking staking_, IVerifierRouter router_) MarketBase(staking_, router_) {
        _SELF = address(this);
    }

    modifier onlyDelegated() {
        if (address(this) == _SELF) revert MarketExtensionDirectCall();
        _;
    }

    /// @notice {IAggregationMarket-submitMany}, run by the market with DELEGATECALL.
    /// @param programIds Program per statement.
    /// @param publicInputs Public inputs per statement.
    /// @param proofs Proof per statement.
    /// @param feePerProof Wei per statement.
    /// @return firstSubmissionId The id of the first statement.
    function submitMany(
        bytes32[] calldata programIds,
        bytes32[][] calldata publicInputs,
        bytes[] calldata proofs,
        uint256 feePerProof
    ) external payable onlyDelegated whenNotPaused returns (uint256 firstSubmissionId) {
        uint256 n = programIds.length;
        if (proofs.length != n) revert MarketLengthMismatch();
        (, uint256 proofBytes) = _ROUTER.current();
        for (uint256 i; i < n; ++i) {
            if (proofs[i].length != proofBytes) revert MarketInvalidProofLength(proofs[i].length, proofBytes);
        }
        (uint256 batchId, uint256 firstSlot) = _enter(programIds, publicInputs, feePerProof);
        return SubmissionId.pack(batchId, firstSlot);
    }

    /// @notice {IAggregationMarket-submitBlobs}, run by the market with DELEGATECALL.
    /// @param programIds Program per statement.
    /// @param publicInputs Public inputs per statement.
    /// @param feePerProof Wei per statement.
    /// @return firstSubmissionId The id of the first statement.
    function submitBlobs(
        bytes32[] calldata programIds,
        bytes32[][] calldata publicInputs,
        uint256 feePerProof
    ) external payable onlyDelegated whenNotPaused returns (uint256 firstSubmissionId) {
        uint256 n = programIds.length;
        (, uint256 proofBytes) = _ROUTER.current();
        uint256 perBlob = BLOB_USABLE_BYTES / proofBytes;
        if (perBlob == 0) revert MarketInvalidProofLength(proofBytes, BLOB_USABLE_BYTES);
        uint256 needed = (n + perBlob - 1) / perBlob;
        bytes32[] memory hashes = new bytes32[](needed);
        for (uint256 i; i < needed; ++i) {
            bytes32 hash = blobhash(i);
            if (hash == bytes32(0)) revert MarketBlobCountMismatch(i, needed);
            hashes[i] = hash;
        }
        if (blobhash(needed) != bytes32(0)) revert MarketBlobCountMismatch(needed, needed);
        (uint256 batchId, uint256 firstSlot) = _enter(programIds, publicInputs, feePerProof);
        emit MarketBlobsSubmitted(batchId, firstSlot, n, hashes);
        return SubmissionId.pack(batchId, firstSlot);
    }

    /// @notice {IAggregationMarket-deposit}, run by the market with DELEGATECALL.
    function deposit() external payable onlyDelegated whenNotPaused {
        Account storage a = _accounts[msg.sender];
        uint256 balance = a.balance + msg.value;
        if (balance > type(uint96).max) revert MarketInsufficientBalance(msg.sender, a.balance, msg.value);
        a.balance = uint96(balance);
        emit MarketDeposited(msg.sender, msg.value, balance);
    }

    /// @notice {IAggregationMarket-requestWithdrawal}, run by the market with DELEGATECALL.
    /// @param amount Wei to withdraw.
    function requestWithdrawal(uint256 amount) external onlyDelegated {
        Account storage a = _accounts[msg.sender];
        uint256 balance = a.balance;
        if (amount == 0 || amount > balance) revert MarketInsufficientBalance(msg.sender, balance, amount);
        uint64 withdrawableAt = uint64(block.timestamp) + _withdrawalDelay;
        a.pendingWithdrawal = uint96(amount);
        a.withdrawableAt = uint32(withdrawableAt);
        emit MarketWithdrawalRequested(msg.sender, amount, withdrawableAt);
    }

    /// @notice {IAggregationMarket-withdraw}, run by the market with DELEGATECALL.
    function withdraw() external onlyDelegated nonReentrant {
        Account storage a = _accounts[msg.sender];
        uint32 withdrawableAt = a.withdrawableAt;
        if (withdrawableAt == 0 || block.timestamp < withdrawableAt) {
            revert MarketWithdrawalNotReady(msg.sender, withdrawableAt);
        }
        uint96 balance = a.balance;
        uint96 amount = a.pendingWithdrawal < balance ? a.pendingWithdrawal : balance;
        a.balance = balance - amount;
        a.pendingWithdrawal = 0;
        a.withdrawableAt = 0;
        emit MarketWithdrawn(msg.sender, amount);
        if (amount != 0) _sendValue(msg.sender, amount);
    }

    /// @notice {IAggregationMarket-postBatch}, run by the market with DELEGATECALL.
    /// @param groups The signed requests.
    /// @param digests Their statements' digests, group after group.
    /// @return batchId The new batch (0 when no request was accepted).
    function postBatch(
        PostedGroup[] calldata groups,
        bytes32[] calldata digests
    ) external onlyDelegated whenNotPaused returns (uint256 batchId) {
        uint256 total = digests.length;
        if (total > BatchCommitment.MAX_CAPACITY) revert MarketTooManyStatements(total, BatchCommitment.MAX_CAPACITY);
        uint16 version = _ROUTER.currentVersion();
        Post memory p;
        (p.payers, p.requestHashes, p.validMask) = _recoverRequests(_domainSeparatorV4(), groups, digests);
        p.batchId = _nextBatchId;
        p.minFee = _minFeePerProof;
        p.accepted = new bytes32[](total);
        p.groupPairs = new bytes(groups.length << 6);
        uint256 offset;
        for (uint256 g; g < groups.length; ++g) {
            uint256 count = groups[g].count;
            if (offset + count > total) revert MarketPostMismatch(offset + count, total);
            _postGroup(p, g, groups[g], digests, offset);
            offset += count;
        }
        if (offset != total) revert MarketPostMismatch(offset, total);
        if (p.acceptedCount == 0) return 0;
        return _createPosted(p, version);
    }

    /// @notice {IAggregationMarket-close}, run by the market with DELEGATECALL.
    /// @param batchId The batch.
    /// @param settlement The batch content.
    function close(uint256 batchId, Settlement calldata settlement) external onlyDelegated nonReentrant {
        BatchSlots storage s = _batches[batchId];
        BatchHeader.Header memory h = BatchHeader.unpack(s.header);
        if (h.state != BatchState.Locked) revert MarketUnexpectedBatchState(batchId, h.state);
        LockRecord memory c = s.lock;
        if (_STAKING.proverOf(msg.sender) != c.locker) revert MarketNotLocker(batchId, c.locker);
        uint64 lockDeadline = uint64(h.lockDeadline) + uint64(_ROUTER.frozenShift(h.version, c.frozenAtLock));
        if (block.timestamp > lockDeadline) revert MarketLockDeadlinePassed(batchId, lockDeadline);
        _readSettlement(batchId, s.header, s.commitment, settlement, 0, false);

        _setState(batchId, h, BatchState.Closed);
        h.escrow = 0;
        s.header = BatchHeader.pack(h);
        _returnFees(batchId, h, settlement.groups, type(uint64).max);
        emit MarketBatchClosed(batchId, c.locker);
        _STAKING.unlockCollateral(c.locker, uint256(c.collateralGwei) * _GWEI);
    }

    /// @notice {IAggregationMarket-slash}, run by the market with DELEGATECALL.
    /// @param batchId The batch.
    function slash(uint256 batchId) external onlyDelegated nonReentrant {
        BatchSlots storage s = _batches[batchId];
        BatchHeader.Header memory h = BatchHeader.unpack(s.header);
        if (h.state != BatchState.Locked) revert MarketUnexpectedBatchState(batchId, h.state);
        LockRecord memory c = s.lock;
        (IVerifierRouter.VersionState versionState, ) = _ROUTER.status(h.version);
        bool removed = versionState == IVerifierRouter.VersionState.Removed;
        if (!removed) {
            uint64 finalDeadline =
                uint64(h.lockDeadline) + h.finalDelta + uint64(_ROUTER.frozenShift(h.version, c.frozenAtLock));
            if (block.timestamp <= finalDeadline) revert MarketSlashTooEarly(batchId, finalDeadline);
        }
        uint256 collateral = uint256(c.collateralGwei) * _GWEI;

        _setState(batchId, h, BatchState.Sealed);
        h.flags |= _ASSIGNMENT_OPEN;
        h.lockDeadline = 0;
        h.finalDelta = 0;
        s.header = BatchHeader.pack(h);
        // A slashed locker stays recorded so that it cannot lock the batch again; a released one is not
        // at fault.
        s.lock = LockRecord({locker: removed ? address(0) : c.locker, collateralGwei: 0, frozenAtLock: 0});

        if (removed) {
            emit MarketLockReleased(batchId, c.locker, collateral);
            _STAKING.unlockCollateral(c.locker, collateral);
        } else {
            (uint256 burned, uint256 rewarded) = _STAKING.slashCollateral(c.locker, collateral, msg.sender);
            emit MarketBatchSlashed(batchId, c.locker, msg.sender, burned, rewarded);
        }
    }

    /// @notice {IAggregationMarket-release}, run by the market with DELEGATECALL.
    /// @param batchId The batch.
    /// @param settlement The batch content.
    function release(uint256 batchId, Settlement calldata settlement) external onlyDelegated nonReentrant {
        BatchSlots storage s = _batches[batchId];
        BatchHeader.Header memory h = BatchHeader.unpack(s.header);
        if (h.state != BatchState.Open && h.state != BatchState.Sealed) {
            revert MarketUnexpectedBatchState(batchId, h.state);
        }
        uint64 expiry = uint64(h.openedAt) + _submissionTtl;
        if (block.timestamp <= expiry) revert MarketNotExpired(batchId, expiry);
        _readSettlement(batchId, s.header, s.commitment, settlement, 0, false);

        if (batchId == _openBatchId) _openBatchId = 0;
        _setState(batchId, h, BatchState.Released);
        h.escrow = 0;
        s.header = BatchHeader.pack(h);
        _returnFees(batchId, h, settlement.groups, type(uint64).max);
        emit MarketBatchReleased(batchId, msg.sender);
    }

    /// @dev Appends `programIds.length` statements of the caller at `feePerProof` each to the open batch,
    /// one group per run of equal program ids, all in one batch.
    function _enter(
        bytes32[] calldata programIds,
        bytes32[][] calldata publicInputs,
        uint256 feePerProof
    ) private returns (uint256 batchId, uint256 firstSlot) {
        uint256 n = programIds.length;
        if (n == 0 || publicInputs.length != n) revert MarketLengthMismatch();
        _checkFee(feePerProof);
        if (feePerProof * n != msg.value) revert MarketFeeMismatch(feePerProof * n, msg.value);
        bytes32[] memory digests = new bytes32[](n);
        uint24[] memory callbackGas = new uint24[](n);
        for (uint256 i; i < n; ++i) {
            (digests[i], callbackGas[i]) = _statement(programIds[i], publicInputs[i]);
        }
        return _appendRuns(programIds, digests, callbackGas, feePerProof);
    }

    /// @dev Appends validated statements to the open batch, one group per run of equal program ids.
    function _appendRuns(
        bytes32[] calldata programIds,
        bytes32[] memory digests,
        uint24[] memory callbackGas,
        uint256 feePerProof
    ) private returns (uint256 batchId, uint256 firstSlot) {
        BatchHeader.Header memory h;
        (batchId, h) = _room(digests.length);
        firstSlot = h.count;
        uint256 start;
        for (uint256 i; i < digests.length; ++i) {
            if (i + 1 == digests.length || programIds[i + 1] != programIds[i]) {
                uint256 word = BatchCommitment.packGroup(msg.sender, feePerProof, i + 1 - start, callbackGas[i]);
                _appendGroup(batchId, h, word, programIds[i], digests, start);
                start = i + 1;
            }
        }
        _closeAppend(batchId, h);
    }

    /// @dev Accepts group `index` of a post (nonce, debit, digests, group pair) or skips it with an event.
    /// Its recovered signer (0: bad signature), the EIP-712 hash it signed and whether its statements are
    /// usable are in `p`.
    function _postGroup(
        Post memory p,
        uint256 index,
        PostedGroup calldata g,
        bytes32[] calldata digests,
        uint256 offset
    ) private {
        address payer = p.payers[index];
        {
            (bool skip, SkipReason reason) = _skipReason(p.minFee, g, payer, (p.validMask >> index) & 1 == 1);
            if (skip) {
                emit MarketRequestSkipped(payer, g.nonce, reason);
                return;
            }
        }
        _debit(p, g, payer);
        uint256 word = BatchCommitment.packGroup(payer, g.feePerProof, g.count, _programs[g.programId].callbackGas);
        uint256 first = _recordGroup(p, word, g.programId, digests, offset);
        _emitAccepted(p, index, g, word, first);
    }

    /// @dev Emits {MarketRequestAccepted} for group `index` of a post (its own frame: the event has nine
    /// fields).
    function _emitAccepted(Post memory p, uint256 index, PostedGroup calldata g, uint256 word, uint256 first) private {
        emit MarketRequestAccepted(
            p.batchId,
            address(uint160(word >> 96)),
            g.nonce,
            g.programId,
            first,
            g.count,
            g.feePerProof,
            uint24(word),
            p.requestHashes[index]
        );
    }

    /// @dev Accepting a request: its nonce is used (and every lower one voided), its fees move from the
    /// payer's deposit into the batch escrow.
    function _debit(Post memory p, PostedGroup calldata g, address payer) private {
        uint256 cost = uint256(g.feePerProof) * g.count;
        Account storage a = _accounts[payer];
        a.nonce = g.nonce + 1;
        a.balance -= uint96(cost);
        p.escrow += cost;
    }

    /// @dev Whether a posted request must be skipped now, and why.
    function _skipReason(
        uint256 minFee,
        PostedGroup calldata g,
        address payer,
        bool valid
    ) private view returns (bool, SkipReason) {
        if (payer == address(0)) return (true, SkipReason.BadSignature);
        if (g.deadline < block.timestamp) return (true, SkipReason.Expired);
        Account storage a = _accounts[payer];
        if (g.nonce < a.nonce) return (true, SkipReason.StaleNonce);
        if (_programs[g.programId].owner == address(0)) return (true, SkipReason.UnknownProgram);
        if (g.feePerProof < minFee) return (true, SkipReason.FeeBelowFloor);
        if (!valid) return (true, SkipReason.InvalidStatements);
        if (uint256(g.feePerProof) * g.count > a.balance) return (true, SkipReason.InsufficientBalance);
        return (false, SkipReason.BadSignature);
    }

    /// @dev Appends an accepted group's digests and (word, programId) pair to the post's running totals;
    /// returns the group's first slot.
    function _recordGroup(
        Post memory p,
        uint256 word,
        bytes32 programId,
        bytes32[] calldata digests,
        uint256 offset
    ) private pure returns (uint256 first) {
        first = p.acceptedCount;
        uint256 count = uint8(word >> 24);
        bytes32[] memory accepted = p.accepted;
        bytes memory pairs = p.groupPairs;
        uint256 pairAt = p.groupCount << 6;
        assembly ("memory-safe") {
            calldatacopy(add(add(accepted, 0x20), shl(5, first)), add(digests.offset, shl(5, offset)), shl(5, count))
            let at := add(add(pairs, 0x20), pairAt)
            mstore(at, word)
            mstore(add(at, 0x20), programId)
        }
        p.acceptedCount = first + count;
        ++p.groupCount;
        if (uint24(word) != 0) p.hasCallback = true;
    }

    /// @dev Creates the posted batch of an accepted post.
    function _createPosted(Post memory p, uint16 version) private returns (uint256 batchId) {
        batchId = p.batchId;
        (bytes32 root, bytes32 groupsHash, uint256 capacity) = _postedRoot(p);
        _nextBatchId = uint64(batchId + 1);
        BatchHeader.Header memory h = BatchHeader.unpack(0);
        _setState(batchId, h, BatchState.Sealed);
        h.flags = p.hasCallback ? _POSTED | _HAS_CALLBACK : _POSTED;
        h.capacity = uint8(capacity);
        h.count = uint8(p.acceptedCount);
        h.version = version;
        h.openedAt = uint32(block.timestamp);
        h.sealedAt = uint32(block.timestamp);
        h.sealBlock = uint32(block.number);
        // Cannot truncate: at most 64 statements of at most 2^64 - 1 wei.
        h.escrow = uint72(p.escrow);
        BatchSlots storage s = _batches[batchId];
        s.header = BatchHeader.pack(h);
        s.commitment = BatchCommitment.postedCommitment(root, groupsHash, msg.sender);
        emit MarketBatchPosted(batchId, msg.sender, root, groupsHash, h.count, capacity, p.escrow);
        emit MarketBatchSealed(batchId, version, h.count, block.number);
    }

    /// @dev The root of a post's accepted digests, the hash of its accepted groups and its capacity.
    function _postedRoot(Post memory p) private pure returns (bytes32 root, bytes32 groupsHash, uint256 capacity) {
        bytes32[] memory accepted = p.accepted;
        bytes memory pairs = p.groupPairs;
        uint256 n = p.acceptedCount;
        uint256 pairBytes = p.groupCount << 6;
        assembly ("memory-safe") {
            mstore(accepted, n) // shrink to the accepted statements
            groupsHash := keccak256(add(pairs, 0x20), pairBytes)
        }
        (root, capacity) = _postedRootOf(accepted);
    }

    /// @notice EIP-712 type hash of {IAggregationMarket.Request}.
    bytes32 public constant REQUEST_TYPEHASH = keccak256(
        "Request(bytes32 programId,bytes32 statementsHash,uint32 count,uint64 feePerProof,uint64 nonce,uint40 deadline)"
    );

    /// @notice Checks that `st` is the content of a batch and computes what its fulfilment proves.
    /// Posted form: the groups against `groupsHash` and, with `withDigests`, the digests against `root`;
    /// chain form: the groups and digests against the chain commitment. Reverts
    /// {MarketSettlementMismatch} otherwise.
    /// @param batchId The batch (for the error).
    /// @param header The batch's slot A.
    /// @param commitment The batch's commitment (slot B).
    /// @param st The settlement.
    /// @param excludedMask Slots left out of the proof.
    /// @param withDigests False for a closure or release (a posted batch's digests are then not needed).
    /// @return provenRoot The batch root with excluded slots zeroed (0 without digests).
    /// @return includedFees Fees of the included slots.
    /// @return includedCount Included slots.
    function readSettlement(
        uint256 batchId,
        uint256 header,
        bytes32 commitment,
        Settlement calldata st,
        uint64 excludedMask,
        bool withDigests
    ) external pure returns (bytes32 provenRoot, uint256 includedFees, uint256 includedCount) {
        return _readSettlement(batchId, header, commitment, st, excludedMask, withDigests);
    }

    function _readSettlement(
        uint256 batchId,
        uint256 header,
        bytes32 commitment,
        Settlement calldata st,
        uint64 excludedMask,
        bool withDigests
    ) internal pure returns (bytes32 provenRoot, uint256 includedFees, uint256 includedCount) {
        BatchHeader.Header memory h = BatchHeader.unpack(header);
        bool posted = h.flags & BatchHeader.POSTED != 0;
        if (!_matches(h, posted, commitment, st, withDigests)) {
            revert MarketSettlementMismatch(batchId);
        }
        if (!withDigests) return (bytes32(0), 0, 0);
        bytes32[] memory leaves = st.digests;
        Group[] calldata groups = st.groups;
        uint256 slot;
        for (uint256 g; g < groups.length; ++g) {
            (, uint256 fee, uint256 count, ) = BatchCommitment.unpackGroup(groups[g].word);
            for (uint256 end = slot + count; slot < end; ++slot) {
                if ((excludedMask >> slot) & 1 == 1) {
                    leaves[slot] = bytes32(0);
                } else {
                    includedFees += fee;
                    ++includedCount;
                }
            }
        }
        // A posted batch's full root was just checked against the settlement; anything else is computed.
        provenRoot = posted && excludedMask == 0 ? st.root : BatchCommitment.root(leaves, h.capacity);
    }

    /// @notice The signers of posted requests and whether each group's statements are usable (at least one,
    /// none zero), with each group's digests hashed for its EIP-712 `statementsHash`.
    /// @param domainSeparator The market's EIP-712 domain separator.
    /// @param groups The signed requests.
    /// @param digests Their digests, group after group (the caller checked the counts).
    /// @return payers The signer of each group (address(0) for a malformed signature).
    /// @return requestHashes The EIP-712 hash of each group's request (what its payer signed).
    /// @return validMask Bit g set when group g's statements are usable.
    function _recoverRequests(
        bytes32 domainSeparator,
        PostedGroup[] calldata groups,
        bytes32[] calldata digests
    ) internal pure returns (address[] memory payers, bytes32[] memory requestHashes, uint256 validMask) {
        payers = new address[](groups.length);
        requestHashes = new bytes32[](groups.length);
        uint256 offset;
        for (uint256 g; g < groups.length; ++g) {
            bool valid;
            (payers[g], requestHashes[g], valid) = _recover(domainSeparator, groups[g], digests, offset);
            offset += groups[g].count;
            if (valid) validMask |= 1 << g;
        }
    }

    /// @dev The signer of one posted request (address(0) for a malformed signature), the EIP-712 hash of the
    /// request and whether its statements are usable.
    function _recover(
        bytes32 domainSeparator,
        PostedGroup calldata pg,
        bytes32[] calldata digests,
        uint256 offset
    ) private pure returns (address payer, bytes32 requestHash, bool valid) {
        bytes32 statementsHash;
        (statementsHash, valid) = _statementsHash(digests, offset, pg.count);
        bytes32 structHash = keccak256(
            abi.encode(REQUEST_TYPEHASH, pg.programId, statementsHash, pg.count, pg.feePerProof, pg.nonce, pg.deadline)
        );
        requestHash = MessageHashUtils.toTypedDataHash(domainSeparator, structHash);
        ECDSA.RecoverError err;
        (payer, err, ) = ECDSA.tryRecover(requestHash, pg.r, pg.vs);
        if (err != ECDSA.RecoverError.NoError) payer = address(0);
    }

    /// @notice The root of a posted batch's accepted digests and its capacity (the smallest power of two
    /// that is at least `max(4, digests.length)`).
    /// @param digests The accepted digests in slot order.
    /// @return root The batch root.
    /// @return capacity The batch capacity.
    function _postedRootOf(bytes32[] memory digests) internal pure returns (bytes32 root, uint256 capacity) {
        capacity = BatchCommitment.capacityFor(digests.length);
        root = BatchCommitment.root(digests, capacity);
    }

    function _matches(
        BatchHeader.Header memory h,
        bool posted,
        bytes32 commitment,
        Settlement calldata st,
        bool withDigests
    ) private pure returns (bool) {
        Group[] calldata groups = st.groups;
        uint256 total;
        if (posted) {
            bytes32 groupsHash;
            assembly ("memory-safe") {
                let ptr := mload(0x40)
                let len := shl(6, groups.length)
                calldatacopy(ptr, groups.offset, len)
                groupsHash := keccak256(ptr, len)
            }
            for (uint256 g; g < groups.length; ++g) {
                total += uint8(groups[g].word >> 24);
            }
            if (total != h.count || BatchCommitment.postedCommitment(st.root, groupsHash, st.poster) != commitment) {
                return false;
            }
            return
                !withDigests || (st.digests.length == total && BatchCommitment.root(st.digests, h.capacity) == st.root);
        }
        if (st.digests.length != h.count) return false;
        bytes32 chain;
        for (uint256 g; g < groups.length; ++g) {
            uint256 count = uint8(groups[g].word >> 24);
            if (count == 0) return false;
            chain = BatchCommitment.chainAppendCalldata(
                chain,
                groups[g].word,
                groups[g].programId,
                st.digests,
                total,
                count
            );
            total += count;
        }
        return total == h.count && chain == commitment;
    }

    /// @dev `keccak256` of `count` digests from `offset`, and whether the group is usable (at least one
    /// statement, no zero digest: a zero leaf only ever means an empty or excluded slot).
    function _statementsHash(
        bytes32[] calldata digests,
        uint256 offset,
        uint256 count
    ) private pure returns (bytes32 hash, bool valid) {
        valid = count != 0;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let len := shl(5, count)
            calldatacopy(ptr, add(digests.offset, shl(5, offset)), len)
            for {
                let i := 0
            } lt(i, len) {
                i := add(i, 0x20)
            } {
                if iszero(mload(add(ptr, i))) {
                    valid := 0
                }
            }
            hash := keccak256(ptr, len)
        }
    }
}
