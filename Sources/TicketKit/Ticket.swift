/// One TLS 1.3 resumption ticket as noxtls stores it.
public struct Ticket: Equatable, Sendable {
    public var identity: [UInt8]
    public var ticketNonce: [UInt8]
    public var obfuscatedTicketAge: UInt32
    public var ageAdd: UInt32
    public var issuedAtMs: UInt64
    public var lifetimeMs: UInt64
    /// Zero in payload version 1, which has no such field.
    public var maxEarlyDataSize: UInt32
    public var consumed: Bool

    public init(
        identity: [UInt8], ticketNonce: [UInt8], obfuscatedTicketAge: UInt32, ageAdd: UInt32,
        issuedAtMs: UInt64, lifetimeMs: UInt64, maxEarlyDataSize: UInt32, consumed: Bool
    ) {
        self.identity = identity
        self.ticketNonce = ticketNonce
        self.obfuscatedTicketAge = obfuscatedTicketAge
        self.ageAdd = ageAdd
        self.issuedAtMs = issuedAtMs
        self.lifetimeMs = lifetimeMs
        self.maxEarlyDataSize = maxEarlyDataSize
        self.consumed = consumed
    }

    /// Age at `nowMs`, floored at zero for a ticket issued in the future.
    public func ageMs(at nowMs: UInt64) -> UInt64 {
        nowMs > issuedAtMs ? nowMs - issuedAtMs : 0
    }

    /// A ticket is expired once its age exceeds its lifetime; age equal to
    /// lifetime is still live.
    public func isExpired(at nowMs: UInt64) -> Bool {
        ageMs(at: nowMs) > lifetimeMs
    }

    /// When the ticket stops being live: the first millisecond at which it is
    /// expired, or nil if that is past the end of the u64 clock.
    public var expiresAtMs: UInt64? {
        let (sum, overflow) = issuedAtMs.addingReportingOverflow(lifetimeMs)
        guard !overflow, sum < UInt64.max else { return nil }
        return sum + 1
    }
}
