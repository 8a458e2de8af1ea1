import FoundationEssentials
import Glibc

/// One ticket in dump-json and import-json. Identity and nonce are lowercase
/// hex; every integer is exact across its full range.
public struct TicketRecord: Codable, Equatable, Sendable {
    public var identity: String
    public var ticketNonce: String
    public var obfuscatedTicketAge: UInt32
    public var ageAdd: UInt32
    public var issuedAtMs: UInt64
    public var lifetimeMs: UInt64
    public var maxEarlyDataSize: UInt32
    public var consumed: Bool
    /// Derived from the clock at dump time; ignored on import.
    public var expired: Bool?

    enum CodingKeys: String, CodingKey {
        case identity
        case ticketNonce = "ticket_nonce"
        case obfuscatedTicketAge = "obfuscated_ticket_age"
        case ageAdd = "age_add"
        case issuedAtMs = "issued_at_ms"
        case lifetimeMs = "lifetime_ms"
        case maxEarlyDataSize = "max_early_data_size"
        case consumed, expired
    }

    public init(_ ticket: Ticket, nowMs: UInt64?) {
        identity = Hex.encode(ticket.identity)
        ticketNonce = Hex.encode(ticket.ticketNonce)
        obfuscatedTicketAge = ticket.obfuscatedTicketAge
        ageAdd = ticket.ageAdd
        issuedAtMs = ticket.issuedAtMs
        lifetimeMs = ticket.lifetimeMs
        maxEarlyDataSize = ticket.maxEarlyDataSize
        consumed = ticket.consumed
        expired = nowMs.map { ticket.isExpired(at: $0) }
    }
}

/// The whole-store document that dump-json writes.
public struct StoreDocument: Codable, Equatable, Sendable {
    public var file: String?
    public var seal: SealKind?
    public var payloadVersion: UInt8?
    public var maxEntries: UInt32
    public var ticketCount: Int?
    public var nowMs: UInt64?
    public var droppedOnRead: Int?
    public var tickets: [TicketRecord]

    enum CodingKeys: String, CodingKey {
        case file, seal
        case payloadVersion = "payload_version"
        case maxEntries = "max_entries"
        case ticketCount = "ticket_count"
        case nowMs = "now_ms"
        case droppedOnRead = "dropped_on_read"
        case tickets
    }
}

/// Streams dump-json output. The document is written field by field in
/// `StoreDocument`'s key order rather than through `JSONEncoder`, so that a
/// 16,384-ticket dump never exists as one string in memory; tests decode the
/// output with `JSONDecoder` into `StoreDocument` to keep the two in step.
public enum StoreDump {
    public static func writeDocument(_ opened: OpenedStore, nowMs: UInt64, to sink: OutputSink) {
        let store = opened.store
        sink.write("{\"file\":")
        sink.write(jsonString(opened.path))
        sink.write(",\"seal\":\"\(opened.seal.rawValue)\",\"payload_version\":\(store.payloadVersion)")
        sink.write(",\"max_entries\":\(store.maxEntries),\"ticket_count\":\(store.tickets.count)")
        sink.write(",\"now_ms\":\(nowMs),\"dropped_on_read\":\(store.droppedOnRead),\"tickets\":[")
        var line: [UInt8] = []
        for (index, ticket) in store.tickets.enumerated() {
            line.removeAll(keepingCapacity: true)
            if index > 0 { line.append(UInt8(ascii: ",")) }
            appendTicket(ticket, nowMs: nowMs, index: nil, to: &line)
            line.withUnsafeBytes { sink.write(bytes: $0) }
        }
        sink.write("]}\n")
    }

    /// NDJSON: one object per ticket, each with its position in the store.
    public static func writeLines(_ opened: OpenedStore, nowMs: UInt64, to sink: OutputSink) {
        var line: [UInt8] = []
        for (index, ticket) in opened.store.tickets.enumerated() {
            line.removeAll(keepingCapacity: true)
            appendTicket(ticket, nowMs: nowMs, index: index, to: &line)
            line.append(UInt8(ascii: "\n"))
            line.withUnsafeBytes { sink.write(bytes: $0) }
        }
    }

    /// One ticket object, written as bytes: no String is built per field,
    /// since a dump of the largest store writes 16,384 of them.
    private static func appendTicket(_ ticket: Ticket, nowMs: UInt64, index: Int?, to line: inout [UInt8]) {
        func text(_ literal: StaticString) {
            literal.withUTF8Buffer { line.append(contentsOf: $0) }
        }
        func number(_ value: some FixedWidthInteger & UnsignedInteger) {
            appendDecimal(UInt64(value), to: &line)
        }
        func flag(_ value: Bool) {
            value ? text("true") : text("false")
        }
        text("{")
        if let index {
            text("\"index\":")
            number(UInt(index))
            text(",")
        }
        text("\"identity\":\"")
        Hex.append(ticket.identity, to: &line)
        text("\",\"ticket_nonce\":\"")
        Hex.append(ticket.ticketNonce, to: &line)
        text("\",\"obfuscated_ticket_age\":")
        number(ticket.obfuscatedTicketAge)
        text(",\"age_add\":")
        number(ticket.ageAdd)
        text(",\"issued_at_ms\":")
        number(ticket.issuedAtMs)
        text(",\"lifetime_ms\":")
        number(ticket.lifetimeMs)
        text(",\"max_early_data_size\":")
        number(ticket.maxEarlyDataSize)
        text(",\"consumed\":")
        flag(ticket.consumed)
        text(",\"expired\":")
        flag(ticket.isExpired(at: nowMs))
        text("}")
    }

