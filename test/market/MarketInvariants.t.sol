// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase, Vm} from "../lib/Vm.sol";
import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";
import {MockVerifier} from "../mocks/MockVerifiers.sol";
import {AggregationMarket} from "../../contracts/market/AggregationMarket.sol";
import {IAggregationMarket} from "../../contracts/interfaces/IAggregationMarket.sol";
import {IProverStaking} from "../../contracts/interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../../contracts/interfaces/IVerifierRouter.sol";
import {VerifierRouter} from "../../contracts/router/VerifierRouter.sol";
import {ProverStaking} from "../../contracts/staking/ProverStaking.sol";
import {INexToken} from "../../contracts/token/INexToken.sol";
import {NexToken} from "../../contracts/token/NexToken.sol";

/// @notice TEST ONLY. Drives the market through random sequences of submissions, seals, locks,
/// fulfilments (valid MockVerifier proofs, random exclusions, on time or late), slashes, refunds (by
/// the submitter, or by a third party: the fee is then credited to the submitter's earnings), claims
/// and time jumps, and keeps ghost accounting for the invariants in MarketInvariants.t.sol.
contract MarketHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    struct Sub {
        uint256 id;
        bytes32 digest;
        address submitter;
        uint256 fee;
        bytes32[] inputs;
    }

    AggregationMarket public immutable market;
    bytes32 public immutable programId;
    bytes32[] internal _keyHashes;
    address[] internal _provers;
    address[] internal _users;
    address public immutable treasury;
    /// @notice Refunds others' submissions and never submits.
    address public constant THIRD_PARTY = address(0xD00D);

    Sub[] internal _subs;
    mapping(uint256 id => bool) public refunded;
    mapping(uint256 id => uint256 index) internal _indexOf; // 1-based

    // ghost accounting (wei)
    uint256 public received;
    uint256 public refundedTotal; // sent to submitters that refunded their own submissions
    uint256 public creditedTotal; // credited to submitters' earnings by third-party refunds
    uint256 public claimedTotal;
    uint256 public verifiedFees;
    uint256 public nonce;
    uint256 public calls;
    // how often each path succeeded (the coverage test checks the handler reaches all of them)
    uint256 public locks;
    uint256 public fulfils;
    uint256 public lateFulfils;
    uint256 public slashes;
    uint256 public refunds;
    uint256 public thirdPartyRefunds;
    uint256 public claims;

    constructor(
        AggregationMarket market_,
        bytes32 programId_,
        bytes32[] memory keyHashes_,
        address[] memory provers_,
        address treasury_
    ) {
        market = market_;
        programId = programId_;
        _keyHashes = keyHashes_;
        _provers = provers_;
        treasury = treasury_;
        _users.push(address(0xA11CE));
        _users.push(address(0xB0B));
        _users.push(address(0xCAFE));
    }

    // ----- actions -----

    function submit(uint256 seed, uint256 feeSeed, uint8 userSeed) external {
        ++calls;
        address user = _users[userSeed % _users.length];
        uint256 fee = _bound(feeSeed, market.params().minFeePerProof, 1 ether);
        bytes32[] memory inputs = new bytes32[](2);
        inputs[0] = bytes32(uint256(keccak256(abi.encode(seed, nonce))) % BatchCommitment.FIELD_MODULUS);
        inputs[1] = bytes32(uint256(keccak256(abi.encode(nonce++, seed))) % BatchCommitment.FIELD_MODULUS);
        vm.deal(user, fee);
        vm.prank(user);
        uint256 id = market.submit{value: fee}(programId, inputs, hex"01");
        received += fee;
        _subs.push(Sub(id, BatchCommitment.digestMemory(programId, inputs), user, fee, inputs));
        _indexOf[id] = _subs.length;
    }

    function warp(uint256 seconds_) external {
        ++calls;
        vm.warp(block.timestamp + _bound(seconds_, 1, 3 hours));
    }

    function seal() external {
        ++calls;
        uint256 batchId = market.openBatchId();
        if (batchId == 0) return;
        IAggregationMarket.Batch memory b = market.getBatch(batchId);
        if (block.timestamp < uint256(b.openedAt) + market.params().batchTimeout) return;
        market.seal(batchId);
    }

    function lock(uint256 batchSeed, uint8 proverSeed) external {
        ++calls;
        uint256 batchId = _pickBatch(batchSeed);
        if (batchId == 0) return;
        vm.prank(_provers[proverSeed % _provers.length]);
        try market.lock(batchId) {
            ++locks;
        } catch {}
    }

    /// @notice Locks a sealed batch (after its assignment window, by any prover) and fulfils it at
    /// once, or late (after warping past lockDeadline) by another prover, with a random exclusion.
    function lockAndFulfill(uint256 batchSeed, uint8 proverSeed, uint32 excludedSeed, bool late) external {
        ++calls;
        uint256 batchId = _pickBatch(batchSeed);
        if (batchId == 0) return;
        IAggregationMarket.Batch memory b = market.getBatch(batchId);
        if (b.state != IAggregationMarket.BatchState.Sealed) return;
        uint256 open = uint256(b.sealedAt) + market.params().assignmentWindow + 1;
        if (block.timestamp < open) vm.warp(open);
        vm.prank(_provers[proverSeed % _provers.length]);
        try market.lock(batchId) {
            ++locks;
        } catch {
            return;
        }
        if (late) vm.warp(uint256(market.getBatch(batchId).lockDeadline) + 1);
        this.fulfill(batchId - 1, proverSeed + 1, excludedSeed);
    }

    function fulfill(uint256 batchSeed, uint8 proverSeed, uint32 excludedSeed) external {
        ++calls;
        uint256 batchId = _pickBatch(batchSeed);
        if (batchId == 0) return;
        IAggregationMarket.Batch memory b = market.getBatch(batchId);
        if (b.state != IAggregationMarket.BatchState.Locked) return;
        address prover = _provers[proverSeed % _provers.length];
        if (block.timestamp <= b.lockDeadline) prover = b.locker; // on time only the locker may
        uint32 filled = uint32((1 << b.count) - 1);
        uint32 excluded = excludedSeed & filled;
        if (excluded == filled) excluded = 0;
        bytes32 root = market.batchRoot(batchId, excluded);
        bytes memory proof = abi.encode(BatchCommitment.aggregationPublicInputs(root, prover, _keyHashes));
        vm.prank(prover);
        try market.fulfill(batchId, proof, excluded) {
            ++fulfils;
            if (block.timestamp > b.lockDeadline) ++lateFulfils;
            uint32 included = market.getBatch(batchId).includedMask;
            for (uint256 i; i < b.count; ++i) {
                if ((included >> i) & 1 == 1) verifiedFees += _subs[_indexOf[(batchId << 5) | i] - 1].fee;
            }
        } catch {}
    }

    function slash(uint256 batchSeed) external {
        ++calls;
        uint256 batchId = _pickBatch(batchSeed);
        if (batchId == 0) return;
        try market.slash(batchId) {
            ++slashes;
        } catch {}
    }

    /// @notice Refunds one refundable submission, by its submitter or (callerSeed) by another user or
    /// the third party.
    function refund(uint256 subSeed, uint8 callerSeed) external {
        ++calls;
        if (_subs.length == 0) return;
        Sub storage s = _subs[subSeed % _subs.length];
        if (!market.isRefundable(s.id)) return;
        address caller = _caller(s.submitter, callerSeed);
        uint256 submitterBefore = s.submitter.balance;
        uint256 callerBefore = caller.balance;
        uint256 earningsBefore = market.earnings(s.submitter);
        vm.prank(caller);
        market.refund(s.id);
        _recordRefund(s, caller, submitterBefore, callerBefore, earningsBefore);
    }

    /// @notice refundMany over up to three picked submissions that are refundable (distinct), by one caller.
    function refundMany(uint256 seedA, uint256 seedB, uint256 seedC, uint8 callerSeed) external {
        ++calls;
        if (_subs.length == 0) return;
        uint256[3] memory seeds = [seedA, seedB, seedC];
        uint256[] memory picked = new uint256[](3);
        uint256 n;
        for (uint256 k; k < 3; ++k) {
            uint256 index = seeds[k] % _subs.length;
            if (!market.isRefundable(_subs[index].id)) continue;
            bool seen;
            for (uint256 j; j < n; ++j) seen = seen || picked[j] == index;
            if (!seen) picked[n++] = index;
        }
        if (n == 0) return;
        address caller = _caller(_subs[picked[0]].submitter, callerSeed);
        uint256[] memory ids = new uint256[](n);
        uint256 own;
        for (uint256 k; k < n; ++k) {
            Sub storage s = _subs[picked[k]];
            ids[k] = s.id;
            if (s.submitter == caller) own += s.fee;
        }
        uint256 callerBefore = caller.balance;
        vm.prank(caller);
        market.refundMany(ids);
        require(caller.balance == callerBefore + own, "refundMany sends only the caller's own fees");
        for (uint256 k; k < n; ++k) {
            Sub storage s = _subs[picked[k]];
            refunded[s.id] = true;
            if (s.submitter == caller) {
                refundedTotal += s.fee;
            } else {
                creditedTotal += s.fee;
                ++thirdPartyRefunds;
            }
            ++refunds;
        }
    }

    function claim(uint8 whoSeed) external {
        ++calls;
        address[] memory accounts = _claimants();
        address who = accounts[whoSeed % accounts.length];
        uint256 amount = market.earnings(who);
        if (amount == 0) return;
        uint256 before = who.balance;
        vm.prank(who);
        market.claimEarnings();
        require(who.balance == before + amount, "claim amount");
        claimedTotal += amount;
        ++claims;
    }

    // ----- views for the invariants -----

    function subCount() external view returns (uint256) {
        return _subs.length;
    }

    function sub(uint256 i) external view returns (Sub memory) {
        return _subs[i];
    }

    function provers() external view returns (address[] memory) {
        return _provers;
    }

    /// @notice Every account that can hold earnings: provers, the treasury, the users (refunded by
    /// others) and the third party.
    function claimants() external view returns (address[] memory) {
        return _claimants();
    }

    // ----- helpers -----

    /// @dev The submitter itself (callerSeed % 3 == 0), else another user or the third party.
    function _caller(address submitter, uint8 callerSeed) private view returns (address) {
        if (callerSeed % 3 == 0) return submitter;
        if (callerSeed % 3 == 1) return THIRD_PARTY;
        address other = _users[callerSeed % _users.length];
        return other == submitter ? _users[(callerSeed + 1) % _users.length] : other;
    }

    function _recordRefund(
        Sub storage s,
        address caller,
        uint256 submitterBefore,
        uint256 callerBefore,
        uint256 earningsBefore
    ) private {
        if (caller == s.submitter) {
            require(s.submitter.balance == submitterBefore + s.fee, "refund amount");
            require(market.earnings(s.submitter) == earningsBefore, "own refund credited");
            refundedTotal += s.fee;
        } else {
            require(s.submitter.balance == submitterBefore, "third-party refund sent ETH");
            require(caller.balance == callerBefore, "third-party refund paid the caller");
            require(market.earnings(s.submitter) == earningsBefore + s.fee, "fee credited to the submitter");
            creditedTotal += s.fee;
            ++thirdPartyRefunds;
        }
        refunded[s.id] = true;
        ++refunds;
    }

    function _claimants() private view returns (address[] memory accounts) {
        accounts = new address[](_provers.length + _users.length + 2);
        uint256 n;
        for (uint256 i; i < _provers.length; ++i) accounts[n++] = _provers[i];
        for (uint256 i; i < _users.length; ++i) accounts[n++] = _users[i];
        accounts[n++] = treasury;
        accounts[n] = THIRD_PARTY;
    }

    function _pickBatch(uint256 seed) private view returns (uint256) {
        if (_subs.length == 0) return 0;
        uint256 last = _subs[_subs.length - 1].id >> 5;
        return 1 + (seed % last);
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}

