// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../lib/Vm.sol";
import {MockVerifier} from "../mocks/MockVerifiers.sol";
import {AggregationMarket} from "../../contracts/market/AggregationMarket.sol";
import {IAggregationMarket} from "../../contracts/interfaces/IAggregationMarket.sol";
import {IProverStaking} from "../../contracts/interfaces/IProverStaking.sol";
import {IVerifierRouter} from "../../contracts/interfaces/IVerifierRouter.sol";
import {BatchCommitment} from "../../contracts/libraries/BatchCommitment.sol";
import {VerifierRouter} from "../../contracts/router/VerifierRouter.sol";
import {ProverStaking} from "../../contracts/staking/ProverStaking.sol";
import {INexToken} from "../../contracts/token/INexToken.sol";
import {NexToken} from "../../contracts/token/NexToken.sol";

/// @notice Gas of the market operations that matter, recorded in `snapshots/AggregationMarket.*.json` by
/// `hardhat test solidity --snapshot` and compared by `--snapshot-check` (part of `npm test`), so that a
/// change of gas shows in review. One contract per operation: its `setUp` prepares the state (setUp runs
/// as a transaction of its own, so the measured call starts with cold storage, like a real transaction)
/// and its one test makes exactly one market call and records its gas with `snapshotGasLastCall`.
/// Default parameters (capacity 8), 2 public inputs, 64-byte proofs, the test-only MockVerifier.
/// @dev A recorded value is the execution gas of the call (what `npm run bench:gas` reports as
/// "execution": receipt gasUsed minus the intrinsic cost), verifier included. The bench's scenarios differ
/// in places (e.g. it subtracts the verifier call), so the two agree where the scenario is the same.
abstract contract MarketGasBase is TestBase {
    bytes32 internal constant PROGRAM = bytes32(uint256(0xabc001));
    address internal constant TREASURY = address(0x7EA5);
    address internal constant USER = address(0xA11CE);
    address internal constant OTHER = address(0xB0B);
    uint256 internal constant FEE = 0.0001 ether;
    bytes internal constant PROOF =
        hex"1111111111111111111111111111111111111111111111111111111111111111"
        hex"1111111111111111111111111111111111111111111111111111111111111111";

    AggregationMarket internal market;
    bytes32[] internal keyHashes;
    address[] internal provers;
    uint256 internal nonce;
    /// @dev Prepared by setUp so that the measured call is the test's only market access.
    address internal locker;
    bytes internal aggregatedProof;
    bytes32[] internal inputs;

    function setUp() public virtual {
        NexToken token = new NexToken(address(this), 1e27);
        ProverStaking staking = new ProverStaking(INexToken(address(token)), address(this), 1_000e18);
        VerifierRouter router = new VerifierRouter(address(this), address(this));
        for (uint256 i; i < 5; ++i) keyHashes.push(bytes32(101 + i));
        router.addVersion(address(new MockVerifier()), keyHashes);
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
            vm.deal(p, 1 ether);
            vm.startPrank(p);
            token.approve(address(staking), type(uint256).max);
            staking.stake(2_000e18);
            vm.stopPrank();
        }
        market.registerProgram(PROGRAM, hex"01", 2);
        vm.deal(USER, 100 ether);
        vm.deal(OTHER, 100 ether);
        inputs = _nextInputs();
    }

    function _defaultParams() internal pure returns (IAggregationMarket.Params memory) {
        return
            IAggregationMarket.Params({
                minFeePerProof: uint96(FEE),
                batchCapacity: 8,
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
    }

    function _nextInputs() internal returns (bytes32[] memory next) {
        next = new bytes32[](2);
        next[0] = bytes32(uint256(keccak256(abi.encode("a", nonce))) % BatchCommitment.FIELD_MODULUS);
        next[1] = bytes32(uint256(keccak256(abi.encode("b", nonce))) % BatchCommitment.FIELD_MODULUS);
        ++nonce;
    }

    function _submit() internal returns (uint256 id) {
        bytes32[] memory next = _nextInputs();
        vm.prank(USER);
        id = market.submit{value: FEE}(PROGRAM, next, PROOF);
    }

    /// @dev Fills (and so seals) batch 1 and records the prover that may lock it first.
    function _fullBatch() internal {
        for (uint256 i; i < 8; ++i) _submit();
        IAggregationMarket.Batch memory b = market.getBatch(1);
        assertTrue(b.state == IAggregationMarket.BatchState.Sealed, "batch 1 sealed");
        locker = b.assigned == address(0) ? provers[0] : b.assigned;
    }

    function _lockBatch() internal {
        vm.prank(locker);
        market.lock(1);
        bytes32 root = market.batchRoot(1, 0);
        aggregatedProof = abi.encode(BatchCommitment.aggregationPublicInputs(root, locker, keyHashes));
    }

    /// @dev Records the gas of the last call as `scenario` in `snapshots/AggregationMarket.<operation>.json`:
    /// one file per operation, because the runner writes the entries of a file in the order the tests
    /// finish, which varies.
    function _record(string memory operation, string memory scenario) internal {
        vm.snapshotGasLastCall(string.concat("AggregationMarket.", operation), scenario);
    }

    function _fulfilBatch() internal {
        vm.prank(locker);
        market.fulfill(1, aggregatedProof, 0);
    }
}

/// @notice registerProgram with a verification key of the real size (3,680 bytes, carried by the event).
contract GasRegisterProgram is MarketGasBase {
    function test_gas() public {
        market.registerProgram(bytes32(uint256(7)), new bytes(3_680), 2);
        _record("registerProgram", "registerProgram (3,680-byte vk)");
    }
}

/// @notice The first submission of a batch (opens it).
contract GasSubmitFirst is MarketGasBase {
    function test_gas() public {
        vm.prank(USER);
        market.submit{value: FEE}(PROGRAM, inputs, PROOF);
        _record("submit-first", "submit (first of a batch: opens it)");
    }
}

/// @notice A typical submission (slot 1 of 8).
contract GasSubmitTypical is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _submit();
    }

    function test_gas() public {
        vm.prank(USER);
        market.submit{value: FEE}(PROGRAM, inputs, PROOF);
        _record("submit-typical", "submit (typical: slot 1 of 8)");
    }
}