    /// The decimal digits of `value`, most significant first.
    static func appendDecimal(_ value: UInt64, to line: inout [UInt8]) {
        var length = 1
        var rest = value / 10
        while rest > 0 {
            length += 1
            rest /= 10
        }
        let start = line.count
        line.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: length))
        line.withUnsafeMutableBufferPointer { digits in
            var remaining = value
            for at in stride(from: start + length - 1, through: start, by: -1) {
                digits[at] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
        }
    }

    /// A JSON string literal, escaped by Foundation's encoder.
    public static func jsonString(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        guard let data = try? encoder.encode(value) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension StoreDocument {
    /// Decodes a dump-json document with Foundation's decoder. Every failure
    /// becomes `TicketError.invalidValue` naming the field and, inside
    /// `tickets`, the ticket's index.
    public static func decode(_ data: Data) throws -> StoreDocument {
        do {
            return try JSONDecoder().decode(StoreDocument.self, from: data)
        } catch let error as DecodingError {
            throw TicketError.invalidValue(ImportProblem.describe(error))
        }
    }

    /// The store this document describes, written as payload version 2.
    ///
    /// - Throws: `TicketError.invalidValue` for hex that does not decode, a
    ///   field past a format limit, or more tickets than max_entries holds
    ///   (noxtls would silently drop the oldest on load).
    public func makeStore() throws -> TicketStore {
        guard maxEntries <= UInt32(Payload.maximumEntries) else {
            throw TicketError.invalidValue(
                "field max_entries: \(maxEntries) exceeds the limit of \(Payload.maximumEntries)")
        }
        let capacity = max(Int(maxEntries), 1)
        guard tickets.count <= capacity else {
            throw TicketError.invalidValue(
                "field tickets: \(tickets.count) tickets do not fit max_entries \(maxEntries); noxtls would drop the oldest \(tickets.count - capacity) on load")
        }
        let converted = try tickets.enumerated().map { index, record in
            try record.makeTicket(index: index)
        }
        return TicketStore(maxEntries: maxEntries, tickets: converted)
    }
}

extension TicketRecord {
    func makeTicket(index: Int) throws -> Ticket {
        Ticket(
            identity: try Self.bytes(identity, field: "identity", index: index,
                                     limit: Payload.maximumIdentityLength),
            ticketNonce: try Self.bytes(ticketNonce, field: "ticket_nonce", index: index,
                                        limit: Payload.maximumTicketNonceLength),
            obfuscatedTicketAge: obfuscatedTicketAge, ageAdd: ageAdd, issuedAtMs: issuedAtMs,
            lifetimeMs: lifetimeMs, maxEarlyDataSize: maxEarlyDataSize, consumed: consumed)
    }

    private static func bytes(_ hex: String, field: String, index: Int, limit: Int) throws -> [UInt8] {
        let place = "ticket \(index), field \(field)"
        guard hex.utf8.count % 2 == 0 else {
            throw TicketError.invalidValue("\(place): hex of odd length (\(hex.utf8.count) digits)")
        }
        guard let bytes = Hex.decode(hex) else {
            throw TicketError.invalidValue("\(place): not hex (only 0-9 and a-f are allowed)")
        }
        guard bytes.count <= limit else {
            throw TicketError.invalidValue("\(place): \(bytes.count) bytes exceed the limit of \(limit)")
        }
        return bytes
    }
}

/// Turns Foundation's decoding errors into messages an operator can act on.
enum ImportProblem {
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return place(context.codingPath + [key]) + ": missing"
        case .valueNotFound(_, let context):
            return place(context.codingPath) + ": null where a value is required"
        case .typeMismatch(let type, let context):
            return place(context.codingPath) + ": expected \(expectation(for: type, path: context.codingPath))"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "not valid JSON: \(detail(of: context))"
        case .dataCorrupted(let context) where context.codingPath.last?.stringValue == "seal":
            return place(context.codingPath) + ": expected \"standard\" or \"noxtls-0.1\""
        case .dataCorrupted(let context):
            return place(context.codingPath) + ": \(detail(of: context))"
        @unknown default:
            return "cannot decode the document: \(error)"
        }
    }

    /// "ticket 3, field lifetime_ms", or "field max_entries" outside tickets.
    private static func place(_ path: [any CodingKey]) -> String {
        var ticket: Int?
        var field: String?
        for (position, key) in path.enumerated() {
            if let index = key.intValue, position > 0, path[position - 1].stringValue == "tickets" {
                ticket = index
            } else if key.intValue == nil {
                field = key.stringValue
            }
        }
        let named = field.map { "field \($0)" } ?? "the document"
        return ticket.map { "ticket \($0), \(named)" } ?? named
    }

    private static func expectation(for type: Any.Type, path: [any CodingKey]) -> String {
        switch path.last?.stringValue {
        case "obfuscated_ticket_age", "age_add", "max_early_data_size", "max_entries":
            return "an integer from 0 to \(UInt32.max)"
        case "issued_at_ms", "lifetime_ms", "now_ms":
            return "an integer from 0 to \(UInt64.max)"
        case "payload_version":
            return "an integer from 0 to \(UInt8.max)"
        case "consumed", "expired":
            return "true or false"
        case "seal":
            return "\"standard\" or \"noxtls-0.1\""
        default:
            let name = String(describing: type)
            if name.hasPrefix("Dictionary") { return "an object" }
            if name.hasPrefix("Array") { return "an array" }
            if name == "String" { return "a string" }
            return "a value of type \(name)"
        }
    }

    /// Foundation's own words, lowercased and without the trailing period.
    private static func detail(of context: DecodingError.Context) -> String {
        var text = context.debugDescription
        if let underlying = context.underlyingError {
            text += " (\(underlying))"
        }
        while text.hasSuffix(".") { text.removeLast() }
        guard let first = text.first else { return "cannot be decoded" }
        return first.lowercased() + text.dropFirst()
    }
}

