import Foundation
@testable import TicketKit
import XCTest

/// Every failing path, and a few succeeding ones, run with a distinctive
/// marker key: neither the key material nor the keys derived from it (the
/// AES key and the GHASH key H) may appear in stdout or stderr, raw, in hex
/// or in base64, whole or in part.
final class SecretLeakTests: XCTestCase {
    let marker = Array("QZX7-marker-key-do-not-print-8c31e5".utf8)

    /// Every 8-byte piece of each secret, as raw text, lowercase hex,
    /// uppercase hex; and each secret whole in base64.
    func needles() throws -> [[UInt8]] {
        let key = try marker.withUnsafeBytes { try StoreKey(material: $0) }
        let secrets = [marker, key.aesKey.withUnsafeBytes { Array($0) }, key.ghashKey.withUnsafeBytes { Array($0) }]
        var needles: [[UInt8]] = []
        for secret in secrets {
            for start in 0...(secret.count - 8) {
                let piece = Array(secret[start..<start + 8])
                let hex = piece.map { String(format: "%02x", $0) }.joined()
                needles += [piece, Array(hex.utf8), Array(hex.uppercased().utf8)]
            }
            needles.append(Array(Data(secret).base64EncodedString().utf8))
        }
        return needles
    }

    struct Case {
        let arguments: [String]
        let status: Int32
        var standardInput: [UInt8]? = nil
        var keyDescriptor: [UInt8]? = nil
        var environment: [String: String] = [:]
    }

    func testNoSecretAppearsInAnyOutputOrError() throws {
        let needles = try needles()
        let directory = try TemporaryDirectory()
        let cases = try makeCases(in: directory)
        XCTAssertGreaterThan(cases.count, 100)
        var statuses: Set<Int32> = []

        for (index, testCase) in cases.enumerated() {
            let label = "#\(index) ticketctl \(testCase.arguments.joined(separator: " "))"
            // Standard input is a file, so that it may hold more than a pipe.
            let input = try testCase.standardInput.map { bytes in
                open(try directory.write("stdin-\(index)", bytes), O_RDONLY | O_CLOEXEC)
            }
            let descriptor = try testCase.keyDescriptor.map(FilledPipe.init)
            defer {
                input.map { _ = close($0) }
                descriptor?.close()
            }
            let run = try Spawn.run(
                testCase.arguments, standardInput: input,
                descriptors: descriptor.map { [3: $0.readEnd] } ?? [:], environment: testCase.environment,
                timeLimit: 10)
            XCTAssertEqual(run.status, testCase.status, "\(label): \(run.stderrText)")
            statuses.insert(run.status ?? -1)
            for stream in [run.stdout, run.stderr] {
                for needle in needles where stream.contains(needle) {
                    XCTFail("\(label): a secret appears in its output: \(String(decoding: needle, as: UTF8.self))")
                }
            }
        }
        XCTAssertEqual(statuses, [0, 64, 65, 66, 73])
    }

