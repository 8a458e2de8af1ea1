import Foundation
import XCTest

/// What one `posix_spawn`ed run of the built binary did, with the costs
/// that `wait4` reports for it.
struct SpawnedRun {
    /// The exit status, or nil when a signal ended the process.
    let status: Int32?
    let signal: Int32?
    let stdout: [UInt8]
    let stderr: [UInt8]
    let seconds: Double
    /// From GNU time, when the run was measured.
    let cpuSeconds: Double?
    let peakResidentKiB: Int?

    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Everything the run printed, for failure messages.
    var log: String { stdoutText + stderrText }

    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    var ending: Ending { signal.map(Ending.signalled) ?? .exited(status ?? -1) }
}

/// Runs the built binary where Foundation's `Process` is not enough: with
/// extra inherited descriptors (for `--key-fd`), a chosen standard input,
/// a time limit, and the child's own peak memory and CPU time.
///
/// Memory is measured by GNU time, which forks: `wait4` on a child that we
/// spawned ourselves would report our own peak, because the spawned child
/// shares our memory until it execs and Linux keeps that peak across exec.
enum Spawn {
    static let timeCommand = "/usr/bin/time"

    struct TimedOut: Error, CustomStringConvertible {
        let arguments: [String]
        var description: String { "ticketctl \(arguments.joined(separator: " ")) did not finish in time" }
    }

    /// Runs to completion; throws `TimedOut` after `timeLimit` seconds.
    static func run(
        _ arguments: [String], standardInput: Int32? = nil, descriptors: [Int32: Int32] = [:],
        environment: [String: String] = [:], timeLimit: Double = 30, measure: Bool = false
    ) throws -> SpawnedRun {
        try start(
            arguments, standardInput: standardInput, descriptors: descriptors, environment: environment,
            measure: measure
        ).wait(timeLimit: timeLimit)
    }

    /// - Parameters:
    ///   - standardInput: A descriptor of ours to hand over as fd 0;
    ///     /dev/null when nil.
    ///   - descriptors: Child descriptor number to a descriptor of ours.
    static func start(
        _ arguments: [String], standardInput: Int32? = nil, descriptors: [Int32: Int32] = [:],
        environment extra: [String: String] = [:], measure: Bool = false
    ) throws -> SpawnedProcess {
        let scratch = try TemporaryDirectory()
        let command = measure
            ? [timeCommand, "-f", "%M %U %S", "-o", scratch.file("cost"), CLI.binary.path] + arguments
            : [CLI.binary.path] + arguments

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, scratch.file("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, scratch.file("stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        for (child, ours) in descriptors {
            posix_spawn_file_actions_adddup2(&actions, ours, child)
        }

        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "TICKETCTL_KEY_FILE")
        environment.merge(extra) { $1 }
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        return SpawnedProcess(pid: pid, arguments: arguments, scratch: scratch, measured: measure)
    }
}

/// A started run of the binary, to signal or wait for.
final class SpawnedProcess {
    let pid: pid_t
    let arguments: [String]
    private let scratch: TemporaryDirectory
    private let measured: Bool
    private let started = Date()

    init(pid: pid_t, arguments: [String], scratch: TemporaryDirectory, measured: Bool) {
        self.pid = pid
        self.arguments = arguments
        self.scratch = scratch
        self.measured = measured
    }

    func wait(timeLimit: Double = 30) throws -> SpawnedRun {
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, WNOHANG) == 0 {
            if Date().timeIntervalSince(started) > timeLimit {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &waitStatus, 0)
                throw Spawn.TimedOut(arguments: arguments)
            }
            usleep(2_000)
        }
        let seconds = Date().timeIntervalSince(started)

        let termination = waitStatus & 0x7f
        // GNU time writes "%M %U %S" as the last line, after any note of its own.
        let cost = measured
            ? String(decoding: try readBytes(scratch.file("cost")), as: UTF8.self)
                .split(separator: "\n").last.map { $0.split(separator: " ").map(String.init) } ?? []
            : []
        return SpawnedRun(
            status: termination == 0 ? (waitStatus >> 8) & 0xff : nil,
            signal: termination == 0 ? nil : termination,
            stdout: try readBytes(scratch.file("stdout")), stderr: try readBytes(scratch.file("stderr")),
            seconds: seconds,
            cpuSeconds: cost.count == 3 ? (Double(cost[1]) ?? 0) + (Double(cost[2]) ?? 0) : nil,
            peakResidentKiB: cost.count == 3 ? Int(cost[0]) : nil)
    }
}

/// A pipe whose write end we fill and close, for a child to read from.
struct FilledPipe {
    let readEnd: Int32

    init(_ bytes: [UInt8]) throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
        // Close-on-exec, so that other children do not inherit it by accident.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // The whole content must fit in the pipe's 64 KiB, or this write
        // would block before the child is even started.
        guard bytes.count <= 64 * 1024 else {
            Glibc.close(ends[0])
            Glibc.close(ends[1])
            throw POSIXError(.EFBIG)
        }
        let written = bytes.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        Glibc.close(ends[1])
        guard written == bytes.count else { throw POSIXError(.EIO) }
        readEnd = ends[0]
    }

    /// Whatever the child left unread.
    func remaining() -> [UInt8] {
        _ = fcntl(readEnd, F_SETFL, O_NONBLOCK)
        var left: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if got <= 0 { return left }
            left += chunk[0..<got]
        }
    }

    func close() { _ = Glibc.close(readEnd) }
}