// Foundation's decoder reports an integer out of range for its type as
// "not valid JSON" with no location, so every integer field is decoded
// through `exactInteger`, which names the field and shows the value.
extension TicketRecord {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        identity = try container.decode(String.self, forKey: .identity)
        ticketNonce = try container.decode(String.self, forKey: .ticketNonce)
        obfuscatedTicketAge = try container.exactInteger(forKey: .obfuscatedTicketAge)
        ageAdd = try container.exactInteger(forKey: .ageAdd)
        issuedAtMs = try container.exactInteger(forKey: .issuedAtMs)
        lifetimeMs = try container.exactInteger(forKey: .lifetimeMs)
        maxEarlyDataSize = try container.exactInteger(forKey: .maxEarlyDataSize)
        consumed = try container.decode(Bool.self, forKey: .consumed)
        expired = try container.decodeIfPresent(Bool.self, forKey: .expired)
    }
}

extension StoreDocument {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        file = try container.decodeIfPresent(String.self, forKey: .file)
        seal = try container.decodeIfPresent(SealKind.self, forKey: .seal)
        payloadVersion = try container.exactIntegerIfPresent(forKey: .payloadVersion)
        maxEntries = try container.exactInteger(forKey: .maxEntries)
        ticketCount = try container.exactIntegerIfPresent(forKey: .ticketCount)
        nowMs = try container.exactIntegerIfPresent(forKey: .nowMs)
        droppedOnRead = try container.exactIntegerIfPresent(forKey: .droppedOnRead)
        tickets = try container.decode([TicketRecord].self, forKey: .tickets)
    }
}

extension KeyedDecodingContainer {
    func exactInteger<T: FixedWidthInteger & Decodable>(forKey key: Key) throws -> T {
        do {
            return try decode(T.self, forKey: key)
        } catch let error as DecodingError {
            throw error
        } catch {
            throw outOfRange(T.self, forKey: key)
        }
    }

    func exactIntegerIfPresent<T: FixedWidthInteger & Decodable>(forKey key: Key) throws -> T? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try exactInteger(forKey: key) as T
    }

    private func outOfRange<T: FixedWidthInteger>(_ type: T.Type, forKey key: Key) -> DecodingError {
        let shown = (try? decode(Decimal.self, forKey: key)).map { "\($0)" } ?? "the number"
        return DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: codingPath + [key],
            debugDescription: "\(shown) is not an integer from \(T.min) to \(T.max)"))
    }
}

extension StoreDocument {
    /// Longer than any dump of a legal store (8 MiB of payload as hex, plus
    /// field names), so that a wrong input cannot fill memory.
    public static let maximumDocumentSize = 64 * 1024 * 1024

    /// Reads and decodes a document from the file at `path`, or from
    /// standard input when `path` is nil or `-`.
    public static func read(path: String?) throws -> StoreDocument {
        guard let path, path != "-" else { return try read(from: STDIN_FILENO) }
        let fd = try FileSystem.openForReading(path)
        defer { close(fd) }
        return try read(from: fd)
    }

    private static func read(from fd: Int32) throws -> StoreDocument {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = try chunk.withUnsafeMutableBytes { try FileSystem.read(fd, into: $0) }
            data.append(contentsOf: chunk[0..<got])
            guard data.count <= maximumDocumentSize else {
                throw TicketError.invalidValue(
                    "the document is larger than \(maximumDocumentSize) bytes, more than any store's dump")
            }
            if got < chunk.count { return try decode(data) }
        }
    }
}
