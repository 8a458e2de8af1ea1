import Glibc

/// Process exit statuses, from sysexits(3). Each failure maps to exactly one.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    /// `inspect --check` found a store that needs attention.
    case attention = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69
    case cannotCreate = 73
    case ioError = 74
    case temporaryFailure = 75
    case noPermission = 77

    /// What the status means, as README.md, `--help` and the man page say it.
    public var meaning: String {
        switch self {
        case .ok: "success"
        case .attention: "inspect --check: a store needs attention"
        case .usage: "usage error: unknown command or option, or a bad option value"
        case .dataError:
            "bad data: malformed store, failed authentication, a decode limit exceeded, an empty key"
        case .noInput: "a store or key file is missing or unreadable, or a store is not a regular file"
        case .unavailable: "AES-256-GCM is not available on this CPU"
        case .cannotCreate: "cannot create the output file"
        case .ioError: "I/O error, such as a full disk"
        case .temporaryFailure: "the store changed under us, or another writer holds its lock"
        case .noPermission: "permission denied"
        }
    }

    /// Of several stores' statuses, a run exits with the most severe: the
    /// highest number.
    public static func worst(_ statuses: [ExitStatus]) -> ExitStatus {
        statuses.max { $0.rawValue < $1.rawValue } ?? .ok
    }
}

/// Every failure the library reports. Messages are lowercase, have no
/// trailing period, and never contain key material.
public enum TicketError: Error, Equatable, Sendable {
    /// The key file or descriptor held zero bytes.
    case emptyKey
    /// Neither seal's tag verified.
    case authenticationFailed(keyEndsInNewline: Bool)
    /// The outer `NXSE` envelope is not well formed.
    case malformedEnvelope(String)
    /// The decrypted `NXTK` payload is not well formed or passes a limit.
    case malformedPayload(String)
    /// The file is larger than any legal store; it was not read.
    case tooLarge(size: Int64)
    /// A directory, FIFO, device or socket where a store or key was expected.
    case notRegularFile(String)
    /// A system call failed with `errno`.
    case system(operation: String, errno: Int32)
    /// libsodium cannot do AES-256-GCM on this machine.
    case cryptoUnavailable(String)
    /// The file on disk is not the one we read; nothing was replaced.
    case storeChanged
    /// Another ticketctl writer holds the store's lock.
    case locked(waitedSeconds: Double)
    /// The store has other hard links that a rename would silently detach.
    case hardLinked(count: UInt64)
    /// The file written did not read back as what was meant to be written.
    case verificationFailed(String)
    /// The file already exists and the command never overwrites.
    case alreadyExists
    /// A bad value in an option or in imported data.
    case invalidValue(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .emptyKey, .authenticationFailed, .malformedEnvelope, .malformedPayload,
            .tooLarge, .invalidValue:
            .dataError
        case .notRegularFile: .noInput
        case .cryptoUnavailable: .unavailable
        case .storeChanged, .locked: .temporaryFailure
        case .hardLinked, .alreadyExists: .cannotCreate
        case .verificationFailed: .ioError
        case .system(let operation, let code):
            switch code {
            case ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EBADF: operation == "create" ? .cannotCreate : .noInput
            case EACCES, EPERM: .noPermission
            case EROFS: .cannotCreate
            case EISDIR: .noInput
            case EEXIST: .cannotCreate
            case EAGAIN, EWOULDBLOCK, EINTR: .temporaryFailure
            default: .ioError
            }
        }
    }
}

extension TicketError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .emptyKey:
            return "the key is empty: key material must be at least one byte"
        case .authenticationFailed(let keyEndsInNewline):
            let base = "authentication failed in both seals (standard and noxtls-0.1): wrong key, or the file was altered"
            guard keyEndsInNewline else { return base }
            return base + "; note that the key ends in a newline byte, which is part of the key"
                + " (write key files with printf '%s', not echo)"
        case .malformedEnvelope(let problem):
            return "malformed envelope: \(problem)"
        case .malformedPayload(let problem):
            return "malformed payload: \(problem)"
        case .tooLarge(let size):
            return "file is \(size) bytes, larger than the largest legal store (\(Envelope.maximumFileSize) bytes); not read"
        case .notRegularFile(let kind):
            return "not a regular file (\(kind))"
        case .system(let operation, let code):
            return "cannot \(operation): \(String(cString: strerror(code)))"
        case .cryptoUnavailable(let reason):
            return reason
        case .storeChanged:
            return "the store changed on disk while ticketctl worked on it (another writer, such as the server); nothing was replaced, run again"
        case .locked(let waited):
            let after = waited > 0 ? " after waiting \(waited) s" : ""
            return "another ticketctl holds the store's lock\(after); use --wait SECONDS to wait for it"
        case .hardLinked(let count):
            return "the store has \(count) hard links; replacing it would detach the other names, so it is refused (copy it to a file of its own)"
        case .verificationFailed(let problem):
            return "the new store did not read back correctly (\(problem)); the original was kept"
        case .alreadyExists:
            return "the file already exists; refusing to overwrite it"
        case .invalidValue(let problem):
            return problem
        }
    }
}