    func makeCases(in directory: TemporaryDirectory) throws -> [Case] {
        let markerKey = try directory.write("marker.key", marker)
        let looseKey = try directory.write("loose-marker.key", marker, mode: 0o644)
        let hugeKey = try directory.write(
            "huge-marker.key", Array(repeating: marker, count: 70 * 1024 / marker.count + 1).flatMap { $0 })
        let textKey = try directory.write("text.key", readBytes(Fixtures.key("text")))
        let emptyKey = try directory.write("empty.key", [])
        let key = try marker.withUnsafeBytes { try StoreKey(material: $0) }
        let text = try readBytes(textKey).withUnsafeBytes { try StoreKey(material: $0) }

        func payload(_ name: String) throws -> [UInt8] {
            let file = try readBytes(Fixtures.store(name))
            return try file.withUnsafeBytes { try Envelope.open($0, key: text) }.payload.withUnsafeBytes { Array($0) }
        }
        func sealedWithMarker(_ name: String, _ seal: SealKind) throws -> String {
            let file = try payload(name).withUnsafeBytes { Envelope.seal($0, key: key, as: seal) }
            return try directory.write("marker-\(name)-\(seal.rawValue).store", file)
        }

        let readers: [[String]] = [["inspect"], ["inspect", "--json"], ["dump-json"], ["dump-json", "--lines"]]
        let writers: [[String]] = [
            ["rotate"], ["expire", "--json"], ["invalidate-identity", "--identity", "00"],
            ["re-key", "--new-key-file", textKey], ["rotate", "--dry-run", "--seal", "standard"],
        ]
        var cases: [Case] = []

        // Wrong key: stores sealed under the text key, opened with the marker,
        // from a file, a loose file, standard input, a descriptor, the environment.
        for name in ["basic-standard", "basic-legacy", "many-legacy"] {
            let store = try directory.copyStore(name)
            for command in readers + writers {
                cases.append(Case(arguments: command + ["--key-file", markerKey, store], status: 65))
            }
            cases.append(Case(arguments: ["inspect", "--key-file", looseKey, store], status: 65))
            cases.append(Case(arguments: ["dump-json", "--key-file", "-", store], status: 65, standardInput: marker))
            cases.append(Case(arguments: ["rotate", "--key-fd", "3", store], status: 65, keyDescriptor: marker))
            cases.append(Case(arguments: ["expire", store], status: 65, environment: ["TICKETCTL_KEY_FILE": markerKey]))
            cases.append(Case(
                arguments: ["re-key", "--key-file", textKey, "--new-key-fd", "3", "--seal", "noxtls-0.1", "--dry-run", store],
                status: 0, keyDescriptor: marker))
        }

        // Malformed envelopes, whatever the key.
        for name in ["short-file", "bad-magic", "envelope-v2", "trailing-byte", "flipped-tag", "flipped-ciphertext"] {
            let store = try directory.copyStore(name)
            for command in [["inspect"], ["dump-json"], ["rotate"]] {
                cases.append(Case(arguments: command + ["--key-file", markerKey, store], status: 65))
            }
        }

        // Bad payloads sealed under the marker, so they pass authentication.
        for name in [
            "payload-bad-magic", "payload-v3", "payload-truncated", "payload-trailing", "payload-too-many",
            "identity-too-long", "bad-consumed-flag", "payload-tiny",
        ] {
            for seal in SealKind.allCases {
                let store = try sealedWithMarker(name, seal)
                for command in [["inspect"], ["dump-json"], ["invalidate-identity", "--identity", "00"]] {
                    cases.append(Case(arguments: command + ["--key-file", markerKey, store], status: 65))
                }
            }
        }

        // Valid stores under the marker: success, and refusals that come later.
        for seal in SealKind.allCases {
            let store = try sealedWithMarker("basic-standard", seal)
            for command in readers + [["inspect", "--tickets"], ["rotate", "--dry-run", "--json", "--now", "0"]] {
                cases.append(Case(arguments: command + ["--key-file", markerKey, store], status: 0))
            }
            cases += [
                Case(arguments: ["re-key", "--key-file", markerKey, "--new-key-file", markerKey, store], status: 65),
                Case(arguments: ["re-key", "--key-file", markerKey, "--new-key-file", emptyKey, store], status: 65),
                Case(arguments: ["re-key", "--key-file", textKey, "--new-key-file", markerKey, store], status: 65),
                Case(arguments: ["re-key", "--key-fd", "3", "--new-key-file", markerKey, store], status: 65, keyDescriptor: marker),
            ]
            let linked = directory.file("linked-\(seal.rawValue).store")
            XCTAssertEqual(link(store, linked), 0)
            cases.append(Case(arguments: ["rotate", "--seal", "standard", "--key-file", markerKey, linked], status: 73))
        }

        // Missing and unusable files, and a key too long to be one.
        let store = try sealedWithMarker("basic-legacy", .noxtls01)
        let missing = directory.file("missing.store")
        let folder = directory.file("folder")
        XCTAssertEqual(mkdir(folder, 0o700), 0)
        let fifo = directory.file("fifo.store")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for path in [missing, folder, fifo, "/dev/zero"] {
            cases.append(Case(arguments: ["inspect", "--key-file", markerKey, path], status: 66))
            cases.append(Case(arguments: ["re-key", "--key-fd", "3", "--new-key-file", textKey, path], status: 66, keyDescriptor: marker))
        }
        cases += [
            Case(arguments: ["inspect", "--key-file", directory.file("missing.key"), store], status: 66),
            Case(arguments: ["inspect", "--key-file", hugeKey, store], status: 65),
            Case(arguments: ["dump-json", "--key-file", "-", store], status: 65, standardInput: Array(repeating: 0x51, count: 70_000)),
            Case(arguments: ["inspect", "--key-fd", "57", store], status: 66),
        ]

        // Usage errors, with the marker key at hand on a file and a descriptor.
        for arguments in [
            ["inspect", "--key-file", markerKey, "--now", "yesterday", store],
            ["rotate", "--key-file", markerKey, "--seal", "bogus", store],
            ["rotate", "--key-fd", "3", "--wait", "forever", store],
            ["inspect", "--key", markerKey, store],
            ["inspect", "--key-fd", "three", store],
            ["inspect", "--key-fd", "3", "--key-file", markerKey, store],
            ["dump-json", "--key-file", markerKey, store, store],
            ["inspect", "--key-file", markerKey],
            ["re-key", "--key-file", markerKey, store],
            ["re-key", "--key-fd", "3", "--new-key-fd", "3", store],
            ["rotat", "--key-file", markerKey, store],
        ] {
            cases.append(Case(arguments: arguments, status: 64, keyDescriptor: marker))
        }
        return cases
    }
}
