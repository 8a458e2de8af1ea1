import Foundation
@testable import TicketKit
import XCTest

/// Inputs a new operator tried that once opened the wrong file, crashed, or
/// gave a message with the program's insides in it.
final class EdgeCaseTests: XCTestCase {
    let text = Fixtures.key("text")

    /// Runs the binary through bash, so that an argument can hold bytes a
    /// Swift string cannot: `$1` is the binary, `$2` the text key.
    func bash(_ script: String, in directory: String) throws -> (status: Int32, stderr: String) {
        let result = try CLI.run([text], in: directory, launcher: ["bash", "-c", script, "bash"])
        return (result.status, result.stderr)
    }

    /// Swift would turn the Latin-1 name into U+FFFD, which here names
    /// another existing store: neither file may be touched.
    func testANameThatIsNotUTF8IsRefusedRatherThanReplaced() throws {
        let directory = try TemporaryDirectory()
        let latin1 = try directory.copyStore("basic-standard", as: "placeholder.store")
        let replacement = try directory.copyStore("basic-standard", as: "a\u{FFFD}.store")
        let before = try FileFingerprint(replacement)
        _ = try bash(#"mv placeholder.store "$(printf 'a\351.store')""#, in: directory.path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: latin1))

        let result = try bash(#""$1" rotate --key-file "$2" --now 1764800000000 "$(printf 'a\351.store')""#, in: directory.path)
        XCTAssertEqual(result.status, 64, result.stderr)
        XCTAssertTrue(result.stderr.contains("is not valid UTF-8"), result.stderr)
        XCTAssertEqual(try FileFingerprint(replacement), before)
        let untouched = try bash(#"cmp -s "$(printf 'a\351.store')" a$'\xef\xbf\xbd'.store"#, in: directory.path)
        XCTAssertEqual(untouched.status, 0, "the Latin-1 store still holds the original bytes")
    }

    func testAnAbsurdWaitIsAUsageError() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        for value in ["1e300", "99999999999999999999", "-1", "nan", "604801"] {
            let result = try CLI.run(["rotate", "--wait", value, "--key-file", text, path])
            XCTAssertEqual(result.status, 64, "--wait \(value): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("--wait needs a number of seconds"), result.stderr)
        }
        XCTAssertEqual(try CLI.run(["rotate", "--wait", "604800", "--dry-run", "--key-file", text, path]).status, 0)
    }

    func testNowInSecondsIsReadAsMillisecondsWithAWarning() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let seconds = try CLI.run(["rotate", "--dry-run", "--now", "1764800000", "--key-file", text, path])
        XCTAssertEqual(seconds.status, 0)
        XCTAssertTrue(seconds.stderr.contains("is read as milliseconds (1970-01-21T10:13:20.000Z)"), seconds.stderr)
        let ms = try CLI.run(["rotate", "--dry-run", "--now", "1764800000000", "--key-file", text, path])
        XCTAssertEqual(ms.stderr, "")
    }

    func testImportErrorsSpeakJSONNotSwift() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let dump = try CLI.run(["dump-json", "--key-file", text, path]).stdout
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: dump) as? [String: Any])
        let cases: [(Data, String)] = [
            (Data("[]".utf8), "the document: expected an object"),
            (try { document["seal"] = "rot13"; return try JSONSerialization.data(withJSONObject: document) }(),
             "field seal: expected \"standard\" or \"noxtls-0.1\""),
        ]
        for (input, message) in cases {
            let result = try CLI.run(["import-json", "--key-file", text, path], stdin: input)
            XCTAssertEqual(result.status, 65, result.stderr)
            XCTAssertTrue(result.stderr.contains(message), result.stderr)
            XCTAssertFalse(result.stderr.contains("Dictionary") || result.stderr.contains("SealKind"), result.stderr)
        }
    }

    func testLiveTicketsThatOutlastTheClockAreNotCalledNone() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("forever.store")
        let document = """
            {"max_entries": 4, "tickets": [{"identity": "01", "ticket_nonce": "", "obfuscated_ticket_age": 0,
            "age_add": 0, "issued_at_ms": 18446744073709551000, "lifetime_ms": 18446744073709551615,
            "max_early_data_size": 0, "consumed": false}]}
            """
        let imported = try CLI.run(["import-json", "--key-file", text, path], stdin: Data(document.utf8))
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let result = try CLI.run(["inspect", "--key-file", text, path])
        XCTAssertTrue(result.stdoutText.contains("1 live"), result.stdoutText)
        XCTAssertTrue(result.stdoutText.contains("next expiry:  never"), result.stdoutText)
    }

    func testADryRunSaysWhenTheRealRunWouldBeRefused() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        XCTAssertEqual(link(path, directory.file("second-name.store")), 0)
        let result = try CLI.run(["rotate", "--dry-run", "--now", "1764800000000", "--key-file", text, path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("a real run would fail: the store has 2 hard links"), result.stderr)
        XCTAssertEqual(try CLI.run(["rotate", "--now", "1764800000000", "--key-file", text, path]).status, 73)
    }

    func testARewriteSaysWhenItNarrowsTheMode() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        chmod(path, 0o640)
        let result = try CLI.run(["rotate", "--now", "1764800000000", "--key-file", text, path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("mode 0640 narrowed to 0600"), result.stderr)
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
    }
}

/// In process, so that the library's seam can stand in for a CPU without
/// AES-NI and PCLMUL.
final class CryptoUnavailableTests: XCTestCase {
    override func tearDown() {
        Sodium.pretendAES256GCMUnavailable = false
    }

    func testEveryCommandThatTouchesAStoreExits69() throws {
        Sodium.pretendAES256GCMUnavailable = true
        let directory = try TemporaryDirectory()
        let path = try directory.copyStore("basic-standard")
        let key = Fixtures.key("text")
        let before = try FileFingerprint(path)
        let commands: [[String]] = [
            ["inspect"], ["dump-json"], ["rotate"], ["expire"], ["invalidate-identity", "--identity", "00"],
            ["re-key", "--new-key-file", Fixtures.key("binary")], ["import-json", "--input", "/dev/null"],
        ]
        for command in commands {
            let result = runInProcess(command + ["--key-file", key, path])
            XCTAssertEqual(result.status, .unavailable, "\(command[0]): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("AES-256-GCM is not available on this CPU"), result.stderr)
            XCTAssertEqual(result.stdout, "")
        }
        XCTAssertEqual(runInProcess(["init", "--max-entries", "4", "--key-file", key, directory.file("new.store")]).status, .unavailable)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.file("new.store")))
        XCTAssertEqual(try FileFingerprint(path), before)
        XCTAssertEqual(runInProcess(["completions", "bash"]).status, .ok, "completions need no crypto")
    }
}
