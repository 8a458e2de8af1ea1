import Foundation
import TicketKit
import XCTest

/// Several ticketctl writers at once, and a server that writes the store in
/// place without any lock: no change is ever silently lost.
final class RewriteConcurrencyTests: XCTestCase {
    struct RoundResult {
        var succeeded = 0
        var busy = 0
    }

    /// Starts `count` invalidate-identity runs at once, each removing its own
    /// identity, and checks the store against what each run reported.
    func concurrentRemovals(_ count: Int, wait: Bool) throws -> RoundResult {
        let directory = try TemporaryDirectory()
        let targets = (0..<count).map { Array("target-identity-\($0)".utf8) }
        // Enough other tickets (about 600 kB) that the runs overlap.
        let others = BuiltStore(count: 1_500, identityLength: 400) { _ in false }.tickets
        var tickets: [Ticket] = []
        for (index, ticket) in others.enumerated() {
            tickets.append(ticket)
            if index % 100 == 0 {
                var copy = ticket
                copy.identity = targets[(index / 100) % count]
                tickets.append(copy)
            }
        }
        let built = BuiltStore(tickets: tickets)
        let key = try built.writeKey(in: directory)
        let path = try directory.write("tickets.store", try built.sealed())

        let runs = try targets.map { identity in
            try Spawn.start(
                ["invalidate-identity", "--identity", Hex.encode(identity), "--key-file", key]
                    + (wait ? ["--wait", "120"] : []) + [path])
        }
        let results = try runs.map { try $0.wait(timeLimit: 180) }
        let endings = results.map(\.ending)

        let final = try ticketsOnDisk(path, key: try built.key)
        var removed: Set<[UInt8]> = []
        var result = RoundResult()
        for (index, ending) in endings.enumerated() {
            let label = "run \(index + 1) of \(count)\(wait ? " with --wait" : "")"
            let present = final.contains { $0.identity == targets[index] }
            switch ending {
            case .exited(0):
                result.succeeded += 1
                removed.insert(targets[index])
                XCTAssertFalse(present, "\(label) succeeded but its identity is still there")
            case .exited(75) where !wait:
                result.busy += 1
                XCTAssertTrue(present, "\(label) exited 75 but its identity is gone")
                XCTAssertTrue(results[index].log.contains("another ticketctl holds the store's lock"), results[index].log)
            default:
                XCTFail("\(label) ended \(ending): \(results[index].log)")
            }
        }
        XCTAssertEqual(final, tickets.filter { !removed.contains($0.identity) }, "other tickets were lost or reordered")
        XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [])
        return result
    }

    func testTwoConcurrentRemovalsWithWaitAllLand() throws {
        XCTAssertEqual(try concurrentRemovals(2, wait: true).succeeded, 2)
    }

    func testEightConcurrentRemovalsWithWaitAllLand() throws {
        XCTAssertEqual(try concurrentRemovals(8, wait: true).succeeded, 8)
    }

    func testConcurrentRemovalsWithoutWaitEitherLandOrExit75() throws {
        var total = RoundResult()
        for count in [2, 8, 2, 8, 8] {
            let round = try concurrentRemovals(count, wait: false)
            XCTAssertEqual(round.succeeded + round.busy, count)
            total.succeeded += round.succeeded
            total.busy += round.busy
        }
        XCTAssertGreaterThan(total.busy, 0, "no run ever met a busy lock, so the test proved nothing")
        print("rewrite concurrency: without --wait, \(total.succeeded) runs landed, \(total.busy) exited 75")
    }

    // MARK: A server that takes no lock

    /// The server's in-place write lands at each step between the read and
    /// the last check. Rotate must notice, exit 75, and leave the server's
    /// bytes. Half the cases write a store of the same size.
    func testAServerWriteAtEveryStepBeforeTheCheckIsKept() throws {
        let built = BuiltStore(count: 200, identityLength: 100) { $0 % 2 == 0 }
        let steps: [RewriteStep] = [.createTemporary, .changeOwner, .write, .sync, .verify]
        for step in steps {
            for sameSize in [true, false] {
                let directory = try TemporaryDirectory()
                let key = try built.writeKey(in: directory)
                let path = try directory.write("tickets.store", try built.sealed())
                let server = try built.sealed(sameSize ? built.tickets : Array(built.tickets.dropLast()))
                let label = "\(step)\(sameSize ? ", same size" : "")"

                let result = runInProcess(["rotate", "--backup", "--key-file", key, "--now", RewriteClock.now, path]) {
                    if $0 == step { rewriteInPlace(path, server) }
                    return 0
                }
                XCTAssertEqual(result.status, .temporaryFailure, "\(label): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains("the store changed on disk"), result.stderr)
                XCTAssertEqual(try readBytes(path), server, "\(label): the server's write was overwritten")
                XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [], label)
                XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".bak"), label)
            }
        }
    }

    /// A real server thread rewrites the store in place, over and over, while
    /// rotate runs back to back. Whatever the interleaving, the server's last
    /// write is in the final store.
    func testAServerRewritingInPlaceWhileRotateRunsKeepsItsLastWrite() throws {
        let directory = try TemporaryDirectory()
        let base = BuiltStore(count: 300, identityLength: 300) { $0 % 2 == 0 }
        let key = try base.writeKey(in: directory)
        let path = try directory.write("tickets.store", try base.sealed())
        let server = InPlaceServer(path: path, base: base)
        let done = DispatchSemaphore(value: 0)
        Thread {
            server.run(for: 3.0)
            done.signal()
        }.start()

        var statuses: [Int32: Int] = [:]
        while !server.finished {
            let result = try CLI.run(["rotate", "--key-file", key, "--now", RewriteClock.now, path])
            statuses[result.status, default: 0] += 1
            XCTAssertTrue([0, 65, 75].contains(result.status), result.stderr)
        }
        done.wait()

        let markers = try ticketsOnDisk(path, key: try base.key).filter { $0.identity.starts(with: InPlaceServer.marker) }
        XCTAssertEqual(markers.map(\.identity), [InPlaceServer.identity(server.lastGeneration)])
        XCTAssertGreaterThan(statuses[75, default: 0] + statuses[65, default: 0], 0, "rotate never met a server write")
        XCTAssertEqual(try temporaryFiles(in: directory.path, of: "tickets.store"), [])
        print("rewrite server test: \(server.lastGeneration) server writes, rotate exits \(statuses.sorted { $0.key < $1.key })")
    }
}

/// Stands in for a noxtls server: saves generation after generation of its
/// store by truncating the file and writing it again, taking no lock. Each
/// generation holds one unconsumed marker ticket naming it.
final class InPlaceServer: @unchecked Sendable {
    static let marker = Array("server-generation-".utf8)
    static func identity(_ generation: Int) -> [UInt8] { marker + Array(String(generation).utf8) }

    let path: String
    let base: BuiltStore
    private let lock = NSLock()
    private var generation = 0
    private var done = false

    init(path: String, base: BuiltStore) {
        self.path = path
        self.base = base
    }

    var lastGeneration: Int { lock.withLock { generation } }
    var finished: Bool { lock.withLock { done } }

    func run(for seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        var current = 0
        while Date() < end {
            current += 1
            var marker = base.tickets[1]
            marker.identity = Self.identity(current)
            if let bytes = try? base.sealed(base.tickets + [marker]) {
                rewriteInPlace(path, bytes)
            }
            lock.withLock { generation = current }
            usleep(UInt32.random(in: 1_000...8_000))
        }
        lock.withLock { done = true }
    }
}
