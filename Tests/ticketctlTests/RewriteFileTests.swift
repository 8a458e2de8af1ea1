import Foundation
import TicketKit
import XCTest

/// What a rewrite keeps of the file around the tickets: owner, group, mode,
/// symlinks, hard links, backups and the leftovers of killed runs.
final class RewriteFileTests: XCTestCase {
    static let store = BuiltStore(count: 40, identityLength: 32) { $0 % 4 == 0 }

    func makeStore(_ directory: TemporaryDirectory, name: String = "tickets.store") throws -> (path: String, key: String) {
        (try directory.write(name, try Self.store.sealed()), try Self.store.writeKey(in: directory))
    }

    func rotate(_ path: String, key: String, _ extra: [String] = []) throws -> CLIResult {
        try CLI.run(["rotate", "--key-file", key, "--now", RewriteClock.now] + extra + [path])
    }

    /// The service account that owns stores in these tests: nobody/nogroup.
    func serviceAccount() throws -> (uid: uid_t, gid: gid_t) {
        guard getuid() == 0 else { throw XCTSkip("changing a file's owner needs root") }
        guard let user = getpwnam("nobody"), let group = getgrnam("nogroup") else {
            throw XCTSkip("no nobody user or nogroup group on this machine")
        }
        return (user.pointee.pw_uid, group.pointee.gr_gid)
    }

    func testAStoreOwnedByAServiceUserKeepsOwnerGroupAndNoLooserMode() throws {
        let account = try serviceAccount()
        let modes: [(before: mode_t, after: mode_t)] = [(0o600, 0o600), (0o400, 0o400), (0o640, 0o600), (0o444, 0o400)]
        for (before, expected) in modes {
            let directory = try TemporaryDirectory()
            let (path, key) = try makeStore(directory)
            XCTAssertEqual(chown(path, account.uid, account.gid), 0)
            XCTAssertEqual(chmod(path, before), 0)
            let inode = try linkStatus(path).st_ino

            let result = try rotate(path, key: key)
            XCTAssertEqual(result.status, 0, result.stderr)
            let after = try linkStatus(path)
            let label = "mode 0\(String(before, radix: 8))"
            XCTAssertNotEqual(after.st_ino, inode, "\(label): the store was not replaced")
            XCTAssertEqual(after.st_uid, account.uid, label)
            XCTAssertEqual(after.st_gid, account.gid, label)
            XCTAssertEqual(after.st_mode & 0o7777, expected, label)
            XCTAssertEqual(try payloadOnDisk(path, key: try Self.store.key), try Self.store.rotatedPayload, label)
        }
    }

    /// Runs the built ticketctl as `uid`:`gid` with no supplementary groups.
    func runAs(_ uid: uid_t, _ gid: gid_t, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let result = try CLI.run(
            arguments, launcher: ["setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"])
        return (result.status, result.stderr)
    }

    /// Without root, a store whose group the user cannot give away is left
    /// alone (77) rather than rewritten with the user's own group.
    func testARunThatCannotKeepTheGroupChangesNothing() throws {
        let account = try serviceAccount()
        let directory = try TemporaryDirectory()
        let (path, key) = try makeStore(directory)
        for file in [directory.path, path, key] {
            XCTAssertEqual(chown(file, account.uid, account.gid), 0)
        }
        guard (try? runAs(account.uid, account.gid, ["--version"]))?.status == 0 else {
            throw XCTSkip("cannot run the built ticketctl as nobody here (setpriv missing, or the build folder is private)")
        }

        XCTAssertEqual(chown(path, account.uid, 0), 0)
        let before = try FileFingerprint(path)
        let refused = try runAs(account.uid, account.gid, ["rotate", "--key-file", key, "--now", RewriteClock.now, path])
        XCTAssertEqual(refused.status, 77, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("cannot set owner and mode of the new file"), refused.stderr)
        assertUnchanged(path, before)
        XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [])

