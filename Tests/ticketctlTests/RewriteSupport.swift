import Foundation
import TicketKit
import XCTest

@testable import ticketctl

/// A store built in the test from tickets the test chose, so that what a
/// rewrite should leave is known without asking ticketctl.
struct BuiltStore {
    let tickets: [Ticket]
    let maxEntries: UInt32
    let keyMaterial: [UInt8]

    /// `count` tickets with identities of `identityLength` bytes; the
    /// tickets for which `consumed` says so are marked consumed. Lifetimes
    /// are long, so nothing expires at `RewriteClock.now`.
    init(count: Int, identityLength: Int, key: String = "rewrite test key", consumed: (Int) -> Bool) {
        var generator = SystemRandomNumberGenerator()
        tickets = (0..<count).map { index in
            var identity = Array("identity-\(index)-".utf8)
            identity += (identity.count..<max(identityLength, identity.count)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            return Ticket(
                identity: identity, ticketNonce: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) },
                obfuscatedTicketAge: UInt32(index), ageAdd: UInt32.random(in: 0...UInt32.max, using: &generator),
                issuedAtMs: RewriteClock.issuedMs, lifetimeMs: 7 * 24 * 3_600_000, maxEarlyDataSize: 0,
                consumed: consumed(index))
        }
        maxEntries = UInt32(Payload.maximumEntries)
        keyMaterial = Array(key.utf8)
    }

    init(tickets: [Ticket], key: String = "rewrite test key") {
        self.tickets = tickets
        maxEntries = UInt32(Payload.maximumEntries)
        keyMaterial = Array(key.utf8)
    }

    var key: StoreKey {
        get throws { try keyMaterial.withUnsafeBytes { try StoreKey(material: $0) } }
    }

    func payload(of tickets: [Ticket]) throws -> [UInt8] {
        try Payload.encode(TicketStore(maxEntries: maxEntries, tickets: tickets))
    }

    /// The payload as built.
    var oldPayload: [UInt8] { get throws { try payload(of: tickets) } }
    /// The payload rotate must leave: the unconsumed tickets, in order.
    var rotatedPayload: [UInt8] { get throws { try payload(of: tickets.filter { !$0.consumed }) } }

    func sealed(_ tickets: [Ticket]? = nil, as seal: SealKind = .standard) throws -> [UInt8] {
        let payload = try payload(of: tickets ?? self.tickets)
        let key = try self.key
        return payload.withUnsafeBytes { Envelope.seal($0, key: key, as: seal) }
    }

    /// Writes the key file beside the stores.
    func writeKey(in directory: TemporaryDirectory, name: String = "store.key") throws -> String {
        try directory.write(name, keyMaterial)
    }
}

enum RewriteClock {
    static let issuedMs: UInt64 = 1_764_800_000_000
    static let now = String(issuedMs + 60_000)
}

/// Opens the file at `path` with `key` and returns its decrypted payload.
func payloadOnDisk(_ path: String, key: StoreKey) throws -> [UInt8] {
    let bytes = try readBytes(path)
    let (payload, _) = try bytes.withUnsafeBytes { try Envelope.open($0, key: key) }
    return payload.withUnsafeBytes { [UInt8]($0) }
}

func ticketsOnDisk(_ path: String, key: StoreKey) throws -> [Ticket] {
    try payloadOnDisk(path, key: key).withUnsafeBytes { try Payload.decode($0) }.tickets
}

/// Temporary files of ticketctl beside the store named `name` in `directory`.
func temporaryFiles(in directory: String, of name: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasPrefix(".\(name).ticketctl-") && $0.hasSuffix(".tmp") }
        .sorted()
}

/// Writes `bytes` over the file at `path` in place, as the noxtls reference
/// server saves its store: open with truncation, then write.
func rewriteInPlace(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_TRUNC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    var offset = 0
    bytes.withUnsafeBytes { buffer in
        while offset < buffer.count {
            let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

/// One run of ticketctl inside the test process, with the fault seam.
struct InProcessResult {
    let status: ExitStatus
    let stdout: String
    let stderr: String
}

func runInProcess(
    _ arguments: [String], injectFault: (@Sendable (RewriteStep) -> Int32)? = nil
) -> InProcessResult {
    let output = OutputSink()
    let errors = OutputSink()
    let status = Ticketctl.run(
        arguments, environment: [:], output: output, errors: errors, injectFault: injectFault)
    return InProcessResult(status: status, stdout: output.text, stderr: errors.text)
}

/// Owner, group, mode and inode of a path, not following a final symlink.
func linkStatus(_ path: String) throws -> stat {
    var info = stat()
    guard lstat(path, &info) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    return info
}

/// Asserts that the file at `path` is still `before` (bytes, inode, mode,
/// owner, group, mtime), naming only the fields that differ.
func assertUnchanged(
    _ path: String, _ before: FileFingerprint, _ label: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    guard let after = try? FileFingerprint(path) else {
        XCTFail("\(label): \(path) is gone", file: file, line: line)
        return
    }
    var differences: [String] = []
    if after.bytes != before.bytes { differences.append("bytes (\(before.bytes.count) -> \(after.bytes.count))") }
    if after.inode != before.inode { differences.append("inode") }
    if after.mode != before.mode { differences.append("mode") }
    if after.owner != before.owner || after.group != before.group { differences.append("owner") }
    if after.modifiedSeconds != before.modifiedSeconds || after.modifiedNanoseconds != before.modifiedNanoseconds {
        differences.append("mtime")
    }
    XCTAssertTrue(differences.isEmpty, "\(label): changed \(differences.joined(separator: ", "))", file: file, line: line)
}
