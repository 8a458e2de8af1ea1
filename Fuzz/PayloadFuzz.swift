import TicketKit

/// libFuzzer target for the decrypted `NXTK` payload decoder.
///
/// A decode either throws a `TicketError` that maps to exit 65, or gives a
/// store that encodes and decodes again to the same tickets and capacity.
/// Anything else traps, and libFuzzer reports the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPayload(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let store: TicketStore
    do {
        store = try Payload.decode(input)
    } catch let error as TicketError {
        precondition(error.exitStatus == .dataError, "refusal outside exit 65: \(error)")
        return 0
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }

    precondition(store.tickets.count <= Int(store.maxEntries))
    let encoded: [UInt8]
    do {
        encoded = try Payload.encode(store)
    } catch {
        // Version 1 tickets gain a 4-byte field when written as version 2,
        // so only a version 1 payload near the limit may fail to re-encode.
        precondition(store.payloadVersion == 1, "a decoded store failed to encode: \(error)")
        return 0
    }
    if store.payloadVersion == Payload.currentVersion {
        precondition(encoded.count <= input.count, "re-encoding grew a version 2 payload")
    }
    do {
        let again = try encoded.withUnsafeBytes { try Payload.decode($0) }
        precondition(again.tickets == store.tickets, "tickets changed in a round trip")
        precondition(again.maxEntries == store.maxEntries, "capacity changed in a round trip")
        precondition(again.droppedOnRead == 0 && again.payloadVersion == Payload.currentVersion)
    } catch {
        preconditionFailure("an encoded store did not decode again: \(error)")
    }
    return 0
}
