import Foundation
import XCTest

/// inspect as monitoring uses it: the --json document, --check, and colour.
final class InspectTests: XCTestCase {
    let text = Fixtures.key("text")
    let now = "1764800000000"

    func inspectJSON(_ paths: [String], extra: [String] = []) throws -> (CLIResult, [[String: Any]]) {
        let result = try CLI.run(["inspect", "--json", "--key-file", text, "--now", now] + extra + paths)
        let array = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]]
        return (result, try XCTUnwrap(array, result.stdoutText))
    }

    func testJSONIsAStableDocumentWithEveryKeyPresent() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let empty = directory.file("empty.store")
        XCTAssertEqual(try CLI.run(["init", "--key-file", text, "--max-entries", "4", empty]).status, 0)

        let (result, documents) = try inspectJSON([path, empty])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(documents.count, 2)
        let keys: Set<String> = [
            "format_version", "file", "seal", "readable_by", "readable_by_noxtls_0_1", "readable_by_noxtls_0_2",
            "payload_version", "max_entries", "now_ms", "ticket_count", "consumed", "expired", "live",
            "early_data_allowed", "earliest_issued_ms", "latest_issued_ms", "next_expiry_ms", "next_expiry_in_ms",
            "dropped_on_read", "payload_bytes", "payload_limit_bytes", "payload_used_percent",
            "capacity_used_percent", "file_mode", "owner", "group", "mode_grants_group_or_other",
            "permission_problems", "attention", "leftover_temporary_files",
        ]
        for document in documents {
            XCTAssertEqual(Set(document.keys), keys)
        }

        let store = documents[0]
        XCTAssertEqual(store["format_version"] as? Int, 1)
        XCTAssertEqual(store["seal"] as? String, "standard")
        XCTAssertEqual(store["readable_by_noxtls_0_2"] as? Bool, true)
        XCTAssertEqual(store["readable_by_noxtls_0_1"] as? Bool, false)
        XCTAssertEqual(store["ticket_count"] as? Int, 6)
        XCTAssertEqual(store["max_entries"] as? Int, 256)
        XCTAssertEqual(store["capacity_used_percent"] as? Double, 2.3)
        let fileSize = try readBytes(path).count
        XCTAssertEqual(store["payload_bytes"] as? Int, fileSize - 37, "the file is the payload plus a 37-byte envelope")
        XCTAssertEqual(store["payload_limit_bytes"] as? Int, 8_388_608)
        // The live tickets 6b5f and f1 expire 1 ms after issued_at_ms + lifetime_ms:
        // f1 first, at 1764786937531 + 86400000 + 1.
        XCTAssertEqual(store["next_expiry_ms"] as? Int, 1_764_873_337_532)
        XCTAssertEqual(store["next_expiry_in_ms"] as? Int, 73_337_532)
        XCTAssertEqual(store["permission_problems"] as? [String], [])
        XCTAssertEqual(store["attention"] as? [String], [])

        let emptyStore = documents[1]
        XCTAssertTrue(emptyStore["next_expiry_ms"] is NSNull, "null, not missing, when there is no live ticket")
        XCTAssertTrue(emptyStore["earliest_issued_ms"] is NSNull)
        XCTAssertEqual(emptyStore["capacity_used_percent"] as? Double, 0)
    }

    func testCheckPassesAHealthyStoreSilently() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let result = try CLI.run(["inspect", "--check", "--expect-seal", "standard", "--quiet", "--key-file", text, path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.stdoutText, "")
    }

    func testCheckFlagsAnUnsafeMode() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        chmod(path, 0o640)
        let result = try CLI.run(["inspect", "--check", "--quiet", "--key-file", text, path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("ticketctl: attention: \(path): mode 0640 grants the group access"), result.stderr)
        let (_, documents) = try inspectJSON([path])
        XCTAssertEqual((documents[0]["permission_problems"] as? [String])?.count, 1)
    }

    func testCheckFlagsANoxtls01SealOnlyWhenStandardIsExpected() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-legacy")
        XCTAssertEqual(try CLI.run(["inspect", "--check", "--quiet", "--key-file", text, path]).status, 0)
        XCTAssertEqual(try CLI.run(["inspect", "--check", "--quiet", "--expect-seal", "noxtls-0.1", "--key-file", text, path]).status, 0)
        let result = try CLI.run(["inspect", "--check", "--quiet", "--expect-seal", "standard", "--key-file", text, path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("sealed noxtls-0.1, readable by noxtls 0.1.x only, but standard is expected"), result.stderr)
        XCTAssertEqual(try CLI.run(["inspect", "--check", "--expect-seal", "tls", "--key-file", text, path]).status, 64)
    }

    /// A store of `count` tickets in `capacity` entries, built with import-json.
    func store(count: Int, capacity: Int, in directory: TemporaryDirectory) throws -> String {
        let ticket = """
            {"identity": "aa", "ticket_nonce": "", "obfuscated_ticket_age": 0, "age_add": 0,
             "issued_at_ms": 1764800000000, "lifetime_ms": 3600000, "max_early_data_size": 0, "consumed": false}
            """
        let document = "{\"max_entries\": \(capacity), \"tickets\": [\(Array(repeating: ticket, count: count).joined(separator: ","))]}"
        let path = directory.file("\(count)-of-\(capacity).store")
        let result = try CLI.run(["import-json", "--key-file", text, path], stdin: Data(document.utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        return path
    }

    func testCheckFlagsCapacityOverNinetyPercentButNotAtIt() throws {
        let directory = try TemporaryDirectory()
        let atNinety = try store(count: 9, capacity: 10, in: directory)
        let over = try store(count: 91, capacity: 100, in: directory)
        XCTAssertEqual(try CLI.run(["inspect", "--check", "--quiet", "--key-file", text, atNinety]).status, 0)
        let result = try CLI.run(["inspect", "--check", "--quiet", "--key-file", text, over])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("91 of 100 tickets (91.0%) is over 90.0% of max_entries"), result.stderr)

        let both = try CLI.run(["inspect", "--check", "--quiet", "--key-file", text, atNinety, over, directory.file("absent.store")])
        XCTAssertEqual(both.status, 66, "the worst of 0, 1 and 66")
    }

    func testInspectSaysWhichNoxtlsReleasesCanReadTheStore() throws {
        let directory = try TemporaryDirectory()
        let legacy = try CLI.run(["inspect", "--key-file", text, try directory.copyStore("basic-legacy")]).stdoutText
        XCTAssertTrue(legacy.contains("seal:         noxtls-0.1, readable by noxtls 0.1.x only"), legacy)
        XCTAssertTrue(legacy.contains("noxtls 0.2 and later cannot read this store"), legacy)
        let standard = try CLI.run(["inspect", "--key-file", text, try directory.copyStore("basic-standard")]).stdoutText
        XCTAssertTrue(standard.contains("seal:         standard, readable by noxtls 0.2 and later"), standard)
        XCTAssertTrue(standard.contains("noxtls 0.1.x cannot read this store"), standard)
    }

    /// inspect's output when run on a pseudo-terminal by script(1).
    func onTerminal(_ path: String, environment: [String: String] = [:]) throws -> String {
        let command = ["ticketctl", "inspect", "--key-file", text, path].map(Shell.quote).joined(separator: " ")
        // swift test itself exports NO_COLOR=1, so the plain case must unset it.
        let unset = environment["NO_COLOR"] == nil ? "unset NO_COLOR; " : ""
        let result = try Shell.run("sh", "\(unset)script -qec \(Shell.quote(command)) /dev/null", environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout
    }

    func testColourOnlyOnATerminalAndNeverWithNoColor() throws {
        guard Shell.available("script") else { return XCTFail("script(1) from bsdutils is missing") }
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-legacy")
        let escape = "\u{1B}["
        let coloured = try onTerminal(path)
        XCTAssertTrue(coloured.contains(escape), "colour on a terminal: \(coloured)")
        XCTAssertFalse(try onTerminal(path, environment: ["NO_COLOR": "1"]).contains(escape))
        XCTAssertFalse(try onTerminal(path, environment: ["NO_COLOR": ""]).contains(escape))
        let piped = try Shell.run("sh", "unset NO_COLOR; ticketctl inspect --key-file \(Shell.quote(text)) \(Shell.quote(path)) | cat")
        XCTAssertTrue(piped.stdout.contains("readable by noxtls 0.1.x only"), piped.stdout)
        XCTAssertFalse(piped.stdout.contains(escape), "none into a pipe")
    }
}
