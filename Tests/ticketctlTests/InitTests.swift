import Foundation
import TicketKit
import XCTest

/// init end to end: a new, empty, private store, and never an overwrite.
final class InitTests: XCTestCase {
    let text = Fixtures.key("text")

    func testInitCreatesAnEmptyPrivateStoreInTheRequestedSeal() throws {
        let directory = try TemporaryDirectory()
        let standard = directory.file("standard.store")
        let legacy = directory.file("legacy.store")
        let previousMask = umask(0o022)
        defer { umask(previousMask) }

        let made = try CLI.run(["init", "--key-file", text, "--max-entries", "500", standard])
        XCTAssertEqual(made.status, 0, made.stderr)
        let madeLegacy = try CLI.run(["init", "--key-file", text, "--max-entries", "16384", "--seal", "noxtls-0.1", legacy])
        XCTAssertEqual(madeLegacy.status, 0, madeLegacy.stderr)

        for (path, seal, capacity) in [(standard, "standard", 500), (legacy, "noxtls-0.1", 16384)] {
            var info = stat()
            XCTAssertEqual(stat(path, &info), 0)
            XCTAssertEqual(info.st_mode & 0o7777, 0o600)
            let dump = try CLI.run(["dump-json", "--key-file", text, path])
            XCTAssertEqual(dump.status, 0, dump.stderr)
            let document = try JSONDecoder().decode(StoreDocument.self, from: dump.stdout)
            XCTAssertEqual(document.seal?.rawValue, seal)
            XCTAssertEqual(document.maxEntries, UInt32(capacity))
            XCTAssertEqual(document.tickets, [])
            XCTAssertEqual(document.payloadVersion, 2)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(),
                       ["legacy.store", "standard.store"], "no temporary file is left behind")
    }

    func testInitRefusesAnExistingFileOrSymlinkWithStatus73() throws {
        let directory = try TemporaryDirectory()
        let existing = try directory.copyStore("basic-standard")
        let fingerprint = try FileFingerprint(existing)
        let refused = try CLI.run(["init", "--key-file", text, "--max-entries", "8", existing])
        XCTAssertEqual(refused.status, 73)
        XCTAssertTrue(refused.stderr.contains("\(existing): the file already exists"), refused.stderr)
        XCTAssertEqual(try FileFingerprint(existing), fingerprint)

        let link = directory.file("dangling.store")
        XCTAssertEqual(symlink(directory.file("target.store"), link), 0)
        let viaLink = try CLI.run(["init", "--key-file", text, "--max-entries", "8", link])
        XCTAssertEqual(viaLink.status, 73, viaLink.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.file("target.store")))
    }

    func testInitRejectsABadCapacityOrMissingKey() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("new.store")
        for value in ["0", "16385", "ten", "-1"] {
            let result = try CLI.run(["init", "--key-file", text, "--max-entries", value, path])
            XCTAssertEqual(result.status, 64, value)
            XCTAssertTrue(result.stderr.contains("--max-entries must be a whole number from 1 to 16384"), result.stderr)
        }
        let noCapacity = try CLI.run(["init", "--key-file", text, path])
        XCTAssertEqual(noCapacity.status, 64)
        let noKey = try CLI.run(["init", "--max-entries", "8", path])
        XCTAssertEqual(noKey.status, 64)
        XCTAssertTrue(noKey.stderr.contains("no key given"), noKey.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testInitInAMissingDirectoryFailsWithoutCreatingAnything() throws {
        let directory = try TemporaryDirectory()
        let result = try CLI.run(["init", "--key-file", text, "--max-entries", "8", directory.file("absent/new.store")])
        XCTAssertEqual(result.status, 66, result.stderr)
        XCTAssertTrue(result.stderr.contains("absent/new.store: cannot open directory"), result.stderr)
    }
}
