import Foundation
import XCTest

/// The conformance cases copied from the reference implementation.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/conformance")

    static func store(_ name: String) -> String { root.appendingPathComponent("stores/\(name).store").path }
    /// A fixture key, as a private copy with mode 0600: git checks the keys
    /// out readable by all, and ticketctl warns about such key files.
    static func key(_ name: String) -> String { privateKeys + "/\(name).key" }

    private static let privateKeys: String = {
        var template = Array((NSTemporaryDirectory() + "/ticketctl-keys-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("cannot create a folder for the fixture keys") }
        let folder = String(cString: made)
        let keys = root.appendingPathComponent("keys")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: keys.path)) ?? [] {
            try? FileManager.default.copyItem(atPath: keys.appendingPathComponent(name).path, toPath: folder + "/" + name)
            chmod(folder + "/" + name, 0o600)
        }
        atexit { try? FileManager.default.removeItem(atPath: Fixtures.privateKeys) }
        return folder
    }()
    static func expected(_ name: String) -> URL { root.appendingPathComponent("expected/\(name).json") }

    struct Index: Decodable {
        let nowMs: UInt64
        let cases: [String]
        enum CodingKeys: String, CodingKey {
            case nowMs = "now_ms"
            case cases
        }
    }

    static func index() throws -> Index {
        try JSONDecoder().decode(Index.self, from: Data(contentsOf: root.appendingPathComponent("index.json")))
    }
}

/// What one run of the built binary did.
struct CLIResult {
    let status: Int32
    let stdout: Data
    let stderr: String
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

enum CLI {
    /// The `ticketctl` built beside the test bundle.
    static let binary: URL = {
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("ticketctl")
    }()

    /// Runs the built binary to completion.
    @discardableResult
    ///
    /// - Parameter launcher: a command that starts the binary, found on
    ///   PATH and given the binary's path as its next argument, such as
    ///   `setpriv` with its options, or `bash -c SCRIPT bash`.
    static func run(
        _ arguments: [String], in directory: String? = nil, stdin: Data? = nil,
        environment: [String: String] = [:], launcher: [String] = []
    ) throws -> CLIResult {
        let process = Process()
        if launcher.isEmpty {
            process.executableURL = binary
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = launcher + [binary.path] + arguments
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "TICKETCTL_KEY_FILE")
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // stderr goes to a file so that draining stdout alone cannot deadlock.
        let errorPath = NSTemporaryDirectory() + "/ticketctl-stderr-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        try errors.close()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorData = try Data(contentsOf: URL(fileURLWithPath: errorPath))
        return CLIResult(
            status: process.terminationStatus, stdout: outputData,
            stderr: String(decoding: errorData, as: UTF8.self))
    }
}

/// A private temporary folder, removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/ticketctl-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Copies a conformance store here with mode 0600, as git keeps no modes.
    func copyStore(_ name: String, as newName: String? = nil) throws -> String {
        let destination = file(newName ?? "\(name).store")
        try? FileManager.default.removeItem(atPath: destination)
        try FileManager.default.copyItem(atPath: Fixtures.store(name), toPath: destination)
        chmod(destination, 0o600)
        return destination
    }

    func write(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws -> String {
        let destination = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: destination))
        chmod(destination, mode)
        return destination
    }
}

func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Identity of a file on disk, to prove a failure left it alone.
struct FileFingerprint: Equatable {
    let bytes: [UInt8]
    let inode: UInt64
    let mode: UInt32
    let owner: UInt32
    let group: UInt32
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int

    init(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CocoaError(.fileReadNoSuchFile) }
        bytes = try readBytes(path)
        inode = UInt64(info.st_ino)
        mode = UInt32(info.st_mode)
        owner = UInt32(info.st_uid)
        group = UInt32(info.st_gid)
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
    }
}
