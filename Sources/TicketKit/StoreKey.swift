/// The key a store is sealed under, derived from the operator's key material.
///
/// AES-256 key = SHA-256(material). The GHASH key H, needed only for the
/// noxtls-0.1 seal, is derived on first use and kept in secret memory.
public final class StoreKey: @unchecked Sendable {
    let aesKey: SecretBytes
    /// Whether the material's last byte is `\n`: the commonest reason a
    /// correct-looking key fails to authenticate.
    public let endsInNewline: Bool
    private var cachedGHASHKey: SecretBytes?

    /// - Throws: `TicketError.emptyKey` for zero bytes of material.
    public init(material: UnsafeRawBufferPointer) throws {
        guard !material.isEmpty else { throw TicketError.emptyKey }
        try Sodium.requireAES256GCM()
        endsInNewline = material.last == UInt8(ascii: "\n")
        aesKey = SecretBytes(count: Sodium.keyBytes)
        aesKey.withUnsafeMutableBytes { Sodium.sha256(material, into: $0) }
    }

    /// A key from raw AES-256 key bytes, bypassing SHA-256: for test vectors
    /// published for AES-GCM itself.
    init(rawAESKey: [UInt8]) throws {
        try Sodium.requireAES256GCM()
        endsInNewline = false
        aesKey = rawAESKey.withUnsafeBytes { SecretBytes(copying: $0) }
    }

    public convenience init(material: SecretBytes) throws {
        try self.init(material: material.withUnsafeBytes { $0 })
    }

    /// Whether two keys derive the same AES key.
    public func sameKey(as other: StoreKey) -> Bool {
        aesKey.withUnsafeBytes { mine in
            other.aesKey.withUnsafeBytes { theirs in mine.elementsEqual(theirs) }
        }
    }

    /// H = AES_K(0^128), recovered through libsodium's GCM as FORMAT.md
    /// explains: with an empty message, tag(A = 1) XOR tag(A = 0) = 1·H·H = H²,
    /// and H = (H²)^(2^127) because squaring is a bijection of the field.
    var ghashKey: SecretBytes {
        if let cachedGHASHKey {
            return cachedGHASHKey
        }
        let key = SecretBytes(count: 16)
        key.withUnsafeMutableBytes { output in
            var tagOne = [UInt8](repeating: 0, count: 16)
            var tagZero = [UInt8](repeating: 0, count: 16)
            var blockOne = [UInt8](repeating: 0, count: 16)
            blockOne[0] = 0x80
            let blockZero = [UInt8](repeating: 0, count: 16)
            emptyMessageTag(additionalData: blockOne, into: &tagOne)
            emptyMessageTag(additionalData: blockZero, into: &tagZero)
            let square = tagOne.withUnsafeBytes { one in
                tagZero.withUnsafeBytes { zero in
                    GF128(bits: GF128(block: one).bits ^ GF128(block: zero).bits)
                }
            }
            square.squared(times: 127).write(to: output)
            tagOne.withUnsafeMutableBytes { Sodium.wipe($0) }
            tagZero.withUnsafeMutableBytes { Sodium.wipe($0) }
        }
        cachedGHASHKey = key
        return key
    }

    private func emptyMessageTag(additionalData: [UInt8], into tag: inout [UInt8]) {
        var nothing: [UInt8] = [0]
        let nonce = [UInt8](repeating: 0, count: Sodium.nonceBytes)
        aesKey.withUnsafeBytes { key in
            nothing.withUnsafeMutableBytes { scratch in
                tag.withUnsafeMutableBytes { tagBuffer in
                    additionalData.withUnsafeBytes { aad in
                        nonce.withUnsafeBytes { nonceBuffer in
                            Sodium.sealDetached(
                                message: UnsafeRawBufferPointer(rebasing: scratch[0..<0]),
                                ciphertext: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<0]),
                                tag: tagBuffer, additionalData: aad, nonce: nonceBuffer, key: key)
                        }
                    }
                }
            }
        }
    }
}
