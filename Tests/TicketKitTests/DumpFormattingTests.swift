@testable import TicketKit
import XCTest

/// The byte-level formatters behind dump-json, checked against the
/// standard library's own radix conversions.
final class DumpFormattingTests: XCTestCase {
    func testHexOfEveryByteValueIsTwoLowercaseDigits() {
        let every = (0...255).map { UInt8($0) }
        let expected = every.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
        XCTAssertEqual(Hex.encode(every), expected)
        XCTAssertEqual(Hex.decode(Hex.encode(every)), every)
        XCTAssertEqual(Hex.encode([]), "")
    }

    func testHexAppendsAfterWhatIsAlreadyThere() {
        var line = Array("id:".utf8)
        Hex.append([0x00, 0x9f, 0xa0, 0xff], to: &line)
        XCTAssertEqual(String(decoding: line, as: UTF8.self), "id:009fa0ff")
    }

    func testDecimalDigitsAcrossTheWholeU64Range() {
        let values: [UInt64] = [0, 1, 9, 10, 99, 100, 4_294_967_295, 4_294_967_296,
                                1_764_800_000_000, 9_999_999_999_999_999_999, .max]
        for value in values {
            var line = Array("n=".utf8)
            StoreDump.appendDecimal(value, to: &line)
            XCTAssertEqual(String(decoding: line, as: UTF8.self), "n=" + String(value))
        }
    }

    func testDumpLineOfExtremeTicketDecodesToTheSameValues() throws {
        let ticket = Ticket(
            identity: [0xde, 0xad], ticketNonce: [], obfuscatedTicketAge: .max, ageAdd: 0,
            issuedAtMs: .max, lifetimeMs: .max, maxEarlyDataSize: .max, consumed: true)
        let opened = OpenedStore(
            path: "x.store", status: try status(), store: TicketStore(maxEntries: 1, tickets: [ticket]),
            seal: .standard, payloadSize: 0)
        let sink = OutputSink()
        StoreDump.writeLines(opened, nowMs: 0, to: sink)
        sink.flush()
        XCTAssertEqual(
            sink.text,
            "{\"index\":0,\"identity\":\"dead\",\"ticket_nonce\":\"\",\"obfuscated_ticket_age\":4294967295,"
                + "\"age_add\":0,\"issued_at_ms\":18446744073709551615,\"lifetime_ms\":18446744073709551615,"
                + "\"max_early_data_size\":4294967295,\"consumed\":true,\"expired\":false}\n")
    }

    /// A real file's status, which `OpenedStore` needs but the dump ignores.
    private func status() throws -> FileStatus {
        let fd = try FileSystem.openForReading(#filePath)
        defer { close(fd) }
        return try FileSystem.status(of: fd)
    }
}
