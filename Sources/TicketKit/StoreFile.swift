import Glibc

/// A store file read from disk and opened.
public struct OpenedStore: Sendable {
    /// The path as the operator gave it.
    public var path: String
    public var status: FileStatus
    public var store: TicketStore
    public var seal: SealKind
    /// Size of the decrypted payload in bytes, to compare with the 8 MiB limit.
    public var payloadSize: Int
}

public enum StoreFile {
    /// Reads and opens the store at `path`, following symlinks.
    ///
    /// - Throws: `TicketError` naming the failing step; the file is never
    ///   written. Files larger than any legal store, and anything that is not
    ///   a regular file, are refused before a byte is read.
    public static func open(_ path: String, key: StoreKey) throws -> OpenedStore {
        let fd = try FileSystem.openForReading(path)
        defer { close(fd) }
        return try open(fd: fd, path: path, key: key)
    }

    static func open(fd: Int32, path: String, key: StoreKey) throws -> OpenedStore {
        let (bytes, status) = try readBounded(fd: fd)
        return try open(bytes: bytes, status: status, path: path, key: key)
    }

    /// Opens bytes already read. It takes them over, so that the file's
    /// copy is freed once decrypted, before the tickets are decoded.
    static func open(
        bytes: consuming [UInt8], status: FileStatus, path: String, key: StoreKey
    ) throws -> OpenedStore {
        let (payload, seal) = try bytes.withUnsafeBytes { file in
            try Envelope.open(file, key: key)
        }
        _ = consume bytes
        let store = try payload.withUnsafeBytes { bytes in
            try Payload.decode(bytes)
        }
        return OpenedStore(
            path: path, status: status, store: store, seal: seal, payloadSize: payload.count)
    }

    /// Checks, without reading it, that `path` is a regular file no larger
    /// than the largest legal store: for commands that must not consume a
    /// key before they know every path is usable.
    ///
    /// - Throws: `TicketError.system` when it cannot be opened,
    ///   `.notRegularFile` or `.tooLarge` otherwise.
    public static func checkReadable(_ path: String) throws {
        let fd = try FileSystem.openForReading(path)
        defer { close(fd) }
        _ = try boundedStatus(fd: fd)
    }

    /// The whole file behind `fd`, if it is a regular file no larger than the
    /// largest legal store.
    static func readBounded(fd: Int32) throws -> ([UInt8], FileStatus) {
        let status = try boundedStatus(fd: fd)
        let bytes = try FileSystem.readAll(fd, count: Int(status.size))
        return (bytes, status)
    }

    private static func boundedStatus(fd: Int32) throws -> FileStatus {
        let status = try FileSystem.status(of: fd)
        guard status.isRegularFile else {
            throw TicketError.notRegularFile(status.typeDescription)
        }
        guard status.size <= Int64(Envelope.maximumFileSize) else {
            throw TicketError.tooLarge(size: status.size)
        }
        return status
    }
}
