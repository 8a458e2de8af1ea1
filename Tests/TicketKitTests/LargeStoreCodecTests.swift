@testable import TicketKit
import XCTest

/// The codec's fast paths at the size the benchmark uses: in-place reads,
/// buffers that are never zeroed first, and the seal order of `open`. The
/// payloads are built byte by byte here, independently of `Payload.encode`.
final class LargeStoreCodecTests: XCTestCase {
    func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// Ticket `index` of the large payload: every field depends on the index,
    /// so a ticket read from the wrong offset or copied from its neighbour
    /// cannot pass.
    func ticketBytes(_ index: Int, identityLength: Int, nonceLength: Int) -> [UInt8] {
        let identity = (0..<identityLength).map { UInt8(truncatingIfNeeded: index &+ $0) }
        let nonce = (0..<nonceLength).map { UInt8(truncatingIfNeeded: index &* 7 &+ $0) }
        return be(UInt16(identityLength)) + identity + be(UInt16(nonceLength)) + nonce
            + be(UInt32(index)) + be(UInt32(index * 3)) + be(UInt64(index) << 20) + be(UInt64(86_400_000))
            + be(UInt32(index % 2 == 0 ? 16_384 : 0)) + [index % 5 == 0 ? 1 : 0]
    }

    /// 16,384 tickets of 470-byte identities and 8-byte nonces: 8,372,237
    /// bytes, 16,371 under the payload limit.
    func largestPayload(maxEntries: UInt32 = 16_384) -> [UInt8] {
        var bytes = Array("NXTK".utf8) + [2] + be(maxEntries) + be(UInt32(16_384))
        for index in 0..<16_384 {
            bytes += ticketBytes(index, identityLength: 470, nonceLength: 8)
        }
        return bytes
    }

    func testLargestPayloadDecodesEveryFieldAndEncodesBackByteForByte() throws {
        let bytes = largestPayload()
        XCTAssertEqual(bytes.count, 8_372_237)
        let store = try bytes.withUnsafeBytes { try Payload.decode($0) }
        XCTAssertEqual(store.tickets.count, 16_384)
        XCTAssertEqual(store.droppedOnRead, 0)
        for index in [0, 1, 4_095, 16_383] {
            let ticket = store.tickets[index]
            XCTAssertEqual(ticket.identity.count, 470)
            XCTAssertEqual(ticket.identity.first, UInt8(truncatingIfNeeded: index))
            XCTAssertEqual(ticket.identity.last, UInt8(truncatingIfNeeded: index + 469))
            XCTAssertEqual(ticket.ticketNonce, (0..<8).map { UInt8(truncatingIfNeeded: index * 7 + $0) })
            XCTAssertEqual(ticket.obfuscatedTicketAge, UInt32(index))
            XCTAssertEqual(ticket.ageAdd, UInt32(index * 3))
            XCTAssertEqual(ticket.issuedAtMs, UInt64(index) << 20)
            XCTAssertEqual(ticket.lifetimeMs, 86_400_000)
            XCTAssertEqual(ticket.maxEarlyDataSize, index % 2 == 0 ? 16_384 : 0)
            XCTAssertEqual(ticket.consumed, index % 5 == 0)
        }
        XCTAssertEqual(store.tickets.count { $0.consumed }, 3_277)
        XCTAssertEqual(try Payload.encode(store), bytes)
    }

    func testLargePayloadPastCapacityKeepsTheNewestInOrder() throws {
        let store = try largestPayload(maxEntries: 100).withUnsafeBytes { try Payload.decode($0) }
        XCTAssertEqual(store.droppedOnRead, 16_284)
        XCTAssertEqual(store.tickets.map(\.obfuscatedTicketAge), (16_284..<16_384).map { UInt32($0) })
    }

    func testErrorsStillNameTheTicketAndField() {
        var bytes = Array("NXTK".utf8) + [2] + be(UInt32(16)) + be(UInt32(3))
        bytes += ticketBytes(0, identityLength: 4, nonceLength: 2)
        bytes += ticketBytes(1, identityLength: 4, nonceLength: 2)
        bytes += Array(ticketBytes(2, identityLength: 4, nonceLength: 2).prefix(5))
        // Header 13 bytes, two 39-byte tickets, then the third's u16 length.
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try Payload.decode($0) }) { error in
            XCTAssertEqual(
                error as? TicketError,
                .malformedPayload("ticket 2: truncated in identity at byte 93: needs 4, 3 left"))
        }
    }

    func testOpenFindsEitherSealWhicheverItTriesFirst() throws {
        let key = try Array("order".utf8).withUnsafeBytes { try StoreKey(material: $0) }
        let wrong = try Array("other".utf8).withUnsafeBytes { try StoreKey(material: $0) }
        let payload = largestPayload()
        for seal in SealKind.allCases {
            let file = payload.withUnsafeBytes { Envelope.seal($0, key: key, as: seal) }
            XCTAssertEqual(file.count, payload.count + 37)
            for first in SealKind.allCases {
                let opened = try file.withUnsafeBytes { try Envelope.open($0, key: key, trying: first) }
                XCTAssertEqual(opened.seal, seal, "sealed \(seal), tried \(first) first")
                XCTAssertTrue(opened.payload.withUnsafeBytes { $0.elementsEqual(payload) })
                XCTAssertThrowsError(try file.withUnsafeBytes { try Envelope.open($0, key: wrong, trying: first) }) {
                    XCTAssertEqual($0 as? TicketError, .authenticationFailed(keyEndsInNewline: false))
                }
            }
        }
    }
}