/// @notice The submission that fills a batch (and seals it, drawing a prover).
contract GasSubmitFilling is MarketGasBase {
    function setUp() public override {
        super.setUp();
        for (uint256 i; i < 7; ++i) _submit();
    }

    function test_gas() public {
        vm.prank(USER);
        market.submit{value: FEE}(PROGRAM, inputs, PROOF);
        _record("submit-filling", "submit (filling: seals and draws a prover)");
    }
}

/// @notice submitMany of 8 (fills and seals a batch).
contract GasSubmitMany8 is MarketGasBase {
    bytes32[] internal ids;
    bytes32[][] internal manyInputs;
    bytes[] internal proofs;
    uint256[] internal fees;

    function setUp() public override {
        super.setUp();
        for (uint256 i; i < 8; ++i) {
            ids.push(PROGRAM);
            manyInputs.push(_nextInputs());
            proofs.push(PROOF);
            fees.push(FEE);
        }
    }

    function test_gas() public {
        vm.prank(USER);
        market.submitMany{value: 8 * FEE}(ids, manyInputs, proofs, fees);
        _record("submitMany-8", "submitMany of 8 (fills and seals a batch)");
    }
}

/// @notice seal of a batch of 2 of 8 after its timeout (draws a prover).
contract GasSeal is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _submit();
        _submit();
        vm.warp(block.timestamp + 300);
    }

    function test_gas() public {
        market.seal(1);
        _record("seal", "seal (timeout, 2 of 8)");
    }
}

/// @notice lock of a full batch of 8 by its assigned prover.
contract GasLock8 is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _fullBatch();
    }

    function test_gas() public {
        vm.prank(locker);
        market.lock(1);
        _record("lock-8", "lock (8 proofs)");
    }
}

/// @notice fulfill of a batch of 8 with the MockVerifier (the prover's first payout: earnings 0 -> x).
contract GasFulfill8 is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _fullBatch();
        _lockBatch();
    }

    function test_gas() public {
        vm.prank(locker);
        market.fulfill(1, aggregatedProof, 0);
        _record("fulfill-8", "fulfill (8 proofs, MockVerifier)");
    }
}

/// @notice slash of a lock of 8 after its final deadline (burn and reward transfer).
contract GasSlash8 is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _fullBatch();
        _lockBatch();
        vm.warp(uint256(market.getBatch(1).finalDeadline) + 1);
    }

    function test_gas() public {
        vm.prank(OTHER);
        market.slash(1);
        _record("slash-8", "slash (8 proofs)");
    }
}

/// @notice refund of an expired submission by its submitter (fee sent back).
contract GasRefund is MarketGasBase {
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        id = _submit();
        vm.warp(uint256(market.batchExpiry(1)) + 1);
    }

    function test_gas() public {
        vm.prank(USER);
        market.refund(id);
        _record("refund", "refund (expired batch, by the submitter)");
    }
}

/// @notice refund of an expired submission by a third party (fee credited to the submitter: 0 -> x).
contract GasRefundByThirdParty is MarketGasBase {
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        id = _submit();
        vm.warp(uint256(market.batchExpiry(1)) + 1);
    }

    function test_gas() public {
        vm.prank(OTHER);
        market.refund(id);
        _record("refund-by-third-party", "refund (expired batch, by a third party)");
    }
}

/// @notice claimEarnings by a prover after a fulfilment.
contract GasClaimEarnings is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _fullBatch();
        _lockBatch();
        _fulfilBatch();
    }

    function test_gas() public {
        vm.prank(locker);
        market.claimEarnings();
        _record("claimEarnings", "claimEarnings");
    }
}

/// @notice isVerified of a verified statement with 2 public inputs (cold).
contract GasIsVerified is MarketGasBase {
    function setUp() public override {
        super.setUp();
        nonce = 0; // the batch's first statement is `inputs` (nonce 0)
        _fullBatch();
        _lockBatch();
        _fulfilBatch();
    }

    function test_gas() public {
        assertTrue(market.isVerified(PROGRAM, inputs), "verified");
        _record("isVerified", "isVerified (2 public inputs)");
    }
}

/// @notice isSubmissionVerified of an included submission (cold): what a rollup contract may call.
contract GasIsSubmissionVerified is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _fullBatch();
        _lockBatch();
        _fulfilBatch();
    }

    function test_gas() public {
        assertTrue(market.isSubmissionVerified(32), "verified");
        _record("isSubmissionVerified", "isSubmissionVerified");
    }
}

/// @notice isRefundable of an expired submission (cold).
contract GasIsRefundable is MarketGasBase {
    function setUp() public override {
        super.setUp();
        _submit();
        vm.warp(uint256(market.batchExpiry(1)) + 1);
    }

    function test_gas() public {
        assertTrue(market.isRefundable(32), "refundable");
        _record("isRefundable", "isRefundable");
    }
}
