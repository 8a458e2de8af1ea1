import Glibc

/// What a writing command wants in place of the store it read.
public struct Replacement: Sendable {
    public var store: TicketStore
    public var seal: SealKind
    public var key: StoreKey

    public init(store: TicketStore, seal: SealKind, key: StoreKey) {
        self.store = store
        self.seal = seal
        self.key = key
    }
}

/// The steps of a rewrite at which a test can inject a failure.
public enum RewriteStep: String, CaseIterable, Sendable {
    case createTemporary, changeOwner, write, sync, verify, backup, rename, syncDirectory
}

/// How a rewrite ended for one store.
public struct RewriteOutcome: Sendable {
    public var opened: OpenedStore
    /// What the command asked for, or nil when it had nothing to change.
    public var replacement: Replacement?
    public var written: Bool
    public var backupPath: String?
    /// Temporary files of killed runs that this run removed.
    public var removedLeftovers: [String]
}

/// The one path by which every writing command replaces a store.
///
/// The new store goes to an exclusively created temporary file in the same
/// directory (mode at most 0600, the original's owner and group), is
/// fsync'd, read back and opened with its key, and only then renamed over
/// the original, after which the directory is fsync'd. Writers serialise on
/// an exclusive `flock` of the store; a writer that takes no lock, such as
/// the server, is caught by comparing the file's identity and times just
/// before the rename. Every failure before the rename leaves the original
/// untouched and removes the temporary file.
public struct StoreRewriter: Sendable {
    /// How long to wait for another writer's lock; zero fails at once.
    public var waitSeconds: Double = 0
    /// Keep the previous store as `FILE.bak`, same inode, mode and owner.
    public var keepBackup = false
    /// Report what would change; take no lock and write nothing.
    public var dryRun = false
    /// Test seam: called before each step; a non-zero result is injected as
    /// that step's errno.
    public var injectFault: (@Sendable (RewriteStep) -> Int32)?

    public init() {}

    /// Opens the store at `path` with `key`, asks `change` for a
    /// replacement, and writes it if there is one.
    public func rewrite(
        _ path: String, key: StoreKey, change: (OpenedStore) throws -> Replacement?
    ) throws -> RewriteOutcome {
        let target = try StorePath(resolving: path)
        let directory = try FileSystem.openDirectory(target.directory)
        defer { close(directory) }

        let fd = try dryRun
            ? FileSystem.openForReading(target.name, in: directory, followLinks: false)
            : lockCurrentFile(target, directory: directory)
        defer { close(fd) }

        var opened = try StoreFile.open(fd: fd, path: path, key: key)
        guard opened.status.linkCount == 1 || dryRun else {
            throw TicketError.hardLinked(count: opened.status.linkCount)
        }
        let leftovers = dryRun ? [] : target.removeLeftovers(in: directory)
        opened.path = path
        var outcome = RewriteOutcome(
            opened: opened, replacement: try change(opened), written: false,
            removedLeftovers: leftovers)
        guard let replacement = outcome.replacement, !dryRun else {
            return outcome
        }

        let payload = try Payload.encode(replacement.store)
        let file = payload.withUnsafeBytes {
            Envelope.seal($0, key: replacement.key, as: replacement.seal)
        }
        try SignalGuard.deferringTermination {
            outcome.backupPath = try replace(
                target, in: directory, with: file, expecting: payload,
                replacement: replacement, original: opened.status)
        }
        outcome.written = true
        return outcome
    }

