@testable import TicketKit
import XCTest

/// Payload limits and the store operations, on payloads built byte by byte
/// from FORMAT.md's table.
final class PayloadTests: XCTestCase {
    /// A payload header followed by `tickets`, each already encoded.
    func payload(version: UInt8 = 2, maxEntries: UInt32 = 16, count: UInt32? = nil, tickets: [[UInt8]]) -> [UInt8] {
        Array("NXTK".utf8) + [version] + be(maxEntries) + be(count ?? UInt32(tickets.count)) + tickets.flatMap { $0 }
    }

    func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    func ticket(
        identity: [UInt8] = [0xAA], nonce: [UInt8] = [0xBB], issued: UInt64 = 1000, lifetime: UInt64 = 500,
        earlyData: UInt32? = 0, consumed: UInt8 = 0
    ) -> [UInt8] {
        be(UInt16(identity.count)) + identity + be(UInt16(nonce.count)) + nonce + be(UInt32(1)) + be(UInt32(2))
            + be(issued) + be(lifetime) + (earlyData.map(be) ?? []) + [consumed]
    }

    func decode(_ bytes: [UInt8]) throws -> TicketStore {
        try bytes.withUnsafeBytes { try Payload.decode($0) }
    }

    func assertMalformed(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try decode(bytes), file: file, line: line) { error in
            guard case .malformedPayload(let message) = error as? TicketError else {
                return XCTFail("expected malformed payload, got \(error)", file: file, line: line)
            }
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testVersionOneHasNoEarlyDataFieldAndReadsAsZero() throws {
        let store = try decode(payload(version: 1, tickets: [ticket(earlyData: nil)]))
        XCTAssertEqual(store.payloadVersion, 1)
        XCTAssertEqual(store.tickets.first?.maxEarlyDataSize, 0)
        XCTAssertEqual(try Payload.encode(store), payload(version: 2, tickets: [ticket(earlyData: 0)]))
    }

    func testEveryDecodeLimit() {
        assertMalformed(Array(payload(tickets: []).prefix(12)), "shorter than")
        assertMalformed(Array("NXTQ".utf8) + Array(payload(tickets: []).dropFirst(4)), "magic")
        assertMalformed(payload(version: 3, tickets: []), "unsupported payload version 3")
        assertMalformed(payload(version: 0, tickets: []), "unsupported payload version 0")
        assertMalformed(payload(maxEntries: 16_385, tickets: []), "max_entries 16385")
        assertMalformed(payload(count: 16_385, tickets: []), "ticket_count 16385")
        assertMalformed(payload(tickets: [ticket(identity: Array(repeating: 1, count: 4_097))]), "identity of 4097")
        assertMalformed(payload(tickets: [ticket(nonce: Array(repeating: 1, count: 4_097))]), "ticket_nonce of 4097")
        assertMalformed(payload(tickets: [ticket(consumed: 2)]), "consumed flag is 2")
        assertMalformed(payload(tickets: [ticket()]) + [0], "trailing bytes after the last ticket: 1")
        assertMalformed(Array(payload(tickets: [ticket()]).dropLast()), "truncated in consumed")
        assertMalformed(payload(count: 2, tickets: [ticket()]), "ticket 1: truncated")
    }

    func testLimitsThemselvesAreAccepted() throws {
        let store = try decode(payload(maxEntries: 16_384, tickets: [
            ticket(identity: Array(repeating: 1, count: 4_096), nonce: Array(repeating: 2, count: 4_096)),
        ]))
        XCTAssertEqual(store.maxEntries, 16_384)
        XCTAssertEqual(store.tickets.first?.identity.count, 4_096)
    }

    func testOverCapacityKeepsTheNewestInFileOrder() throws {
        let tickets = (0..<5).map { ticket(identity: [UInt8($0)]) }
        let store = try decode(payload(maxEntries: 2, tickets: tickets))
        XCTAssertEqual(store.tickets.map(\.identity), [[3], [4]])
        XCTAssertEqual(store.droppedOnRead, 3)
        let zero = try decode(payload(maxEntries: 0, tickets: tickets))
        XCTAssertEqual(zero.maxEntries, 1)
        XCTAssertEqual(zero.tickets.map(\.identity), [[4]])
    }

    func testExpiryRuleAtItsEdges() {
        let ticket = Ticket(identity: [], ticketNonce: [], obfuscatedTicketAge: 0, ageAdd: 0,
                            issuedAtMs: 1000, lifetimeMs: 500, maxEarlyDataSize: 0, consumed: false)
        XCTAssertFalse(ticket.isExpired(at: 0), "issued in the future: age 0")
        XCTAssertFalse(ticket.isExpired(at: 1500), "age == lifetime is live")
        XCTAssertTrue(ticket.isExpired(at: 1501))
        XCTAssertEqual(ticket.expiresAtMs, 1501)
        var forever = ticket
        forever.lifetimeMs = .max
        XCTAssertFalse(forever.isExpired(at: .max))
        XCTAssertNil(forever.expiresAtMs)
    }

    func testOperationsRemoveInOrderAndCountByKind() {
        func make(_ id: UInt8, consumed: Bool, issued: UInt64) -> Ticket {
            Ticket(identity: [id], ticketNonce: [], obfuscatedTicketAge: 0, ageAdd: 0,
                   issuedAtMs: issued, lifetimeMs: 100, maxEarlyDataSize: 0, consumed: consumed)
        }
        let base = TicketStore(maxEntries: 10, tickets: [
            make(1, consumed: true, issued: 0), make(2, consumed: false, issued: 0),
            make(3, consumed: true, issued: 1000), make(4, consumed: false, issued: 1000),
            make(1, consumed: false, issued: 1000),
        ])
        var rotated = base
        XCTAssertEqual(rotated.rotate(nowMs: 1000), .init(consumed: 2, expired: 1))
        XCTAssertEqual(rotated.tickets.map(\.identity), [[4], [1]])
        var expired = base
        XCTAssertEqual(expired.expire(nowMs: 1000), .init(expired: 2))
        XCTAssertEqual(expired.tickets.map(\.identity), [[3], [4], [1]])
        var invalidated = base
        XCTAssertEqual(invalidated.invalidate(identities: [[1], [9]]), .init(identity: 2))
        XCTAssertEqual(invalidated.tickets.map(\.identity), [[2], [3], [4]])
    }

    func testEncodeRefusesWhatDecodeWouldRefuse() {
        var store = TicketStore(maxEntries: 1)
        store.tickets = [Ticket(identity: Array(repeating: 0, count: 4_097), ticketNonce: [], obfuscatedTicketAge: 0,
                                ageAdd: 0, issuedAtMs: 0, lifetimeMs: 0, maxEarlyDataSize: 0, consumed: false)]
        XCTAssertThrowsError(try Payload.encode(store))
    }

    func testEnvelopeFraming() throws {
        let key = try Array("k".utf8).withUnsafeBytes { try StoreKey(material: $0) }
        let good = try payload(tickets: [ticket()]).withUnsafeBytes {
            Envelope.seal($0, key: key, as: .standard)
        }
        func framing(_ bytes: [UInt8]) -> String {
            do {
                _ = try bytes.withUnsafeBytes { try Envelope.open($0, key: key) }
                return "opened"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(framing(good), "opened")
        XCTAssertTrue(framing(Array(good.prefix(36))).contains("shorter than the 37-byte minimum"))
        XCTAssertTrue(framing(good + [0]).contains("trailing bytes after the tag: 1"))
        XCTAssertTrue(framing(Array(good.dropLast())).contains("truncated"))
        var huge = good
        huge.replaceSubrange(17..<21, with: be(UInt32(8_388_609)))
        XCTAssertTrue(framing(huge).contains("exceeds the 8388608-byte payload limit"))
        var version = good
        version[4] = 2
        XCTAssertTrue(framing(version).contains("unsupported envelope version 2"))
    }
}
