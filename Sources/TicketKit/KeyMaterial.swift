import Glibc

/// Where the operator's key material comes from. There is deliberately no
/// way to pass a key as a command-line argument, where `ps` would show it.
public enum KeySource: Equatable, Sendable {
    /// A file's exact bytes; a trailing newline is part of the key.
    case file(String)
    /// Standard input, read to its end.
    case standardInput
    /// An inherited file descriptor, read to its end.
    case descriptor(Int32)

    /// Longest key material accepted, so that a wrong path such as a log
    /// file or `/dev/zero` fails fast instead of filling memory.
    public static let maximumLength = 64 * 1024

    public var displayName: String {
        switch self {
        case .file(let path): path
        case .standardInput: "standard input"
        case .descriptor(let fd): "file descriptor \(fd)"
        }
    }

    /// Reads the key material into secret memory.
    ///
    /// - Throws: `TicketError.system` when the source cannot be read,
    ///   `.invalidValue` when it holds more than `maximumLength` bytes, and
    ///   `.emptyKey` when it holds none.
    public func read() throws -> SecretBytes {
        let fd: Int32
        switch self {
        case .file(let path):
            fd = FileSystem.retrying { open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) }
            try FileSystem.check(fd, "open")
        case .standardInput:
            fd = STDIN_FILENO
        case .descriptor(let number):
            fd = number
        }
        defer {
            if case .file = self { close(fd) }
        }
        let info = try FileSystem.status(of: fd)
        if info.mode & UInt32(S_IFMT) == UInt32(S_IFDIR) {
            throw TicketError.notRegularFile("a directory")
        }

        let buffer = SecretBytes(count: Self.maximumLength + 1)
        var total = 0
        var failure: Int32 = 0
        buffer.withUnsafeMutableBytes { bytes in
            while total < bytes.count {
                let got = Glibc.read(fd, bytes.baseAddress! + total, bytes.count - total)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if got == 0 { break }
                total += got
            }
        }
        if failure != 0 {
            throw TicketError.system(operation: "read", errno: failure)
        }
        guard total <= Self.maximumLength else {
            throw TicketError.invalidValue("key material is longer than \(Self.maximumLength) bytes: is this really a key file?")
        }
        guard total > 0 else { throw TicketError.emptyKey }
        return buffer.withUnsafeBytes { SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<total])) }
    }
}
