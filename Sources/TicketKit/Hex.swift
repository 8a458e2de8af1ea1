/// Lowercase hexadecimal, as dump-json and the conformance cases write
/// identities and nonces.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        append(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the hex digits of `bytes` to `output`. A dump of the largest
    /// store writes 15 MB of them, so this works on the bytes directly
    /// rather than through an intermediate array per value. Like libsodium's
    /// `sodium_bin2hex`, the digit arithmetic has no branch or table lookup
    /// that depends on the secret bytes.
    static func append(_ bytes: [UInt8], to output: inout [UInt8]) {
        let start = output.count
        let count = bytes.count * 2
        output.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { digits in
                let target = UnsafeMutableBufferPointer(rebasing: digits[start..<start + count])
                for index in source.indices {
                    let byte = source[index]
                    target[2 * index] = digit(byte >> 4)
                    target[2 * index + 1] = digit(byte & 0x0F)
                }
            }
        }
    }

    /// '0'...'9' for 0...9 and 'a'...'f' for 10...15: `(9 - n) >> 8` is all
    /// ones exactly when n > 9, which adds the 39 between '9' + 1 and 'a'.
    private static func digit(_ nibble: UInt8) -> UInt8 {
        let value = Int(nibble)
        return UInt8(truncatingIfNeeded: 48 + value + (((9 - value) >> 8) & 39))
    }

    /// Decodes hex of either case; nil for odd length or a non-hex digit.
    public static func decode(_ text: String) -> [UInt8]? {
        Sodium.hexDecode(Array(text.utf8))
    }
}
