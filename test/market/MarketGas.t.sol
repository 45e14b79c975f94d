// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {MockVerifier} from "../mocks/MockVerifiers.sol";
import {AggregationMarket} from "../../contracts/market/AggregationMarket.sol";
import {IAggregationMarketTypes} from "../../contracts/interfaces/IAggregationMarket.sol";
import {IProverStaking} from "../../contracts/interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../../contracts/interfaces/IVerifierRouter.sol";
import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";
import {VerifierRouter} from "../../contracts/router/VerifierRouter.sol";
import {ProverStaking} from "../../contracts/staking/ProverStaking.sol";
import {INexToken} from "../../contracts/token/INexToken.sol";
import {NexToken} from "../../contracts/token/NexToken.sol";

/// @notice Gas of the version-2 market operations that matter, recorded in `snapshots/AggregationMarket.*.json`
/// by `hardhat test solidity --snapshot` and compared by `--snapshot-check` (part of `npm test`), so that a
/// change of gas shows in review. One contract per operation: its `setUp` prepares the state (setUp runs as
/// a transaction of its own, so the measured call starts with cold storage, like a real transaction) and
/// its one test makes exactly one market call and records its gas with `snapshotGasLastCall`.
/// Capacity 8 for calldata batches, 2 public inputs, 14,656-byte rollup proofs, the test-only MockVerifier
/// (accepts `proof == abi.encode(publicInputs)`). The posted batch of 8 comes from 2 payers (4 statements
/// each), posted by a third account.
/// @dev A recorded value is the execution gas of the call, verifier included (without the 21,000 base and
/// the calldata of a transaction: `npm run bench:gas` reports whole transactions).
abstract contract MarketGasBase is TestBase {
    bytes32 internal constant VK_HASH = bytes32(uint256(0xabc001));
    bytes32 internal constant KEY_SET = bytes32(uint256(0x5e7));
    uint24 internal constant PROOF_BYTES = 14_656;
    address internal constant TREASURY = address(0x7EA5);
    address internal constant USER = address(0xA11CE);
    address internal constant OTHER = address(0xB0B);
    address internal constant POSTER = address(0xB0571E5);
    uint256 internal constant PAYER_KEY_1 = 0xA11CE1;
    uint256 internal constant PAYER_KEY_2 = 0xA11CE2;
    uint64 internal constant FEE = 0.0001 ether;
    uint256 internal constant PER_PAYER = 4;

    AggregationMarket internal market;
    bytes32 internal programId;
    address[] internal provers;
    uint256 internal nonce;
    bytes internal rollupProof;

    /// @dev Prepared by setUp so that the measured call is the test's only market access.
    uint256 internal batchId;
    address internal locker;
    bytes internal aggregatedProof;
    bytes32[] internal inputs;
    IAggregationMarketTypes.PostedGroup[] internal groups;
    bytes32[] internal digests;
    IAggregationMarketTypes.Settlement internal settlement;

    function setUp() public virtual {
        NexToken token = new NexToken(address(this), 1e27);
        ProverStaking staking = new ProverStaking(INexToken(address(token)), address(this), 1_000e18);
        staking.setWeightWarmup(0);
        VerifierRouter router = new VerifierRouter(address(this), address(this));
        router.addVersion(address(new MockVerifier()), KEY_SET, PROOF_BYTES);
        market = new AggregationMarket(
            address(this),
            address(this),
            IProverStaking(address(staking)),
            IVerifierRouter(address(router)),
            TREASURY,
            _defaultParams()
        );
        staking.setMarket(address(market));
        for (uint256 i; i < 3; ++i) {
            address p = address(uint160(0x9000 + i));
            provers.push(p);
            token.transfer(p, 5_000e18);
            vm.startPrank(p);
            token.approve(address(staking), type(uint256).max);
            staking.stake(2_000e18);
            vm.stopPrank();
        }
        programId = market.registerProgram(VK_HASH, new bytes(3_680), 2);
        rollupProof = new bytes(PROOF_BYTES);
        vm.deal(USER, 100 ether);
        vm.deal(OTHER, 100 ether);
        inputs = _nextInputs();
    }

    function _defaultParams() internal pure returns (IAggregationMarketTypes.Params memory) {
        return
            IAggregationMarketTypes.Params({
                minFeePerProof: FEE,
                batchCapacity: 8,
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
    }

    function _nextInputs() internal returns (bytes32[] memory next) {
        next = new bytes32[](2);
        next[0] = bytes32(uint256(keccak256(abi.encode("a", nonce))) % BatchCommitment.FIELD_MODULUS);
        next[1] = bytes32(uint256(keccak256(abi.encode("b", nonce))) % BatchCommitment.FIELD_MODULUS);
        ++nonce;
    }

    /// @dev One calldata statement by USER; appends its group and digest to `settlement` (chain form).
    function _submit() internal returns (uint256 id) {
        bytes32[] memory next = _nextInputs();
        vm.prank(USER);
        id = market.submit{value: FEE}(programId, next, rollupProof);
        settlement.groups.push(IAggregationMarketTypes.Group(BatchCommitment.packGroup(USER, FEE, 1, 0), programId));
        settlement.digests.push(BatchCommitment.digestMemory(programId, next));
    }

    /// @dev Deposits for both payers and prepares `groups` and `digests`: a post of 8 from 2 payers.
    function _preparePost() internal {
        uint256[2] memory keys = [PAYER_KEY_1, PAYER_KEY_2];
        for (uint256 k; k < 2; ++k) {
            address payer = vm.addr(keys[k]);
            vm.deal(payer, 1 ether);
            vm.prank(payer);
            market.deposit{value: 0.01 ether}();
            uint256 from = digests.length;
            for (uint256 i; i < PER_PAYER; ++i) digests.push(BatchCommitment.digestMemory(programId, _nextInputs()));
            groups.push(_sign(keys[k], from, PER_PAYER));
        }
    }

    /// @dev Posts the prepared post (by POSTER) and records its posted-form settlement.
    function _post() internal {
        vm.prank(POSTER);
        batchId = market.postBatch(groups, digests);
        settlement.root = BatchCommitment.root(digests, BatchCommitment.capacityFor(digests.length));
        settlement.poster = POSTER;
        bytes memory pairs;
        for (uint256 g; g < groups.length; ++g) {
            address payer = vm.addr(g == 0 ? PAYER_KEY_1 : PAYER_KEY_2);
            uint256 word = BatchCommitment.packGroup(payer, groups[g].feePerProof, groups[g].count, 0);
            settlement.groups.push(IAggregationMarketTypes.Group(word, programId));
            pairs = bytes.concat(pairs, abi.encode(word, programId));
        }
        settlement.groupsHash = keccak256(pairs);
        for (uint256 i; i < digests.length; ++i) settlement.digests.push(digests[i]);
    }

    /// @dev Locks `batchId` by its drawn prover (a block after the seal, so the draw is ready).
    function _lock() internal {
        vm.roll(block.number + 1);
        locker = market.assignedProver(batchId);
        if (locker == address(0)) locker = provers[0];
        vm.prank(locker);
        market.lock(batchId);
    }

    /// @dev The mock aggregated proof of `batchId` with the slots of `mask` excluded, bound to `locker`.
    function _prepareProof(uint64 mask) internal {
        IAggregationMarketTypes.Batch memory b = market.getBatch(batchId);
        bytes32[] memory leaves = new bytes32[](b.count);
        for (uint256 i; i < b.count; ++i) leaves[i] = (mask >> i) & 1 == 1 ? bytes32(0) : settlement.digests[i];
        bytes32 root = BatchCommitment.root(leaves, b.capacity);
        aggregatedProof = abi.encode(BatchCommitment.aggregationPublicInputs(root, locker, KEY_SET));
    }

    /// @dev The fast-path settlement of a posted batch: root, groups hash and poster only.
    function _fastSettlement() internal view returns (IAggregationMarketTypes.Settlement memory s) {
        s.root = settlement.root;
        s.groupsHash = settlement.groupsHash;
        s.poster = settlement.poster;
    }

    /// @dev Records the gas of the last call as `scenario` in `snapshots/AggregationMarket.<operation>.json`:
    /// one file per operation, because the runner writes the entries of a file in the order the tests
    /// finish, which varies.
    function _record(string memory operation, string memory scenario) internal {
        vm.snapshotGasLastCall(string.concat("AggregationMarket.", operation), scenario);
    }

    // ----- EIP-712 requests (docs/protocol.md, "Off-chain") -----

    function _sign(
        uint256 key,
        uint256 from,
        uint256 n
    ) internal view returns (IAggregationMarketTypes.PostedGroup memory g) {
        g.programId = programId;
        g.count = uint32(n);
        g.feePerProof = FEE;
        g.nonce = 0;
        g.deadline = uint40(block.timestamp + 600);
        bytes memory packed;
        for (uint256 i = from; i < from + n; ++i) packed = bytes.concat(packed, digests[i]);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Request(bytes32 programId,bytes32 statementsHash,uint32 count,uint64 feePerProof,uint64 nonce,uint40 deadline)"
                ),
                g.programId,
                keccak256(packed),
                g.count,
                g.feePerProof,
                g.nonce,
                g.deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", _domain(), structHash)));
        g.r = r;
        g.vs = bytes32((uint256(v - 27) << 255) | uint256(s));
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
}

/// @notice A typical calldata submission (slot 1 of 8, a 14,656-byte proof).
contract GasSubmit is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _submit();
    }

    function test_gas() public {
        vm.prank(USER);
        market.submit{value: FEE}(programId, inputs, rollupProof);
        _record("submit", "submit (typical: slot 1 of 8, 14,656-byte proof)");
    }
}

