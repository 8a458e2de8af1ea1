import Glibc

/// Where a store really lives: symlinks resolved, so that a rewrite replaces
/// the link's target and the link stays a link.
struct StorePath {
    let directory: String
    let name: String

    init(resolving path: String) throws {
        guard let resolved = realpath(path, nil) else {
            throw TicketError.system(operation: "open", errno: errno)
        }
        defer { free(resolved) }
        let full = String(cString: resolved)
        guard let slash = full.lastIndex(of: "/") else {
            throw TicketError.invalidValue("cannot resolve the directory of \(path)")
        }
        directory = slash == full.startIndex ? "/" : String(full[..<slash])
        name = String(full[full.index(after: slash)...])
    }

    /// Where a store that does not exist yet is to be created: the
    /// directory resolved, the final name as given (never followed, so a
    /// dangling symlink there counts as an existing file).
    init(creating path: String) throws {
        let slash = path.lastIndex(of: "/")
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let parent = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        guard !name.isEmpty, name != ".", name != ".." else {
            throw TicketError.invalidValue("not a file name")
        }
        guard let resolved = realpath(parent, nil) else {
            throw TicketError.system(operation: "open directory \(parent)", errno: errno)
        }
        defer { free(resolved) }
        directory = String(cString: resolved)
        self.name = name
    }

    /// Temporary files of this store start with this; a killed run can
    /// leave one behind, and the next writer removes it.
    var temporaryPrefix: String { ".\(name).ticketctl-" }
    static let temporarySuffix = ".tmp"

    func temporaryName() -> String {
        temporaryPrefix + Hex.encode(Sodium.randomBytes(6)) + Self.temporarySuffix
    }

    var backupName: String { name + ".bak" }

    /// Temporary files that a killed run left beside the store.
    func leftovers(in directory: Int32) -> [String] {
        let listing = dup(directory)
        guard listing >= 0, let stream = fdopendir(listing) else {
            if listing >= 0 { close(listing) }
            return []
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if entryName.hasPrefix(temporaryPrefix) && entryName.hasSuffix(Self.temporarySuffix) {
                names.append(entryName)
            }
        }
        return names.sorted()
    }

    /// Removes leftovers. Only call while holding the store's lock: then no
    /// other ticketctl is writing one of these files.
    func removeLeftovers(in directory: Int32) -> [String] {
        leftovers(in: directory).filter { unlinkat(directory, $0, 0) == 0 }
    }

    /// Hard-links the current store as `NAME.bak`, replacing an older
    /// backup atomically. The backup is the same inode, so it keeps the
    /// original's mode, owner and times exactly. A backup that already is
    /// the store (left by a run killed before its rename) is kept as it is:
    /// renaming a link over another link of the same inode does nothing and
    /// would strand the staging name.
    func linkBackup(in directory: Int32) throws -> String {
        let path = self.directory == "/" ? "/\(backupName)" : "\(self.directory)/\(backupName)"
        let store = try FileSystem.status(of: name, in: directory)
        if let backup = try? FileSystem.status(of: backupName, in: directory),
            backup.device == store.device, backup.inode == store.inode
        {
            return path
        }

        let staging = temporaryName()
        try FileSystem.check(linkat(directory, name, directory, staging, 0), "keep a backup")
        guard renameat(directory, staging, directory, backupName) == 0 else {
            let failure = errno
            unlinkat(directory, staging, 0)
            throw TicketError.system(operation: "keep a backup", errno: failure)
        }
        return path
    }
}
