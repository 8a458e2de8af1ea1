/// The decrypted `NXTK` payload, all integers big-endian:
///
///     magic "NXTK" (4) | version 1 or 2 (1) | max_entries u32 | ticket_count u32
///     then per ticket:
///     identity u16 length + bytes | ticket_nonce u16 length + bytes
///     obfuscated_ticket_age u32 | age_add u32 | issued_at_ms u64 | lifetime_ms u64
///     max_early_data_size u32 (version 2 only) | consumed u8 (0 or 1)
///
/// Nothing may follow the last ticket.
public enum Payload {
    static let magic: [UInt8] = Array("NXTK".utf8)
    static let headerSize = 13
    public static let maximumSize = 8 * 1024 * 1024
    public static let maximumTicketCount = 16_384
    public static let maximumEntries = 16_384
    public static let maximumIdentityLength = 4_096
    public static let maximumTicketNonceLength = 4_096
    /// The version that writing produces.
    public static let currentVersion: UInt8 = 2

    /// Decodes a payload, enforcing every limit, then loads it the way noxtls
    /// does: into capacity max(max_entries, 1), dropping the oldest past it.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> TicketStore {
        guard bytes.count >= headerSize else {
            throw TicketError.malformedPayload(
                "payload is \(bytes.count) bytes, shorter than its \(headerSize)-byte header")
        }
        guard bytes.count <= maximumSize else {
            throw TicketError.malformedPayload("payload is \(bytes.count) bytes, over the \(maximumSize)-byte limit")
        }
        var reader = Reader(bytes: bytes)
        guard try reader.bytes(4, "magic").elementsEqual(magic) else {
            throw TicketError.malformedPayload("bad payload magic (expected \"NXTK\")")
        }
        let version = try reader.u8("payload version")
        guard version == 1 || version == 2 else {
            throw TicketError.malformedPayload("unsupported payload version \(version) (expected 1 or 2)")
        }
        let maxEntries = try reader.u32("max_entries")
        guard maxEntries <= maximumEntries else {
            throw TicketError.malformedPayload("max_entries \(maxEntries) exceeds the limit of \(maximumEntries)")
        }
        let count = try reader.u32("ticket_count")
        guard count <= maximumTicketCount else {
            throw TicketError.malformedPayload("ticket_count \(count) exceeds the limit of \(maximumTicketCount)")
        }

