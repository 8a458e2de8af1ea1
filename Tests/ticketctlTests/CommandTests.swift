import Foundation
import TicketKit
import XCTest

/// The subcommands end to end, on private copies of conformance stores.
final class CommandTests: XCTestCase {
    let now = "1764800000000"
    let text = Fixtures.key("text")

    func seal(of path: String, key: String) throws -> String? {
        let result = try CLI.run(["dump-json", "--key-file", key, path])
        guard result.status == 0 else { return nil }
        return try JSONDecoder().decode(StoreDocument.self, from: result.stdout).seal?.rawValue
    }

    func tickets(of path: String, key: String) throws -> [TicketRecord] {
        let result = try CLI.run(["dump-json", "--key-file", key, "--now", now, path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONDecoder().decode(StoreDocument.self, from: result.stdout).tickets
    }

    func testReKeyThenTheOldKeyFailsAndTheNewOneWorks() throws {
        let directory = try TemporaryDirectory()
        for name in ["basic-legacy", "basic-standard"] {
            let path = try directory.copyStore(name)
            let before = try tickets(of: path, key: text)
            let newKey = try directory.write("new-\(name).key", Array("a brand new key".utf8))
            let result = try CLI.run(["re-key", "--key-file", text, "--new-key-file", newKey, path])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdoutText.contains("re-keyed"), result.stdoutText)
            let old = try CLI.run(["inspect", "--key-file", text, path])
            XCTAssertEqual(old.status, 65)
            XCTAssertTrue(old.stderr.contains("authentication failed"), old.stderr)
            XCTAssertEqual(try tickets(of: path, key: newKey), before)
            XCTAssertEqual(try seal(of: path, key: newKey), name == "basic-legacy" ? "noxtls-0.1" : "standard")
        }
    }

    func testReKeyWarnsWhenTheNewKeyEndsInANewline() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let newKey = try directory.write("echoed.key", Array("new secret\n".utf8))
        let result = try CLI.run(["re-key", "--key-file", text, "--new-key-file", newKey, path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("\(newKey): the new key ends in a newline byte"), result.stderr)
        XCTAssertEqual(try tickets(of: path, key: newKey).count, 6)
    }

    func testReKeyRefusesTheSameKeyUnlessTheSealChanges() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-legacy")
        let before = try FileFingerprint(path)
        let same = try CLI.run(["re-key", "--key-file", text, "--new-key-file", text, path])
        XCTAssertEqual(same.status, 65)
        XCTAssertTrue(same.stderr.contains("same as the current key"), same.stderr)
        XCTAssertEqual(try FileFingerprint(path), before)
        let moved = try CLI.run(["re-key", "--key-file", text, "--new-key-file", text, "--seal", "standard", path])
        XCTAssertEqual(moved.status, 0, moved.stderr)
        XCTAssertEqual(try seal(of: path, key: text), "standard")
    }

