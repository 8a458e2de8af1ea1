import Glibc

/// What inspect reports about one store: a stable document for monitoring,
/// and the numbers behind the readable summary.
public struct StoreSummary: Codable, Sendable {
    /// Raised only when a field changes meaning or disappears; fields may be
    /// added within a version.
    public var formatVersion = 1
    public var file: String
    public var seal: SealKind
    public var readableBy: String
    public var readableByNoxtls01: Bool
    public var readableByNoxtls02: Bool
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
    /// payloadBytes against the 8 MiB limit, and tickets against
    /// max_entries, in percent rounded down to a tenth.
    public var payloadUsedPercent: Double
    public var capacityUsedPercent: Double
    public var fileMode: String
    public var owner: String
    public var group: String
    /// noxtls refuses to load a store whose mode grants group or other access.
    public var modeGrantsGroupOrOther: Bool
    /// What is wrong with the file's permissions, in words; empty when nothing.
    public var permissionProblems: [String]
    /// Why the store needs an operator, as `inspect --check` judges it.
    public var attention: [String] = []
    /// Temporary files of a killed ticketctl run beside the store.
    public var leftoverTemporaryFiles: [String]
    public var tickets: [TicketRecord]?

    enum CodingKeys: String, CodingKey {
        case file, seal, attention
        case formatVersion = "format_version"
        case readableBy = "readable_by"
        case readableByNoxtls01 = "readable_by_noxtls_0_1"
        case readableByNoxtls02 = "readable_by_noxtls_0_2"
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
        case payloadUsedPercent = "payload_used_percent"
        case capacityUsedPercent = "capacity_used_percent"
        case fileMode = "file_mode"
        case owner, group
        case modeGrantsGroupOrOther = "mode_grants_group_or_other"
        case permissionProblems = "permission_problems"
        case leftoverTemporaryFiles = "leftover_temporary_files"
        case tickets
    }

    public init(_ opened: OpenedStore, nowMs: UInt64, includeTickets: Bool) {
        let tickets = opened.store.tickets
        file = opened.path
        seal = opened.seal
        readableBy = opened.seal.readableBy
        readableByNoxtls01 = opened.seal == .noxtls01
        readableByNoxtls02 = opened.seal == .standard
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
        payloadUsedPercent = StoreSummary.percent(opened.payloadSize, of: Payload.maximumSize)
        capacityUsedPercent = StoreSummary.percent(tickets.count, of: Int(opened.store.maxEntries))
        fileMode = "0" + String(opened.status.permissions, radix: 8)
        owner = opened.status.ownerName
        group = opened.status.groupName
        modeGrantsGroupOrOther = opened.status.grantsGroupOrOther
        permissionProblems = StoreSummary.permissionProblems(opened.status)
        leftoverTemporaryFiles = StoreSummary.leftovers(beside: opened.path)
        self.tickets = includeTickets ? tickets.map { TicketRecord($0, nowMs: nowMs) } : nil
    }

    /// Capacity above which `inspect --check` asks for attention.
    public static let attentionPercent = 90.0

    /// The reasons this store needs an operator: permissions noxtls refuses,
    /// more than 90% of the ticket or byte capacity used, or a seal other
    /// than `expectedSeal`.
    public mutating func judge(expectedSeal: SealKind?) {
        attention = permissionProblems
        if capacityUsedPercent > Self.attentionPercent {
            attention.append("\(ticketCount) of \(maxEntries) tickets (\(capacityUsedPercent)%) is over \(Self.attentionPercent)% of max_entries; noxtls will soon drop the oldest")
        }
        if payloadUsedPercent > Self.attentionPercent {
            attention.append("\(payloadBytes) payload bytes (\(payloadUsedPercent)%) is over \(Self.attentionPercent)% of the \(payloadLimitBytes)-byte limit")
        }
        if let expectedSeal, expectedSeal != seal {
            attention.append("sealed \(seal.rawValue), readable by \(readableBy), but \(expectedSeal.rawValue) is expected (\(expectedSeal.readableBy))")
        }
    }

    static func percent(_ part: Int, of whole: Int) -> Double {
        guard whole > 0 else { return 0 }
        return Double(part * 1000 / whole) / 10
    }

    static func permissionProblems(_ status: FileStatus) -> [String] {
        var who: [String] = []
        if status.permissions & 0o070 != 0 { who.append("the group") }
        if status.permissions & 0o007 != 0 { who.append("others") }
        guard !who.isEmpty else { return [] }
        let mode = "0" + String(status.permissions, radix: 8)
        return ["mode \(mode) grants \(who.joined(separator: " and ")) access; noxtls refuses to load the store (chmod 600 it)"]
    }

    private static func leftovers(beside path: String) -> [String] {
        guard let target = try? StorePath(resolving: path),
            let directory = try? FileSystem.openDirectory(target.directory)
        else { return [] }
        defer { close(directory) }
        return target.leftovers(in: directory)
    }
}

// Written by hand so that the optional fields appear as null rather than
// vanish: a monitoring system can rely on every key being present.
extension StoreSummary {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(file, forKey: .file)
        try container.encode(seal, forKey: .seal)
        try container.encode(readableBy, forKey: .readableBy)
        try container.encode(readableByNoxtls01, forKey: .readableByNoxtls01)
        try container.encode(readableByNoxtls02, forKey: .readableByNoxtls02)
        try container.encode(payloadVersion, forKey: .payloadVersion)
        try container.encode(maxEntries, forKey: .maxEntries)
        try container.encode(nowMs, forKey: .nowMs)
        try container.encode(ticketCount, forKey: .ticketCount)
        try container.encode(consumed, forKey: .consumed)
        try container.encode(expired, forKey: .expired)
        try container.encode(live, forKey: .live)
        try container.encode(earlyDataAllowed, forKey: .earlyDataAllowed)
        try container.encode(earliestIssuedMs, forKey: .earliestIssuedMs)
        try container.encode(latestIssuedMs, forKey: .latestIssuedMs)
        try container.encode(nextExpiryMs, forKey: .nextExpiryMs)
        try container.encode(nextExpiryInMs, forKey: .nextExpiryInMs)
        try container.encode(droppedOnRead, forKey: .droppedOnRead)
        try container.encode(payloadBytes, forKey: .payloadBytes)
        try container.encode(payloadLimitBytes, forKey: .payloadLimitBytes)
        try container.encode(payloadUsedPercent, forKey: .payloadUsedPercent)
        try container.encode(capacityUsedPercent, forKey: .capacityUsedPercent)
        try container.encode(fileMode, forKey: .fileMode)
        try container.encode(owner, forKey: .owner)
        try container.encode(group, forKey: .group)
        try container.encode(modeGrantsGroupOrOther, forKey: .modeGrantsGroupOrOther)
        try container.encode(permissionProblems, forKey: .permissionProblems)
        try container.encode(attention, forKey: .attention)
        try container.encode(leftoverTemporaryFiles, forKey: .leftoverTemporaryFiles)
        try container.encodeIfPresent(tickets, forKey: .tickets)
    }
}
