import Glibc

/// Writes a sealed store beside its target and moves it into place: the
/// part that creating a store and replacing one share.
///
/// The file is created exclusively under a temporary name, without
/// following links, mode at most 0600; it gets the owner and group asked
/// for, is fsync'd, read back and opened with its key, and only then
/// renamed (or, for a new store, hard-linked) to the target name, after
/// which the directory is fsync'd. Any failure before that removes the
/// temporary file.
struct NewStoreFile {
    /// How the verified file takes the target's name.
    enum Placement {
        /// Atomically replace the existing file.
        case rename
        /// Link to a name that must not exist yet; `EEXIST` becomes
        /// `TicketError.alreadyExists`.
        case link
    }

    let target: StorePath
    let directory: Int32
    /// Test seam: called before each step; a non-zero result is injected as
    /// that step's errno, in place of the step's system call.
    var injectFault: (@Sendable (RewriteStep) -> Int32)?

    /// Runs one step's system call, unless the test seam injects a failure
    /// in its place: an injected failure means the call never happened.
    func step(_ step: RewriteStep, _ call: () -> Int32 = { 0 }) throws {
        if let code = injectFault?(step), code != 0 {
            throw TicketError.system(operation: step.operation, errno: code)
        }
        try FileSystem.check(FileSystem.retrying(call), step.operation)
    }

    /// Seals `payload` as `replacement` says and puts it at the target.
    ///
    /// - Parameters:
    ///   - owner: the owner, group and mode to keep (mode masked to 0600);
    ///     nil for a new store of our own with mode 0600.
    ///   - beforePlacing: last checks once the new file is verified; what
    ///     it throws leaves the target untouched.
    func write(
        _ payload: [UInt8], as replacement: Replacement,
        ownedLike owner: FileStatus?, placement: Placement, beforePlacing: () throws -> Void = {}
    ) throws {
        let temporaryName = target.temporaryName()
        try step(.createTemporary)
        let fd = FileSystem.retrying {
            openat(directory, temporaryName, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        try FileSystem.check(fd, "create")
        var temporaryNameExists = true
        defer {
            close(fd)
            if temporaryNameExists { unlinkat(directory, temporaryName, 0) }
        }

        if let owner {
            let mine = try FileSystem.status(of: fd)
            if mine.owner != owner.owner || mine.group != owner.group {
                try step(.changeOwner) { fchown(fd, owner.owner, owner.group) }
            }
        }
        try step(.changeOwner) { fchmod(fd, mode_t((owner?.permissions ?? 0o600) & 0o600)) }
        try step(.write)
        // Sealed here so the 8 MiB file is freed before the read-back check.
        try FileSystem.writeAll(fd, payload.withUnsafeBytes {
            Envelope.seal($0, key: replacement.key, as: replacement.seal)
        })
        try step(.sync) { fsync(fd) }
        try step(.verify)
        try verify(fd: fd, expecting: payload, replacement: replacement)
        try beforePlacing()

        switch placement {
        case .rename:
            try step(.rename) { renameat(directory, temporaryName, directory, target.name) }
            temporaryNameExists = false
        case .link:
            try step(.rename)
            guard linkat(directory, temporaryName, directory, target.name, 0) == 0 else {
                throw errno == EEXIST
                    ? TicketError.alreadyExists : TicketError.system(operation: "create", errno: errno)
            }
        }
        try step(.syncDirectory) { fsync(directory) }
    }

    /// Reads the new file back, opens it with the key and seal it was
    /// written for, and compares the plaintext with `payload`.
    private func verify(fd: Int32, expecting payload: [UInt8], replacement: Replacement) throws {
        var (bytes, _) = try StoreFile.readBounded(fd: fd)
        defer { bytes.withUnsafeMutableBytes { Sodium.wipe($0) } }
        let problem = try bytes.withUnsafeMutableBytes { file -> String? in
            guard let plaintext = try Envelope.openInPlace(file, key: replacement.key, as: replacement.seal) else {
                return "it does not open with its key in the \(replacement.seal.rawValue) seal"
            }
            let same = payload.withUnsafeBytes { UnsafeRawBufferPointer(plaintext).hasSameBytes(as: $0) }
            return same ? nil : "its contents differ from what was written"
        }
        if let problem {
            throw TicketError.verificationFailed(problem)
        }
    }
}

extension UnsafeRawBufferPointer {
    /// `memcmp`: a generic `elementsEqual` compares 8 MiB a byte at a time.
    func hasSameBytes(as other: UnsafeRawBufferPointer) -> Bool {
        guard count == other.count else { return false }
        guard let base = baseAddress, let otherBase = other.baseAddress else { return true }
        return memcmp(base, otherBase, count) == 0
    }
}
