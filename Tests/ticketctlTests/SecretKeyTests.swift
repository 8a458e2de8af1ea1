import Foundation
import TicketKit
import XCTest

/// Keys from inherited descriptors and terminals, warnings about exposed key
/// files, and re-key's checks before it reads a key.
final class SecretKeyTests: XCTestCase {
    let keyBytes = try? readBytes(Fixtures.key("text"))

    func key() throws -> [UInt8] { try XCTUnwrap(keyBytes) }

    func testKeyFromAnInheritedDescriptorWorksOnEveryCommand() throws {
        let directory = try TemporaryDirectory()
        let newKey = try directory.write("new.key", Array("the next key".utf8))
        let commands: [[String]] = [
            ["inspect"], ["dump-json"], ["rotate", "--dry-run"], ["expire", "--dry-run"],
            ["invalidate-identity", "--identity", "00", "--dry-run"],
            ["re-key", "--new-key-file", newKey, "--dry-run"],
        ]
        for command in commands {
            let store = try directory.copyStore("basic-legacy")
            let pipe = try FilledPipe(try key())
            defer { pipe.close() }
            let run = try Spawn.run(command + ["--key-fd", "7", store], descriptors: [7: pipe.readEnd])
            XCTAssertEqual(run.status, 0, "\(command[0]): \(run.stderrText)")
            XCTAssertEqual(run.stderrText, "", command[0])
            XCTAssertEqual(pipe.remaining(), [], "\(command[0]) should read the descriptor to its end")
        }
    }

    func testReKeyTakesBothKeysFromDescriptors() throws {
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        let newKey = Array("rotated by the secret manager".utf8)
        let current = try FilledPipe(try key()), next = try FilledPipe(newKey)
        defer {
            current.close()
            next.close()
        }
        let run = try Spawn.run(
            ["re-key", "--key-fd", "5", "--new-key-fd", "6", store],
            descriptors: [5: current.readEnd, 6: next.readEnd])
        XCTAssertEqual(run.status, 0, run.stderrText)
        let opened = try newKey.withUnsafeBytes { try StoreFile.open(store, key: StoreKey(material: $0)) }
        XCTAssertEqual(opened.store.tickets.count, 6)
    }

    func testBadKeyDescriptorsAreClearErrors() throws {
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        let keyFile = try directory.write("text.key", try key())

        let closed = try Spawn.run(["inspect", "--key-fd", "57", store])
        XCTAssertEqual(closed.status, 66, closed.stderrText)
        XCTAssertEqual(closed.stderrText, "ticketctl: error: file descriptor 57: cannot read a key from it: Bad file descriptor\n")

        for value in ["seven", "-1", "99999999999"] {
            let run = try Spawn.run(["inspect", "--key-fd", value, store])
            XCTAssertEqual(run.status, 64, run.stderrText)
            XCTAssertTrue(run.stderrText.contains("--key-fd needs a file descriptor number, not '\(value)'"), run.stderrText)
        }
        let both = try Spawn.run(["inspect", "--key-fd", "0", "--key-file", keyFile, store])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderrText.contains("give --key-file or --key-fd, not both"), both.stderrText)