/// @notice The first deposit of a payer (its account slot 0 -> x).
contract GasDeposit is MarketGasBase {
    function test_gas() public {
        vm.prank(USER);
        market.deposit{value: 0.01 ether}();
        _record("deposit", "deposit (first of the payer)");
    }
}

/// @notice withdraw of a requested withdrawal after the notice period.
contract GasWithdraw is MarketGasBase {
    function setUp() public override {
        super.setUp();
        vm.startPrank(USER);
        market.deposit{value: 0.01 ether}();
        market.requestWithdrawal(0.004 ether);
        vm.stopPrank();
        vm.warp(block.timestamp + 86_400);
    }

    function test_gas() public {
        vm.prank(USER);
        market.withdraw();
        _record("withdraw", "withdraw (after the notice, part of the deposit)");
    }
}

/// @notice postBatch of 8 statements from 2 payers (4 each), by a poster: the batch is created sealed.
contract GasPostBatch8 is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _preparePost();
    }

    function test_gas() public {
        vm.prank(POSTER);
        market.postBatch(groups, digests);
        _record("postBatch-8", "postBatch (8 statements from 2 payers)");
    }
}

/// @notice lock of a posted batch of 8 by its drawn prover (the lazy draw included).
contract GasLock8 is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _preparePost();
        _post();
        vm.roll(block.number + 1);
        locker = market.assignedProver(batchId);
        if (locker == address(0)) locker = provers[0];
    }

    function test_gas() public {
        vm.prank(locker);
        market.lock(batchId);
        _record("lock-8", "lock (posted batch of 8, draw included)");
    }
}

