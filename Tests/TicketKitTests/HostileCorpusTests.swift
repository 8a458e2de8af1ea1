import Foundation
import TicketKit
import XCTest

/// Replays the fuzzers' committed corpora through the library on every test
/// run. An input that once crashed a fuzz target is saved into
/// Fuzz/corpus/TARGET/ and so becomes a regression test here.
final class HostileCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    /// The fixed key of the envelope target: the conformance text key.
    let key = Array("operator-secret-11".utf8)

    func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = Self.corpus.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { name in
            (name, [UInt8](try Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    /// A refusal must be a `TicketError` that exits 65.
    func assertRefusedAsBadData(_ error: Error, _ name: String) {
        XCTAssertEqual((error as? TicketError)?.exitStatus, .dataError, "\(name): \(error)")
    }

    func testEnvelopeCorpusOpensOrIsRefusedAsBadData() throws {
        let key = try self.key.withUnsafeBytes { try StoreKey(material: $0) }
        let inputs = try inputs("envelope")
        XCTAssertGreaterThanOrEqual(inputs.count, 30)
        var opened = 0
        for (name, bytes) in inputs {
            do {
                let result = try bytes.withUnsafeBytes { try Envelope.open($0, key: key) }
                XCTAssertEqual(result.payload.count, bytes.count - Envelope.overhead, name)
                _ = try result.payload.withUnsafeBytes { try Payload.decode($0) }
                opened += 1
            } catch {
                assertRefusedAsBadData(error, name)
            }
        }
        XCTAssertGreaterThan(opened, 10, "the seeds should include valid stores")
    }

    func testPayloadCorpusDecodesAndRoundTripsOrIsRefusedAsBadData() throws {
        let inputs = try inputs("payload")
        XCTAssertGreaterThanOrEqual(inputs.count, 20)
        var decoded = 0
        for (name, bytes) in inputs {
            do {
                let store = try bytes.withUnsafeBytes { try Payload.decode($0) }
                let again = try Payload.encode(store).withUnsafeBytes { try Payload.decode($0) }
                XCTAssertEqual(again.tickets, store.tickets, name)
                XCTAssertEqual(again.maxEntries, store.maxEntries, name)
                decoded += 1
            } catch {
                assertRefusedAsBadData(error, name)
            }
        }
        XCTAssertGreaterThan(decoded, 10, "the seeds should include valid payloads")
    }

    func testImportCorpusBuildsAStoreOrIsRefusedAsBadData() throws {
        let inputs = try inputs("import")
        XCTAssertGreaterThanOrEqual(inputs.count, 13)
        var imported = 0
        for (name, bytes) in inputs {
            do {
                let store = try StoreDocument.decode(Data(bytes)).makeStore()
                let again = try Payload.encode(store).withUnsafeBytes { try Payload.decode($0) }
                XCTAssertEqual(again.tickets, store.tickets, name)
                imported += 1
            } catch {
                assertRefusedAsBadData(error, name)
            }
        }
        XCTAssertGreaterThan(imported, 10, "the seeds should include valid documents")
    }
}