        let pipe = try FilledPipe(try key())
        defer { pipe.close() }
        let sameStream = try Spawn.run(
            ["re-key", "--key-fd", "0", "--new-key-file", "-", store], standardInput: pipe.readEnd)
        XCTAssertEqual(sameStream.status, 64)
        XCTAssertTrue(
            sameStream.stderrText.contains("the current and the new key cannot both come from file descriptor 0"),
            sameStream.stderrText)
        XCTAssertEqual(pipe.remaining(), try key(), "a refused run must not consume the key")
    }

    func testKeyFilesOthersCanReadAreWarnedAbout() throws {
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        for mode: mode_t in [0o640, 0o604, 0o644, 0o444] {
            let keyFile = try directory.write("text-\(mode).key", try key(), mode: mode)
            let run = try Spawn.run(["inspect", "--quiet", "--key-file", keyFile, store])
            XCTAssertEqual(run.status, 0, run.stderrText)
            XCTAssertEqual(
                run.stderrText,
                "ticketctl: warning: \(keyFile): key file mode \(String(mode, radix: 8)) lets group or other read it (chmod 600 it)\n")
        }
        for mode: mode_t in [0o600, 0o400, 0o620, 0o602] {
            let keyFile = try directory.write("quiet-\(mode).key", try key(), mode: mode)
            let run = try Spawn.run(["inspect", "--quiet", "--key-file", keyFile, store])
            XCTAssertEqual(run.status, 0, run.stderrText)
            XCTAssertEqual(run.stderrText, "", "mode \(String(mode, radix: 8)) is not readable by others")
        }
    }

    func testAnExposedKeyOnStandardInputOrADescriptorIsWarnedAboutToo() throws {
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        let keyFile = try directory.write("text.key", try key(), mode: 0o644)
        let fd = open(keyFile, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        let run = try Spawn.run(["inspect", "--quiet", "--key-file", "-", store], standardInput: fd)
        XCTAssertEqual(run.status, 0, run.stderrText)
        XCTAssertEqual(
            run.stderrText, "ticketctl: warning: standard input: key file mode 644 lets group or other read it (chmod 600 it)\n")
    }

    func testKeyFileOwnedByAnotherUserIsWarnedAbout() throws {
        try XCTSkipUnless(geteuid() == 0, "only root can give a file to another user")
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        let stranger: uid_t = 54_321
        let keyFile = try directory.write("theirs.key", try key())
        XCTAssertEqual(chown(keyFile, stranger, gid_t(stranger)), 0)
        let run = try Spawn.run(["inspect", "--quiet", "--key-file", keyFile, store])
        XCTAssertEqual(run.status, 0, run.stderrText)
        XCTAssertEqual(
            run.stderrText,
            "ticketctl: warning: \(keyFile): key file is owned by \(stranger), another user who can read or replace it\n")

        let rootOwned = try directory.write("root.key", try key())
        XCTAssertEqual(chown(rootOwned, 0, 0), 0)
        let quiet = try Spawn.run(["inspect", "--quiet", "--key-file", rootOwned, store])
        XCTAssertEqual(quiet.stderrText, "", "root may own a key file")
    }

    func testReKeyChecksEveryPathBeforeReadingEitherKey() throws {
        let directory = try TemporaryDirectory()
        let good = try directory.copyStore("basic-standard")
        let before = try FileFingerprint(good)
        let missing = directory.file("missing.store")
        let folder = directory.file("folder")
        XCTAssertEqual(mkdir(folder, 0o700), 0)
        let current = try FilledPipe(try key()), next = try FilledPipe(Array("new".utf8))
        defer {
            current.close()
            next.close()
        }

        let run = try Spawn.run(
            ["re-key", "--key-fd", "5", "--new-key-fd", "6", good, missing, folder],
            descriptors: [5: current.readEnd, 6: next.readEnd])
        XCTAssertEqual(run.status, 66)
        XCTAssertEqual(
            run.stderrText,
            "ticketctl: error: \(missing): cannot open: No such file or directory\n"
                + "ticketctl: error: \(folder): not a regular file (a directory)\n")
        XCTAssertEqual(run.stdoutText, "")
        XCTAssertEqual(current.remaining(), try key(), "the current key was read")
        XCTAssertEqual(next.remaining(), Array("new".utf8), "the new key was read")
        XCTAssertEqual(try FileFingerprint(good), before)
    }

    func testReKeyRefusesAnEmptyNewKeyFromAFileOrADescriptor() throws {
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        let before = try FileFingerprint(store)
        let keyFile = try directory.write("text.key", try key())
        let empty = try directory.write("empty.key", [])

        let fromFile = try Spawn.run(["re-key", "--key-file", keyFile, "--new-key-file", empty, store])
        XCTAssertEqual(fromFile.status, 65)
        XCTAssertEqual(
            fromFile.stderrText, "ticketctl: error: \(empty): the key is empty: key material must be at least one byte\n")

        let pipe = try FilledPipe([])
        defer { pipe.close() }
        let fromDescriptor = try Spawn.run(
            ["re-key", "--key-file", keyFile, "--new-key-fd", "4", "--seal", "noxtls-0.1", store],
            descriptors: [4: pipe.readEnd])
        XCTAssertEqual(fromDescriptor.status, 65)
        XCTAssertTrue(fromDescriptor.stderrText.contains("file descriptor 4: the key is empty"), fromDescriptor.stderrText)
        XCTAssertEqual(try FileFingerprint(store), before)
    }

    func testReKeyRefusesTheSameKeyFromADifferentSourceUnlessTheSealChanges() throws {
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        let before = try FileFingerprint(store)
        let keyFile = try directory.write("text.key", try key())
        let pipe = try FilledPipe(try key())
        defer { pipe.close() }
        let same = try Spawn.run(
            ["re-key", "--key-file", keyFile, "--new-key-fd", "3", store], descriptors: [3: pipe.readEnd])
        XCTAssertEqual(same.status, 65)
        XCTAssertEqual(
            same.stderrText,
            "ticketctl: error: file descriptor 3: the new key is the same as the current key; nothing to do\n")
        XCTAssertEqual(try FileFingerprint(store), before)

        let again = try FilledPipe(try key())
        defer { again.close() }
        let moved = try Spawn.run(
            ["re-key", "--key-file", keyFile, "--new-key-fd", "3", "--seal", "noxtls-0.1", store],
            descriptors: [3: again.readEnd])
        XCTAssertEqual(moved.status, 0, moved.stderrText)
        let opened = try key().withUnsafeBytes { try StoreFile.open(store, key: StoreKey(material: $0)) }
        XCTAssertEqual(opened.seal, .noxtls01)
    }

    func testCoreDumpsAreOffWhileTheKeyIsInMemory() throws {
        // Allow core dumps in what the child inherits, so that only
        // ticketctl itself can turn them off.
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        try XCTSkipIf(limit.rlim_max == 0, "core dumps are forbidden here already")
        let inherited = limit
        limit.rlim_cur = limit.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        defer {
            var previous = inherited
            setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &previous)
        }

        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        defer { close(ends[0]) }

        // The write end stays open, so ticketctl waits for its key meanwhile.
        let process = try Spawn.start(["inspect", "--quiet", "--key-fd", "3", store], descriptors: [3: ends[0]])
        var coreLimit = ""
        let deadline = Date().addingTimeInterval(10)
        while !coreLimit.hasSuffix(" 0 0 bytes"), Date() < deadline {
            let limits = (try? String(contentsOfFile: "/proc/\(process.pid)/limits", encoding: .utf8)) ?? ""
            let line = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") } ?? ""
            coreLimit = line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            usleep(2_000)
        }
        let key = try key()
        XCTAssertEqual(key.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }, key.count)
        close(ends[1])
        let run = try process.wait(timeLimit: 30)

        XCTAssertEqual(run.status, 0, run.stderrText)
        XCTAssertEqual(coreLimit, "Max core file size 0 0 bytes")
    }

    // MARK: - Terminals

    func testKeyTypedAtATerminalIsNotEchoedAndEchoComesBack() throws {
        let terminal = try PseudoTerminal()
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        XCTAssertTrue(try terminal.echoes())

        let process = try Spawn.start(["inspect", "--quiet", "--key-file", "-", store], standardInput: terminal.replica)
        XCTAssertTrue(try terminal.waitUntilEcho(is: false), "ticketctl never turned echo off")
        try terminal.type(try key() + [UInt8(ascii: "\n")])
        let run = try process.wait(timeLimit: 10)

        XCTAssertEqual(run.status, 0, run.stderrText)
        XCTAssertEqual(run.stderrText, "ticketctl: key from standard input (not echoed): ")
        let screen = terminal.screen()
        XCTAssertFalse(screen.contains(try key()), "the key was echoed: \(screen)")
        XCTAssertEqual(screen, Array("\r\n".utf8), "only the Enter should show")
        XCTAssertTrue(try terminal.echoes(), "echo was not restored")
    }

    func testInterruptedTerminalReadRestoresEcho() throws {
        let terminal = try PseudoTerminal()
        let directory = try TemporaryDirectory()
        let store = try directory.copyStore("basic-standard")
        let process = try Spawn.start(["inspect", "--key-fd", "0", store], standardInput: terminal.replica)
        XCTAssertTrue(try terminal.waitUntilEcho(is: false), "ticketctl never turned echo off")
        kill(process.pid, SIGINT)
        let run = try process.wait(timeLimit: 10)
        XCTAssertEqual(run.signal, SIGINT, "status \(String(describing: run.status)): \(run.stderrText)")
        XCTAssertTrue(try terminal.echoes(), "echo stayed off after Ctrl-C")
    }
}