        // The same user can rewrite a store whose owner and group it already has.
        XCTAssertEqual(chown(path, account.uid, account.gid), 0)
        let allowed = try runAs(account.uid, account.gid, ["rotate", "--key-file", key, "--now", RewriteClock.now, path])
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertEqual(try linkStatus(path).st_gid, account.gid)
        XCTAssertEqual(try payloadOnDisk(path, key: try Self.store.key), try Self.store.rotatedPayload)
    }

    func testBackupKeepsThePreviousStoreWithItsModeAndOwner() throws {
        let account = try serviceAccount()
        let directory = try TemporaryDirectory()
        let (path, key) = try makeStore(directory)
        XCTAssertEqual(chown(path, account.uid, account.gid), 0)
        XCTAssertEqual(chmod(path, 0o400), 0)
        let before = try FileFingerprint(path)

        let result = try rotate(path, key: key, ["--backup"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutText.contains("/tickets.store.bak"), result.stdoutText)
        assertUnchanged(path + ".bak", before, "backup")
        let store = try linkStatus(path)
        XCTAssertEqual(store.st_uid, account.uid)
        XCTAssertEqual(store.st_gid, account.gid)
        XCTAssertEqual(store.st_mode & 0o7777, 0o400)
        XCTAssertEqual(store.st_nlink, 1)

        // A second rewrite replaces the backup with the store it replaced.
        let middle = try readBytes(path)
        let again = try CLI.run(["invalidate-identity", "--identity", Hex.encode(Self.store.tickets[1].identity),
                                 "--backup", "--key-file", key, path])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try readBytes(path + ".bak"), middle)
        XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [])
    }

    func testAStoreReachedThroughASymlinkStaysBehindTheLink() throws {
        let directory = try TemporaryDirectory()
        XCTAssertEqual(mkdir(directory.file("data"), 0o700), 0)
        let (target, key) = try makeStore(directory, name: "data/tickets.store")
        let link = directory.file("current.store")
        XCTAssertEqual(symlink("data/tickets.store", link), 0)
        let inode = try linkStatus(target).st_ino

        let result = try rotate(link, key: key, ["--backup"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let linkAfter = try linkStatus(link)
        XCTAssertEqual(linkAfter.st_mode & S_IFMT, S_IFLNK, "the link was replaced by a regular file")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "data/tickets.store")
        XCTAssertNotEqual(try linkStatus(target).st_ino, inode, "the link's target was not replaced")
        XCTAssertEqual(try payloadOnDisk(link, key: try Self.store.key), try Self.store.rotatedPayload)
        XCTAssertTrue(FileManager.default.fileExists(atPath: target + ".bak"), "the backup belongs beside the target")
        XCTAssertFalse(FileManager.default.fileExists(atPath: link + ".bak"))
        XCTAssertEqual(try temporaryFiles(in: directory.file("data"), of: "tickets.store"), [])
        XCTAssertEqual(try temporaryFiles(in: directory.path, of: "current.store"), [])
    }

    func testAHardLinkedStoreIsRefusedWith73() throws {
        let directory = try TemporaryDirectory()
        let (path, key) = try makeStore(directory)
        let other = directory.file("other-name.store")
        XCTAssertEqual(link(path, other), 0)
        let before = try FileFingerprint(path)

        for command in [["rotate"], ["re-key", "--new-key-file", key, "--seal", "noxtls-0.1"]] {
            let result = try CLI.run(command + ["--key-file", key, "--now", RewriteClock.now, path])
            XCTAssertEqual(result.status, 73, result.stderr)
            XCTAssertTrue(result.stderr.contains("\(path): the store has 2 hard links"), result.stderr)
            assertUnchanged(path, before, command[0])
            assertUnchanged(other, before, command[0])
            XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [])
        }
        let dryRun = try rotate(path, key: key, ["--dry-run"])
        XCTAssertEqual(dryRun.status, 0, "a dry run writes nothing, so it may look: \(dryRun.stderr)")
    }

    func testInspectListsALeftoverAndTheNextWriterRemovesIt() throws {
        let directory = try TemporaryDirectory()
        let (path, key) = try makeStore(directory)
        let leftover = ".tickets.store.ticketctl-0123456789ab.tmp"
        _ = try directory.write(leftover, Array(repeating: 0x4e, count: 100))
        let before = try FileFingerprint(path)

        let inspect = try CLI.run(["inspect", "--key-file", key, "--now", RewriteClock.now, path])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdoutText.contains("leftovers:"), inspect.stdoutText)
        XCTAssertTrue(inspect.stdoutText.contains(leftover), inspect.stdoutText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.file(leftover)), "inspect must not remove it")

        // expire has nothing to drop here, so the store itself stays untouched.
        let expire = try CLI.run(["expire", "--key-file", key, "--now", RewriteClock.now, path])
        XCTAssertEqual(expire.status, 0, expire.stderr)
        XCTAssertTrue(expire.stderr.contains("removed \(leftover), left by an interrupted ticketctl run"), expire.stderr)
        XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [])
        assertUnchanged(path, before)
    }

    /// The two states a run killed while keeping a backup can leave: a
    /// staging name linked to the store, or the backup name already linked
    /// to it. Neither may make the next run refuse the store as hard-linked.
    func testARunKilledWhileKeepingABackupDoesNotBlockTheNextRun() throws {
        for stranded in [".tickets.store.ticketctl-00aa00aa00aa.tmp", "tickets.store.bak"] {
            for backup in [true, false] {
                let directory = try TemporaryDirectory()
                let (path, key) = try makeStore(directory)
                XCTAssertEqual(link(path, directory.file(stranded)), 0)
                let original = try readBytes(path)

                let result = try rotate(path, key: key, backup ? ["--backup"] : [])
                let label = "\(stranded)\(backup ? " with --backup" : "")"
                XCTAssertEqual(result.status, 0, "\(label): \(result.stderr)")
                XCTAssertEqual(try payloadOnDisk(path, key: try Self.store.key), try Self.store.rotatedPayload, label)
                XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [], label)
                XCTAssertEqual(try linkStatus(path).st_nlink, 1, label)
                if backup || stranded.hasSuffix(".bak") {
                    XCTAssertEqual(try readBytes(path + ".bak"), original, label)
                }
            }
        }
    }
}
