import Foundation
import TicketKit
import XCTest

/// The store lock as the library takes it: a held lock fails at once
/// without a wait, is waited for with one, and a dry run needs none.
final class RewriteLockTests: XCTestCase {
    var folder = ""
    var path = ""
    var key: StoreKey!

    override func setUpWithError() throws {
        var template = Array((NSTemporaryDirectory() + "/ticketctl-lock-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        folder = String(cString: made)
        path = folder + "/tickets.store"
        let material = Array("lock test key".utf8)
        key = try material.withUnsafeBytes { try StoreKey(material: $0) }
        let ticket = Ticket(
            identity: Array("only".utf8), ticketNonce: [1, 2, 3], obfuscatedTicketAge: 0, ageAdd: 0,
            issuedAtMs: 0, lifetimeMs: 1, maxEarlyDataSize: 0, consumed: true)
        let payload = try Payload.encode(TicketStore(maxEntries: 10, tickets: [ticket]))
        let file = payload.withUnsafeBytes { Envelope.seal($0, key: key, as: .standard) }
        try Data(file).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Empties the store, the change every rewrite here asks for.
    func emptied(_ opened: OpenedStore) -> Replacement {
        Replacement(store: TicketStore(maxEntries: opened.store.maxEntries), seal: opened.seal, key: key)
    }

    /// Holds the store's lock from another open file, as a second ticketctl does.
    func holdLock() throws -> Int32 {
        let fd = open(path, O_RDONLY)
        XCTAssertEqual(flock(fd, LOCK_EX), 0)
        return fd
    }

    func testABusyLockFailsAtOnceWithoutWait() throws {
        let holder = try holdLock()
        defer { close(holder) }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let start = Date()
        XCTAssertThrowsError(try StoreRewriter().rewrite(path, key: key, change: emptied)) { error in
            XCTAssertEqual(error as? TicketError, .locked(waitedSeconds: 0))
            XCTAssertEqual((error as? TicketError)?.exitStatus, .temporaryFailure)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
    }

    func testWaitGivesUpAfterItsTimeAndSucceedsOnceTheLockIsFree() throws {
        let holder = try holdLock()
        var rewriter = StoreRewriter()
        rewriter.waitSeconds = 0.3
        let start = Date()
        XCTAssertThrowsError(try rewriter.rewrite(path, key: key, change: emptied)) { error in
            XCTAssertEqual(error as? TicketError, .locked(waitedSeconds: 0.3))
        }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.3)

        // Release the lock while a rewrite with a longer wait is waiting for it.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { close(holder) }
        rewriter.waitSeconds = 30
        let outcome = try rewriter.rewrite(path, key: key, change: emptied)
        XCTAssertTrue(outcome.written)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (payload, _) = try bytes.withUnsafeBytes { try Envelope.open($0, key: key) }
        let store = try payload.withUnsafeBytes { try Payload.decode($0) }
        XCTAssertEqual(store.tickets, [])
    }

    func testADryRunNeedsNoLockAndWritesNothing() throws {
        let holder = try holdLock()
        defer { close(holder) }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var rewriter = StoreRewriter()
        rewriter.dryRun = true
        let outcome = try rewriter.rewrite(path, key: key, change: emptied)
        XCTAssertFalse(outcome.written)
        XCTAssertNotNil(outcome.replacement)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
    }
}
