import Glibc

/// Where the operator's key material comes from. There is deliberately no
/// way to pass a key as a command-line argument, where `ps` would show it.
public enum KeySource: Equatable, Sendable {
    /// A file's exact bytes; a trailing newline is part of the key.
    case file(String)
    /// Standard input, read to its end.
    case standardInput
    /// An inherited file descriptor, read to its end: how secret managers
    /// hand over a key without a file on disk.
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

    /// The descriptor a stream source reads, so that two keys are never
    /// read from the same stream; nil for a named file.
    public var streamDescriptor: Int32? {
        switch self {
        case .file: nil
        case .standardInput: STDIN_FILENO
        case .descriptor(let fd): fd
        }
    }

    /// Reads the key material into secret memory.
    ///
    /// Any source is read to its end, except a terminal: there the key is
    /// one line, typed without echo, and the Enter that ends it is not part
    /// of the key. `prompt` is called just before such a read.
    ///
    /// - Parameter warn: Told when the key sits in a regular file that group
    ///   or other may read, or that another non-root user owns.
    /// - Throws: `TicketError.system` when the source cannot be opened or
    ///   read, `.notRegularFile` for a directory, `.invalidValue` when it
    ///   holds more than `maximumLength` bytes, and `.emptyKey` when it
    ///   holds none.
    public func read(
        warn: (String) -> Void = { _ in }, prompt: () -> Void = {}
    ) throws -> SecretBytes {
        let fd = try openDescriptor()
        defer {
            if case .file = self { close(fd) }
        }
        let status = try FileSystem.status(of: fd)
        if status.mode & UInt32(S_IFMT) == UInt32(S_IFDIR) {
            throw TicketError.notRegularFile("a directory")
        }
        if status.isRegularFile {
            Self.exposure(of: status).forEach(warn)
        }

        let buffer = SecretBytes(count: Self.maximumLength + 1)
        let total: Int
        if isatty(fd) == 1 {
            prompt()
            total = try TerminalInput.readLineWithoutEcho(fd, into: buffer)
        } else {
            total = try buffer.withUnsafeMutableBytes { try FileSystem.read(fd, into: $0) }
        }
        guard total <= Self.maximumLength else {
            throw TicketError.invalidValue(
                "key material is longer than \(Self.maximumLength) bytes: is this really a key file?")
        }
        guard total > 0 else { throw TicketError.emptyKey }
        return buffer.withUnsafeBytes { SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<total])) }
    }

    private func openDescriptor() throws -> Int32 {
        switch self {
        case .file(let path):
            let fd = FileSystem.retrying { open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) }
            try FileSystem.check(fd, "open")
            return fd
        case .standardInput, .descriptor:
            let fd = streamDescriptor ?? STDIN_FILENO
            try FileSystem.check(fcntl(fd, F_GETFD), "read a key from it")
            return fd
        }
    }

    /// Why a key file's owner or mode exposes it, if they do.
    static func exposure(of status: FileStatus) -> [String] {
        var problems: [String] = []
        if status.mode & UInt32(S_IRGRP | S_IROTH) != 0 {
            let mode = String(status.permissions, radix: 8)
            problems.append("key file mode \(mode) lets group or other read it (chmod 600 it)")
        }
        if status.owner != 0 && status.owner != geteuid() {
            problems.append("key file is owned by \(status.ownerName), another user who can read or replace it")
        }
        return problems
    }
}

/// Reading a key typed at a terminal, with echo off for exactly as long as
/// the read takes, even if it is interrupted by a signal.
enum TerminalInput {
    /// The terminal's settings before echo was turned off, for the signal
    /// handler to put back. Only one key is read at a time.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var savedDescriptor: Int32 = -1

    private static let interrupting = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Reads one line from the terminal `fd` into `buffer`, without the
    /// newline that ends it. Returns the byte count.
    static func readLineWithoutEcho(_ fd: Int32, into buffer: SecretBytes) throws -> Int {
        var original = termios()
        try FileSystem.check(tcgetattr(fd, &original), "read the terminal's settings")
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO | ECHOE | ECHOK)
        silent.c_lflag |= tcflag_t(ECHONL)

        saved = original
        savedDescriptor = fd
        let previous = interrupting.map { signal($0, restoreAndRethrow) }
        defer {
            _ = tcsetattr(fd, TCSAFLUSH, &original)
            for (signal, handler) in zip(interrupting, previous) {
                Glibc.signal(signal, handler)
            }
            savedDescriptor = -1
        }
        try FileSystem.check(tcsetattr(fd, TCSAFLUSH, &silent), "turn off the terminal's echo")

        return try buffer.withUnsafeMutableBytes { bytes in
            var total = try FileSystem.read(fd, into: bytes, stoppingAfter: UInt8(ascii: "\n"))
            if total > 0 && bytes[total - 1] == UInt8(ascii: "\n") {
                bytes[total - 1] = 0
                total -= 1
            }
            return total
        }
    }

    /// Puts the terminal back and dies of the signal as if never caught.
    private static let restoreAndRethrow: @convention(c) (Int32) -> Void = { signal in
        if TerminalInput.savedDescriptor >= 0 {
            _ = tcsetattr(TerminalInput.savedDescriptor, TCSANOW, &TerminalInput.saved)
        }
        Glibc.signal(signal, SIG_DFL)
        raise(signal)
    }
}
