import Glibc

/// Writes a store at a path where no file exists yet, mode 0600.
///
/// The store is written and verified like any rewrite, then hard-linked to
/// the target name: `link` fails if the name exists, so an existing file is
/// never overwritten, even by a race, and a crash never leaves a
/// half-written store under the target name.
public enum StoreCreation {
    /// - Throws: `TicketError.alreadyExists` (exit 73) when `path` exists,
    ///   `TicketError.system` for a failing step; nothing is left behind.
    public static func create(_ path: String, store: TicketStore, seal: SealKind, key: StoreKey) throws {
        let target = try StorePath(creating: path)
        let directory = try FileSystem.openDirectory(target.directory)
        defer { close(directory) }
        if (try? FileSystem.status(of: target.name, in: directory)) != nil {
            throw TicketError.alreadyExists
        }

        let payload = try Payload.encode(store)
        try NewStoreFile(target: target, directory: directory).write(
            payload, as: Replacement(store: store, seal: seal, key: key), ownedLike: nil, placement: .link)
    }
}