/// @notice fulfill of a posted batch of 8, fast path (nothing excluded, no callback: root, groups hash
/// and poster only), the MockVerifier (the prover's, the poster's and the treasury's first credits).
contract GasFulfill8Fast is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _preparePost();
        _post();
        _lock();
        _prepareProof(0);
    }

    function test_gas() public {
        IAggregationMarketTypes.Settlement memory s = _fastSettlement();
        vm.prank(locker);
        market.fulfill(batchId, aggregatedProof, 0, s);
        _record("fulfill-8-fast", "fulfill (posted batch of 8, fast path, MockVerifier)");
    }
}

/// @notice fulfill of a sealed posted batch of 8 without a lock (direct: the assigned prover during its
/// assignment window, the draw evaluated in the call), fast path, the MockVerifier (first credits).
contract GasFulfill8Direct is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _preparePost();
        _post();
        vm.roll(block.number + 1);
        locker = market.assignedProver(batchId);
        if (locker == address(0)) locker = provers[0];
        _prepareProof(0);
    }

    function test_gas() public {
        IAggregationMarketTypes.Settlement memory s = _fastSettlement();
        vm.prank(locker);
        market.fulfill(batchId, aggregatedProof, 0, s);
        _record(
            "fulfill-8-direct",
            "fulfill without a lock (posted batch of 8, fast path, draw included, MockVerifier)"
        );
    }
}

