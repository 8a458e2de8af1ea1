import Foundation
import TicketKit
import XCTest

/// Every case the reference implementation produced or judged, run through
/// the built binary on a private copy of the store.
final class ConformanceTests: XCTestCase {
    struct Expected: Decodable {
        let key: String
        let outcome: String
        let seal: String?
        let payloadVersion: UInt8?
        let maxEntries: UInt32?
        let tickets: [TicketRecord]?
        let operations: [Operation]?
        let reason: String?

        enum CodingKeys: String, CodingKey {
            case key, outcome, seal, tickets, operations, reason
            case payloadVersion = "payload_version"
            case maxEntries = "max_entries"
        }
    }

    struct Operation: Decodable {
        let op: String
        let arg: String
        let removed: Int
        let ticketsAfter: [TicketRecord]

        enum CodingKeys: String, CodingKey {
            case op, arg, removed
            case ticketsAfter = "tickets_after"
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            op = try container.decode(String.self, forKey: .op)
            if let number = try? container.decode(UInt64.self, forKey: .arg) {
                arg = String(number)
            } else {
                arg = try container.decode(String.self, forKey: .arg)
            }
            removed = try container.decode(Int.self, forKey: .removed)
            ticketsAfter = try container.decode([TicketRecord].self, forKey: .ticketsAfter)
        }
    }

    func expected(_ name: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Fixtures.expected(name)))
    }

    func keyPath(_ expected: Expected) -> String {
        Fixtures.key(URL(fileURLWithPath: expected.key).deletingPathExtension().lastPathComponent)
    }

    func dump(_ path: String, key: String, now: UInt64) throws -> StoreDocument {
        let result = try CLI.run(["dump-json", "--key-file", key, "--now", String(now), path])
        XCTAssertEqual(result.status, 0, "dump-json \(path): \(result.stderr)")
        return try JSONDecoder().decode(StoreDocument.self, from: result.stdout)
    }

    func testEveryCaseIsCovered() throws {
        let index = try Fixtures.index()
        XCTAssertEqual(index.cases.count, 30)
        let accepted = try index.cases.filter { try expected($0).outcome == "accept" }
        XCTAssertEqual(accepted.count, 13)
    }

    func testAcceptedStoresDumpExactlyTheirExpectedContents() throws {
        let index = try Fixtures.index()
        let directory = try TemporaryDirectory()
        for name in index.cases {
            let expected = try expected(name)
            guard expected.outcome == "accept" else { continue }
            let path = try directory.copyStore(name)
            let document = try dump(path, key: keyPath(expected), now: index.nowMs)
            XCTAssertEqual(document.seal?.rawValue, expected.seal, name)
            XCTAssertEqual(document.payloadVersion, expected.payloadVersion, name)
            XCTAssertEqual(document.maxEntries, expected.maxEntries, name)
            XCTAssertEqual(document.ticketCount, expected.tickets?.count, name)
            XCTAssertEqual(document.tickets.map(\.withoutExpiry), expected.tickets, name)
            XCTAssertEqual(document.nowMs, index.nowMs, name)
        }
    }

    func testEveryExpectedOperationLeavesExactlyTheExpectedTickets() throws {
        let index = try Fixtures.index()
        let directory = try TemporaryDirectory()
        var operationsRun = 0
        for name in index.cases {
            let expected = try expected(name)
            for (number, operation) in (expected.operations ?? []).enumerated() {
                let path = try directory.copyStore(name, as: "\(name)-\(number).store")
                let original = try readBytes(path)
                let key = keyPath(expected)
                let arguments: [String]
                switch operation.op {
                case "rotate", "expire": arguments = [operation.op, "--now", operation.arg]
                case "invalidate": arguments = ["invalidate-identity", "--identity", operation.arg]
                default: XCTFail("unknown operation \(operation.op)"); continue
                }
                let result = try CLI.run(arguments + ["--key-file", key, "--json", path])
                XCTAssertEqual(result.status, 0, "\(name) \(operation.op): \(result.stderr)")
                let report = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]]
                let removed = report?.first?["removed"] as? [String: Int]
                XCTAssertEqual(removed?.values.reduce(0, +), operation.removed, "\(name) \(operation.op)")

                let after = try dump(path, key: key, now: index.nowMs)
                XCTAssertEqual(after.tickets.map(\.withoutExpiry), operation.ticketsAfter, "\(name) \(operation.op)")
                XCTAssertEqual(after.seal?.rawValue, expected.seal, "\(name) \(operation.op) kept its seal")
                if operation.removed == 0 {
                    XCTAssertEqual(try readBytes(path), original, "\(name) \(operation.op) changed nothing")
                }
                operationsRun += 1
            }
        }
        XCTAssertEqual(operationsRun, 12)
    }

    func testRejectedStoresExit65WithNothingOnStdoutAndStayUnchanged() throws {
        let index = try Fixtures.index()
        let directory = try TemporaryDirectory()
        var rejected = 0
        // Unlike every fixture key: not empty, not ending in a newline.
        let newKey = try directory.write("new.key", Array("a new key for re-key".utf8))
        for name in index.cases {
            let expected = try expected(name)
            guard expected.outcome == "reject" else { continue }
            rejected += 1
            let path = try directory.copyStore(name)
            let before = try FileFingerprint(path)
            let key = keyPath(expected)
            let commands: [[String]] = [
                ["dump-json"], ["inspect"], ["rotate"], ["expire"],
                ["invalidate-identity", "--identity", "00"], ["re-key", "--new-key-file", newKey],
            ]
            for command in commands {
                let result = try CLI.run(command + ["--key-file", key, path])
                XCTAssertEqual(result.status, 65, "\(name) \(command[0]): \(result.stderr)")
                XCTAssertTrue(result.stdout.isEmpty, "\(name) \(command[0]) printed \(result.stdoutText)")
                XCTAssertTrue(result.stderr.hasPrefix("ticketctl: error: "), "\(name): \(result.stderr)")
                let subject = expected.reason == "empty key" ? key : path
                XCTAssertTrue(result.stderr.contains(subject), "\(name) error names \(subject): \(result.stderr)")
                XCTAssertEqual(try FileFingerprint(path), before, "\(name) \(command[0]) left the file alone")
            }
            let message = try CLI.run(["inspect", "--key-file", key, path]).stderr
            switch expected.reason {
            case "authentication": XCTAssertTrue(message.contains("authentication failed"), message)
            case "malformed envelope": XCTAssertTrue(message.contains("malformed envelope"), message)
            case "malformed payload": XCTAssertTrue(message.contains("malformed payload"), message)
            case "empty key": XCTAssertTrue(message.contains("key is empty"), message)
            default: XCTFail("unknown reason \(expected.reason ?? "nil") in \(name)")
            }
        }
        XCTAssertEqual(rejected, 17)
    }
}

extension TicketRecord {
    /// The reference reports tickets without the dump's derived `expired`.
    var withoutExpiry: TicketRecord {
        var copy = self
        copy.expired = nil
        return copy
    }
}