    func testSealSwitchRoundTripsInBothDirections() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("many-legacy")
        let before = try tickets(of: path, key: text)
        for target in ["standard", "noxtls-0.1", "standard"] {
            let result = try CLI.run(["expire", "--key-file", text, "--now", "0", "--seal", target, path])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try seal(of: path, key: text), target)
            XCTAssertEqual(try tickets(of: path, key: text), before)
        }
        let again = try CLI.run(["expire", "--key-file", text, "--now", "0", "--seal", "standard", path])
        XCTAssertTrue(again.stdoutText.contains("left untouched"), again.stdoutText)
    }

    func testDryRunReportsButWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let before = try FileFingerprint(path)
        let result = try CLI.run(["rotate", "--dry-run", "--json", "--key-file", text, "--now", now, path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]]
        XCTAssertEqual(report?.first?["written"] as? Bool, false)
        XCTAssertEqual(report?.first?["tickets_left"] as? Int, 2)
        XCTAssertEqual(try FileFingerprint(path), before)
    }

    func testKeyFromStandardInputAndFromTheEnvironment() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let piped = try CLI.run(["inspect", "--key-file", "-", path], stdin: Data(try readBytes(text)))
        XCTAssertEqual(piped.status, 0, piped.stderr)
        let environment = try CLI.run(["inspect", path], environment: ["TICKETCTL_KEY_FILE": text])
        XCTAssertEqual(environment.status, 0, environment.stderr)
        let none = try CLI.run(["inspect", path])
        XCTAssertEqual(none.status, 64)
        XCTAssertTrue(none.stderr.contains("TICKETCTL_KEY_FILE"), none.stderr)
    }

    func testMissingFilesAndKeysExit66AndNameTheFile() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("absent.store")
        let store = try CLI.run(["inspect", "--key-file", text, missing])
        XCTAssertEqual(store.status, 66)
        XCTAssertTrue(store.stderr.contains("ticketctl: error: \(missing): cannot open"), store.stderr)
        let key = try CLI.run(["inspect", "--key-file", directory.file("absent.key"), try directory.copyStore("basic-standard")])
        XCTAssertEqual(key.status, 66)
        XCTAssertTrue(key.stderr.contains("absent.key"), key.stderr)
        XCTAssertTrue(key.stdout.isEmpty)
    }

    func testSeveralFilesAreIndependentAndTheWorstStatusWins() throws {
        let directory = try TemporaryDirectory()
        let good = try directory.copyStore("basic-standard")
        let bad = try directory.copyStore("flipped-tag")
        let result = try CLI.run(["rotate", "--key-file", text, "--now", now, bad, good, directory.file("none.store")])
        XCTAssertEqual(result.status, 66)
        XCTAssertTrue(result.stdoutText.contains("\(good): removed 4"), result.stdoutText)
        XCTAssertTrue(result.stderr.contains("\(bad): authentication failed"), result.stderr)
        XCTAssertEqual(try tickets(of: good, key: text).count, 2)
    }

    func testUsageErrorsSuggestTheRightSpelling() throws {
        let command = try CLI.run(["rotat"])
        XCTAssertEqual(command.status, 64)
        XCTAssertTrue(command.stderr.contains("did you mean 'rotate'?"), command.stderr)
        let option = try CLI.run(["rotate", "--key-fiel", text, "x"])
        XCTAssertEqual(option.status, 64)
        XCTAssertTrue(option.stderr.contains("did you mean '--key-file'?"), option.stderr)
        XCTAssertEqual(try CLI.run(["rotate", "--seal", "nist", "--key-file", text, "x"]).status, 64)
        XCTAssertEqual(try CLI.run(["invalidate-identity", "--identity", "abc", "--key-file", text, "x"]).status, 64)
        XCTAssertEqual(try CLI.run(["dump-json", "--key-file", text, "a", "b"]).status, 64)
        XCTAssertEqual(try CLI.run(["inspect", "--now", "yesterday", "--key-file", text, "x"]).status, 64)
        XCTAssertEqual(try CLI.run([]).status, 64)
    }

    func testHelpAndVersion() throws {
        let version = try CLI.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdoutText.hasPrefix("ticketctl "))
        let help = try CLI.run(["--help"])
        for status in ExitStatus.allCases {
            XCTAssertTrue(help.stdoutText.contains("  \(status.rawValue) "), "help lists \(status.rawValue)")
        }
        let rotate = try CLI.run(["rotate", "--help"])
        XCTAssertEqual(rotate.status, 0)
        for option in ["--key-file", "--now", "--dry-run", "--seal", "--wait", "--backup", "--json", "--quiet"] {
            XCTAssertTrue(rotate.stdoutText.contains(option), "rotate --help lists \(option)")
        }
    }

    func testInvalidateByTextAndNowAsRFC3339() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let byHex = try CLI.run(["invalidate-identity", "--identity-text", "k_", "--key-file", text, path])
        XCTAssertEqual(byHex.status, 0, byHex.stderr)
        XCTAssertTrue(byHex.stdoutText.contains("removed 1 (1 by identity)"), byHex.stdoutText)
        XCTAssertFalse(try tickets(of: path, key: text).contains { $0.identity == "6b5f" })
        let rfc = try CLI.run(["rotate", "--now", "2025-12-03T22:13:20Z", "--dry-run", "--key-file", text, path])
        let ms = try CLI.run(["rotate", "--now", now, "--dry-run", "--key-file", text, path])
        XCTAssertEqual(rfc.stdoutText, ms.stdoutText)
    }

    func testDumpLinesIsOneObjectPerTicketWithExactIntegers() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("many-standard")
        let result = try CLI.run(["dump-json", "--lines", "--key-file", text, "--now", now, path])
        let lines = result.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.count, 300)
        let full = try tickets(of: path, key: text)
        for (index, line) in lines.enumerated() {
            let record = try JSONDecoder().decode(TicketRecord.self, from: Data(line.utf8))
            XCTAssertEqual(record, full[index])
        }
    }

    func testInspectReportsModeProblemsAndDrops() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("over-capacity")
        chmod(path, 0o644)
        let result = try CLI.run(["inspect", "--key-file", text, "--now", now, path])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdoutText.contains("mode 0644"), result.stdoutText)
        XCTAssertTrue(result.stderr.contains("noxtls refuses to load"), result.stderr)
        XCTAssertTrue(result.stdoutText.contains("6 oldest tickets past max_entries 4"), result.stdoutText)
        let json = try CLI.run(["inspect", "--json", "--key-file", text, "--now", now, path])
        let summary = try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]]
        XCTAssertEqual(summary?.first?["mode_grants_group_or_other"] as? Bool, true)
        XCTAssertEqual(summary?.first?["dropped_on_read"] as? Int, 6)
        XCTAssertEqual(summary?.first?["seal"] as? String, "noxtls-0.1")
    }
}

final class OutputFailureTests: XCTestCase {
    /// A full disk behind standard output is an I/O error, not silence.
    func testWriteErrorOnStandardOutputExits74() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["dump-json", "--key-file", Fixtures.key("text"), path]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 74)
    }
}