/// A pseudo-terminal pair: the replica is the child's terminal, and the
/// controller side is the keyboard and the screen.
final class PseudoTerminal {
    let controller: Int32
    let replica: Int32

    /// Swift's Glibc module hides the XSI pseudo-terminal calls behind a
    /// feature macro, so they are looked up in the C library at run time.
    private typealias OpenFunction = @convention(c) (Int32) -> Int32
    private typealias NameFunction = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32

    private static func function<T>(_ name: String, as type: T.Type) throws -> T {
        guard let symbol = dlsym(nil, name) else { throw POSIXError(.ENOSYS) }
        return unsafeBitCast(symbol, to: type)
    }

    init() throws {
        let openController = try Self.function("posix_openpt", as: OpenFunction.self)
        let grant = try Self.function("grantpt", as: OpenFunction.self)
        let unlock = try Self.function("unlockpt", as: OpenFunction.self)
        let name = try Self.function("ptsname_r", as: NameFunction.self)

        controller = openController(O_RDWR | O_NOCTTY)
        var path = [CChar](repeating: 0, count: 128)
        guard controller >= 0, grant(controller) == 0, unlock(controller) == 0,
            name(controller, &path, path.count) == 0
        else { throw POSIXError(.ENOTTY) }
        replica = open(path, O_RDWR | O_NOCTTY)
        guard replica >= 0 else { throw POSIXError(.ENOTTY) }
    }

    deinit {
        close(replica)
        close(controller)
    }

    func echoes() throws -> Bool {
        var settings = termios()
        guard tcgetattr(replica, &settings) == 0 else { throw POSIXError(.ENOTTY) }
        return settings.c_lflag & tcflag_t(ECHO) != 0
    }

    /// Polls for up to ten seconds; true once echo is as wanted.
    func waitUntilEcho(is wanted: Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try echoes() == wanted { return true }
            usleep(2_000)
        }
        return false
    }

    func type(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { write(controller, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw POSIXError(.EIO) }
    }

    /// What the terminal has shown so far.
    func screen() -> [UInt8] {
        _ = fcntl(controller, F_SETFL, O_NONBLOCK)
        var shown: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(controller, $0.baseAddress, $0.count) }
            if got <= 0 { return shown }
            shown += chunk[0..<got]
        }
    }
}
