@testable import TicketKit
import XCTest

/// The GF(2^128) arithmetic and both seals, checked against published
/// AES-GCM vectors rather than against our own output.
final class SealTests: XCTestCase {
    func block(_ hex: String) -> GF128 {
        let bytes = Hex.decode(hex)!
        return bytes.withUnsafeBytes { GF128(block: $0) }
    }

    func hex(_ element: GF128) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeMutableBytes { element.write(to: $0) }
        return Hex.encode(bytes)
    }

    /// McGrew and Viega, "The Galois/Counter Mode of Operation", test case 2:
    /// X1 = C1 · H.
    func testMultiplicationMatchesTheGCMSpecification() {
        let h = block("66e94bd4ef8a2c3b884cfa59ca342b2e")
        let c = block("0388dace60b6a392f328c2b971b2fe78")
        XCTAssertEqual(hex(c * h), "5e2ec746917062882c85b0685353deb7")
        XCTAssertEqual(hex(h * c), "5e2ec746917062882c85b0685353deb7")
        XCTAssertEqual(GF128.one * h, h)
    }

    /// Test case 13 of the same paper: K = 0^256 gives
    /// H = dc95c078a2408989ad48a21492842087, recovered here through
    /// libsodium's tags alone.
    func testGHASHKeyIsRecoveredFromLibsodiumTags() throws {
        let key = try StoreKey(rawAESKey: [UInt8](repeating: 0, count: 32))
        let h = key.ghashKey.withUnsafeBytes { Hex.encode(Array($0)) }
        XCTAssertEqual(h, "dc95c078a2408989ad48a21492842087")
    }

    func testSquaringIsABijectionSoTheRootIsExact() {
        let h = block("dc95c078a2408989ad48a21492842087")
        XCTAssertEqual((h * h).squared(times: 127), h)
    }

    /// Test case 14: K = 0^256, IV = 0^96, P = 0^128, no AAD.
    func testStandardSealMatchesPublishedTag() throws {
        let key = try StoreKey(rawAESKey: [UInt8](repeating: 0, count: 32))
        let message = [UInt8](repeating: 0, count: 16)
        var ciphertext = [UInt8](repeating: 0, count: 16)
        var tag = [UInt8](repeating: 0, count: 16)
        let nonce = [UInt8](repeating: 0, count: 12)
        key.aesKey.withUnsafeBytes { aesKey in
            message.withUnsafeBytes { m in
                ciphertext.withUnsafeMutableBytes { c in
                    tag.withUnsafeMutableBytes { t in
                        nonce.withUnsafeBytes { n in
                            Sodium.sealDetached(
                                message: m, ciphertext: c, tag: t,
                                additionalData: UnsafeRawBufferPointer(start: nil, count: 0), nonce: n, key: aesKey)
                        }
                    }
                }
            }
        }
        XCTAssertEqual(Hex.encode(ciphertext), "cea7403d4d606b6e074ec5d3baf39d18")
        XCTAssertEqual(Hex.encode(tag), "d0d1c8a799996bf0265b98b5d48ab919")
    }

    func sampleStore() -> TicketStore {
        TicketStore(maxEntries: 8, tickets: [
            Ticket(identity: [1, 2, 3], ticketNonce: [9], obfuscatedTicketAge: .max, ageAdd: 7,
                   issuedAtMs: .max, lifetimeMs: 1, maxEarlyDataSize: .max, consumed: true),
            Ticket(identity: [], ticketNonce: [], obfuscatedTicketAge: 0, ageAdd: 0,
                   issuedAtMs: 0, lifetimeMs: .max, maxEarlyDataSize: 0, consumed: false),
        ])
    }

    func testBothSealsRoundTripAndAreTellApart() throws {
        let key = try Array("round-trip".utf8).withUnsafeBytes { try StoreKey(material: $0) }
        let payload = try Payload.encode(sampleStore())
        for seal in SealKind.allCases {
            let file = payload.withUnsafeBytes { Envelope.seal($0, key: key, as: seal) }
            XCTAssertEqual(file.count, payload.count + Envelope.overhead)
            let opened = try file.withUnsafeBytes { try Envelope.open($0, key: key) }
            XCTAssertEqual(opened.seal, seal)
            XCTAssertEqual(opened.payload.withUnsafeBytes { Array($0) }, payload)
            let store = try opened.payload.withUnsafeBytes { try Payload.decode($0) }
            XCTAssertEqual(store.tickets, sampleStore().tickets)
        }
    }

    /// The two seals of one file differ only in the tag, by exactly D·H.
    func testSealsDifferOnlyInTheTagByTheLengthBlockAdjustment() throws {
        let key = try Array("adjust".utf8).withUnsafeBytes { try StoreKey(material: $0) }
        let payload = try Payload.encode(sampleStore())
        let standard = payload.withUnsafeBytes { Envelope.seal($0, key: key, as: .standard) }
        var legacy = standard
        let tagStart = legacy.count - 16
        legacy.withUnsafeMutableBytes {
            SealKind.toggleLegacyAdjustment(of: UnsafeMutableRawBufferPointer(rebasing: $0[tagStart...]), key: key)
        }
        XCTAssertNotEqual(legacy, standard)
        XCTAssertEqual(Array(legacy[..<tagStart]), Array(standard[..<tagStart]))
        XCTAssertEqual(try legacy.withUnsafeBytes { try Envelope.open($0, key: key) }.seal, .noxtls01)
    }

    func testWrongKeyFailsInBothSealsAndMentionsATrailingNewline() throws {
        let key = try Array("right".utf8).withUnsafeBytes { try StoreKey(material: $0) }
        let wrong = try Array("right\n".utf8).withUnsafeBytes { try StoreKey(material: $0) }
        let payload = try Payload.encode(sampleStore())
        for seal in SealKind.allCases {
            let file = payload.withUnsafeBytes { Envelope.seal($0, key: key, as: seal) }
            XCTAssertThrowsError(try file.withUnsafeBytes { try Envelope.open($0, key: wrong) }) { error in
                XCTAssertEqual(error as? TicketError, .authenticationFailed(keyEndsInNewline: true))
                XCTAssertTrue("\(error)".contains("newline"))
            }
        }
    }

    func testEmptyKeyMaterialIsRefused() {
        XCTAssertThrowsError(try [UInt8]().withUnsafeBytes { try StoreKey(material: $0) }) {
            XCTAssertEqual($0 as? TicketError, .emptyKey)
        }
    }

    func testFreshNonceForEveryWrite() throws {
        let key = try Array("nonce".utf8).withUnsafeBytes { try StoreKey(material: $0) }
        let payload = try Payload.encode(sampleStore())
        let first = payload.withUnsafeBytes { Envelope.seal($0, key: key, as: .standard) }
        let second = payload.withUnsafeBytes { Envelope.seal($0, key: key, as: .standard) }
        XCTAssertNotEqual(Array(first[5..<17]), Array(second[5..<17]))
    }
}
