import TicketKit

/// libFuzzer target for the `NXSE` envelope.
///
/// Each input is opened as a store file under a fixed key (the conformance
/// fixtures' text key, so seeds from those stores authenticate). Then the
/// same bytes, taken as a payload, are sealed under both seals and must open
/// again to exactly themselves and the seal they were written with.
/// Anything else traps, and libFuzzer reports the input.

private let fixtureKey = Array("operator-secret-11".utf8)

private let key: StoreKey = {
    do {
        return try fixtureKey.withUnsafeBytes { try StoreKey(material: $0) }
    } catch {
        fatalError("cannot derive the fuzzing key: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    openAsStore(input)
    if size <= Payload.maximumSize {
        for seal in SealKind.allCases {
            roundTrip(input, seal: seal)
        }
    }
    return 0
}

private func openAsStore(_ file: UnsafeRawBufferPointer) {
    do {
        let opened = try Envelope.open(file, key: key)
        precondition(opened.payload.count == file.count - Envelope.overhead)
        _ = try? opened.payload.withUnsafeBytes { try Payload.decode($0) }
    } catch let error as TicketError {
        precondition(error.exitStatus == .dataError, "refusal outside exit 65: \(error)")
    } catch {
        preconditionFailure("unexpected error type: \(error)")
    }
}

private func roundTrip(_ payload: UnsafeRawBufferPointer, seal: SealKind) {
    let file = Envelope.seal(payload, key: key, as: seal)
    precondition(file.count == payload.count + Envelope.overhead)
    do {
        let opened = try file.withUnsafeBytes { try Envelope.open($0, key: key) }
        precondition(opened.seal == seal, "sealed as \(seal), opened as \(opened.seal)")
        opened.payload.withUnsafeBytes { precondition($0.elementsEqual(payload)) }
    } catch {
        preconditionFailure("a freshly sealed \(seal) file did not open: \(error)")
    }
}
