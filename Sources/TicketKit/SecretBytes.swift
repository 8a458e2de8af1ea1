/// Bytes that must not outlive their use: key material, derived keys, the
/// GHASH key and decrypted payloads. The memory comes from `sodium_malloc`
/// (guard pages, excluded from core dumps where the kernel allows) and is
/// wiped when the last reference goes away.
public final class SecretBytes: @unchecked Sendable {
    private let buffer: UnsafeMutableRawBufferPointer

    public var count: Int { buffer.count }

    /// Zero-filled secret memory of `count` bytes.
    public init(count: Int) {
        guard let buffer = Sodium.allocate(count) else {
            fatalError("sodium_malloc could not allocate \(count) bytes")
        }
        Sodium.wipe(buffer)
        self.buffer = buffer
    }

    /// A secret copy of `bytes`. The caller still owns and wipes the source.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count)
        if bytes.count > 0 {
            buffer.copyMemory(from: bytes)
        }
    }

    deinit {
        Sodium.free(buffer)
    }

    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeRawBufferPointer(buffer))
    }

    func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(buffer)
    }
}
