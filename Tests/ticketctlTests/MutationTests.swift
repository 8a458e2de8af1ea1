import Foundation
import TicketKit
import XCTest

/// Mutated valid stores: each either opens to a valid store or is refused
/// with a `TicketError` of exit status 65, and a refused file is left
/// exactly as it was. Raw file mutations exercise the envelope; payload
/// mutations, sealed properly under both seals, get past authentication and
/// exercise the decoder.
final class MutationTests: XCTestCase {
    /// Fixed, so that a failure names a case that can be replayed.
    let seed: UInt64 = 0x7469_636b_6574_6374
    let keyPath = Fixtures.key("text")
    let bases = [
        "basic-standard", "basic-legacy", "payload-v1-standard", "payload-v1-legacy",
        "expiry-boundaries", "over-capacity", "zero-capacity", "empty-standard",
    ]

    func key() throws -> StoreKey {
        try readBytes(keyPath).withUnsafeBytes { try StoreKey(material: $0) }
    }

    /// The decrypted payload of a conformance store.
    func payload(of name: String, key: StoreKey) throws -> (bytes: [UInt8], seal: SealKind) {
        let file = try readBytes(Fixtures.store(name))
        let opened = try file.withUnsafeBytes { try Envelope.open($0, key: key) }
        return (opened.payload.withUnsafeBytes { Array($0) }, opened.seal)
    }

    func testTenThousandMutationsOpenOrAreRefusedWith65InProcess() throws {
        let key = try key()
        let directory = try TemporaryDirectory()
        let path = directory.file("mutated.store")
        var mutator = Mutator(seed: seed)
        var tally = Tally()
        let rawPerBase = 500, payloadPerBase = 400

        for name in bases {
            let original = try directory.copyStore(name)
            let pristine = try FileFingerprint(original)
            let file = try readBytes(original)
            let (payload, seal) = try self.payload(of: name, key: key)

            for index in 0..<rawPerBase {
                let mutated = mutator.mutate(file)
                try check(mutated, at: path, key: key, rewrite: index % 25 == 0, tally: &tally, label: "\(name) raw #\(index)")
            }
            for index in 0..<payloadPerBase {
                let mutatedPayload = mutator.mutate(payload)
                guard mutatedPayload.count <= Payload.maximumSize else { continue }
                for sealKind in SealKind.allCases {
                    let mutated = mutatedPayload.withUnsafeBytes { Envelope.seal($0, key: key, as: sealKind) }
                    try check(
                        mutated, at: path, key: key, rewrite: index % 25 == 0, tally: &tally,
                        label: "\(name) payload #\(index) as \(sealKind.rawValue)")
                    tally.seals.insert(sealKind)
                }
            }
            tally.seals.insert(seal)
            XCTAssertEqual(try FileFingerprint(original), pristine, "\(name): the original changed")
        }

        XCTAssertGreaterThanOrEqual(tally.cases, 10_000)
        XCTAssertEqual(tally.seals, Set(SealKind.allCases))
        XCTAssertGreaterThan(tally.opened, 100, "payload mutations should often still decode")
        XCTAssertGreaterThan(tally.refused, 5_000)
        XCTAssertGreaterThan(tally.refusedAfterAuthentication, 100, "the decoder should see bad payloads")
        XCTAssertLessThan(tally.slowestSeconds, 0.5, "one case took \(tally.slowestSeconds) s")
    }

    /// Writes `mutated` to `path` and opens it. With `rewrite`, goes through
    /// the writing path instead, asking for a change of seal so that an
    /// opened store is really rewritten.
    private func check(
        _ mutated: [UInt8], at path: String, key: StoreKey, rewrite: Bool, tally: inout Tally, label: String
    ) throws {
        try TemporaryDirectory.overwrite(path, with: mutated)
        let before = try FileFingerprint(path)
        let started = Date()
        defer { tally.slowestSeconds = max(tally.slowestSeconds, Date().timeIntervalSince(started)) }
        tally.cases += 1
        do {
            let store: TicketStore
            if rewrite {
                let outcome = try StoreRewriter().rewrite(path, key: key) { opened in
                    Replacement(store: opened.store, seal: opened.seal == .standard ? .noxtls01 : .standard, key: key)
                }
                XCTAssertTrue(outcome.written, label)
                store = try StoreFile.open(path, key: key).store
                XCTAssertEqual(store.tickets, outcome.opened.store.tickets, label)
            } else {
                store = try StoreFile.open(path, key: key).store
            }
            assertValid(store, label: label)
            tally.opened += 1
        } catch let error as TicketError {
            XCTAssertEqual(error.exitStatus, .dataError, "\(label): \(error)")
            XCTAssertEqual(try FileFingerprint(path), before, "\(label): a refused file changed")
            tally.refused += 1
            if case .malformedPayload = error { tally.refusedAfterAuthentication += 1 }
        }
    }

