import Foundation
import TicketKit
import XCTest

/// Kills `ticketctl rotate` at random moments on a multi-megabyte store and
/// checks that the store is always whole: the old contents or the new ones.
final class RewriteKillTests: XCTestCase {
    /// About 2.6 MB: 3,000 tickets with 800-byte identities, every other
    /// one consumed, so that rotate rewrites about half of it.
    static let store = BuiltStore(count: 3_000, identityLength: 800) { $0 % 2 == 0 }

    struct Setup {
        let directory: TemporaryDirectory
        let path: String
        let keyPath: String
        let original: [UInt8]
        let key: StoreKey
        let oldPayload: [UInt8]
        let newPayload: [UInt8]

        init() throws {
            directory = try TemporaryDirectory()
            path = directory.file("tickets.store")
            keyPath = try RewriteKillTests.store.writeKey(in: directory)
            original = try RewriteKillTests.store.sealed()
            key = try RewriteKillTests.store.key
            oldPayload = try RewriteKillTests.store.oldPayload
            newPayload = try RewriteKillTests.store.rotatedPayload
        }

        /// Puts the original store back, as a fresh file, and drops any backup.
        func restore() throws {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + ".bak")
            _ = try directory.write("tickets.store", original)
        }

        func rotateArguments(backup: Bool) -> [String] {
            ["rotate", "--key-file", keyPath, "--now", RewriteClock.now] + (backup ? ["--backup"] : []) + [path]
        }

        func leftovers() throws -> [String] {
            try temporaryFiles(in: directory.path, of: "tickets.store")
        }

        /// The whole-store check: it opens, and holds old or new contents.
        func contents() throws -> String {
            let payload = try payloadOnDisk(path, key: key)
            if payload == oldPayload { return "old" }
            if payload == newPayload { return "new" }
            return "neither"
        }
    }

    /// How long one uninterrupted rotate takes here, start to exit.
    func measureRotate(_ setup: Setup) throws -> Double {
        var durations: [Double] = []
        for _ in 0..<3 {
            try setup.restore()
            let start = Date()
            let result = try CLI.run(setup.rotateArguments(backup: false))
            durations.append(Date().timeIntervalSince(start))
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(try setup.contents(), "new")
        }
        return durations.sorted()[1]
    }

    func testSIGKILLAtRandomMomentsLeavesTheOldOrTheNewStoreAndTheNextRunCleansUp() throws {
        let setup = try Setup()
        XCTAssertGreaterThan(setup.original.count, 2_000_000)
        let duration = try measureRotate(setup)

        // The delay's upper bound adapts: a run that ended before its kill
        // shrinks it, a kill stretches it a little. It settles where about
        // four in five runs are killed, whatever this machine's speed.
        var upperBound = duration * 1.1
        var kills = 0, attempts = 0
        var found: [String: Int] = [:]
        var leftoversSeen = 0, nextRuns = 0
        while kills < 200 && attempts < 400 {
            attempts += 1
            try setup.restore()
            let backup = attempts % 3 == 0
            let run = try Spawn.start(setup.rotateArguments(backup: backup))
            usleep(UInt32(Double.random(in: 0...upperBound) * 1_000_000))
            kill(run.pid, SIGKILL)
            let result = try run.wait()
            guard result.ending == .signalled(SIGKILL) else {
                XCTAssertEqual(result.ending, .exited(0), result.log)
                XCTAssertEqual(try setup.contents(), "new", "a run that ended by itself")
                upperBound = max(upperBound * 0.9, 0.001)
                continue
            }
            kills += 1
            upperBound *= 1.03

            let contents = try setup.contents()
            XCTAssertNotEqual(contents, "neither", "kill \(kills) left a store with other contents")
            found[contents, default: 0] += 1
            // A full next run costs as much as a rotate, so every kill is
            // checked for a whole store but only some get a next run: the
            // first 30 that left a temporary file, and every 20th kill.
            let leftovers = try setup.leftovers()
            leftoversSeen += leftovers.isEmpty ? 0 : 1
            guard (!leftovers.isEmpty && leftoversSeen <= 30) || kills % 20 == 0 else { continue }
            nextRuns += 1

            let next = try CLI.run(setup.rotateArguments(backup: backup))
            XCTAssertEqual(next.status, 0, next.stderr)
            XCTAssertEqual(try setup.leftovers(), [], "a leftover survived the next run")
            XCTAssertEqual(try setup.contents(), "new")
            for leftover in leftovers {
                XCTAssertTrue(next.stderr.contains("removed \(leftover)"), next.stderr)
            }
        }

        XCTAssertGreaterThanOrEqual(kills, 200, "only \(kills) of \(attempts) runs were killed before they ended")
        // The kills must land while the work is under way, not only before
        // it starts: many of them while the temporary file exists.
        XCTAssertGreaterThanOrEqual(leftoversSeen, 20, "too few kills landed while the new file was being written")
        print(
            "rewrite kill test: store \(setup.original.count) bytes, rotate \(Int(duration * 1000)) ms,"
                + " \(kills) kills in \(attempts) runs, old \(found["old", default: 0]),"
                + " new \(found["new", default: 0]), temporary file left by \(leftoversSeen),"
                + " next runs checked \(nextRuns)")
    }

    /// SIGTERM, unlike SIGKILL, is held back while the new file exists, so
    /// it never leaves a temporary file, even without a next run.
    func testSIGTERMAtRandomMomentsNeverLeavesATemporaryFile() throws {
        let setup = try Setup()
        let duration = try measureRotate(setup)
        var terminated = 0
        for attempt in 0..<40 {
            try setup.restore()
            let run = try Spawn.start(setup.rotateArguments(backup: attempt % 2 == 0))
            usleep(UInt32(Double.random(in: 0...(duration * 1.1)) * 1_000_000))
            kill(run.pid, SIGTERM)
            let result = try run.wait()
            if result.ending == .signalled(SIGTERM) {
                terminated += 1
            } else {
                XCTAssertEqual(result.ending, .exited(0), result.log)
            }
            XCTAssertEqual(try setup.leftovers(), [], "attempt \(attempt) left a temporary file")
            XCTAssertNotEqual(try setup.contents(), "neither")
        }
        XCTAssertGreaterThan(terminated, 0)
        print("rewrite SIGTERM test: \(terminated) of 40 runs terminated, none left a temporary file")
    }
}
