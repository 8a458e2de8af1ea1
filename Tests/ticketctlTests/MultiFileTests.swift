import Foundation
import TicketKit
import XCTest

/// Many stores in one run: each independent, the run exiting with the worst.
final class MultiFileTests: XCTestCase {
    let text = Fixtures.key("text")
    let now = "1764800000000"

    func ticketCount(_ path: String) throws -> Int {
        let result = try CLI.run(["dump-json", "--key-file", text, path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONDecoder().decode(StoreDocument.self, from: result.stdout).tickets.count
    }

    func testRotateGoesOnPastBrokenStoresAndExitsWithTheWorstStatus() throws {
        let directory = try TemporaryDirectory()
        let legacy = try directory.copyStore("basic-legacy")
        let tampered = try directory.copyStore("flipped-tag")
        let standard = try directory.copyStore("basic-standard")
        let missing = directory.file("missing.store")
        let tamperedBefore = try FileFingerprint(tampered)

        let result = try CLI.run(["rotate", "--key-file", text, "--now", now, legacy, tampered, missing, standard])
        XCTAssertEqual(result.status, 66, "65 for the tampered store, 66 for the missing one: the highest wins")
        XCTAssertTrue(result.stderr.contains("\(tampered): authentication failed"), result.stderr)
        XCTAssertTrue(result.stderr.contains("\(missing): cannot open"), result.stderr)
        XCTAssertEqual(try ticketCount(legacy), 2, "rotated although a later store failed")
        XCTAssertEqual(try ticketCount(standard), 2, "rotated although an earlier store failed")
        XCTAssertEqual(try FileFingerprint(tampered), tamperedBefore)
    }

    func testInitCreatesEveryNewFileAndRefusesOnlyTheExistingOne() throws {
        let directory = try TemporaryDirectory()
        let first = directory.file("first.store"), second = directory.file("second.store")
        let existing = try directory.copyStore("basic-standard")
        let before = try FileFingerprint(existing)
        let result = try CLI.run(["init", "--key-file", text, "--max-entries", "64", first, existing, second])
        XCTAssertEqual(result.status, 73)
        XCTAssertEqual(try ticketCount(first), 0)
        XCTAssertEqual(try ticketCount(second), 0)
        XCTAssertEqual(try FileFingerprint(existing), before)
    }

    func testInspectJSONListsFailuresBesideTheStoresThatOpened() throws {
        let directory = try TemporaryDirectory()
        let good = try directory.copyStore("many-standard")
        let bad = try directory.copyStore("bad-magic")
        let result = try CLI.run(["inspect", "--json", "--key-file", text, "--now", now, good, bad])
        XCTAssertEqual(result.status, 65)
        let documents = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
        XCTAssertEqual(documents.count, 2)
        XCTAssertEqual(documents[0]["ticket_count"] as? Int, 300)
        XCTAssertEqual(documents[1]["file"] as? String, bad)
        XCTAssertEqual(documents[1]["exit_status"] as? Int, 65)
    }

    func testRevokingAnIdentityAcrossAFleetOfStores() throws {
        let directory = try TemporaryDirectory()
        let stores = try ["basic-legacy", "basic-standard"].map { try directory.copyStore($0) }
        let result = try CLI.run(["invalidate-identity", "--identity", "6b5f", "--json", "--key-file", text] + stores)
        XCTAssertEqual(result.status, 0, result.stderr)
        for path in stores {
            let dump = try CLI.run(["dump-json", "--key-file", text, path])
            let tickets = try JSONDecoder().decode(StoreDocument.self, from: dump.stdout).tickets
            XCTAssertEqual(tickets.count, 5)
            XCTAssertFalse(tickets.contains { $0.identity == "6b5f" })
        }
    }
}
