// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase, Vm} from "../lib/Vm.sol";
import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";
import {MockVerifier} from "../mocks/MockVerifiers.sol";
import {AggregationMarket} from "../../contracts/market/AggregationMarket.sol";
import {IAggregationMarket, IAggregationMarketTypes} from "../../contracts/interfaces/IAggregationMarket.sol";
import {IProverStaking} from "../../contracts/interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../../contracts/interfaces/IVerifierRouter.sol";
import {VerifierRouter} from "../../contracts/router/VerifierRouter.sol";
import {ProverStaking} from "../../contracts/staking/ProverStaking.sol";
import {INexToken} from "../../contracts/token/INexToken.sol";
import {NexToken} from "../../contracts/token/NexToken.sol";

/// @notice TEST ONLY. Drives the version-2 market through random sequences of the three channels
/// (calldata and signed off-chain requests; the blob channel, which needs blob transactions, is tested
/// in AggregationMarket.blob.test.ts), deposits and withdrawals, seals, locks, fulfilments (fast
/// and slow path, random exclusions, on time or late), closures, slashes, releases, claims and time jumps,
/// keeping each batch's content to build settlements and ghost ETH accounting for the invariants.
contract MarketHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    bytes32 internal constant KEY_SET = bytes32(uint256(0x5e7));
    uint256 internal constant PROOF_BYTES = 14_656;

    struct Content {
        IAggregationMarketTypes.Group[] groups;
        bytes32[] digests;
        bytes32 root;
        address poster;
    }

    AggregationMarket public immutable market;
    bytes32 public immutable programId;
    address public immutable treasury;
    address[] internal _provers;
    uint256[] internal _userKeys;
    address[] internal _users;
    mapping(uint256 batchId => Content) internal _content;
    mapping(address user => uint64) internal _nonce;

    // ghost accounting (wei)
    uint256 public received; // calldata/blob fees + deposits
    uint256 public claimed;
    uint256 public withdrawn;
    uint256 public nonce;
    // how often each path succeeded (the coverage test checks the handler reaches all of them)
    uint256 public posts;
    uint256 public fastFulfils;
    uint256 public slowFulfils;
    uint256 public lateFulfils;
    uint256 public closes;
    uint256 public slashes;
    uint256 public releases;
    uint256 public claims;
    uint256 public withdrawals;

    constructor(AggregationMarket market_, bytes32 programId_, address[] memory provers_, address treasury_) {
        market = market_;
        programId = programId_;
        _provers = provers_;
        treasury = treasury_;
        for (uint256 i = 1; i <= 3; ++i) {
            _userKeys.push(0xA11CE + i);
            _users.push(vm.addr(0xA11CE + i));
        }
    }

    // ----- channels -----

    function submit(uint256 seed, uint256 feeSeed, uint8 userSeed) external {
        address user = _users[userSeed % _users.length];
        uint256 fee = _bound(feeSeed, 1e14, 1 ether);
        bytes32[] memory inputs = _inputs(seed);
        vm.deal(user, fee);
        vm.prank(user);
        uint256 id = market.submit{value: fee}(programId, inputs, new bytes(PROOF_BYTES));
        received += fee;
        _record(
            id >> 6,
            BatchCommitment.packGroup(user, fee, 1, 0),
            _one(BatchCommitment.digestMemory(programId, inputs))
        );
    }

    function deposit(uint8 userSeed, uint256 amountSeed) external {
        address user = _users[userSeed % _users.length];
        uint256 amount = _bound(amountSeed, 1, 1 ether);
        vm.deal(user, amount);
        vm.prank(user);
        market.deposit{value: amount}();
        received += amount;
    }

    function requestWithdrawal(uint8 userSeed, uint256 amountSeed) external {
        address user = _users[userSeed % _users.length];
        uint256 balance = market.getAccount(user).balance;
        if (balance == 0) return;
        vm.prank(user);
        market.requestWithdrawal(_bound(amountSeed, 1, balance));
    }

    function withdraw(uint8 userSeed) external {
        address user = _users[userSeed % _users.length];
        IAggregationMarketTypes.Account memory a = market.getAccount(user);
        if (a.withdrawableAt == 0 || block.timestamp < a.withdrawableAt) return;
        uint256 before = user.balance;
        vm.prank(user);
        market.withdraw();
        withdrawn += user.balance - before;
        ++withdrawals;
    }

    /// @notice Posts one or two signed requests (a funded user's, and sometimes an unfunded one that is skipped).
    function post(uint256 seed, uint8 userSeed, uint8 nSeed, bool withUnfunded) external {
        uint256 k = userSeed % _users.length;
        address user = _users[k];
        uint256 n = _bound(nSeed, 1, 6);
        uint64 fee = 1e14;
        if (market.getAccount(user).balance < fee * n) {
            vm.deal(user, fee * n);
            vm.prank(user);
            market.deposit{value: fee * n}();
            received += fee * n;
        }
        uint256 groups = withUnfunded ? 2 : 1;
        IAggregationMarketTypes.PostedGroup[] memory pg = new IAggregationMarketTypes.PostedGroup[](groups);
        bytes32[] memory digests = new bytes32[](n * groups);
        for (uint256 i; i < n * groups; ++i) digests[i] = BatchCommitment.digestMemory(programId, _inputs(seed + i));
        pg[0] = _sign(_userKeys[k], digests, 0, n, fee, _nonce[user]);
        if (withUnfunded) pg[1] = _sign(0xDEAD, digests, n, n, fee, 0); // no deposit: skipped
        uint64 before = market.getAccount(user).nonce;
        address poster = address(uint160(0xB0571E5));
        vm.prank(poster);
        uint256 batchId = market.postBatch(pg, digests);
        require(market.getAccount(user).nonce == before + 1 && batchId != 0, "funded request accepted");
        _nonce[user] = before + 1;
        bytes32[] memory accepted = new bytes32[](n);
        for (uint256 i; i < n; ++i) accepted[i] = digests[i];
        Content storage c = _content[batchId];
        c.groups.push(IAggregationMarketTypes.Group(BatchCommitment.packGroup(user, fee, n, 0), programId));
        for (uint256 i; i < n; ++i) c.digests.push(accepted[i]);
        c.root = BatchCommitment.root(accepted, BatchCommitment.capacityFor(n));
        c.poster = poster;
        ++posts;
    }

    // ----- batches -----

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 1, 3 hours));
        vm.roll(block.number + 1);
    }

    function seal() external {
        uint256 batchId = market.openBatchId();
        if (batchId == 0) return;
        if (block.timestamp < uint256(market.getBatch(batchId).openedAt) + market.params().batchTimeout) return;
        market.seal(batchId);
    }

    /// @notice Locks a sealed batch (after its assignment window) and fulfils it (on time by the locker, or
    /// late by another prover), or closes it (everything excluded).
    function lockAndSettle(uint256 batchSeed, uint8 proverSeed, uint64 excludedSeed, bool late, bool closeIt) external {
        uint256 batchId = _pickBatch(batchSeed);
        if (batchId == 0) return;
        IAggregationMarketTypes.Batch memory b = market.getBatch(batchId);
        if (b.state != IAggregationMarketTypes.BatchState.Sealed) return;
        uint256 open = uint256(b.sealedAt) + market.params().assignmentWindow + 1;
        if (block.timestamp < open) vm.warp(open);
        vm.roll(block.number + 1);
        address prover = _provers[proverSeed % _provers.length];
        vm.prank(prover);
        try market.lock(batchId) {} catch {
            return;
        }
        IAggregationMarketTypes.Settlement memory s = _settlement(batchId);
        if (closeIt) {
            vm.prank(prover);
            market.close(batchId, s);
            ++closes;
            return;
        }
        address fulfiller = prover;
        if (late) {
            vm.warp(uint256(market.getBatch(batchId).lockDeadline) + 1);
            fulfiller = _provers[(proverSeed + 1) % _provers.length];
        }
        uint256 count = b.count;
        uint64 mask = excludedSeed & uint64((1 << count) - 1);
        if (mask == uint64((1 << count) - 1)) mask = 0;
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) leaves[i] = ((mask >> i) & 1 == 1) ? bytes32(0) : s.digests[i];
        bytes32 root = BatchCommitment.root(leaves, b.capacity);
        bytes memory proof = abi.encode(BatchCommitment.aggregationPublicInputs(root, fulfiller, KEY_SET));
        bool fast = b.posted && mask == 0 && excludedSeed % 2 == 0;
        if (fast) {
            delete s.groups;
            delete s.digests;
        }
        vm.prank(fulfiller);
        market.fulfill(batchId, proof, mask, s);
        if (late) ++lateFulfils;
        if (fast) ++fastFulfils;
        else ++slowFulfils;
    }

    /// @notice Locks a sealed batch after its assignment window, and leaves it (to be slashed).
    function lock(uint256 batchSeed, uint8 proverSeed) external {
        uint256 batchId = _pickBatch(batchSeed);
        if (batchId == 0) return;
        IAggregationMarketTypes.Batch memory b = market.getBatch(batchId);
        if (b.state != IAggregationMarketTypes.BatchState.Sealed) return;
        uint256 open = uint256(b.sealedAt) + market.params().assignmentWindow + 1;
        if (block.timestamp < open) vm.warp(open);
        vm.roll(block.number + 1);
        vm.prank(_provers[proverSeed % _provers.length]);
        try market.lock(batchId) {} catch {}
    }

    function slash(uint256 batchSeed) external {
        uint256 batchId = _pickBatch(batchSeed);
        if (batchId == 0) return;
        try market.slash(batchId) {
            ++slashes;
        } catch {}
    }

    function release(uint256 batchSeed) external {
        uint256 batchId = _pickBatch(batchSeed);
        if (batchId == 0) return;
        try market.release(batchId, _settlement(batchId)) {
            ++releases;
        } catch {}
    }

    function claim(uint8 whoSeed) external {
        address[] memory accounts = _claimants();
        address who = accounts[whoSeed % accounts.length];
        uint256 amount = market.earnings(who);
        if (amount == 0) return;
        uint256 before = who.balance;
        vm.prank(who);
        market.claimEarnings();
        require(who.balance == before + amount, "claim amount");
        claimed += amount;
        ++claims;
    }

    // ----- views for the invariants -----

    function users() external view returns (address[] memory) {
        return _users;
    }

    function claimants() external view returns (address[] memory) {
        return _claimants();
    }

    function provers() external view returns (address[] memory) {
        return _provers;
    }

    // ----- helpers -----

    function _record(uint256 batchId, uint256 word, bytes32[] memory digests) private {
        Content storage c = _content[batchId];
        c.groups.push(IAggregationMarketTypes.Group(word, programId));
        for (uint256 i; i < digests.length; ++i) c.digests.push(digests[i]);
    }

    function _settlement(uint256 batchId) private view returns (IAggregationMarketTypes.Settlement memory s) {
        Content storage c = _content[batchId];
        s.root = c.root;
        s.poster = c.poster;
        s.groups = c.groups;
        s.digests = c.digests;
        bytes memory pairs;
        for (uint256 i; i < c.groups.length; ++i)
            pairs = bytes.concat(pairs, abi.encode(c.groups[i].word, c.groups[i].programId));
        s.groupsHash = keccak256(pairs);
    }

    function _sign(
        uint256 key,
        bytes32[] memory digests,
        uint256 from,
        uint256 n,
        uint64 fee,
        uint64 nonce_
    ) private view returns (IAggregationMarketTypes.PostedGroup memory g) {
        g.programId = programId;
        g.count = uint32(n);
        g.feePerProof = fee;
        g.nonce = nonce_;
        g.deadline = uint40(block.timestamp + 600);
        bytes memory packed;
        for (uint256 i = from; i < from + n; ++i) packed = bytes.concat(packed, digests[i]);
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", _domain(), _structHash(g, keccak256(packed))));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        g.r = r;
        g.vs = bytes32((uint256(v - 27) << 255) | uint256(s));
    }

    function _structHash(
        IAggregationMarketTypes.PostedGroup memory g,
        bytes32 statementsHash
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    keccak256(
                        "Request(bytes32 programId,bytes32 statementsHash,uint32 count,uint64 feePerProof,uint64 nonce,uint40 deadline)"
                    ),
                    g.programId,
                    statementsHash,
                    g.count,
                    g.feePerProof,
                    g.nonce,
                    g.deadline
                )
            );
    }

    function _domain() private view returns (bytes32) {
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = market.eip712Domain();
        return
            keccak256(
                abi.encode(
                    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                    keccak256(bytes(name)),
                    keccak256(bytes(version)),
                    chainId,
                    verifying
                )
            );
    }

    function _inputs(uint256 seed) private returns (bytes32[] memory inputs) {
        inputs = new bytes32[](2);
        inputs[0] = bytes32(uint256(keccak256(abi.encode(seed, nonce))) % BatchCommitment.FIELD_MODULUS);
        inputs[1] = bytes32(uint256(keccak256(abi.encode(nonce++, seed))) % BatchCommitment.FIELD_MODULUS);
    }

    function _one(bytes32 d) private pure returns (bytes32[] memory a) {
        a = new bytes32[](1);
        a[0] = d;
    }

    function _claimants() private view returns (address[] memory accounts) {
        accounts = new address[](_provers.length + _users.length + 2);
        uint256 n;
        for (uint256 i; i < _provers.length; ++i) accounts[n++] = _provers[i];
        for (uint256 i; i < _users.length; ++i) accounts[n++] = _users[i];
        accounts[n++] = treasury;
        accounts[n] = address(uint160(0xB0571E5));
    }

    function _pickBatch(uint256 seed) private view returns (uint256) {
        uint256 last = market.nextBatchId() - 1;
        if (last == 0) return 0;
        return 1 + (seed % last);
    }

    function _bound(uint256 x, uint256 min, uint256 max) private pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}

