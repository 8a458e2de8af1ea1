import FoundationEssentials

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
