/// An element of GCM's GF(2^128), held as the 16-byte block read big-endian:
/// the block's first bit is the polynomial's x^0 coefficient (NIST SP 800-38D,
/// section 6.3).
struct GF128: Equatable {
    var bits: UInt128

    static let one = GF128(bits: 1 << 127)

    init(bits: UInt128) {
        self.bits = bits
    }

    init(block: UnsafeRawBufferPointer) {
        precondition(block.count == 16)
        var value: UInt128 = 0
        for byte in block {
            value = value << 8 | UInt128(byte)
        }
        bits = value
    }

    func write(to block: UnsafeMutableRawBufferPointer) {
        precondition(block.count == 16)
        for index in 0..<16 {
            block[index] = UInt8(truncatingIfNeeded: bits >> (8 * (15 - index)))
        }
    }

    /// Multiplication in the field: Algorithm 1 of SP 800-38D.
    static func * (lhs: GF128, rhs: GF128) -> GF128 {
        let reduction: UInt128 = 0xE1 << 120
        var product: UInt128 = 0
        var shifted = rhs.bits
        for bit in 0..<128 {
            if lhs.bits >> (127 - bit) & 1 == 1 {
                product ^= shifted
            }
            shifted = shifted & 1 == 1 ? (shifted >> 1) ^ reduction : shifted >> 1
        }
        return GF128(bits: product)
    }

    /// x^(2^n): n successive squarings.
    func squared(times count: Int) -> GF128 {
        var value = self
        for _ in 0..<count {
            value = value * value
        }
        return value
    }
}