/// @notice Property tests of the version-2 market's escrow with the real NexToken and ProverStaking.
contract MarketInvariantsTest is TestBase {
    address internal constant TREASURY = address(0x7EA5);

    AggregationMarket internal market;
    ProverStaking internal staking;
    MarketHandler internal handler;

    function setUp() public {
        NexToken token = new NexToken(address(this), 1e27);
        staking = new ProverStaking(INexToken(address(token)), address(this), 1_000e18);
        staking.setWeightWarmup(0);
        VerifierRouter router = new VerifierRouter(address(this), address(this));
        router.addVersion(address(new MockVerifier()), bytes32(uint256(0x5e7)), 14_656);
        IAggregationMarket.Params memory p = IAggregationMarketTypes.Params({
            minFeePerProof: 1e14,
            batchCapacity: 4,
            batchTimeout: 300,
            assignmentWindow: 120,
            provingWindowBase: 600,
            provingWindowPerProof: 60,
            secondaryWindow: 1800,
            submissionTtl: 86_400,
            collateralPerProof: 10e18,
            protocolFeeBps: 500,
            posterFeeBps: 200,
            maxCallbackGas: 200_000,
            withdrawalDelay: 86_400
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
        bytes32 programId = market.registerProgram(bytes32(uint256(0xabc)), new bytes(3_680), 2);
        handler = new MarketHandler(market, programId, provers, TREASURY);
        targetContract(address(handler));
    }

    /// @notice All market properties after every step of random action sequences.
    /// forge-config: default.invariant.runs = 12
    /// forge-config: default.invariant.depth = 40
    function invariant_market() public view {
        _check_ethConservation();
        _check_collateralMatchesLocks();
    }

    /// @notice The handler reaches every path (channels, fast and slow fulfilment, late fulfilment, close,
    /// slash, release, claims, withdrawals) and the properties hold along a scripted sequence.
    function test_handlerDrivesEveryPath() public {
        for (uint256 i; i < 4; ++i) handler.submit(i, i, uint8(i)); // batch 1 fills and seals
        handler.lockAndSettle(0, 0, 4, false, false); // slow path, slot 2 excluded
        handler.post(100, 0, 3, true); // batch 2: posted, an unfunded request skipped
        handler.lockAndSettle(1, 1, 0, false, false); // fast path
        handler.post(200, 1, 5, false); // batch 3
        handler.lockAndSettle(2, 2, 1, true, false); // late, slow path (excludedSeed odd)
        for (uint256 i; i < 4; ++i) handler.submit(300 + i, 0, uint8(i)); // batch 4
        handler.lockAndSettle(3, 0, 0, false, true); // closed at once
        handler.post(500, 2, 2, false); // batch 5: locked, abandoned, slashed, released
        handler.lock(4, 1);
        handler.deposit(0, 1 ether);
        handler.requestWithdrawal(0, 0.5 ether);
        handler.post(600, 0, 2, false); // batch 6: never locked
        for (uint256 i; i < 10; ++i) handler.warp(3 hours - 1);
        handler.slash(4); // batch 5 (seeds pick 1 + seed % lastBatch, and the last batch is 6)
        handler.release(5); // batch 6
        handler.withdraw(0);
        for (uint8 i; i < 10; ++i) handler.claim(i);
        assertTrue(handler.posts() >= 4, "posts");
        assertTrue(handler.fastFulfils() >= 1, "fast fulfils");
        assertTrue(handler.slowFulfils() >= 2, "slow fulfils");
        assertTrue(handler.lateFulfils() >= 1, "late fulfils");
        assertTrue(handler.closes() >= 1, "closes");
        assertTrue(handler.slashes() >= 1, "slashes");
        assertTrue(handler.releases() >= 1, "releases");
        assertTrue(handler.claims() >= 3, "claims");
        assertTrue(handler.withdrawals() >= 1, "withdrawals");
        invariant_market();
    }

    /// @dev ETH received = claimed + withdrawn + balance, and the balance is exactly the batches' escrow
    /// plus the deposits plus the unclaimed earnings (provers, posters, the treasury, refunded payers).
    function _check_ethConservation() internal view {
        uint256 held = address(market).balance;
        assertEq(handler.received(), handler.claimed() + handler.withdrawn() + held, "received = out + held");
        uint256 escrow;
        for (uint256 b = 1; b < market.nextBatchId(); ++b) escrow += market.getBatch(b).escrow;
        uint256 deposits;
        address[] memory users = handler.users();
        for (uint256 i; i < users.length; ++i) deposits += market.getAccount(users[i]).balance;
        uint256 unclaimed;
        address[] memory accounts = handler.claimants();
        for (uint256 i; i < accounts.length; ++i) unclaimed += market.earnings(accounts[i]);
        assertEq(held, escrow + deposits + unclaimed, "held = escrow + deposits + unclaimed earnings");
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
        for (uint256 b = 1; b < market.nextBatchId(); ++b) {
            IAggregationMarketTypes.Batch memory batch = market.getBatch(b);
            if (batch.lockDeadline != 0) lockedInMarket += batch.collateral;
        }
        assertEq(lockedInStaking, lockedInMarket, "staking locks = market locks");
    }
}
