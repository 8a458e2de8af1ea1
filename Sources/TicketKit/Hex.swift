/// Lowercase hexadecimal, as dump-json and the conformance cases write
/// identities and nonces. The conversion itself is libsodium's.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        String(decoding: Sodium.hexEncode(bytes), as: UTF8.self)
    }

    /// Decodes hex of either case; nil for odd length or a non-hex digit.
    public static func decode(_ text: String) -> [UInt8]? {
        Sodium.hexDecode(Array(text.utf8))
    }
}
