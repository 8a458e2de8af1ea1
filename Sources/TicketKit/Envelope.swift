/// The outer `NXSE` envelope:
///
///     offset  size  field
///     0       4     magic "NXSE"
///     4       1     envelope version, 1
///     5       12    nonce
///     17      4     ciphertext length n, u32 big-endian
///     21      n     ciphertext
///     21+n    16    tag
///
/// The first 21 bytes are the additional authenticated data.
public enum Envelope {
    static let magic: [UInt8] = Array("NXSE".utf8)
    static let version: UInt8 = 1
    static let headerSize = 21
    static let tagSize = 16
    public static let overhead = headerSize + tagSize
    /// The largest file a legal store can be: header, 8 MiB payload, tag.
    public static let maximumFileSize = overhead + Payload.maximumSize

    /// Checks the envelope's framing and returns the ciphertext length.
    static func ciphertextLength(of file: UnsafeRawBufferPointer) throws -> Int {
        guard file.count >= overhead else {
            throw TicketError.malformedEnvelope(
                "file is \(file.count) bytes, shorter than the \(overhead)-byte minimum")
        }
        guard file.prefix(4).elementsEqual(magic) else {
            throw TicketError.malformedEnvelope("bad magic (expected \"NXSE\"): not a noxtls ticket store")
        }
        guard file[4] == version else {
            throw TicketError.malformedEnvelope("unsupported envelope version \(file[4]) (expected 1)")
        }
        let length = Int(file.loadUnaligned(fromByteOffset: 17, as: UInt32.self).bigEndian)
        guard length <= Payload.maximumSize else {
            throw TicketError.malformedEnvelope(
                "ciphertext length \(length) exceeds the \(Payload.maximumSize)-byte payload limit")
        }
        let expected = overhead + length
        guard file.count >= expected else {
            throw TicketError.malformedEnvelope(
                "truncated: the header claims \(length) bytes of ciphertext, the file holds \(file.count - overhead)")
        }
        guard file.count == expected else {
            throw TicketError.malformedEnvelope("trailing bytes after the tag: \(file.count - expected)")
        }
        return length
    }

    /// Authenticates and decrypts a store file, trying the seal `first`
    /// (by default the standard one) and then the other.
    ///
    /// Each failed try costs a full decryption pass, so a caller that knows
    /// which seal to expect, such as the check of a file just written, names
    /// it.
    public static func open(
        _ file: UnsafeRawBufferPointer, key: StoreKey, trying first: SealKind = .standard
    ) throws -> (payload: SecretBytes, seal: SealKind) {
        let length = try ciphertextLength(of: file)
        let header = UnsafeRawBufferPointer(rebasing: file[0..<headerSize])
        let nonce = UnsafeRawBufferPointer(rebasing: file[5..<17])
        let ciphertext = UnsafeRawBufferPointer(rebasing: file[headerSize..<headerSize + length])
        let fileTag = UnsafeRawBufferPointer(rebasing: file[(headerSize + length)...])
        let payload = SecretBytes(count: length)

        let opened: SealKind? = key.aesKey.withUnsafeBytes { aesKey in
            payload.withUnsafeMutableBytes { plaintext in
                var tag = [UInt8](fileTag)
                defer { tag.withUnsafeMutableBytes { Sodium.wipe($0) } }
                return tag.withUnsafeMutableBytes { tag -> SealKind? in
                    // libsodium checks standard tags: a noxtls-0.1 tag is
                    // tried as the file's tag XOR D·H.
                    var adjusted = false
                    let order: [SealKind] = first == .standard ? [.standard, .noxtls01] : [.noxtls01, .standard]
                    for seal in order {
                        if (seal == .noxtls01) != adjusted {
                            SealKind.toggleLegacyAdjustment(of: tag, key: key)
                            adjusted.toggle()
                        }
                        if Sodium.openDetached(
                            ciphertext: ciphertext, tag: UnsafeRawBufferPointer(tag),
                            message: plaintext, additionalData: header, nonce: nonce, key: aesKey)
                        {
                            return seal
                        }
                    }
                    return nil
                }
            }
        }
        guard let opened else {
            throw TicketError.authenticationFailed(keyEndsInNewline: key.endsInNewline)
        }
        return (payload, opened)
    }

