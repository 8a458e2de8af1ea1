import Foundation
import TicketKit
import XCTest

/// Failures at every step of a rewrite, injected through the library's
/// seam or caused for real (a full tmpfs, a wrong key), leave the original
/// store exactly as it was.
final class RewriteFaultTests: XCTestCase {
    static let store = BuiltStore(count: 60, identityLength: 40) { $0 % 3 == 0 }

    struct Case {
        let step: RewriteStep
        let code: Int32
        let status: ExitStatus
    }

    /// Every step before the rename, and the rename itself, with the errnos
    /// that step can really meet and the status README.md gives for each.
    static let cases: [Case] = [
        Case(step: .createTemporary, code: ENOSPC, status: .ioError),
        Case(step: .createTemporary, code: EIO, status: .ioError),
        Case(step: .createTemporary, code: EACCES, status: .noPermission),
        Case(step: .createTemporary, code: EEXIST, status: .cannotCreate),
        Case(step: .changeOwner, code: EIO, status: .ioError),
        Case(step: .changeOwner, code: EPERM, status: .noPermission),
        Case(step: .changeOwner, code: EACCES, status: .noPermission),
        Case(step: .write, code: ENOSPC, status: .ioError),
        Case(step: .write, code: EIO, status: .ioError),
        Case(step: .sync, code: ENOSPC, status: .ioError),
        Case(step: .sync, code: EIO, status: .ioError),
        Case(step: .verify, code: EIO, status: .ioError),
        Case(step: .backup, code: ENOSPC, status: .ioError),
        Case(step: .backup, code: EIO, status: .ioError),
        Case(step: .backup, code: EACCES, status: .noPermission),
        Case(step: .rename, code: ENOSPC, status: .ioError),
        Case(step: .rename, code: EIO, status: .ioError),
        Case(step: .rename, code: EACCES, status: .noPermission),
    ]

    /// A store in a fresh folder; owned by nobody when the tests run as root,
    /// so that the owner step really calls fchown.
    func makeStore(_ directory: TemporaryDirectory) throws -> (path: String, key: String) {
        let path = try directory.write("tickets.store", try Self.store.sealed())
        if getuid() == 0, let nobody = getpwnam("nobody") {
            XCTAssertEqual(chown(path, nobody.pointee.pw_uid, nobody.pointee.pw_gid), 0)
        }
        return (path, try Self.store.writeKey(in: directory))
    }