        var tickets: [Ticket] = []
        tickets.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            tickets.append(try reader.ticket(index: index, version: version))
        }
        guard reader.offset == bytes.count else {
            throw TicketError.malformedPayload("trailing bytes after the last ticket: \(bytes.count - reader.offset)")
        }

        var store = TicketStore(maxEntries: maxEntries, payloadVersion: version)
        let capacity = Int(store.maxEntries)
        store.droppedOnRead = max(tickets.count - capacity, 0)
        if store.droppedOnRead > 0 {
            tickets.removeFirst(store.droppedOnRead)
        }
        store.tickets = tickets
        return store
    }

    /// Encodes a store as payload version 2, or throws if it would pass a limit.
    public static func encode(_ store: TicketStore) throws -> [UInt8] {
        guard store.tickets.count <= maximumTicketCount else {
            throw TicketError.invalidValue("\(store.tickets.count) tickets exceed the limit of \(maximumTicketCount)")
        }
        var size = headerSize
        for (index, ticket) in store.tickets.enumerated() {
            guard ticket.identity.count <= maximumIdentityLength else {
                throw TicketError.invalidValue("ticket \(index): identity of \(ticket.identity.count) bytes exceeds the limit of \(maximumIdentityLength)")
            }
            guard ticket.ticketNonce.count <= maximumTicketNonceLength else {
                throw TicketError.invalidValue("ticket \(index): ticket_nonce of \(ticket.ticketNonce.count) bytes exceeds the limit of \(maximumTicketNonceLength)")
            }
            size += fixedTicketSize + ticket.identity.count + ticket.ticketNonce.count
        }
        guard size <= maximumSize else {
            throw TicketError.invalidValue("the payload would be \(size) bytes, over the \(maximumSize)-byte limit")
        }

        // Every byte is written below, so the 8 MiB buffer is not zeroed first.
        return [UInt8](unsafeUninitializedCapacity: size) { elements, initialized in
            HugePages.advise(UnsafeMutableRawBufferPointer(elements))
            var writer = Writer(buffer: UnsafeMutableRawBufferPointer(elements))
            writer.bytes(magic)
            writer.u8(currentVersion)
            writer.u32(store.maxEntries)
            writer.u32(UInt32(store.tickets.count))
            for ticket in store.tickets {
                writer.u16(UInt16(ticket.identity.count))
                writer.bytes(ticket.identity)
                writer.u16(UInt16(ticket.ticketNonce.count))
                writer.bytes(ticket.ticketNonce)
                writer.u32(ticket.obfuscatedTicketAge)
                writer.u32(ticket.ageAdd)
                writer.u64(ticket.issuedAtMs)
                writer.u64(ticket.lifetimeMs)
                writer.u32(ticket.maxEarlyDataSize)
                writer.u8(ticket.consumed ? 1 : 0)
            }
            precondition(writer.offset == size, "payload size miscounted")
            initialized = size
        }
    }

    /// Bytes of a version 2 ticket besides its identity and nonce.
    static let fixedTicketSize = 2 + 2 + 4 + 4 + 8 + 8 + 4 + 1

    /// Reads fields in place from the decrypted buffer. Only identities and
    /// nonces are copied out.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0
        /// The ticket being read, named in errors; nil in the header. Kept as
        /// a number so that the error text is only built when it is thrown.
        var ticketIndex: Int?

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        var context: String {
            ticketIndex.map { "ticket \($0): " } ?? ""
        }

        mutating func ticket(index: Int, version: UInt8) throws -> Ticket {
            ticketIndex = index
            let identityLength = Int(try u16("identity length"))
            guard identityLength <= maximumIdentityLength else {
                throw TicketError.malformedPayload("\(context)identity of \(identityLength) bytes exceeds the limit of \(maximumIdentityLength)")
            }
            let identity = try array(identityLength, "identity")
            let nonceLength = Int(try u16("ticket_nonce length"))
            guard nonceLength <= maximumTicketNonceLength else {
                throw TicketError.malformedPayload("\(context)ticket_nonce of \(nonceLength) bytes exceeds the limit of \(maximumTicketNonceLength)")
            }
            let nonce = try array(nonceLength, "ticket_nonce")
            let obfuscatedAge = try u32("obfuscated_ticket_age")
            let ageAdd = try u32("age_add")
            let issued = try u64("issued_at_ms")
            let lifetime = try u64("lifetime_ms")
            let earlyData = version >= 2 ? try u32("max_early_data_size") : 0
            let consumed = try u8("consumed")
            guard consumed <= 1 else {
                throw TicketError.malformedPayload("\(context)consumed flag is \(consumed) (must be 0 or 1)")
            }
            return Ticket(
                identity: identity, ticketNonce: nonce, obfuscatedTicketAge: obfuscatedAge,
                ageAdd: ageAdd, issuedAtMs: issued, lifetimeMs: lifetime,
                maxEarlyDataSize: earlyData, consumed: consumed == 1)
        }

        /// The next `count` bytes, in place.
        mutating func bytes(_ count: Int, _ field: String) throws -> UnsafeRawBufferPointer {
            guard bytes.count - offset >= count else {
                throw TicketError.malformedPayload(
                    "\(context)truncated in \(field) at byte \(offset): needs \(count), \(bytes.count - offset) left")
            }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        }

        /// The next `count` bytes as a new array. `Array(_:)` of a raw buffer
        /// is specialised here and copies with memcpy; building the array
        /// with `unsafeUninitializedCapacity` instead went through an
        /// unspecialised allocation in the runtime that looked up the
        /// array's type metadata on every call, 16,384 × 2 times per store.
        mutating func array(_ count: Int, _ field: String) throws -> [UInt8] {
            Array(try bytes(count, field))
        }

        mutating func u8(_ field: String) throws -> UInt8 {
            try bytes(1, field)[0]
        }

        mutating func u16(_ field: String) throws -> UInt16 {
            try integer(field)
        }

        mutating func u32(_ field: String) throws -> UInt32 {
            try integer(field)
        }

        mutating func u64(_ field: String) throws -> UInt64 {
            try integer(field)
        }

        private mutating func integer<T: FixedWidthInteger>(_ field: String) throws -> T {
            T(bigEndian: try bytes(MemoryLayout<T>.size, field).loadUnaligned(as: T.self))
        }
    }

    private struct Writer {
        let buffer: UnsafeMutableRawBufferPointer
        var offset = 0

        init(buffer: UnsafeMutableRawBufferPointer) {
            self.buffer = buffer
        }

        mutating func bytes(_ source: [UInt8]) {
            source.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + source.count])
                    .copyMemory(from: source)
            }
            offset += source.count
        }

        mutating func u8(_ value: UInt8) {
            buffer[offset] = value
            offset += 1
        }

        mutating func u16(_ value: UInt16) { integer(value) }
        mutating func u32(_ value: UInt32) { integer(value) }
        mutating func u64(_ value: UInt64) { integer(value) }

        private mutating func integer<T: FixedWidthInteger>(_ value: T) {
            buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
            offset += MemoryLayout<T>.size
        }
    }
}