    /// Authenticates `file` in the one seal given and decrypts its
    /// ciphertext where it lies: a check of a file just written, without a
    /// second buffer the size of the store. Returns the plaintext, inside
    /// `file`, or nil when the tag does not verify.
    ///
    /// libsodium 1.0.18's AES-GCM checks the whole tag before it decrypts
    /// anything, block by block, so its output may be its input. Should a
    /// later libsodium not allow that, the plaintext would not match what
    /// was written and the check would fail: no file is ever renamed into
    /// place on the strength of it.
    static func openInPlace(
        _ file: UnsafeMutableRawBufferPointer, key: StoreKey, as seal: SealKind
    ) throws -> UnsafeMutableRawBufferPointer? {
        let length = try ciphertextLength(of: UnsafeRawBufferPointer(file))
        let contents = UnsafeMutableRawBufferPointer(rebasing: file[headerSize..<headerSize + length])
        var tag = [UInt8](file[(headerSize + length)...])
        defer { tag.withUnsafeMutableBytes { Sodium.wipe($0) } }
        let verified = tag.withUnsafeMutableBytes { tag in
            if seal == .noxtls01 {
                SealKind.toggleLegacyAdjustment(of: tag, key: key)
            }
            return key.aesKey.withUnsafeBytes { aesKey in
                Sodium.openDetached(
                    ciphertext: UnsafeRawBufferPointer(contents), tag: UnsafeRawBufferPointer(tag),
                    message: contents, additionalData: UnsafeRawBufferPointer(rebasing: file[0..<headerSize]),
                    nonce: UnsafeRawBufferPointer(rebasing: file[5..<17]), key: aesKey)
            }
        }
        return verified ? contents : nil
    }

    /// The header (with its nonce) and the tag of a sealed file: enough to
    /// tell one save from another, since every save uses a fresh nonce.
    static func fingerprint(of file: [UInt8]) -> [UInt8] {
        guard file.count >= overhead else { return file }
        return Array(file[..<headerSize] + file[(file.count - tagSize)...])
    }

    /// Encrypts `payload` under a fresh random nonce and returns the whole file.
    public static func seal(
        _ payload: UnsafeRawBufferPointer, key: StoreKey, as seal: SealKind
    ) -> [UInt8] {
        precondition(payload.count <= Payload.maximumSize)
        let nonce = Sodium.randomBytes(Sodium.nonceBytes)
        // Header, ciphertext and tag cover every byte, so the buffer is not
        // zeroed first.
        let size = overhead + payload.count
        return [UInt8](unsafeUninitializedCapacity: size) { elements, initialized in
            let output = UnsafeMutableRawBufferPointer(elements)
            HugePages.advise(output)
            magic.withUnsafeBytes { output.copyMemory(from: $0) }
            output[4] = version
            nonce.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: output[5..<17]).copyMemory(from: $0)
            }
            output.storeBytes(
                of: UInt32(payload.count).bigEndian, toByteOffset: 17, as: UInt32.self)
            let tagStart = headerSize + payload.count
            let tag = UnsafeMutableRawBufferPointer(rebasing: output[tagStart...])
            key.aesKey.withUnsafeBytes { aesKey in
                Sodium.sealDetached(
                    message: payload,
                    ciphertext: UnsafeMutableRawBufferPointer(rebasing: output[headerSize..<tagStart]),
                    tag: tag,
                    additionalData: UnsafeRawBufferPointer(rebasing: output[0..<headerSize]),
                    nonce: UnsafeRawBufferPointer(rebasing: output[5..<17]), key: aesKey)
            }
            if seal == .noxtls01 {
                SealKind.toggleLegacyAdjustment(of: tag, key: key)
            }
            initialized = size
        }
    }
}