    /// A store that opened must be one that ticketctl can write and read back.
    private func assertValid(_ store: TicketStore, label: String) {
        XCTAssertLessThanOrEqual(store.tickets.count, Int(store.maxEntries), label)
        do {
            let encoded = try Payload.encode(store)
            let again = try encoded.withUnsafeBytes { try Payload.decode($0) }
            XCTAssertEqual(again.tickets, store.tickets, label)
            XCTAssertEqual(again.maxEntries, store.maxEntries, label)
        } catch {
            XCTFail("\(label): an opened store does not round-trip: \(error)")
        }
    }

    func testThreeHundredMutationsThroughTheBinary() throws {
        let key = try key()
        let directory = try TemporaryDirectory()
        // A private copy: git checks the fixture key out readable by all,
        // which ticketctl rightly warns about on stderr.
        let keyPath = try directory.write("text.key", readBytes(self.keyPath))
        var mutator = Mutator(seed: seed ^ 0xb1)
        var opened = 0, refused = 0
        let rounds = 150

        for index in 0..<rounds {
            let name = bases[index % bases.count]
            let (payload, _) = try self.payload(of: name, key: key)
            let sealKind = SealKind.allCases[index % 2]
            // Alternate raw file mutations with properly sealed bad payloads.
            let raw = try readBytes(Fixtures.store(name))
            let cases = [
                mutator.mutate(raw),
                mutator.mutate(payload).withUnsafeBytes { Envelope.seal($0, key: key, as: sealKind) },
            ]
            for (kind, mutated) in cases.enumerated() {
                let label = "\(name) #\(index).\(kind)"
                let path = try directory.write("case-\(index)-\(kind).store", mutated)
                let before = try FileFingerprint(path)
                let run = try Spawn.run(
                    ["rotate", "--key-file", keyPath, "--now", "0", "--seal", sealKind == .standard ? "noxtls-0.1" : "standard", path],
                    timeLimit: 10)
                XCTAssertNil(run.signal, "\(label): killed by signal")
                switch run.status {
                case 0:
                    opened += 1
                    assertValid(try StoreFile.open(path, key: key).store, label: label)
                case 65:
                    refused += 1
                    XCTAssertEqual(try FileFingerprint(path), before, "\(label): a refused file changed")
                    XCTAssertEqual(run.stdoutText, "", label)
                    XCTAssertTrue(run.stderrText.hasPrefix("ticketctl: error: \(path): "), "\(label): \(run.stderrText)")
                default:
                    XCTFail("\(label): exit \(String(describing: run.status)): \(run.stderrText)")
                }
            }
        }
        XCTAssertEqual(opened + refused, 2 * rounds)
        XCTAssertGreaterThan(opened, 0)
        XCTAssertGreaterThan(refused, rounds)
    }
}

private struct Tally {
    var cases = 0
    var opened = 0
    var refused = 0
    var refusedAfterAuthentication = 0
    var seals: Set<SealKind> = []
    var slowestSeconds = 0.0
}

/// Deterministic mutations: bit flips, truncations, insertions, deletions
/// and boundary values written over fields.
struct Mutator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        bound <= 1 ? 0 : Int(next() % UInt64(bound))
    }

    mutating func mutate(_ original: [UInt8]) -> [UInt8] {
        var bytes = original
        guard !bytes.isEmpty else { return [UInt8(truncatingIfNeeded: next())] }
        switch below(5) {
        case 0:
            for _ in 0...below(8) where !bytes.isEmpty {
                bytes[below(bytes.count)] ^= 1 << UInt8(below(8))
            }
        case 1:
            bytes.removeLast(1 + below(bytes.count))
        case 2:
            let inserted = (0...below(16)).map { _ in UInt8(truncatingIfNeeded: next()) }
            bytes.insert(contentsOf: inserted, at: below(bytes.count + 1))
        case 3:
            let start = below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(8)))
        default:
            let boundaries: [[UInt8]] = [[0], [1], [0xff], [0x80], [0xff, 0xff], [0x10, 0x00], [0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [0, 0, 0x40, 0x01]]
            let value = boundaries[below(boundaries.count)]
            let start = below(max(bytes.count - value.count + 1, 1))
            for (offset, byte) in value.enumerated() where start + offset < bytes.count {
                bytes[start + offset] = byte
            }
        }
        return bytes
    }
}

extension TemporaryDirectory {
    /// Replaces the contents of `path` in place, mode 0600.
    static func overwrite(_ path: String, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
    }
}
