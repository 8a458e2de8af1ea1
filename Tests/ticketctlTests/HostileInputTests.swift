import Foundation
import TicketKit
import XCTest

/// Store paths that are too big, lie about their size, or are not files at
/// all, through every command that opens stores. Each must be refused from
/// fstat or the header, without reading the file: fast and in little memory.
final class HostileInputTests: XCTestCase {
    let key = Fixtures.key("text")
    /// Wall time allowed for one refused run, process start included.
    let wallLimit = 1.0
    /// CPU time allowed: reading a gigabyte, or even 8 MiB, would take more.
    let cpuLimit = 0.3

    /// Peak memory allowed: what opening a small valid store takes, plus
    /// far less than the 8 MiB a largest legal store needs.
    func memoryLimitKiB() throws -> Int {
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        let baseline = try Spawn.run(["inspect", "--key-file", key, store], measure: true)
        XCTAssertEqual(baseline.status, 0, baseline.stderrText)
        return try XCTUnwrap(baseline.peakResidentKiB) + 4 * 1024
    }

    func commands(in directory: TemporaryDirectory) throws -> [[String]] {
        let newKey = try directory.write("new.key", Array("a different key".utf8))
        return [
            ["inspect", "--key-file", key], ["dump-json", "--key-file", key],
            ["rotate", "--key-file", key], ["expire", "--key-file", key],
            ["invalidate-identity", "--identity", "00", "--key-file", key],
            ["re-key", "--key-file", key, "--new-key-file", newKey],
        ]
    }

    /// A file that starts with a well-formed header claiming `length` bytes
    /// of ciphertext, followed by `body` bytes.
    func header(claiming length: UInt32) -> [UInt8] {
        Array("NXSE".utf8) + [1] + [UInt8](repeating: 7, count: 12)
            + withUnsafeBytes(of: length.bigEndian, Array.init)
    }

    func assertRefused(
        _ path: String, status: Int32, saying problem: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let directory = try TemporaryDirectory()
        let before = StatFingerprint(path)
        let memoryLimit = try memoryLimitKiB()
        for command in try commands(in: directory) {
            let run = try Spawn.run(command + [path], timeLimit: 10, measure: true)
            let what = "\(command[0]) on \(path)"
            XCTAssertEqual(run.status, status, "\(what): \(run.stderrText)", file: file, line: line)
            XCTAssertTrue(
                run.stderrText.contains("ticketctl: error: \(path): \(problem)"),
                "\(what): \(run.stderrText)", file: file, line: line)
            XCTAssertEqual(run.stdoutText, "", what, file: file, line: line)
            XCTAssertLessThan(run.seconds, wallLimit, what, file: file, line: line)
            XCTAssertLessThan(try XCTUnwrap(run.cpuSeconds), cpuLimit, what, file: file, line: line)
            XCTAssertLessThan(try XCTUnwrap(run.peakResidentKiB), memoryLimit, what, file: file, line: line)
        }
        XCTAssertEqual(StatFingerprint(path), before, "\(path) changed", file: file, line: line)
    }

    func testStoreOverTheLargestLegalSizeIsRefusedFromItsSize() throws {
        let directory = try TemporaryDirectory()
        let size = Envelope.maximumFileSize + 1
        var bytes = header(claiming: UInt32(Payload.maximumSize))
        bytes += [UInt8](repeating: 0x5a, count: size - bytes.count)
        let path = try directory.write("oversized.store", bytes)
        try assertRefused(path, status: 65, saying: "file is \(size) bytes, larger than the largest legal store")
    }

    func testSparseMultiGigabyteFileIsRefusedWithoutReadingIt() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("sparse.store", header(claiming: 64))
        let size: Int64 = 6 << 30
        XCTAssertEqual(truncate(path, off_t(size)), 0, String(cString: strerror(errno)))
        try assertRefused(path, status: 65, saying: "file is \(size) bytes, larger than the largest legal store")
    }

    func testLengthFieldClaimingMoreThanTheFileHoldsIsRefused() throws {
        let directory = try TemporaryDirectory()
        let withinLimit = try directory.write(
            "claims-8mib.store", header(claiming: UInt32(Payload.maximumSize)) + [UInt8](repeating: 1, count: 64))
        try assertRefused(
            withinLimit, status: 65,
            saying: "malformed envelope: truncated: the header claims \(Payload.maximumSize) bytes of ciphertext, the file holds 48")
        let overLimit = try directory.write(
            "claims-4gib.store", header(claiming: .max) + [UInt8](repeating: 1, count: 64))
        try assertRefused(
            overLimit, status: 65,
            saying: "malformed envelope: ciphertext length \(UInt32.max) exceeds the \(Payload.maximumSize)-byte payload limit")
    }

    func testFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("tickets.fifo")
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        try assertRefused(path, status: 66, saying: "not a regular file (a FIFO)")
    }

    func testDirectoryIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("stores")
        XCTAssertEqual(mkdir(path, 0o700), 0)
        try assertRefused(path, status: 66, saying: "not a regular file (a directory)")
    }

    func testDevZeroIsRefusedDirectlyAndThroughASymlink() throws {
        try assertRefused("/dev/zero", status: 66, saying: "not a regular file (a character device)")
        let directory = try TemporaryDirectory()
        let link = directory.file("zero.store")
        XCTAssertEqual(symlink("/dev/zero", link), 0)
        try assertRefused(link, status: 66, saying: "not a regular file (a character device)")
    }

    func testEndlessOrHugeKeySourcesAreRefusedFast() throws {
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        let sparseKey = directory.file("sparse.key")
        XCTAssertTrue(FileManager.default.createFile(atPath: sparseKey, contents: nil))
        XCTAssertEqual(truncate(sparseKey, 6 << 30), 0)
        chmod(sparseKey, 0o600)
        let memoryLimit = try memoryLimitKiB()
        for source in ["/dev/zero", sparseKey] {
            let run = try Spawn.run(["inspect", "--key-file", source, store], timeLimit: 10, measure: true)
            XCTAssertEqual(run.status, 65, run.stderrText)
            XCTAssertTrue(run.stderrText.contains("\(source): key material is longer than 65536 bytes"), run.stderrText)
            XCTAssertLessThan(run.seconds, wallLimit)
            XCTAssertLessThan(try XCTUnwrap(run.peakResidentKiB), memoryLimit)
        }
        let run = try Spawn.run(["inspect", "--key-file", directory.path, store])
        XCTAssertEqual(run.status, 66, run.stderrText)
        XCTAssertTrue(run.stderrText.contains("\(directory.path): not a regular file (a directory)"), run.stderrText)
    }
}

/// What stat says about a path, to show a refusal left it alone without
/// reading a multi-gigabyte file back.
struct StatFingerprint: Equatable {
    let exists: Bool
    let inode: UInt64
    let size: Int64
    let mode: UInt32
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int

    init(_ path: String) {
        var info = stat()
        exists = lstat(path, &info) == 0
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        mode = UInt32(info.st_mode)
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
    }
}
