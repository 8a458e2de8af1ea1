import Foundation
import TicketKit
import XCTest

/// import-json end to end: dump-json output piped back in, jq surgery, and
/// every kind of bad document.
final class ImportTests: XCTestCase {
    let text = Fixtures.key("text")

    /// The decrypted payload, through the library rather than the CLI.
    func payload(of path: String, key: String) throws -> (bytes: [UInt8], seal: SealKind) {
        let material = try readBytes(key)
        let storeKey = try material.withUnsafeBytes { try StoreKey(material: $0) }
        let file = try readBytes(path)
        let opened = try file.withUnsafeBytes { try Envelope.open($0, key: storeKey) }
        return (opened.payload.withUnsafeBytes { [UInt8]($0) }, opened.seal)
    }

    func open(_ path: String) throws -> TicketStore {
        let material = try readBytes(text)
        let storeKey = try material.withUnsafeBytes { try StoreKey(material: $0) }
        return try StoreFile.open(path, key: storeKey).store
    }

    func mode(of path: String) -> mode_t {
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        return info.st_mode & 0o7777
    }

    func testDumpPipedIntoImportReproducesTheIdenticalPayloadBytes() throws {
        let directory = try TemporaryDirectory()
        for name in ["basic-standard", "basic-legacy", "many-standard", "expiry-boundaries"] {
            let original = try directory.copyStore(name)
            let copy = directory.file("\(name)-copy.store")
            let result = try Shell.run(
                "bash",
                "set -o pipefail; ticketctl dump-json --key-file \(Shell.quote(text)) \(Shell.quote(original)) | ticketctl import-json --key-file \(Shell.quote(text)) \(Shell.quote(copy))")
            XCTAssertEqual(result.status, 0, result.stderr)
            let before = try payload(of: original, key: text)
            let after = try payload(of: copy, key: text)
            XCTAssertEqual(after.bytes, before.bytes, name)
            XCTAssertEqual(after.seal, before.seal, "a new store takes the document's seal")
            XCTAssertEqual(mode(of: copy), 0o600)
            XCTAssertNotEqual(try readBytes(copy), try readBytes(original), "a fresh nonce for every write")
        }
    }

    /// Writing always emits payload version 2, so a version 1 store comes back
    /// with the same tickets but not the same bytes.
    func testAVersionOneStoreRoundTripsToTheSameTicketsInVersionTwo() throws {
        let directory = try TemporaryDirectory()
        let original = try directory.copyStore("payload-v1-standard")
        let copy = directory.file("copy.store")
        let dump = try CLI.run(["dump-json", "--key-file", text, original])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let result = try CLI.run(["import-json", "--key-file", text, copy], stdin: dump.stdout)
        XCTAssertEqual(result.status, 0, result.stderr)
        let before = try open(original), after = try open(copy)
        XCTAssertEqual(before.payloadVersion, 1)
        XCTAssertEqual(after.payloadVersion, 2)
        XCTAssertFalse(before.tickets.isEmpty)
        XCTAssertEqual(after.tickets, before.tickets)
        XCTAssertEqual(after.maxEntries, before.maxEntries)
    }

    func testJqSurgeryOnAnExistingStoreKeepsItsSealAndTheOtherTickets() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-legacy")
        let before = try open(path)
        XCTAssertEqual(before.tickets.filter { $0.identity == [0x6b, 0x5f] }.count, 1)