    /// Opens the store's current file and takes its exclusive lock. If the
    /// name was renamed over while we waited, the lock is on a file no longer
    /// in place, so it starts again on the new one.
    private func lockCurrentFile(_ target: StorePath, directory: Int32) throws -> Int32 {
        let deadline = Timestamp.nowMs() + UInt64(max(waitSeconds, 0) * 1000)
        while true {
            let fd = try FileSystem.openForReading(target.name, in: directory, followLinks: false)
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                let locked = try? FileSystem.status(of: fd)
                let current = try? FileSystem.status(of: target.name, in: directory)
                if let locked, let current, locked.inode == current.inode,
                    locked.device == current.device
                {
                    return fd
                }
                close(fd)
                continue
            }
            let failure = errno
            close(fd)
            guard failure == EWOULDBLOCK || failure == EINTR else {
                throw TicketError.system(operation: "lock", errno: failure)
            }
            guard Timestamp.nowMs() < deadline else {
                throw TicketError.locked(waitedSeconds: waitSeconds)
            }
            usleep(20_000)
        }
    }

    private func step(_ step: RewriteStep, _ result: Int32 = 0) throws {
        if let code = injectFault?(step), code != 0 {
            throw TicketError.system(operation: step.operation, errno: code)
        }
        try FileSystem.check(result, step.operation)
    }

    /// Writes `file` beside the original and renames it into place. Returns
    /// the backup's path when one was kept.
    private func replace(
        _ target: StorePath, in directory: Int32, with file: [UInt8], expecting payload: [UInt8],
        replacement: Replacement, original: FileStatus
    ) throws -> String? {
        let temporaryName = target.temporaryName()
        try step(.createTemporary)
        let fd = FileSystem.retrying {
            openat(directory, temporaryName, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        try FileSystem.check(fd, "create")
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlinkat(directory, temporaryName, 0) }
        }

        let mine = try FileSystem.status(of: fd)
        if mine.owner != original.owner || mine.group != original.group {
            try step(.changeOwner, fchown(fd, original.owner, original.group))
        }
        try step(.changeOwner, fchmod(fd, mode_t(original.permissions & 0o600)))
        try step(.write)
        try FileSystem.writeAll(fd, file)
        try step(.sync, FileSystem.retrying { fsync(fd) })

        try step(.verify)
        try verify(fd: fd, expecting: payload, replacement: replacement)

        let current = try FileSystem.status(of: target.name, in: directory)
        guard current.isSameVersion(as: original) else {
            throw TicketError.storeChanged
        }
        var backupPath: String?
        if keepBackup {
            try step(.backup)
            backupPath = try target.linkBackup(in: directory)
        }
        try step(.rename, renameat(directory, temporaryName, directory, target.name))
        renamed = true
        try step(.syncDirectory, FileSystem.retrying { fsync(directory) })
        return backupPath
    }

    /// Reads the new file back and opens it with the key it was sealed for.
    private func verify(fd: Int32, expecting payload: [UInt8], replacement: Replacement) throws {
        let (bytes, _) = try StoreFile.readBounded(fd: fd)
        let reopened: (payload: SecretBytes, seal: SealKind)
        do {
            reopened = try bytes.withUnsafeBytes {
                try Envelope.open($0, key: replacement.key, trying: replacement.seal)
            }
        } catch {
            throw TicketError.verificationFailed("it does not open with its key: \(error)")
        }
        guard reopened.seal == replacement.seal else {
            throw TicketError.verificationFailed("it opened in the \(reopened.seal.rawValue) seal")
        }
        // memcmp: a generic elementsEqual compares 8 MiB a byte at a time.
        let same = reopened.payload.withUnsafeBytes { reread in
            payload.withUnsafeBytes { written in
                guard reread.count == written.count, let left = reread.baseAddress,
                    let right = written.baseAddress
                else { return reread.count == written.count }
                return memcmp(left, right, written.count) == 0
            }
        }
        guard same else {
            throw TicketError.verificationFailed("its contents differ from what was written")
        }
    }
}

extension RewriteStep {
    var operation: String {
        switch self {
        case .createTemporary: "create"
        case .changeOwner: "set owner and mode of the new file"
        case .write: "write"
        case .sync: "fsync"
        case .verify: "read back"
        case .backup: "keep a backup"
        case .rename: "rename the new file into place"
        case .syncDirectory: "fsync the directory (the new store is in place)"
        }
    }
}
