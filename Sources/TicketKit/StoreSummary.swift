import Glibc

/// What inspect reports about one store: a stable document for monitoring,
/// and the numbers behind the readable summary.
public struct StoreSummary: Codable, Sendable {
    public var file: String
    public var seal: SealKind
    public var readableBy: String
    public var payloadVersion: UInt8
    public var maxEntries: UInt32
    public var nowMs: UInt64
    public var ticketCount: Int
    public var consumed: Int
    public var expired: Int
    /// Neither consumed nor expired.
    public var live: Int
    public var earlyDataAllowed: Int
    public var earliestIssuedMs: UInt64?
    public var latestIssuedMs: UInt64?
    /// When the next live ticket expires, and how long until then.
    public var nextExpiryMs: UInt64?
    public var nextExpiryInMs: UInt64?
    public var droppedOnRead: Int
    public var payloadBytes: Int
    public var payloadLimitBytes: Int
    public var fileMode: String
    public var owner: String
    public var group: String
    /// noxtls refuses to load a store whose mode grants group or other access.
    public var modeGrantsGroupOrOther: Bool
    /// Temporary files of a killed ticketctl run beside the store.
    public var leftoverTemporaryFiles: [String]
    public var tickets: [TicketRecord]?

    enum CodingKeys: String, CodingKey {
        case file, seal
        case readableBy = "readable_by"
        case payloadVersion = "payload_version"
        case maxEntries = "max_entries"
        case nowMs = "now_ms"
        case ticketCount = "ticket_count"
        case consumed, expired, live
        case earlyDataAllowed = "early_data_allowed"
        case earliestIssuedMs = "earliest_issued_ms"
        case latestIssuedMs = "latest_issued_ms"
        case nextExpiryMs = "next_expiry_ms"
        case nextExpiryInMs = "next_expiry_in_ms"
        case droppedOnRead = "dropped_on_read"
        case payloadBytes = "payload_bytes"
        case payloadLimitBytes = "payload_limit_bytes"
        case fileMode = "file_mode"
        case owner, group
        case modeGrantsGroupOrOther = "mode_grants_group_or_other"
        case leftoverTemporaryFiles = "leftover_temporary_files"
        case tickets
    }

    public init(_ opened: OpenedStore, nowMs: UInt64, includeTickets: Bool) {
        let tickets = opened.store.tickets
        file = opened.path
        seal = opened.seal
        readableBy = opened.seal.readableBy
        payloadVersion = opened.store.payloadVersion
        maxEntries = opened.store.maxEntries
        self.nowMs = nowMs
        ticketCount = tickets.count
        consumed = tickets.count { $0.consumed }
        expired = tickets.count { $0.isExpired(at: nowMs) }
        live = tickets.count { !$0.consumed && !$0.isExpired(at: nowMs) }
        earlyDataAllowed = tickets.count { $0.maxEarlyDataSize > 0 }
        earliestIssuedMs = tickets.map(\.issuedAtMs).min()
        latestIssuedMs = tickets.map(\.issuedAtMs).max()
        nextExpiryMs = tickets.filter { !$0.consumed && !$0.isExpired(at: nowMs) }
            .compactMap(\.expiresAtMs).min()
        nextExpiryInMs = nextExpiryMs.map { $0 - min($0, nowMs) }
        droppedOnRead = opened.store.droppedOnRead
        payloadBytes = opened.payloadSize
        payloadLimitBytes = Payload.maximumSize
        fileMode = "0" + String(opened.status.permissions, radix: 8)
        owner = opened.status.ownerName
        group = opened.status.groupName
        modeGrantsGroupOrOther = opened.status.grantsGroupOrOther
        leftoverTemporaryFiles = StoreSummary.leftovers(beside: opened.path)
        self.tickets = includeTickets ? tickets.map { TicketRecord($0, nowMs: nowMs) } : nil
    }

    private static func leftovers(beside path: String) -> [String] {
        guard let target = try? StorePath(resolving: path),
            let directory = try? FileSystem.openDirectory(target.directory)
        else { return [] }
        defer { close(directory) }
        return target.leftovers(in: directory)
    }
}
