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
    /// In a dry run, the refusal a real run would meet after reading.
    public var wouldFail: TicketError? = nil
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
        // Under the lock no other ticketctl is writing beside this store, so
        // what matches our temporary names was left by a killed run. Removing
        // it first also drops the extra link a killed backup step can leave.
        let leftovers = dryRun ? [] : target.removeLeftovers(in: directory)

        let (opened, original) = try read(fd, path: path, key: key)
        let status = original.status
        var wouldFail: TicketError?
        do {
            try refuseOtherLinks(target, in: directory, status: status)
        } catch let error as TicketError where dryRun {
            wouldFail = error
        }
        var outcome = RewriteOutcome(
            opened: opened, replacement: try change(opened), written: false,
            removedLeftovers: leftovers, wouldFail: wouldFail)
        guard let replacement = outcome.replacement, !dryRun else {
            return outcome
        }

        let payload = try Payload.encode(replacement.store)
        try SignalGuard.deferringTermination {
            outcome.backupPath = try replace(
                target, in: directory, with: payload, as: replacement, original: original)
        }
        outcome.written = true
        return outcome
    }

    /// Opens the store behind the locked `fd`, and notes what was read so
    /// that a change made meanwhile can be told before the rename.
    private func read(_ fd: Int32, path: String, key: StoreKey) throws -> (OpenedStore, ReadVersion) {
        let (bytes, status) = try StoreFile.readBounded(fd: fd)
        let version = ReadVersion(fd: fd, status: status, fingerprint: Envelope.fingerprint(of: bytes))
        return (try StoreFile.open(bytes: bytes, status: status, path: path, key: key), version)
    }

    /// A rename would leave other hard links pointing at the old contents,
    /// so a store with any is refused. The one exception is our own backup
    /// name still linked to the store, which a run killed between keeping
    /// the backup and renaming leaves behind.
    private func refuseOtherLinks(_ target: StorePath, in directory: Int32, status: FileStatus) throws {
        guard status.linkCount > 1 else { return }
        let backup = try? FileSystem.status(of: target.backupName, in: directory)
        let backupIsOurs = backup.map { $0.device == status.device && $0.inode == status.inode } ?? false
        guard backupIsOurs && status.linkCount == 2 else {
            throw TicketError.hardLinked(count: status.linkCount)
        }
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

    /// Writes the replacement beside the original and renames it into
    /// place, once the original is shown to be still what we read. Returns
    /// the backup's path when one was kept.
    private func replace(
        _ target: StorePath, in directory: Int32, with payload: [UInt8], as replacement: Replacement,
        original: ReadVersion
    ) throws -> String? {
        let newFile = NewStoreFile(target: target, directory: directory, injectFault: injectFault)
        var backupPath: String?
        try newFile.write(
            payload, as: replacement, ownedLike: original.status, placement: .rename
        ) {
            try original.checkUnchanged(target, in: directory)
            if keepBackup {
                try newFile.step(.backup)
                backupPath = try target.linkBackup(in: directory)
            }
        }
        return backupPath
    }
}

/// The store as this run read it, to tell just before the rename whether
/// anyone has written it since.
private struct ReadVersion {
    let fd: Int32
    let status: FileStatus
    /// The envelope's header and tag (`Envelope.fingerprint`).
    let fingerprint: [UInt8]

    /// Throws `storeChanged` unless the name still leads to the same inode,
    /// with the same size and times, and the same envelope header and tag.
    /// Every save, ours or the server's, seals under a fresh nonce, so the
    /// header tells a rewrite that lands within one tick of the file
    /// system's clock, where the times alone cannot.
    func checkUnchanged(_ target: StorePath, in directory: Int32) throws {
        let now = try FileSystem.status(of: fd)
        guard now.size == status.size, try currentFingerprint() == fingerprint else {
            throw TicketError.storeChanged
        }
        let current = try FileSystem.status(of: target.name, in: directory)
        guard current.isSameVersion(as: status) else { throw TicketError.storeChanged }
    }

    private func currentFingerprint() throws -> [UInt8] {
        let size = Int(status.size)
        var header = [UInt8](repeating: 0, count: Envelope.headerSize)
        var tag = [UInt8](repeating: 0, count: Envelope.tagSize)
        let gotHeader = try header.withUnsafeMutableBytes { try FileSystem.read(fd, into: $0, at: 0) }
        let gotTag = try tag.withUnsafeMutableBytes { try FileSystem.read(fd, into: $0, at: size - Envelope.tagSize) }
        guard gotHeader == header.count, gotTag == tag.count else { return [] }
        return header + tag
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