/// @notice fulfill of a posted batch of 8, slow path (slot 3 excluded: groups and digests re-hashed, its
/// fee back to its payer's deposit), the MockVerifier.
contract GasFulfill8Slow is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _preparePost();
        _post();
        _lock();
        _prepareProof(1 << 3);
    }

    function test_gas() public {
        vm.prank(locker);
        market.fulfill(batchId, aggregatedProof, 1 << 3, settlement);
        _record("fulfill-8-slow", "fulfill (posted batch of 8, slot 3 excluded, MockVerifier)");
    }
}

/// @notice close of a locked posted batch of 8 by its locker (nothing provable: every fee back).
contract GasClose8 is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _preparePost();
        _post();
        _lock();
    }

    function test_gas() public {
        vm.prank(locker);
        market.close(batchId, settlement);
        _record("close-8", "close (posted batch of 8, every fee back to 2 deposits)");
    }
}

/// @notice slash of a lock of 8 after its final deadline (burn and reward transfer).
contract GasSlash8 is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _preparePost();
        _post();
        _lock();
        vm.warp(uint256(market.getBatch(batchId).finalDeadline) + 1);
    }

    function test_gas() public {
        vm.prank(OTHER);
        market.slash(batchId);
        _record("slash-8", "slash (posted batch of 8)");
    }
}

/// @notice release of an expired calldata batch of 2 by a third party (both fees to the payer's earnings).
contract GasRelease is MarketGasBase {
    function setUp() public override {
        super.setUp();
        uint256 id = _submit();
        _submit();
        batchId = id >> 6;
        vm.warp(uint256(market.getBatch(batchId).expiry) + 1);
    }

    function test_gas() public {
        vm.prank(OTHER);
        market.release(batchId, settlement);
        _record("release", "release (expired calldata batch of 2, by a third party)");
    }
}

/// @notice isVerified of a statement of a fulfilled posted batch of 8 with its inclusion path (cold).
contract GasIsVerifiedWithPath is MarketGasBase {
    IAggregationMarketTypes.Inclusion internal inclusion;
    bytes32[] internal statement;

    function setUp() public override {
        super.setUp();
        nonce = 0; // the post's first statement has the inputs of nonce 0 (`inputs`)
        statement = _nextInputs();
        nonce = 0;
        _preparePost();
        _post();
        _lock();
        _prepareProof(0);
        vm.prank(locker);
        market.fulfill(batchId, aggregatedProof, 0, _fastSettlement());
        inclusion.batchId = batchId;
        inclusion.index = 0;
        // Siblings of slot 0 in the full tree of 8 leaves, bottom first.
        bytes32[] memory level = settlement.digests;
        uint256 index;
        while (level.length > 1) {
            inclusion.siblings.push(level[index ^ 1]);
            bytes32[] memory up = new bytes32[](level.length / 2);
            for (uint256 i; i < up.length; ++i) up[i] = keccak256(abi.encodePacked(level[2 * i], level[2 * i + 1]));
            level = up;
            index >>= 1;
        }
    }

    function test_gas() public {
        assertTrue(market.isVerified(programId, statement, inclusion), "verified");
        _record("isVerified-path", "isVerified (2 public inputs, path in a batch of 8)");
    }
}
