import FoundationEssentials
import TicketKit

/// libFuzzer target for import-json's reading of a dump-json document.
///
/// A document either is refused with a `TicketError` that maps to exit 65,
/// or describes a store whose tickets survive encoding and decoding, and
/// whose dump decodes back to the same store.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Data(bytes: $0, count: size) } ?? Data()
    let store: TicketStore
    let encoded: [UInt8]
    do {
        store = try StoreDocument.decode(input).makeStore()
        encoded = try Payload.encode(store)
    } catch let error as TicketError {
        precondition(error.exitStatus == .dataError, "refusal outside exit 65: \(error)")
        return 0
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }

    do {
        let again = try encoded.withUnsafeBytes { try Payload.decode($0) }
        precondition(again.tickets == store.tickets, "tickets changed in a round trip")
        precondition(again.maxEntries == store.maxEntries, "capacity changed in a round trip")
    } catch {
        preconditionFailure("an imported store did not decode again: \(error)")
    }
    return 0
}