    func testEveryInjectedFaultLeavesTheOriginalIntactAndExitsByTheTable() throws {
        XCTAssertEqual(
            Set(Self.cases.map(\.step)), Set(RewriteStep.allCases).subtracting([.syncDirectory]),
            "every step before the store is replaced has a case")
        for fault in Self.cases {
            let directory = try TemporaryDirectory()
            let (path, key) = try makeStore(directory)
            let before = try FileFingerprint(path)
            let label = "\(fault.step) \(String(cString: strerror(fault.code)))"

            let result = runInProcess(
                ["rotate", "--backup", "--key-file", key, "--now", RewriteClock.now, path],
                injectFault: { [fault] step in step == fault.step ? fault.code : 0 })

            XCTAssertEqual(result.status, fault.status, "\(label): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("ticketctl: error: \(path): cannot "), "\(label): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(String(cString: strerror(fault.code))), "\(label): \(result.stderr)")
            assertUnchanged(path, before, label)
            XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [], label)
            if fault.step != .rename {
                XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".bak"), label)
            }

            // The store stays usable: the same command without a fault works.
            let again = runInProcess(["rotate", "--backup", "--key-file", key, "--now", RewriteClock.now, path])
            XCTAssertEqual(again.status, .ok, "\(label), next run: \(again.stderr)")
            XCTAssertEqual(try payloadOnDisk(path, key: try Self.store.key), try Self.store.rotatedPayload, label)
            XCTAssertEqual(try readBytes(path + ".bak"), before.bytes, label)
        }
    }

    func testAFailedDirectorySyncReportsThatTheNewStoreIsInPlace() throws {
        let directory = try TemporaryDirectory()
        let (path, key) = try makeStore(directory)
        let result = runInProcess(
            ["rotate", "--key-file", key, "--now", RewriteClock.now, path],
            injectFault: { $0 == .syncDirectory ? EIO : 0 })
        XCTAssertEqual(result.status, .ioError, result.stderr)
        XCTAssertTrue(result.stderr.contains("the new store is in place"), result.stderr)
        XCTAssertEqual(try payloadOnDisk(path, key: try Self.store.key), try Self.store.rotatedPayload)
        XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [])
    }

    /// The read-back check is real: a new file altered after it was written
    /// is caught, and the original stays.
    func testANewFileThatDoesNotReadBackIsNeverRenamedIntoPlace() throws {
        let directory = try TemporaryDirectory()
        let (path, key) = try makeStore(directory)
        let before = try FileFingerprint(path)
        let folder = directory.path
        let result = runInProcess(["rotate", "--key-file", key, "--now", RewriteClock.now, path]) { step in
            guard step == .verify, let name = try? temporaryFiles(in: folder, of: "tickets.store").first else {
                return 0
            }
            let fd = open(folder + "/" + name, O_RDWR)
            var byte: UInt8 = 0
            pread(fd, &byte, 1, 100)
            byte ^= 0x01
            pwrite(fd, &byte, 1, 100)
            close(fd)
            return 0
        }
        XCTAssertEqual(result.status, .ioError, result.stderr)
        XCTAssertTrue(result.stderr.contains("did not read back correctly"), result.stderr)
        assertUnchanged(path, before)
        XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [])
    }

    func testAWrongKeyOnEveryWritingCommandLeavesTheFileByteIdentical() throws {
        let directory = try TemporaryDirectory()
        let (path, key) = try makeStore(directory)
        let wrongKey = try directory.write("wrong.key", Array("not the store key".utf8))
        let newKey = try directory.write("new.key", Array("a new key".utf8))
        let identity = Hex.encode(Self.store.tickets[1].identity)
        let farFuture = String(RewriteClock.issuedMs + 365 * 24 * 3_600_000)
        let commands: [[String]] = [
            ["rotate", "--now", RewriteClock.now],
            ["expire", "--now", farFuture],
            ["invalidate-identity", "--identity", identity],
            ["re-key", "--new-key-file", newKey],
        ]
        let before = try FileFingerprint(path)
        var ctimeBefore = stat()
        stat(path, &ctimeBefore)
        for command in commands {
            let result = try CLI.run(command + ["--backup", "--key-file", wrongKey, path])
            XCTAssertEqual(result.status, 65, "\(command[0]): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("authentication failed"), result.stderr)
            assertUnchanged(path, before, command[0])
            XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [], command[0])
            XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".bak"), command[0])
        }
        var ctimeAfter = stat()
        stat(path, &ctimeAfter)
        XCTAssertEqual(ctimeAfter.st_ctim.tv_nsec, ctimeBefore.st_ctim.tv_nsec)
        XCTAssertEqual(ctimeAfter.st_ctim.tv_sec, ctimeBefore.st_ctim.tv_sec)

        // With the right key, each of these commands does write.
        for command in commands {
            let fresh = try directory.write("control.store", try Self.store.sealed())
            let control = try FileFingerprint(fresh)
            let result = try CLI.run(command + ["--key-file", key, fresh])
            XCTAssertEqual(result.status, 0, "\(command[0]): \(result.stderr)")
            XCTAssertNotEqual(try FileFingerprint(fresh).bytes, control.bytes, command[0])
        }
    }

    func testAMalformedStoreIsNeverRewritten() throws {
        let directory = try TemporaryDirectory()
        let key = try Self.store.writeKey(in: directory)
        let newKey = try directory.write("new.key", Array("a new key".utf8))
        let sealed = try Self.store.sealed()
        var flipped = sealed
        flipped[sealed.count / 2] ^= 0x80
        let damaged: [(String, [UInt8])] = [("truncated", Array(sealed.dropLast(10))), ("flipped", flipped)]
        for (name, bytes) in damaged {
            let path = try directory.write("tickets.store", bytes)
            let before = try FileFingerprint(path)
            for command in [["rotate", "--now", RewriteClock.now], ["re-key", "--new-key-file", newKey]] {
                let result = try CLI.run(command + ["--backup", "--key-file", key, path])
                XCTAssertEqual(result.status, 65, "\(name) \(command[0]): \(result.stderr)")
                assertUnchanged(path, before, "\(name) \(command[0])")
                XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [])
                XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".bak"))
            }
        }
    }

    /// A real full disk: a tmpfs with room for the store but not for a
    /// second copy of it.
    func testAFullDiskLeavesTheOriginalIntact() throws {
        let directory = try TemporaryDirectory()
        let disk = directory.file("disk")
        XCTAssertEqual(mkdir(disk, 0o700), 0)
        guard mount("tmpfs", disk, "tmpfs", 0, "size=2m,mode=0700") == 0 else {
            throw XCTSkip(
                "cannot mount a tmpfs here (\(String(cString: strerror(errno)))); "
                    + "testEveryInjectedFaultLeavesTheOriginalIntactAndExitsByTheTable injects ENOSPC instead")
        }
        defer { umount2(disk, Int32(MNT_DETACH)) }

        // About 1.3 MB, of which rotate drops a single ticket.
        let built = BuiltStore(count: 1_500, identityLength: 800) { $0 == 0 }
        let key = try built.writeKey(in: directory)
        let newKey = try directory.write("new.key", Array("a new key".utf8))
        let path = disk + "/tickets.store"
        try Data(try built.sealed()).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        let before = try FileFingerprint(path)

        for command in [["rotate", "--now", RewriteClock.now], ["re-key", "--new-key-file", newKey]] {
            let result = try CLI.run(command + ["--key-file", key, path])
            XCTAssertEqual(result.status, 74, "\(command[0]): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(String(cString: strerror(ENOSPC))), result.stderr)
            assertUnchanged(path, before, command[0])
            XCTAssertEqual(try temporaryFiles(in: disk, of: "tickets.store"), [], command[0])
            XCTAssertEqual(try payloadOnDisk(path, key: try built.key), try built.oldPayload)
        }
    }
}
