// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {INexCallback} from "../../contracts/interfaces/INexCallback.sol";

/// @notice TEST ONLY. Records every callback.
contract RecordingCallback is INexCallback {
    struct Call {
        bytes32 programId;
        uint256 submissionId;
        bytes32 digest;
    }

    Call[] public calls;

    function onProofVerified(bytes32 programId, uint256 submissionId, bytes32 digest) external {
        calls.push(Call(programId, submissionId, digest));
    }

    function callCount() external view returns (uint256) {
        return calls.length;
    }
}

/// @notice TEST ONLY. Re-enters the market with a configured call and records how it ended; then
/// returns normally so the recorded outcome survives.
contract ReentrantCallback is INexCallback {
    address public immutable market;
    bytes public attack;
    bool public attempted;
    bool public succeeded;
    bytes public revertData;

    constructor(address market_) {
        market = market_;
    }

    function setAttack(bytes calldata data) external {
        attack = data;
    }

    function onProofVerified(bytes32, uint256, bytes32) external {
        if (attempted) return;
        attempted = true;
        (bool ok, bytes memory ret) = market.call(attack);
        succeeded = ok;
        revertData = ret;
    }
}

/// @notice TEST ONLY. Burns all the gas it gets.
contract GasBurnerCallback is INexCallback {
    uint256 public sink;

    function onProofVerified(bytes32, uint256, bytes32) external {
        while (true) {
            ++sink;
        }
    }
}

/// @notice TEST ONLY. Reverts with a huge revert payload (return-data bomb).
contract ReturnBombCallback is INexCallback {
    function onProofVerified(bytes32, uint256, bytes32) external pure {
        assembly {
            revert(0, 100000)
        }
    }
}

/// @notice TEST ONLY. A submitter/prover contract that can refuse ETH.
contract RejectingReceiver {
    bool public rejecting = true;

    function setRejecting(bool value) external {
        rejecting = value;
    }

    function call(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        require(!rejecting, "rejected");
    }
}