/// @notice Property tests of the market's escrow with the real NexToken and ProverStaking.
contract MarketInvariantsTest is TestBase {
    bytes32 internal constant PROGRAM = bytes32(uint256(0xabc));
    address internal constant TREASURY = address(0x7EA5);

    AggregationMarket internal market;
    ProverStaking internal staking;
    MarketHandler internal handler;

    function setUp() public {
        NexToken token = new NexToken(address(this), 1e27);
        staking = new ProverStaking(INexToken(address(token)), address(this), 1_000e18);
        VerifierRouter router = new VerifierRouter(address(this), address(this));
        bytes32[] memory keyHashes = new bytes32[](2);
        keyHashes[0] = bytes32(uint256(11));
        keyHashes[1] = bytes32(uint256(12));
        router.addVersion(address(new MockVerifier()), keyHashes);
        IAggregationMarket.Params memory p = IAggregationMarket.Params({
            minFeePerProof: 0.0001 ether,
            batchCapacity: 4,
            batchTimeout: 300,
            assignmentWindow: 120,
            provingWindowBase: 600,
            provingWindowPerProof: 120,
            secondaryWindow: 1800,
            submissionTtl: 86_400,
            collateralPerProof: 10e18,
            protocolFeeBps: 500,
            callbackGasLimit: 100_000
        });
        market = new AggregationMarket(
            address(this),
            address(this),
            IProverStaking(address(staking)),
            IVerifierRouter(address(router)),
            TREASURY,
            p
        );
        staking.setMarket(address(market));
        address[] memory provers = new address[](3);
        for (uint256 i; i < 3; ++i) {
            provers[i] = address(uint160(0x9000 + i));
            token.transfer(provers[i], 5_000e18);
            vm.startPrank(provers[i]);
            token.approve(address(staking), type(uint256).max);
            staking.stake(2_000e18);
            vm.stopPrank();
        }
        market.registerProgram(PROGRAM, hex"01", 2);
        handler = new MarketHandler(market, PROGRAM, keyHashes, provers, TREASURY);
        targetContract(address(handler));
    }

    /// @notice All market properties after every step of random action sequences.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 50
    function invariant_market() public view {
        _check_escrowConservation();
        _check_statementConsistency();
        _check_collateralMatchesLocks();
    }

    /// @notice The handler reaches every path (lock, on-time and late fulfilment, slash, refund, claim)
    /// and the properties hold along a scripted sequence, so the invariant campaign is not vacuous.
    function test_handlerDrivesEveryPath() public {
        for (uint256 i; i < 4; ++i) handler.submit(i, i, uint8(i)); // batch 1 fills and seals
        handler.lockAndFulfill(0, 0, 4, false); // on time, slot 2 excluded
        for (uint256 i; i < 4; ++i) handler.submit(10 + i, 0, uint8(i)); // batch 2
        handler.lockAndFulfill(1, 1, 0, true); // late: another prover, locker slashed
        for (uint256 i; i < 4; ++i) handler.submit(20 + i, 0, uint8(i)); // batch 3
        handler.lock(2, 0); // within the window only the assigned prover succeeds...
        handler.lockAndFulfill(2, 2, 0, false); // ...else the window is waited out here; fulfils on time
        for (uint256 i; i < 4; ++i) handler.submit(30 + i, 0, uint8(i)); // batch 4: lock, then abandon
        handler.warp(121);
        handler.lock(3, 0);
        handler.lock(3, 1);
        handler.lock(3, 2);
        for (uint256 i; i < 10; ++i) handler.warp(3 hours - 1); // +3h each: past finalDeadline and expiry
        handler.slash(3);
        handler.submit(40, 0, 0); // batch 5 (one submission) ...
        handler.warp(301);
        handler.seal(); // ...sealed by timeout
        // excluded slot and expired batches: by the submitter, the third party, another user, and in bulk
        for (uint256 i; i < handler.subCount(); i += 2) handler.refund(i, uint8(i));
        handler.refundMany(1, 3, 5, 0);
        handler.refundMany(7, 9, 11, 2);
        for (uint256 i = 13; i < handler.subCount(); i += 2) handler.refund(i, 1);
        for (uint8 i; i < 8; ++i) handler.claim(i);
        assertTrue(handler.locks() >= 3, "locks");
        assertTrue(handler.fulfils() >= 2, "fulfils");
        assertTrue(handler.lateFulfils() >= 1, "late fulfils");
        assertTrue(handler.slashes() >= 1, "slashes");
        assertTrue(handler.refunds() >= 5, "refunds");
        assertTrue(handler.thirdPartyRefunds() >= 3, "third-party refunds");
        assertTrue(handler.refundedTotal() > 0, "own refunds");
        assertTrue(handler.claims() >= 3, "claims");
        invariant_market();
    }

    /// @dev ETH received = paid out (claims) + refunded to submitters + still held, and what is held is
    /// exactly the pending fees plus unclaimed earnings (provers', the treasury's protocol fees, and
    /// refunds credited to submitters by third parties).
    function _check_escrowConservation() internal view {
        uint256 held = address(market).balance;
        assertEq(handler.received(), handler.claimedTotal() + handler.refundedTotal() + held, "received = out + held");
        uint256 pending;
        for (uint256 i; i < handler.subCount(); ++i) {
            MarketHandler.Sub memory s = handler.sub(i);
            if (!handler.refunded(s.id) && !market.isSubmissionVerified(s.id)) pending += s.fee;
        }
        uint256 unclaimed;
        address[] memory accounts = handler.claimants();
        for (uint256 i; i < accounts.length; ++i) {
            unclaimed += market.earnings(accounts[i]);
        }
        assertEq(held, pending + unclaimed, "held = pending fees + unclaimed earnings");
        // every verified fee was credited to a prover or the treasury, every third-party refund to its
        // submitter (claimed or not)
        assertEq(
            handler.verifiedFees() + handler.creditedTotal(),
            unclaimed + handler.claimedTotal(),
            "verified fees + credited refunds = earnings"
        );
    }

    /// @notice No submission is both verified and refunded, and each statement's stored state matches
    /// its submission's fate.
    function _check_statementConsistency() internal view {
        for (uint256 i; i < handler.subCount(); ++i) {
            MarketHandler.Sub memory s = handler.sub(i);
            bool verified = market.isSubmissionVerified(s.id);
            bool refunded = handler.refunded(s.id);
            assertTrue(!(verified && refunded), "verified and refunded");
            IAggregationMarket.Statement memory st = market.statementOf(s.digest);
            if (verified) {
                assertTrue(st.status == IAggregationMarket.StatementStatus.Verified, "verified status");
                assertTrue(market.isVerified(PROGRAM, s.inputs), "isVerified");
                assertEq(uint256(market.digestOf(s.id)), 0, "verified digest freed");
                assertTrue(!market.isRefundable(s.id), "verified refundable");
            } else if (refunded) {
                assertTrue(st.status == IAggregationMarket.StatementStatus.None, "refunded statement deleted");
                assertEq(uint256(market.digestOf(s.id)), 0, "refunded digest freed");
                assertTrue(!market.isRefundable(s.id), "refundable twice");
            } else {
                assertTrue(st.status == IAggregationMarket.StatementStatus.Pending, "pending status");
                assertEq(uint256(uint160(st.submitter)), uint256(uint160(s.submitter)), "submitter");
                assertEq(st.fee, s.fee, "fee");
                assertEq(uint256(market.digestOf(s.id)), uint256(s.digest), "digest stored");
                assertTrue(!market.isVerified(PROGRAM, s.inputs), "pending not verified");
            }
        }
    }

    /// @notice Locked collateral in staking equals the collateral of the market's live locks.
    function _check_collateralMatchesLocks() internal view {
        address[] memory provers = handler.provers();
        uint256 lockedInStaking;
        for (uint256 i; i < provers.length; ++i) {
            (, uint256 locked, ) = staking.stakeOf(provers[i]);
            lockedInStaking += locked;
        }
        uint256 lockedInMarket;
        uint256 last = handler.subCount() == 0 ? 0 : handler.sub(handler.subCount() - 1).id >> 5;
        for (uint256 b = 1; b <= last; ++b) {
            IAggregationMarket.Batch memory batch = market.getBatch(b);
            // An expired batch may still be under a lock (Expired is derived; the lock stays until slashed).
            if (batch.locker != address(0) && batch.lockDeadline != 0 && batch.includedMask == 0) {
                lockedInMarket += batch.collateral;
            }
        }
        assertEq(lockedInStaking, lockedInMarket, "staking locks = market locks");
    }
}
