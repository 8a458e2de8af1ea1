import Glibc

/// Writes a store at a path where no file exists yet, mode 0600.
///
/// The sealed store goes to an exclusively created temporary file beside the
/// target, is fsync'd and read back, and is then hard-linked to the target
/// name. `link` fails if the name exists, so an existing file is never
/// overwritten, even by a race, and a crash never leaves a half-written store
/// under the target name.
public enum StoreCreation {
    /// - Throws: `TicketError.alreadyExists` (exit 73) when `path` exists,
    ///   `TicketError.system` for a failing step; nothing is left behind.
    public static func create(_ path: String, store: TicketStore, seal: SealKind, key: StoreKey) throws {
        let (directoryPath, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw TicketError.invalidValue("not a file name")
        }
        let directory = try FileSystem.openDirectory(directoryPath)
        defer { close(directory) }
        var existing = stat()
        if fstatat(directory, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 {
            throw TicketError.alreadyExists
        }

        let payload = try Payload.encode(store)
        let file = payload.withUnsafeBytes { Envelope.seal($0, key: key, as: seal) }
        let temporaryName = ".\(name).ticketctl-\(Hex.encode(Sodium.randomBytes(6)))\(StorePath.temporarySuffix)"
        let fd = FileSystem.retrying {
            openat(directory, temporaryName, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        try FileSystem.check(fd, "create")
        defer {
            close(fd)
            unlinkat(directory, temporaryName, 0)
        }
        try FileSystem.check(fchmod(fd, 0o600), "set the mode of the new file")
        try FileSystem.writeAll(fd, file)
        try FileSystem.check(FileSystem.retrying { fsync(fd) }, "fsync")
        try verify(fd: fd, payload: payload, seal: seal, key: key)

        if linkat(directory, temporaryName, directory, name, 0) != 0 {
            if errno == EEXIST { throw TicketError.alreadyExists }
            throw TicketError.system(operation: "create", errno: errno)
        }
        try FileSystem.check(FileSystem.retrying { fsync(directory) }, "fsync the directory (the new store is in place)")
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }

    private static func verify(fd: Int32, payload: [UInt8], seal: SealKind, key: StoreKey) throws {
        let (bytes, _) = try StoreFile.readBounded(fd: fd)
        let reopened = try bytes.withUnsafeBytes { try Envelope.open($0, key: key) }
        let same = reopened.payload.withUnsafeBytes { $0.elementsEqual(payload) }
        guard same, reopened.seal == seal else {
            throw TicketError.verificationFailed("its contents differ from what was written")
        }
    }
}
