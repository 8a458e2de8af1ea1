/// The decrypted contents of a store file, and the operations on it.
public struct TicketStore: Equatable, Sendable {
    /// Capacity after clamping: never zero, never above the decode limit.
    public private(set) var maxEntries: UInt32
    public var tickets: [Ticket]
    /// The payload version read (1 or 2). Writing always produces 2.
    public var payloadVersion: UInt8
    /// Tickets that the file held past capacity and that reading dropped,
    /// oldest first, as noxtls itself drops them on load.
    public var droppedOnRead: Int

    public init(maxEntries: UInt32, tickets: [Ticket] = [], payloadVersion: UInt8 = 2) {
        self.maxEntries = max(maxEntries, 1)
        self.tickets = tickets
        self.payloadVersion = payloadVersion
        droppedOnRead = 0
    }

    /// How many tickets each operation removed.
    public struct Removal: Equatable, Sendable, Codable {
        public var consumed = 0
        public var expired = 0
        public var identity = 0

        public var total: Int { consumed + expired + identity }

        public init(consumed: Int = 0, expired: Int = 0, identity: Int = 0) {
            self.consumed = consumed
            self.expired = expired
            self.identity = identity
        }
    }

    /// Drops consumed tickets, then expired ones.
    public mutating func rotate(nowMs: UInt64) -> Removal {
        let consumed = removeAll { $0.consumed }
        let expired = removeAll { $0.isExpired(at: nowMs) }
        return Removal(consumed: consumed, expired: expired)
    }

    /// Drops expired tickets, consumed or not.
    public mutating func expire(nowMs: UInt64) -> Removal {
        Removal(expired: removeAll { $0.isExpired(at: nowMs) })
    }

    /// Drops every ticket whose identity is one of `identities`.
    public mutating func invalidate(identities: [[UInt8]]) -> Removal {
        let targets = Set(identities)
        return Removal(identity: removeAll { targets.contains($0.identity) })
    }

    private mutating func removeAll(where shouldRemove: (Ticket) -> Bool) -> Int {
        let before = tickets.count
        tickets.removeAll(where: shouldRemove)
        return before - tickets.count
    }
}
