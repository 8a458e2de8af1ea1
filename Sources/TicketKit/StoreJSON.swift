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

    private static func appendTicket(_ ticket: Ticket, nowMs: UInt64, index: Int?, to line: inout [UInt8]) {
        func text(_ string: String) {
            line.append(contentsOf: string.utf8)
        }
        text("{")
        if let index { text("\"index\":\(index),") }
        text("\"identity\":\"")
        line.append(contentsOf: Sodium.hexEncode(ticket.identity))
        text("\",\"ticket_nonce\":\"")
        line.append(contentsOf: Sodium.hexEncode(ticket.ticketNonce))
        text("\",\"obfuscated_ticket_age\":\(ticket.obfuscatedTicketAge),\"age_add\":\(ticket.ageAdd)")
        text(",\"issued_at_ms\":\(ticket.issuedAtMs),\"lifetime_ms\":\(ticket.lifetimeMs)")
        text(",\"max_early_data_size\":\(ticket.maxEarlyDataSize),\"consumed\":\(ticket.consumed)")
        text(",\"expired\":\(ticket.isExpired(at: nowMs))}")
    }

    /// A JSON string literal, escaped by Foundation's encoder.
    public static func jsonString(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        guard let data = try? encoder.encode(value) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }
}
