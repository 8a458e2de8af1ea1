/// How a store's GCM tag is computed. The ciphertext is the same in both.
public enum SealKind: String, Sendable, CaseIterable, Codable {
    /// NIST SP 800-38D: the length block holds the AAD length in bits.
    /// noxtls 0.2 and later read and write this.
    case standard = "standard"
    /// noxtls 0.1.x: the length block holds the AAD length in bytes.
    case noxtls01 = "noxtls-0.1"

    /// Which noxtls releases can load a store with this seal.
    public var readableBy: String {
        switch self {
        case .standard: "noxtls 0.2 and later"
        case .noxtls01: "noxtls 0.1.x only"
        }
    }

    /// tag(noxtls-0.1) = tag(standard) XOR D·H, with D the XOR of the two
    /// length blocks: (168 XOR 21) << 64, 168 being the AAD's 21 bytes in bits.
    static let lengthBlockDifference = GF128(bits: UInt128(168 ^ 21) << 64)

    /// XORs D·H into `tag`, turning a standard tag into a noxtls-0.1 tag or
    /// back again.
    static func toggleLegacyAdjustment(
        of tag: UnsafeMutableRawBufferPointer, key: StoreKey
    ) {
        key.ghashKey.withUnsafeBytes { hBytes in
            let adjustment = lengthBlockDifference * GF128(block: hBytes)
            GF128(bits: GF128(block: UnsafeRawBufferPointer(tag)).bits ^ adjustment.bits)
                .write(to: tag)
        }
    }
}
