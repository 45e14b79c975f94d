// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAggregationMarketTypes} from "../interfaces/IAggregationMarket.sol";

/// @title BatchHeader
/// @notice Slot A of a batch (docs/protocol.md, "Batch storage"), packed into one word, least
/// significant bits first: state (4) | flags (4) | capacity (8) | count (8) | version (16) |
/// openedAt (32) | sealedAt (32) | sealBlock (32) | lockDeadline (32) | finalDelta (16) | escrow (72).
library BatchHeader {
    /// @notice Flag: posted form (off-chain channel) rather than chain form (calldata and blob).
    uint8 internal constant POSTED = 1;
    /// @notice Flag: some group of the batch has callback gas.
    uint8 internal constant HAS_CALLBACK = 2;
    /// @notice Flag: every eligible prover may lock (set by a slash).
    uint8 internal constant ASSIGNMENT_OPEN = 4;

    /// @notice Slot A decoded.
    struct Header {
        IAggregationMarketTypes.BatchState state;
        uint8 flags; // POSTED | HAS_CALLBACK | ASSIGNMENT_OPEN
        uint8 capacity;
        uint8 count;
        uint16 version;
        uint32 openedAt;
        uint32 sealedAt;
        uint32 sealBlock;
        uint32 lockDeadline; // stored; the effective one adds the router's frozen shift
        uint16 finalDelta; // finalDeadline = lockDeadline + finalDelta
        uint72 escrow; // wei of fees the batch holds
    }

    /// @notice Packs a header into its slot word.
    /// @param h The header.
    /// @return The word.
    function pack(Header memory h) internal pure returns (uint256) {
        return
            uint256(h.state)
            | (uint256(h.flags) << 4)
            | (uint256(h.capacity) << 8)
            | (uint256(h.count) << 16)
            | (uint256(h.version) << 24)
            | (uint256(h.openedAt) << 40)
            | (uint256(h.sealedAt) << 72)
            | (uint256(h.sealBlock) << 104)
            | (uint256(h.lockDeadline) << 136)
            | (uint256(h.finalDelta) << 168)
            | (uint256(h.escrow) << 184);
    }

    /// @notice Unpacks a slot word.
    /// @param word The word.
    /// @return h The header.
    function unpack(uint256 word) internal pure returns (Header memory h) {
        h.state = IAggregationMarketTypes.BatchState(word & 0xf);
        h.flags = uint8((word >> 4) & 0xf);
        h.capacity = uint8(word >> 8);
        h.count = uint8(word >> 16);
        h.version = uint16(word >> 24);
        h.openedAt = uint32(word >> 40);
        h.sealedAt = uint32(word >> 72);
        h.sealBlock = uint32(word >> 104);
        h.lockDeadline = uint32(word >> 136);
        h.finalDelta = uint16(word >> 168);
        h.escrow = uint72(word >> 184);
    }
}