        let result = try Shell.run(
            "bash",
            """
            set -o pipefail
            ticketctl dump-json --key-file \(Shell.quote(text)) \(Shell.quote(path)) \
              | jq '.seal = "standard" | del(.tickets[] | select(.identity == "6b5f"))' \
              | ticketctl import-json --key-file \(Shell.quote(text)) \(Shell.quote(path))
            """)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("6 tickets before, 5 imported; replaced"), result.stdout)

        let after = try open(path)
        XCTAssertEqual(after.tickets, before.tickets.filter { $0.identity != [0x6b, 0x5f] })
        XCTAssertEqual(after.maxEntries, 256)
        XCTAssertEqual(try payload(of: path, key: text).seal, .noxtls01, "an existing store keeps its seal")
        XCTAssertEqual(mode(of: path), 0o600)
    }

    func testImportingWhatTheStoreAlreadyHoldsLeavesItUntouched() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let dump = try CLI.run(["dump-json", "--key-file", text, path])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        let fingerprint = try FileFingerprint(path)
        let result = try CLI.run(["import-json", "--key-file", text, path], stdin: dump.stdout)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutText.contains("left untouched"), result.stdoutText)
        XCTAssertEqual(try FileFingerprint(path), fingerprint)
    }

    func testDryRunReportsTheReplacementButWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let fingerprint = try FileFingerprint(path)
        let document = Data(document { _ in ticket() })
        let result = try CLI.run(["import-json", "--dry-run", "--key-file", text, path], stdin: document)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutText.contains("6 tickets before, 3 imported; would be replaced (dry run)"), result.stdoutText)
        XCTAssertEqual(try FileFingerprint(path), fingerprint)

        let missing = directory.file("new.store")
        let create = try CLI.run(["import-json", "--dry-run", "--key-file", text, missing], stdin: document)
        XCTAssertEqual(create.status, 0, create.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }

    func testIntegersAboveTwoToTheFiftyThirdStayExact() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("big.json", Array("""
            {"max_entries": 16384, "tickets": [
              {"identity": "00ff", "ticket_nonce": "", "obfuscated_ticket_age": 4294967295,
               "age_add": 4294967294, "issued_at_ms": 18446744073709551615,
               "lifetime_ms": 9007199254740993, "max_early_data_size": 4294967295, "consumed": true},
              {"identity": "", "ticket_nonce": "0a0B", "obfuscated_ticket_age": 0, "age_add": 0,
               "issued_at_ms": 9007199254740995, "lifetime_ms": 18446744073709551614,
               "max_early_data_size": 0, "consumed": false}
            ]}
            """.utf8))
        let path = directory.file("big.store")
        let result = try CLI.run(["import-json", "--key-file", text, "--input", input, path])
        XCTAssertEqual(result.status, 0, result.stderr)

        let store = try open(path)
        XCTAssertEqual(store.maxEntries, 16384)
        XCTAssertEqual(store.tickets.count, 2)
        XCTAssertEqual(store.tickets[0].identity, [0x00, 0xff])
        XCTAssertEqual(store.tickets[0].obfuscatedTicketAge, 4_294_967_295)
        XCTAssertEqual(store.tickets[0].ageAdd, 4_294_967_294)
        XCTAssertEqual(store.tickets[0].issuedAtMs, 18_446_744_073_709_551_615)
        XCTAssertEqual(store.tickets[0].lifetimeMs, 9_007_199_254_740_993)
        XCTAssertEqual(store.tickets[0].maxEarlyDataSize, 4_294_967_295)
        XCTAssertTrue(store.tickets[0].consumed)
        XCTAssertEqual(store.tickets[1].ticketNonce, [0x0a, 0x0b])
        XCTAssertEqual(store.tickets[1].issuedAtMs, 9_007_199_254_740_995)
        XCTAssertEqual(store.tickets[1].lifetimeMs, 18_446_744_073_709_551_614)
        XCTAssertEqual(try payload(of: path, key: text).seal, .standard, "no seal anywhere means standard")

        let dump = try CLI.run(["dump-json", "--key-file", text, path])
        XCTAssertTrue(dump.stdoutText.contains("\"issued_at_ms\":18446744073709551615"), dump.stdoutText)
        XCTAssertTrue(dump.stdoutText.contains("\"lifetime_ms\":9007199254740993"), dump.stdoutText)
    }

    /// A template document with three tickets, one of which a case spoils.
    func document(maxEntries: String? = "\"max_entries\": 8", ticket: (Int) -> String) -> [UInt8] {
        let tickets = (0..<3).map(ticket).joined(separator: ",\n")
        return Array("{\(maxEntries.map { $0 + "," } ?? "") \"seal\": \"standard\", \"tickets\": [\(tickets)]}".utf8)
    }

    func ticket(identity: String = "\"abcd\"", ageAdd: String = "7", issued: String = "1764800000000",
                lifetime: String? = "86400000") -> String {
        let lifetimeField = lifetime.map { "\"lifetime_ms\": \($0)," } ?? ""
        return """
            {"identity": \(identity), "ticket_nonce": "01", "obfuscated_ticket_age": 1, "age_add": \(ageAdd),
             "issued_at_ms": \(issued), \(lifetimeField) "max_early_data_size": 0, "consumed": false}
            """
    }

    func testBadDocumentsExit65NamingTheFieldAndTicketAndWriteNothing() throws {
        let cases: [(String, [UInt8], String)] = [
            ("invalid JSON", Array("{\"max_entries\": 4, \"tickets\": [".utf8), "not valid JSON"),
            ("missing field", document { $0 == 1 ? ticket(lifetime: nil) : ticket() },
             "ticket 1, field lifetime_ms: missing"),
            ("missing max_entries", document(maxEntries: nil) { _ in ticket() }, "field max_entries: missing"),
            ("odd-length hex", document { $0 == 2 ? ticket(identity: "\"abc\"") : ticket() },
             "ticket 2, field identity: hex of odd length"),
            ("not hex", document { $0 == 0 ? ticket(identity: "\"zz\"") : ticket() },
             "ticket 0, field identity: not hex"),
            ("u32 out of range", document { $0 == 1 ? ticket(ageAdd: "4294967296") : ticket() },
             "ticket 1, field age_add: 4294967296 is not an integer from 0 to 4294967295"),
            ("negative", document { $0 == 2 ? ticket(ageAdd: "-1") : ticket() },
             "ticket 2, field age_add: -1 is not an integer"),
            ("u64 out of range", document { $0 == 0 ? ticket(issued: "18446744073709551616") : ticket() },
             "ticket 0, field issued_at_ms: 18446744073709551616 is not an integer from 0 to 18446744073709551615"),
            ("fraction", document { $0 == 1 ? ticket(issued: "1.5") : ticket() },
             "ticket 1, field issued_at_ms: 1.5 is not an integer"),
            ("wrong type", document { $0 == 2 ? ticket(identity: "12") : ticket() },
             "ticket 2, field identity: expected"),
            ("too many for capacity", document(maxEntries: "\"max_entries\": 2") { _ in ticket() },
             "field tickets: 3 tickets do not fit max_entries 2"),
        ]
        let directory = try TemporaryDirectory()
        let existing = try directory.copyStore("basic-standard")
        let fingerprint = try FileFingerprint(existing)
        let missing = directory.file("never-created.store")
        for (name, input, expected) in cases {
            for target in [existing, missing] {
                let result = try CLI.run(["import-json", "--key-file", text, target], stdin: Data(input))
                XCTAssertEqual(result.status, 65, "\(name): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains("ticketctl: error: standard input: "), "\(name): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains(expected), "\(name): \(result.stderr)")
                XCTAssertFalse(result.stderr.hasSuffix(".\n"), result.stderr)
            }
            XCTAssertEqual(try FileFingerprint(existing), fingerprint, name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: missing), name)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["basic-standard.store"])
    }

    func testSealPrecedenceForNewAndExistingStores() throws {
        let directory = try TemporaryDirectory()
        let legacyDocument = document { _ in ticket() }.replacingStandardSeal(with: "noxtls-0.1")

        let fromDocument = directory.file("from-document.store")
        XCTAssertEqual(try CLI.run(["import-json", "--key-file", text, fromDocument], stdin: Data(legacyDocument)).status, 0)
        XCTAssertEqual(try payload(of: fromDocument, key: text).seal, .noxtls01)

        let fromOption = directory.file("from-option.store")
        let forced = try CLI.run(["import-json", "--key-file", text, "--seal", "standard", fromOption], stdin: Data(legacyDocument))
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(try payload(of: fromOption, key: text).seal, .standard)

        let existing = try directory.copyStore("basic-standard")
        let kept = try CLI.run(["import-json", "--key-file", text, existing], stdin: Data(legacyDocument))
        XCTAssertEqual(kept.status, 0, kept.stderr)
        XCTAssertEqual(try payload(of: existing, key: text).seal, .standard, "the existing store's seal wins over the document's")
        XCTAssertEqual(try open(existing).tickets.count, 3)
    }

    func testKeyAndDocumentCannotBothComeFromStandardInput() throws {
        let directory = try TemporaryDirectory()
        let result = try CLI.run(["import-json", "--key-file", "-", directory.file("x.store")], stdin: Data("k".utf8))
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("cannot both come from standard input"), result.stderr)
    }
}

private extension Array where Element == UInt8 {
    func replacingStandardSeal(with seal: String) -> [UInt8] {
        Array(String(decoding: self, as: UTF8.self)
            .replacingOccurrences(of: "\"seal\": \"standard\"", with: "\"seal\": \"\(seal)\"").utf8)
    }
}
